"""Batches of images as training tensors."""

import numpy as np
import torch


def to_tensor(images) -> torch.Tensor:
    """NHWC uint8 images -> NCHW float in [0, 1], kept in channels-last memory (no copy)."""
    return torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).float() / 255.0
