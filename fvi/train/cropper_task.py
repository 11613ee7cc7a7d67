"""Cropper training task: letterboxed photos, focal loss on corner heatmaps, L1 offsets, card class."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import torch
from torch.nn import functional as F

from fvi.models.cropper import Cropper
from fvi.pipeline.cropping import corner_targets, decode_corners
from fvi.pipeline.geometry import letterbox
from fvi.pipeline.specs import CARD_CLASSES, CROPPER_INPUT, NO_CARD_CLASS
from fvi.pipeline.steps import ZOOM_MARGIN, zoom_view
from fvi.synth.labels import ImageLabel
from fvi.train.tensors import infer, to_tensor


def class_index(label: ImageLabel) -> int:
    if label.card is None:
        return NO_CARD_CLASS
    return CARD_CLASSES.index(f"{label.card.type.value}/{label.card.side.value}")


def photo_sample(data_dir: Path, label: ImageLabel):
    image = cv2.cvtColor(cv2.imread(str(data_dir / "images" / label.image)), cv2.COLOR_BGR2RGB)
    boxed, lb = letterbox(image)
    corners = lb.to_letterbox(np.float32(label.card.corners)) if label.card else None
    width = float(np.linalg.norm(np.subtract(label.card.corners[1], label.card.corners[0]))) * lb.scale if label.card else 0.0
    return boxed, corners, class_index(label), width


#: Second-look samples: the true corners moved by up to this share of the card's width (std. dev. drawn
#: per photo), as far as the first look misses them, and the margin scaled by 0.7-1.3.
ZOOM_CORNER_JITTER = 0.03


def zoom_sample(data_dir: Path, label: ImageLabel, seed: int):
    """What the cropper's second look sees (`fvi.pipeline.steps.zoom_view`): the region around the card
    as the first look found it; a photo without a card gives a random region of it."""
    rng = np.random.default_rng([seed, label.index])
    image = cv2.cvtColor(cv2.imread(str(data_dir / "images" / label.image)), cv2.COLOR_BGR2RGB)
    h, w = image.shape[:2]
    if label.card is None:
        rw, rh = w * rng.uniform(0.3, 0.7), h * rng.uniform(0.3, 0.7)
        x0, y0 = rng.uniform(0, w - rw), rng.uniform(0, h - rh)
        found = np.float32([[x0, y0], [x0 + rw, y0], [x0 + rw, y0 + rh], [x0, y0 + rh]])
        view = zoom_view(image, found, 0.0)
    else:
        true = np.float32(label.card.corners)
        width = float(np.linalg.norm(true[1] - true[0]))
        found = true + rng.normal(0, rng.uniform(0, ZOOM_CORNER_JITTER) * width, true.shape).astype(np.float32)
        view = zoom_view(image, found, ZOOM_MARGIN * rng.uniform(0.7, 1.3))
    boxed, lb = view if view is not None else letterbox(image)
    corners = lb.to_letterbox(np.float32(label.card.corners)) if label.card else None
    width = float(np.linalg.norm(np.subtract(label.card.corners[1], label.card.corners[0]))) * lb.scale if label.card else 0.0
    return boxed, corners, class_index(label), width


def _job(args: tuple[str, str, int | None]):
    data_dir, label_json, zoom_seed = args
    label = ImageLabel.model_validate_json(label_json)
    if zoom_seed is None:
        return photo_sample(Path(data_dir), label)
    return zoom_sample(Path(data_dir), label, zoom_seed)


def build_photo_set(data_dir: Path, labels: list[ImageLabel], workers: int = 2, zoom_seed: int | None = None):
    """First-look samples (the whole photo letterboxed), or with ``zoom_seed`` second-look samples."""
    jobs = [(str(data_dir), l.model_dump_json(), zoom_seed) for l in labels]
    with mp.get_context("spawn").Pool(workers, initializer=cv2.setNumThreads, initargs=(1,)) as pool:
        return pool.map(_job, jobs, chunksize=32)


def rot90(image: np.ndarray, corners: np.ndarray | None, k: int):
    """Turn the square input by k quarter turns counter-clockwise; corners keep their card meaning."""
    s = CROPPER_INPUT - 1
    for _ in range(k % 4):
        image = np.rot90(image)
        if corners is not None:
            corners = np.stack([corners[:, 1], s - corners[:, 0]], 1)
    return np.ascontiguousarray(image), corners


def focal_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """CenterNet's penalty-reduced focal loss for Gaussian heatmaps."""
    p = torch.sigmoid(logits).clamp(1e-4, 1 - 1e-4)
    pos = target.eq(1).float()
    pos_loss = -torch.log(p) * (1 - p) ** 2 * pos
    neg_loss = -torch.log(1 - p) * p**2 * (1 - target) ** 4 * (1 - pos)
    return (pos_loss.sum() + neg_loss.sum()) / pos.sum().clamp(min=1)



class CropperTask:
    name = "cropper"

    def __init__(self, train_photos, val_photos, batch_size: int) -> None:
        self.train_photos = train_photos
        self.val_photos = val_photos
        self.batch_size = batch_size

    def build_model(self) -> torch.nn.Module:
        return Cropper()

    def steps_per_epoch(self) -> int:
        return len(self.train_photos) // self.batch_size

    def batches(self, epoch: int, rng: np.random.Generator) -> Iterator:
        order = rng.permutation(len(self.train_photos))
        for start in range(0, len(order) - self.batch_size + 1, self.batch_size):
            images, heats, offs, masks, classes = [], [], [], [], []
            for i in order[start:start + self.batch_size]:
                img, corners, cls, _ = self.train_photos[i]
                img, corners = rot90(img, corners, int(rng.integers(4)))
                img = np.clip(img * rng.uniform(0.75, 1.25, 3) + rng.uniform(-25, 25), 0, 255).astype(np.uint8)
                h, o, m = corner_targets(corners)
                images.append(img)
                heats.append(h)
                offs.append(o)
                masks.append(m)
                classes.append(cls)
            yield (to_tensor(images), torch.from_numpy(np.stack(heats)), torch.from_numpy(np.stack(offs)),
                   torch.from_numpy(np.stack(masks)), torch.tensor(classes))

    def loss(self, model, batch):
        images, heat, offsets, mask, classes = batch
        heat_logits, off_pred, card_logits = (t.float() for t in model(images))
        l_heat = focal_loss(heat_logits, heat)
        m2 = mask.repeat_interleave(2, dim=1)
        l_off = (F.l1_loss(off_pred, offsets, reduction="none") * m2).sum() / m2.sum().clamp(min=1)
        l_cls = F.cross_entropy(card_logits, classes)
        return l_heat + l_off + 0.5 * l_cls, {"heat": l_heat.item(), "off": l_off.item(), "cls": l_cls.item()}

    def validate(self, model) -> dict[str, float]:
        errors, correct, total = [], 0, 0
        for start in range(0, len(self.val_photos), 32):
            chunk = self.val_photos[start:start + 32]
            heat, off, logits = infer(model, to_tensor([c[0] for c in chunk]))
            for i, (_, corners, cls, width) in enumerate(chunk):
                result = decode_corners(heat[i], off[i], logits[i])
                correct += result.card_class == CARD_CLASSES[cls]
                total += 1
                if corners is not None and width > 0:
                    errors.append(float(np.linalg.norm(result.corners - corners, axis=1).max() / width))
        errors_arr = np.array(errors) if errors else np.zeros(1)
        mean, p99 = float(errors_arr.mean()), float(np.percentile(errors_arr, 99))
        return {"corner_err_mean": mean, "corner_err_p99": p99, "class_acc": correct / max(1, total),
                "score": correct / max(1, total) - mean * 10}
