"""Ensemble step 3: from the cropper's first look, the input of its second (the card's region, larger)."""

import triton_python_backend_utils as pb_utils

from fvi.pipeline.steps import zoom_input
from fvi.triton.python_step import get, get_letterbox, letterbox_tensor


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for r in requests:
            first = (get(r, "heatmaps")[0], get(r, "offsets")[0], get(r, "card_logits")[0])
            x, lb = zoom_input(get(r, "pixels"), get_letterbox(r, "letterbox"), first)
            responses.append(pb_utils.InferenceResponse([
                pb_utils.Tensor("cropper_input", x),
                pb_utils.Tensor("letterbox", letterbox_tensor(lb)),
            ]))
        return responses
