"""CTC greedy decoding with per-character and per-line confidences."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fvi.pipeline.specs import READER_ALPHABET


@dataclass(frozen=True)
class DecodedLine:
    text: str
    confidence: float  # product-free: the minimum character probability (a weak char marks the line)
    char_probs: tuple[float, ...]


def softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    z = logits - logits.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def greedy_decode(logits: np.ndarray, lengths: np.ndarray | None = None) -> list[DecodedLine]:
    """Decode reader output [N, T, C] (C = blank + alphabet) into text with confidences."""
    probs = softmax(logits.astype(np.float32))
    best = probs.argmax(-1)
    best_p = probs.max(-1)
    out = []
    for i in range(probs.shape[0]):
        t_max = int(lengths[i]) if lengths is not None else probs.shape[1]
        chars, conf = [], []
        prev = 0
        for t in range(t_max):
            k = int(best[i, t])
            if k != 0 and k != prev:
                chars.append(READER_ALPHABET[k - 1])
                conf.append(float(best_p[i, t]))
            elif k != 0 and conf:
                conf[-1] = max(conf[-1], float(best_p[i, t]))
            prev = k
        text = "".join(chars)
        out.append(DecodedLine(text.strip(), min(conf) if conf else 0.0, tuple(conf)))
    return out


def encode_text(text: str) -> list[int]:
    """Target indices for CTC (1-based; characters outside the alphabet are dropped)."""
    index = {c: i + 1 for i, c in enumerate(READER_ALPHABET)}
    return [index[c] for c in text if c in index]
