"""Ensemble step 5: line boxes from the detector, sorted, cut and batched for the reader (N >= 1)."""

import triton_python_backend_utils as pb_utils

from fvi.pipeline.cropping import crop_from_probs
from fvi.pipeline.steps import find_lines, pack_boxes, reader_input
from fvi.triton.python_step import get


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for r in requests:
            crop = crop_from_probs(get(r, "card_probs"))
            card = get(r, "card") if crop.card_class != "none" else None
            boxes = find_lines(get(r, "kernels")[0], crop.card_class) if card is not None else []
            values, fields = pack_boxes(boxes)
            responses.append(pb_utils.InferenceResponse([
                pb_utils.Tensor("reader_input", reader_input(card, boxes)),
                pb_utils.Tensor("line_boxes", values),
                pb_utils.Tensor("line_fields", fields),
            ]))
        return responses
