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
        logits = model(torch.from_numpy(batch_lines([images[i] for i in idx]))).numpy()
        for i, decoded in zip(idx, greedy_decode(logits)):
            out[i] = decoded.text
    return out


class ReaderTask:
    name = "reader"

    def __init__(self, train_lines: list[Line], val_lines: list[Line], batch_size: int) -> None:
        self.train_lines = [(img, text) for img, text in train_lines if text and len(text) * 2 <= img.shape[1] // READER_DOWNSAMPLE]
        self.val_lines = val_lines
        self.batch_size = batch_size
        self.widths = np.array([img.shape[1] for img, _ in self.train_lines])

    def build_model(self) -> torch.nn.Module:
        return Reader()

    def steps_per_epoch(self) -> int:
        return len(self.train_lines) // self.batch_size

    def batches(self, epoch: int, rng: np.random.Generator) -> Iterator[tuple[torch.Tensor, list[str]]]:
        # Sort by width with noise, cut into batches, shuffle the batches: little padding, random order.
        noisy = self.widths * rng.uniform(0.8, 1.25, len(self.widths))
        order = np.argsort(noisy)
        batches = [order[i:i + self.batch_size] for i in range(0, len(order) - self.batch_size + 1, self.batch_size)]
        for b in rng.permutation(len(batches)):
            images, texts = [], []
            for i in batches[b]:
                img, text = self.train_lines[i]
                scale = rng.uniform(0.85, 1.15)
                w = int(np.clip(img.shape[1] * scale, 8, READER_MAX_WIDTH))
                img = cv2.resize(img, (w, LINE_HEIGHT))
                if rng.random() < 0.2:
                    img = 255 - img if rng.random() < 0.1 else cv2.GaussianBlur(img, (3, 3), 0)
                images.append(img)
                texts.append(text)
            yield torch.from_numpy(batch_lines(images)), texts

    def loss(self, model: torch.nn.Module, batch) -> tuple[torch.Tensor, dict[str, float]]:
        images, texts = batch
        logits = model(images)  # N, T, C
        log_probs = logits.log_softmax(-1).transpose(0, 1)  # T, N, C
        targets = [encode_text(t) for t in texts]
        target_lengths = torch.tensor([len(t) for t in targets])
        flat = torch.tensor([i for t in targets for i in t], dtype=torch.long)
        input_lengths = torch.full((len(texts),), log_probs.shape[0], dtype=torch.long)
        loss = torch.nn.functional.ctc_loss(log_probs, flat, input_lengths, target_lengths, blank=0,
                                            zero_infinity=True)
        return loss, {}

    def validate(self, model: torch.nn.Module) -> dict[str, float]:
        preds = read_lines(model, [img for img, _ in self.val_lines])
        cer, exact = cer_and_exact(preds, [t for _, t in self.val_lines])
        return {"cer": cer, "exact": exact, "score": -cer}
