"""Detector training task: warped cards with line-kernel targets; BCE + dice; line recall/precision."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import torch
from torch.nn import functional as F

from fvi.cards.types import CANONICAL_SIZE
from fvi.models.detector import Detector
from fvi.pipeline.detection import decode_kernels, kernel_targets
from fvi.pipeline.geometry import warp_card
from fvi.pipeline.specs import DETECTOR_INPUT
from fvi.synth.labels import ImageLabel
from fvi.train.lines import jitter_corners
from fvi.train.tensors import infer, to_tensor

Box = tuple[float, float, float, float]


def card_sample(data_dir: Path, label: ImageLabel, rng: np.random.Generator,
                jitter: float = 0.012) -> tuple[np.ndarray, list[tuple[str, Box]]]:
    """The card warped (with cropper-like corner error) to the detector input, and its line boxes."""
    image = cv2.cvtColor(cv2.imread(str(data_dir / "images" / label.image)), cv2.COLOR_BGR2RGB)
    card = warp_card(image, jitter_corners(np.float32(label.card.corners), rng, jitter), DETECTOR_INPUT)
    lines = []
    for key, field in label.card.fields.items():
        for line in field.lines:
            pc = np.array(line.polygon_card)
            lines.append((key, (pc[:, 0].min(), pc[:, 1].min(), pc[:, 0].max(), pc[:, 1].max())))
    return card, lines


def _job(args: tuple[str, str, int]):
    data_dir, label_json, seed = args
    label = ImageLabel.model_validate_json(label_json)
    return card_sample(Path(data_dir), label, np.random.default_rng([seed, label.index]))


def build_card_set(data_dir: Path, labels: list[ImageLabel], seed: int, workers: int = 2):
    jobs = [(str(data_dir), l.model_dump_json(), seed) for l in labels if l.card is not None]
    with mp.get_context("spawn").Pool(workers, initializer=cv2.setNumThreads, initargs=(1,)) as pool:
        return pool.map(_job, jobs, chunksize=16)


def box_iou(a: Box, b: Box) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def match_lines(pred: list[tuple[str, Box]], truth: list[tuple[str, Box]], iou: float = 0.5) -> int:
    """Number of true lines matched one-to-one by a prediction of the same field at IoU >= ``iou``."""
    used = set()
    hits = 0
    for field, box in truth:
        best, best_j = iou, None
        for j, (pf, pb) in enumerate(pred):
            if j in used or pf != field:
                continue
            v = box_iou(box, pb)
            if v >= best:
                best, best_j = v, j
        if best_j is not None:
            used.add(best_j)
            hits += 1
    return hits



class DetectorTask:
    name = "detector"

    def __init__(self, train_cards, val_cards, batch_size: int) -> None:
        self.train_cards = train_cards
        self.val_cards = val_cards
        self.batch_size = batch_size

    def build_model(self) -> torch.nn.Module:
        return Detector()

    def steps_per_epoch(self) -> int:
        return len(self.train_cards) // self.batch_size

    def batches(self, epoch: int, rng: np.random.Generator) -> Iterator:
        order = rng.permutation(len(self.train_cards))
        for start in range(0, len(order) - self.batch_size + 1, self.batch_size):
            images, targets = [], []
            for i in order[start:start + self.batch_size]:
                img, lines = self.train_cards[i]
                # Small shift/scale of card and boxes together, plus colour jitter.
                s = rng.uniform(0.96, 1.04)
                tx, ty = rng.uniform(-0.02, 0.02, 2) * np.array(DETECTOR_INPUT)
                m = np.float32([[s, 0, tx], [0, s, ty]])
                img = cv2.warpAffine(img, m, DETECTOR_INPUT, borderMode=cv2.BORDER_REPLICATE)
                img = np.clip(img * rng.uniform(0.7, 1.2, 3) + rng.uniform(-20, 20), 0, 255).astype(np.uint8)
                sx, sy = DETECTOR_INPUT[0] / CANONICAL_SIZE[0], DETECTOR_INPUT[1] / CANONICAL_SIZE[1]
                moved = [(k, ((b[0] * sx * s + tx) / sx, (b[1] * sy * s + ty) / sy,
                              (b[2] * sx * s + tx) / sx, (b[3] * sy * s + ty) / sy)) for k, b in lines]
                images.append(img)
                targets.append(kernel_targets(moved))
            yield to_tensor(images), torch.from_numpy(np.stack(targets))

    def loss(self, model, batch):
        images, targets = batch
        logits = model(images).float()
        bce = F.binary_cross_entropy_with_logits(logits, targets, pos_weight=torch.tensor(3.0))
        probs = torch.sigmoid(logits)
        inter = (probs * targets).sum((2, 3))
        dice = 1 - (2 * inter + 1) / (probs.sum((2, 3)) + targets.sum((2, 3)) + 1)
        present = (targets.sum((2, 3)) > 0).float()
        dice = (dice * present).sum() / present.sum().clamp(min=1)
        return bce + dice, {"bce": bce.item(), "dice": dice.item()}

    def validate(self, model) -> dict[str, float]:
        hits = n_true = n_pred = 0
        for start in range(0, len(self.val_cards), 16):
            chunk = self.val_cards[start:start + 16]
            probs = 1 / (1 + np.exp(-infer(model, to_tensor([c for c, _ in chunk]))))
            for p, (_, truth) in zip(probs, chunk):
                pred = [(b.field, b.box) for b in decode_kernels(p)]
                hits += match_lines(pred, truth)
                n_true += len(truth)
                n_pred += len(pred)
        recall, precision = hits / max(1, n_true), hits / max(1, n_pred)
        return {"recall": recall, "precision": precision, "score": 2 * recall * precision / max(1e-9, recall + precision)}
