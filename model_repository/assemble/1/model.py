"""Ensemble step 9: read the doubted lines again (the reader, called here on their moved crops), decode
text, group lines into fields, validate, and write the JSON result."""

import json
from pathlib import Path

import numpy as np
import triton_python_backend_utils as pb_utils

from fvi.pipeline.cropping import crop_from_probs
from fvi.pipeline.result import build_result
from fvi.pipeline.runner import MODELS, second_read_on
from fvi.pipeline.spelling import place_words
from fvi.pipeline.steps import Located, read_fields, second_read, unpack_boxes
from fvi.triton.python_step import get
from fvi.triton.versions import ServingVersions


def read_again(lines: np.ndarray) -> np.ndarray | None:
    """The reader's logits for the doubted lines' moved crops (BLS: only cards with a doubted line pay for
    it); None when the reader does not answer (the first reading stands, and the log says why)."""
    response = pb_utils.InferenceRequest(model_name="reader", requested_output_names=["logits"],
                                         inputs=[pb_utils.Tensor("image", lines)]).exec()
    if response.has_error():
        pb_utils.Logger.log_warn(f"the reader did not answer the second read, the first reading stands: "
                                 f"{response.error().message()}")
        return None
    return pb_utils.get_output_tensor_by_name(response, "logits").as_numpy()


class TritonPythonModel:
    def initialize(self, args):
        parameters = json.loads(args["model_config"]).get("parameters", {})
        try:
            enabled = second_read_on(parameters.get("second_read", {}).get("string_value", "true"))
        except ValueError as exc:
            raise pb_utils.TritonModelException(f"assemble: {exc}") from exc
        self.read_again = read_again if enabled else None
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
            logits = second_read(located.card, boxes, get(r, "logits"), self.read_again) if found else None
            fields = read_fields(crop.card_class, boxes, logits) if found else {}
            result = build_result(located, fields, self.versions(), {})
            text = json.dumps(result, ensure_ascii=False)
            responses.append(pb_utils.InferenceResponse([
                pb_utils.Tensor("result", np.array([text.encode("utf-8")], dtype=np.object_)),
            ]))
        return responses
