"""Ensemble step 5: decode the cropper's two looks (corners, card class; the second look from cropper_cut,
called here on the second look's input, when the first found the card at the photo's frame), warp the
full-resolution photo upright, read its QR code; pass on the photo's size."""

import numpy as np
import triton_python_backend_utils as pb_utils

from fvi.cards.types import CANONICAL_SIZE
from fvi.pipeline.steps import detector_input, locate_card
from fvi.triton.python_step import get, get_letterbox

CROPPER_OUTPUTS = ("heatmaps", "offsets", "card_logits")


def cut_look(zoom_input: np.ndarray):
    """cropper_cut's outputs for the second look's input, called (BLS) only for the photos that need it:
    an ensemble step would run on every photo. None when cropper_cut does not answer (not loaded: load it
    beside `fvi`, e.g. `--load-model=cropper_cut`): the cropper's own second look is used then, and the
    result's `models` shows cropper_cut as null."""
    response = pb_utils.InferenceRequest(model_name="cropper_cut", requested_output_names=list(CROPPER_OUTPUTS),
                                         inputs=[pb_utils.Tensor("image", zoom_input)]).exec()
    if response.has_error():
        pb_utils.Logger.log_warn(f"cropper_cut did not answer, the cropper's second look is used: "
                                 f"{response.error().message()}")
        return None
    return tuple(pb_utils.get_output_tensor_by_name(response, name).as_numpy()[0] for name in CROPPER_OUTPUTS)


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for r in requests:
            first = (get(r, "heatmaps")[0], get(r, "offsets")[0], get(r, "card_logits")[0])
            second = (get(r, "zoom_heatmaps")[0], get(r, "zoom_offsets")[0], get(r, "zoom_card_logits")[0])
            pixels = get(r, "pixels")
            located = locate_card(pixels, get_letterbox(r, "letterbox"), first, (get_letterbox(r, "zoom_letterbox"), second),
                                  lambda r=r: cut_look(get(r, "zoom_input")))
            w, h = CANONICAL_SIZE
            card = located.card if located.card is not None else np.zeros((h, w, 3), np.uint8)
            corners = located.corners if located.corners is not None else np.zeros((4, 2), np.float32)
            responses.append(pb_utils.InferenceResponse([
                pb_utils.Tensor("detector_input", detector_input(located.card)),
                pb_utils.Tensor("card", np.ascontiguousarray(card)),
                pb_utils.Tensor("corners", np.float32(corners)),
                pb_utils.Tensor("card_probs", np.float32(located.crop.class_probs)),
                pb_utils.Tensor("qr_text", np.array([(located.qr_text or "").encode("utf-8")], dtype=np.object_)),
                pb_utils.Tensor("photo_size", np.int32(pixels.shape[:2])),
            ]))
        return responses
