"""Detector targets and decoding: line boxes <-> shrunk line kernels per field class."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from fvi.cards.types import CANONICAL_SIZE
from fvi.pipeline.specs import (
    DETECTOR_CLASSES,
    DETECTOR_INPUT,
    DETECTOR_STRIDE,
    KERNEL_DECODE_RATIO,
    KERNEL_HEIGHT_RATIO,
)

OUT_W, OUT_H = DETECTOR_INPUT[0] // DETECTOR_STRIDE, DETECTOR_INPUT[1] // DETECTOR_STRIDE
SX, SY = OUT_W / CANONICAL_SIZE[0], OUT_H / CANONICAL_SIZE[1]  # canonical card px -> output cells


@dataclass(frozen=True)
class LineBox:
    """A detected text line on the canonical card."""

    field: str
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in canonical card pixels
    score: float


def kernel_targets(lines: list[tuple[str, tuple[float, float, float, float]]]) -> np.ndarray:
    """Float32 [classes, OUT_H, OUT_W]: 1 inside each line's kernel (box shrunk in height)."""
    target = np.zeros((len(DETECTOR_CLASSES), OUT_H, OUT_W), np.float32)
    for field, (x0, y0, x1, y1) in lines:
        c = DETECTOR_CLASSES.index(field)
        h = y1 - y0
        trim = h * (1 - KERNEL_HEIGHT_RATIO) / 2
        kx0, kx1 = (x0 + trim) * SX, (x1 - trim) * SX
        ky0, ky1 = (y0 + trim) * SY, (y1 - trim) * SY
        cv2.rectangle(target[c], (int(round(kx0)), int(round(ky0))),
                      (max(int(round(kx0)), int(round(kx1)) - 1), max(int(round(ky0)), int(round(ky1)) - 1)), 1.0, -1)
    return target


def decode_kernels(probs: np.ndarray, threshold: float = 0.5, min_area: int = 10,
                   ratio: float = KERNEL_DECODE_RATIO) -> list[LineBox]:
    """Per class: connected kernels above ``threshold`` -> line boxes grown back to full height."""
    boxes: list[LineBox] = []
    for c, field in enumerate(DETECTOR_CLASSES):
        mask = (probs[c] > threshold).astype(np.uint8)
        if not mask.any():
            continue
        count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
        for k in range(1, count):
            x, y, w, h, area = stats[k]
            if area < min_area:
                continue
            score = float(probs[c][labels == k].mean())
            ky0, ky1 = y / SY, (y + h) / SY
            kx0, kx1 = x / SX, (x + w) / SX
            full_h = (ky1 - ky0) / ratio
            trim = full_h * (1 - ratio) / 2
            boxes.append(LineBox(field, (kx0 - trim, ky0 - trim, kx1 + trim, ky1 + trim), score))
    return merge_fragments(boxes)


def merge_fragments(boxes: list[LineBox], gap_in_heights: float = 1.5) -> list[LineBox]:
    """Join pieces of one line that the kernel map split at a wide space: same field, same row
    (vertical overlap over half the lower height), horizontal gap under ``gap_in_heights`` heights."""
    merged = sorted(boxes, key=lambda b: (b.field, b.box[0]))
    changed = True
    while changed:
        changed = False
        for i in range(len(merged)):
            for j in range(i + 1, len(merged)):
                a, b = merged[i], merged[j]
                if a.field != b.field:
                    continue
                (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = a.box, b.box
                overlap = min(ay1, by1) - max(ay0, by0)
                height = min(ay1 - ay0, by1 - by0)
                gap = max(ax0, bx0) - min(ax1, bx1)
                if overlap > 0.5 * height and gap < gap_in_heights * height:
                    box = (min(ax0, bx0), min(ay0, by0), max(ax1, bx1), max(ay1, by1))
                    wa, wb = ax1 - ax0, bx1 - bx0
                    merged[i] = LineBox(a.field, box, (a.score * wa + b.score * wb) / max(1e-6, wa + wb))
                    del merged[j]
                    changed = True
                    break
            if changed:
                break
    return merged


def reading_order(boxes: list[LineBox]) -> dict[str, list[LineBox]]:
    """Group boxes by field, each field's lines top to bottom (then left to right)."""
    fields: dict[str, list[LineBox]] = {}
    for b in boxes:
        fields.setdefault(b.field, []).append(b)
    for lines in fields.values():
        lines.sort(key=lambda b: (round((b.box[1] + b.box[3]) / 2 / 12), b.box[0]))
    return {k: fields[k] for k in DETECTOR_CLASSES if k in fields}
