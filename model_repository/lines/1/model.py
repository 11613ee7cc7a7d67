"""Ensemble step 7: the card's type/side checked against the layout the detector sees; line boxes,
sorted, cut and batched for the reader (N >= 1)."""

import numpy as np
import triton_python_backend_utils as pb_utils

from fvi.pipeline.cropping import crop_from_probs
from fvi.pipeline.steps import find_lines, layout_probs, pack_boxes, reader_input
from fvi.triton.python_step import get


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for r in requests:
            kernels = get(r, "kernels")[0]
            probs = layout_probs(get(r, "cropper_card_probs"), kernels)  # type/side checked against the fields
            crop = crop_from_probs(probs)
            card = get(r, "card") if crop.card_class != "none" else None
            boxes = find_lines(kernels, crop.card_class) if card is not None else []
            values, fields = pack_boxes(boxes)
            responses.append(pb_utils.InferenceResponse([
                pb_utils.Tensor("reader_input", reader_input(card, boxes)),
                pb_utils.Tensor("line_boxes", values),
                pb_utils.Tensor("line_fields", fields),
                pb_utils.Tensor("card_probs", np.float32(probs)),
            ]))
        return responses
