"""Image geometry: letterboxing for the cropper, warping the card upright, line crops for the reader."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from fvi.cards.types import CANONICAL_SIZE
from fvi.pipeline.specs import CROPPER_INPUT, LETTERBOX_MARGIN, LINE_HEIGHT, READER_MAX_WIDTH, READER_WIDTH_STEP

CANONICAL_CORNERS = np.float32([[0, 0], [CANONICAL_SIZE[0], 0], [CANONICAL_SIZE[0], CANONICAL_SIZE[1]],
                                [0, CANONICAL_SIZE[1]]])


#: The letterbox's margin colour (and of a second look's region beyond the photo).
LETTERBOX_GREY = 114


@dataclass(frozen=True)
class Letterbox:
    """How a photo was placed in the square cropper input: ``lb = img * scale + (dx, dy)``."""

    scale: float
    dx: float
    dy: float

    def to_image(self, points: np.ndarray) -> np.ndarray:
        # float32 like the `corners` tensor between Triton steps, so both pipelines warp identically.
        return np.float32((np.asarray(points, np.float32) - [self.dx, self.dy]) / self.scale)

    def to_letterbox(self, points: np.ndarray) -> np.ndarray:
        return np.asarray(points, np.float32) * self.scale + [self.dx, self.dy]


def letterbox(image: np.ndarray, size: int = CROPPER_INPUT, margin: float = LETTERBOX_MARGIN) -> tuple[np.ndarray, Letterbox]:
    """Resize the photo (RGB uint8) into a ``size`` square with a grey margin on every side."""
    h, w = image.shape[:2]
    inner = size * (1 - 2 * margin)
    scale = inner / max(h, w)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    small = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA)
    out = np.full((size, size, 3), LETTERBOX_GREY, np.uint8)
    dx, dy = (size - nw) // 2, (size - nh) // 2
    out[dy:dy + nh, dx:dx + nw] = small
    return out, Letterbox(scale, float(dx), float(dy))


def warp_card(image: np.ndarray, corners: np.ndarray, size: tuple[int, int] = CANONICAL_SIZE) -> np.ndarray:
    """Warp the card with ``corners`` (card-text order, image pixels) to an upright ``size`` image."""
    w, h = size
    dst = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    m = cv2.getPerspectiveTransform(np.float32(corners), dst)
    return cv2.warpPerspective(image, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def crop_line(card: np.ndarray, box: tuple[float, float, float, float], pad: float = 0.12, shift: float = 0.0,
              width: int | None = None) -> np.ndarray:
    """Grey crop of one text line (box in card pixels), resized to LINE_HEIGHT keeping aspect (or to
    ``width``); ``shift`` moves the crop down by that share of the box's height (up when negative)."""
    x0, y0, x1, y1 = box
    ph = (y1 - y0) * pad
    dy = (y1 - y0) * shift
    x0, x1 = int(max(0, x0 - ph)), int(min(card.shape[1], x1 + ph))
    y0, y1 = int(max(0, y0 - ph + dy)), int(min(card.shape[0], y1 + ph + dy))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return np.full((LINE_HEIGHT, width or READER_WIDTH_STEP), 255, np.uint8)
    crop = card[y0:y1, x0:x1]
    if crop.ndim == 3:
        crop = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    return resize_line(crop, width)


def resize_line(gray: np.ndarray, width: int | None = None) -> np.ndarray:
    """A grey line at LINE_HEIGHT, its width kept in proportion (or ``width``)."""
    h, w = gray.shape[:2]
    nw = width or int(np.clip(round(w * LINE_HEIGHT / h), READER_WIDTH_STEP, READER_MAX_WIDTH))
    return cv2.resize(gray, (nw, LINE_HEIGHT), interpolation=cv2.INTER_AREA if h > LINE_HEIGHT else cv2.INTER_LINEAR)


def batch_lines(lines: list[np.ndarray], width_step: int = READER_WIDTH_STEP) -> np.ndarray:
    """Stack grey lines into one float32 batch [N, 1, H, W] in [0, 1], right-padded with white."""
    width = max(line.shape[1] for line in lines)
    width = int(np.ceil(width / width_step) * width_step)
    batch = np.ones((len(lines), 1, LINE_HEIGHT, width), np.float32)
    for i, line in enumerate(lines):
        batch[i, 0, :, : line.shape[1]] = line / 255.0
    return batch
