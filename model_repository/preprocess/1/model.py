"""Ensemble step 1: decode the uploaded bytes once, letterbox a small copy for the cropper."""

import triton_python_backend_utils as pb_utils

from fvi.errors import FviError
from fvi.pipeline.image import decode_image
from fvi.pipeline.steps import cropper_input
from fvi.triton.python_step import letterbox_tensor


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for request in requests:
            data = pb_utils.get_input_tensor_by_name(request, "image").as_numpy().tobytes()
            try:
                pixels = decode_image(data)
            except FviError as exc:  # a bad image is the caller's error, with a code it can act on
                responses.append(pb_utils.InferenceResponse(error=pb_utils.TritonError(f"{exc.code}: {exc.message}")))
                continue
            x, lb = cropper_input(pixels)
            responses.append(pb_utils.InferenceResponse([
                pb_utils.Tensor("cropper_input", x),
                pb_utils.Tensor("pixels", pixels),
                pb_utils.Tensor("letterbox", letterbox_tensor(lb)),
            ]))
        return responses
