"""Helpers for the Python steps of the `fvi` ensemble (imported inside Triton's Python backend only)."""

import numpy as np


def get(request, name: str) -> np.ndarray:
    """One input tensor of a request as a numpy array."""
    import triton_python_backend_utils as pb_utils

    return pb_utils.get_input_tensor_by_name(request, name).as_numpy()


def get_letterbox(request, name: str):
    """A letterbox transform passed between steps as FP64 [scale, dx, dy] (exact, as in process)."""
    from fvi.pipeline.geometry import Letterbox

    scale, dx, dy = (float(v) for v in get(request, name))
    return Letterbox(scale, dx, dy)


def letterbox_tensor(lb) -> np.ndarray:
    return np.array([lb.scale, lb.dx, lb.dy], np.float64)
