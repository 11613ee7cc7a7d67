"""Reader training task: CTC on line crops, batches of similar widths, CER/exact-line validation."""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np
import torch

from fvi.models.reader import Reader
from fvi.pipeline.ctc import encode_text, greedy_decode
from fvi.pipeline.geometry import batch_lines
from fvi.pipeline.specs import LINE_HEIGHT, READER_DOWNSAMPLE, READER_MAX_WIDTH
from fvi.train.lines import Line
from fvi.train.tensors import infer


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def cer_and_exact(predictions: list[str], truths: list[str]) -> tuple[float, float]:
    errors = sum(edit_distance(p, t) for p, t in zip(predictions, truths))
    chars = sum(len(t) for t in truths)
    exact = sum(p == t for p, t in zip(predictions, truths))
    return errors / max(1, chars), exact / max(1, len(truths))


def read_lines(model: torch.nn.Module, images: list[np.ndarray], batch_size: int = 64) -> list[str]:
    order = np.argsort([img.shape[1] for img in images])
    out: list[str] = [""] * len(images)
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        logits = infer(model, torch.from_numpy(batch_lines([images[i] for i in idx])))
        for i, decoded in zip(idx, greedy_decode(logits)):
            out[i] = decoded.text
    return out


def augment_line(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One training view of a cached line crop: what the cache cannot vary once cut.

    Width scale (glyph aspect), the line's top and bottom moved out by up to 3 px or in by 1 (box jitter
    beyond the cache's), a slight slant or rotation (cards warped from imperfect corners), contrast and
    brightness, blur, noise and rarely inverted polarity. Cheap: a few OpenCV calls on a 32-pixel strip.
    """
    w = img.shape[1]
    scale = rng.uniform(0.85, 1.15)
    out_w = int(np.clip(w * scale, 8, READER_MAX_WIDTH))
    if rng.random() < 0.5:
        top, bottom = rng.integers(-3, 2, 2)  # cut at most 1 px: stacked diacritics stay whole
        padded = cv2.copyMakeBorder(img, max(0, -top), max(0, -bottom), 0, 0, cv2.BORDER_REPLICATE)
        img = padded[max(0, top):padded.shape[0] - max(0, bottom)]
    if rng.random() < 0.3:
        shear = rng.uniform(-0.12, 0.12)  # x moves with y: italic-like slant
        angle = rng.uniform(-0.6, 0.6) * np.pi / 180
        hh = img.shape[0]
        m = np.float32([[1, shear, -shear * hh / 2], [np.tan(angle), 1, -np.tan(angle) * img.shape[1] / 2]])
        img = cv2.warpAffine(img, m, (img.shape[1], hh), borderMode=cv2.BORDER_REPLICATE)
    img = cv2.resize(img, (out_w, LINE_HEIGHT))
    if rng.random() < 0.5:
        alpha, beta = rng.uniform(0.6, 1.3), rng.uniform(-40, 40)
        img = cv2.convertScaleAbs(img, alpha=alpha, beta=beta + (1 - alpha) * 128)
    r = rng.random()
    if r < 0.15:
        img = cv2.GaussianBlur(img, (3, 3), rng.uniform(0.5, 1.2))
    elif r < 0.3:
        noise = rng.normal(0, rng.uniform(3, 12), img.shape)
        img = np.clip(img + noise, 0, 255).astype(np.uint8)
    if rng.random() < 0.02:
        img = 255 - img
    return img


class _LineBatches(torch.utils.data.Dataset):
    """Batch ``k`` of one epoch's plan: its line indices and its own seed, so the output does not depend
    on how many loader processes build it."""

    def __init__(self, lines: list[Line], plan: list[tuple[np.ndarray, int]]) -> None:
        self.lines, self.plan = lines, plan

    def __len__(self) -> int:
        return len(self.plan)

    def __getitem__(self, k: int) -> tuple[torch.Tensor, list[str]]:
        indices, seed = self.plan[k]
        rng = np.random.default_rng(seed)
        images = [augment_line(self.lines[i][0], rng) for i in indices]
        return torch.from_numpy(batch_lines(images)), [self.lines[i][1] for i in indices]


def _loader_init(_worker: int) -> None:
    cv2.setNumThreads(1)


class ReaderTask:
    name = "reader"

    def __init__(self, train_lines: list[Line], val_lines: list[Line], batch_size: int, size: str = "s",
                 loader_workers: int = 0) -> None:
        self.train_lines = [(img, text) for img, text in train_lines if text and len(text) * 2 <= img.shape[1] // READER_DOWNSAMPLE]
        self.val_lines = val_lines
        self.batch_size = batch_size
        self.size = size
        self.loader_workers = loader_workers
        self.widths = np.array([img.shape[1] for img, _ in self.train_lines])

    def build_model(self) -> torch.nn.Module:
        return Reader(size=self.size)

    def steps_per_epoch(self) -> int:
        return len(self.train_lines) // self.batch_size

    def batches(self, epoch: int, rng: np.random.Generator) -> Iterator[tuple[torch.Tensor, list[str]]]:
        # Sort by width with noise, cut into batches, shuffle the batches: little padding, random order.
        noisy = self.widths * rng.uniform(0.8, 1.25, len(self.widths))
        order = np.argsort(noisy)
        batches = [order[i:i + self.batch_size] for i in range(0, len(order) - self.batch_size + 1, self.batch_size)]
        seeds = rng.integers(0, 2**63, len(batches))
        plan = [(batches[b], int(seeds[b])) for b in rng.permutation(len(batches))]
        dataset = _LineBatches(self.train_lines, plan)
        if not self.loader_workers:
            yield from (dataset[k] for k in range(len(dataset)))
            return
        yield from torch.utils.data.DataLoader(dataset, batch_size=None, num_workers=self.loader_workers,
                                               worker_init_fn=_loader_init, prefetch_factor=4)

    def loss(self, model: torch.nn.Module, batch) -> tuple[torch.Tensor, dict[str, float]]:
        images, texts = batch
        logits = model(images)  # N, T, C
        log_probs = logits.float().log_softmax(-1).transpose(0, 1)  # T, N, C
        targets = [encode_text(t) for t in texts]
        target_lengths = torch.tensor([len(t) for t in targets], device=log_probs.device)
        flat = torch.tensor([i for t in targets for i in t], dtype=torch.long, device=log_probs.device)
        input_lengths = torch.full((len(texts),), log_probs.shape[0], dtype=torch.long, device=log_probs.device)
        loss = torch.nn.functional.ctc_loss(log_probs, flat, input_lengths, target_lengths, blank=0,
                                            zero_infinity=True)
        return loss, {}

    def validate(self, model: torch.nn.Module) -> dict[str, float]:
        preds = read_lines(model, [img for img, _ in self.val_lines])
        cer, exact = cer_and_exact(preds, [t for _, t in self.val_lines])
        return {"cer": cer, "exact": exact, "score": -cer}
