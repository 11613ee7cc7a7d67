"""Cropper targets and decoding: corner heatmaps + offsets <-> corners, card-class probabilities."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fvi.pipeline.ctc import softmax
from fvi.pipeline.specs import CARD_CLASSES, CROPPER_INPUT, CROPPER_STRIDE, NO_CARD_CLASS

GRID = CROPPER_INPUT // CROPPER_STRIDE
SIGMA = 1.5  # heatmap Gaussian, in cells


@dataclass(frozen=True)
class CropResult:
    """What the cropper says about one photo (corners in letterbox pixels)."""

    corners: np.ndarray  # (4, 2), card-text order
    corner_scores: np.ndarray  # (4,) heatmap peak probabilities
    card_class: str  # "type/side" or "none"
    class_probs: np.ndarray
    card_present: float  # 1 - P(no card)


def corner_targets(corners: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Heatmaps [4, G, G], offsets [8, G, G] and an offset mask [4, G, G] for corners in letterbox px."""
    heat = np.zeros((4, GRID, GRID), np.float32)
    offsets = np.zeros((8, GRID, GRID), np.float32)
    mask = np.zeros((4, GRID, GRID), np.float32)
    if corners is None:
        return heat, offsets, mask
    ys, xs = np.mgrid[0:GRID, 0:GRID].astype(np.float32)
    for k, (x, y) in enumerate(np.asarray(corners, np.float32) / CROPPER_STRIDE):
        cx, cy = int(np.floor(x)), int(np.floor(y))
        if not (0 <= cx < GRID and 0 <= cy < GRID):
            continue  # corner outside the letterbox: no peak to learn
        heat[k] = np.exp(-((xs - cx) ** 2 + (ys - cy) ** 2) / (2 * SIGMA**2))
        heat[k, cy, cx] = 1.0
        offsets[2 * k, cy, cx] = x - cx
        offsets[2 * k + 1, cy, cx] = y - cy
        mask[k, cy, cx] = 1.0
    return heat, offsets, mask


def decode_corners(heat_logits: np.ndarray, offsets: np.ndarray, card_logits: np.ndarray) -> CropResult:
    """One photo's outputs ([4,G,G], [8,G,G], [classes]) -> corners in letterbox pixels and its class."""
    heat = 1 / (1 + np.exp(-heat_logits))
    corners = np.zeros((4, 2), np.float32)
    scores = np.zeros(4, np.float32)
    for k in range(4):
        cy, cx = np.unravel_index(int(np.argmax(heat[k])), heat[k].shape)
        scores[k] = heat[k, cy, cx]
        corners[k] = [(cx + offsets[2 * k, cy, cx]) * CROPPER_STRIDE, (cy + offsets[2 * k + 1, cy, cx]) * CROPPER_STRIDE]
    return crop_from_probs(softmax(card_logits.astype(np.float32)), corners, scores)


def crop_from_probs(probs: np.ndarray, corners: np.ndarray | None = None,
                    corner_scores: np.ndarray | None = None) -> CropResult:
    """The card decision from class probabilities: "none" unless a card is more likely than not."""
    card = probs.copy()
    card[NO_CARD_CLASS] = 0
    present = float(1 - probs[NO_CARD_CLASS])
    best = int(np.argmax(card)) if present >= 0.5 else NO_CARD_CLASS
    return CropResult(np.zeros((4, 2), np.float32) if corners is None else corners,
                      np.zeros(4, np.float32) if corner_scores is None else corner_scores,
                      CARD_CLASSES[best], probs, present)
