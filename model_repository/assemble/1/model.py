"""Ensemble step 9: decode text, group lines into fields, validate, and write the JSON result."""

import json
from pathlib import Path

import numpy as np
import triton_python_backend_utils as pb_utils

from fvi.pipeline.cropping import crop_from_probs
from fvi.pipeline.result import build_result
from fvi.pipeline.runner import MODELS
from fvi.pipeline.spelling import place_words
from fvi.pipeline.steps import Located, read_fields, unpack_boxes
from fvi.triton.python_step import get
from fvi.triton.versions import ServingVersions


class TritonPythonModel:
    def initialize(self, args):
        # Asked per request, not once: a rollout changes the serving version while this step runs.
        self.versions = ServingVersions(Path(args["model_repository"]).parent, MODELS, pb_utils.is_model_ready)
        place_words()  # load the province/ward list (and its words) now, not on the first card

    def execute(self, requests):
        responses = []
        for r in requests:
            crop = crop_from_probs(get(r, "card_probs"))
            found = crop.card_class != "none"
            qr_text = get(r, "qr_text")[0].decode("utf-8") or None
            located = Located(crop, get(r, "corners") if found else None, get(r, "card") if found else None, qr_text,
                              tuple(int(v) for v in get(r, "photo_size")))
            boxes = unpack_boxes(get(r, "line_boxes"), get(r, "line_fields"))
            fields = read_fields(crop.card_class, boxes, get(r, "logits")) if found else {}
            result = build_result(located, fields, self.versions(), {})
            text = json.dumps(result, ensure_ascii=False)
            responses.append(pb_utils.InferenceResponse([
                pb_utils.Tensor("result", np.array([text.encode("utf-8")], dtype=np.object_)),
            ]))
        return responses
