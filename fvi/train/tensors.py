"""Batches of images as training tensors."""

import numpy as np
import torch


def to_tensor(images) -> torch.Tensor:
    """NHWC uint8 images -> NCHW float in [0, 1], kept in channels-last memory (no copy)."""
    return torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).float() / 255.0


def infer(model: torch.nn.Module, batch: torch.Tensor):
    """``model`` on ``batch`` moved to the model's device; each output back as float32 numpy on the CPU."""
    out = model(batch.to(next(model.parameters()).device))
    if isinstance(out, (tuple, list)):
        return tuple(o.detach().float().cpu().numpy() for o in out)
    return out.detach().float().cpu().numpy()
