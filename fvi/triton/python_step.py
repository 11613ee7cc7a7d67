"""Helpers for the Python steps of the `fvi` ensemble (imported inside Triton's Python backend only)."""

import numpy as np


def get(request, name: str) -> np.ndarray:
    """One input tensor of a request as a numpy array."""
    import triton_python_backend_utils as pb_utils

    return pb_utils.get_input_tensor_by_name(request, name).as_numpy()
