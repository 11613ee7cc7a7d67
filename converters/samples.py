"""Real model inputs cut from a `fvi synth` data set, through the same pipeline code the server runs."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from fvi.pipeline.geometry import batch_lines, crop_line, letterbox, warp_card
from fvi.pipeline.specs import DETECTOR_INPUT, network_of
from fvi.pipeline.steps import to_nchw
from fvi.synth.generate import load_labels


def real_inputs(name: str, data: Path, count: int = 8) -> list[np.ndarray]:
    """Batches of real inputs for ``name`` (cropper, cropper_cut, detector, reader) from the photos in ``data``."""
    labels = [l for l in load_labels(data) if l.card is not None][:count]
    photos = [cv2.cvtColor(cv2.imread(str(data / "images" / l.image)), cv2.COLOR_BGR2RGB) for l in labels]
    if network_of(name) == "cropper":
        boxed = [letterbox(p)[0] for p in photos]
        return [to_nchw(boxed[:1]), to_nchw(boxed)]
    cards = [warp_card(p, np.float32(l.card.corners)) for p, l in zip(photos, labels)]
    if name == "detector":
        small = [cv2.resize(c, DETECTOR_INPUT, interpolation=cv2.INTER_AREA) for c in cards]
        return [to_nchw(small[:1]), to_nchw(small[:4])]
    lines = cut_lines(cards, labels)
    return [batch_lines(lines[:1]), batch_lines(lines[:16]), batch_lines(lines)]


def cut_lines(cards: list[np.ndarray], labels) -> list[np.ndarray]:
    """Every labelled line of each warped card, as the reader's grey line crops."""
    lines = []
    for card, label in zip(cards, labels):
        for f in label.card.fields.values():
            for line in f.lines:
                pc = np.array(line.polygon_card)
                lines.append(crop_line(card, (pc[:, 0].min(), pc[:, 1].min(), pc[:, 0].max(), pc[:, 1].max())))
    return lines


def real_lines(data: Path, count: int = 8) -> list[np.ndarray]:
    """Grey line crops from the first ``count`` card photos of ``data``."""
    labels = [l for l in load_labels(data) if l.card is not None][:count]
    cards = [warp_card(cv2.cvtColor(cv2.imread(str(data / "images" / l.image)), cv2.COLOR_BGR2RGB),
                       np.float32(l.card.corners)) for l in labels]
    return cut_lines(cards, labels)
