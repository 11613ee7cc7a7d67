"""CTC greedy decoding with per-character and per-line confidences."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fvi.pipeline.specs import READER_ALPHABET

#: Reader output class of each character (0 is the CTC blank).
CLASS_OF = {c: i + 1 for i, c in enumerate(READER_ALPHABET)}


@dataclass(frozen=True)
class DecodedLine:
    text: str
    confidence: float  # product-free: the minimum character probability (a weak char marks the line)
    char_probs: tuple[float, ...]


def softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    z = logits - logits.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def greedy_decode(logits: np.ndarray, lengths: np.ndarray | None = None,
                  only: str | None = None) -> list[DecodedLine]:
    """Decode reader output [N, T, C] (C = blank + alphabet) into text with confidences; ``only``: the
    best path using just these characters (confidences stay the unrestricted probabilities, so a
    character the restriction forced shows up as a weak one)."""
    probs = softmax(logits.astype(np.float32))
    if only is not None:
        keep = np.zeros(probs.shape[-1], bool)
        keep[[0] + [CLASS_OF[c] for c in only if c in CLASS_OF]] = True
        best = np.where(keep, probs, -1.0).argmax(-1)
    else:
        best = probs.argmax(-1)
    best_p = np.take_along_axis(probs, best[..., None], -1)[..., 0]
    out = []
    for i in range(probs.shape[0]):
        t_max = int(lengths[i]) if lengths is not None else probs.shape[1]
        runs = path_runs(best[i, :t_max])
        text = "".join(READER_ALPHABET[k - 1] for k, _, _ in runs)
        conf = [float(best_p[i, first:last + 1].max()) for _, first, last in runs]
        lead = len(text) - len(text.lstrip())
        kept = conf[lead:lead + len(text.strip())]  # one per character of the stripped text
        out.append(DecodedLine(text.strip(), min(conf) if conf else 0.0, tuple(kept)))
    return out


def path_runs(best: np.ndarray) -> list[tuple[int, int, int]]:
    """The characters of one line's best CTC path (class per frame, [T]) as (class, first frame, last
    frame): a run of one non-blank class is one character, a blank separates repeats."""
    runs: list[tuple[int, int, int]] = []
    prev = 0
    for t, k in enumerate(best.tolist()):
        if k != 0 and k == prev:
            runs[-1] = (k, runs[-1][1], t)
        elif k != 0:
            runs.append((k, t, t))
        prev = k
    return runs


def encode_text(text: str) -> list[int]:
    """Target indices for CTC (1-based; characters outside the alphabet are dropped)."""
    return [CLASS_OF[c] for c in text if c in CLASS_OF]


def log_softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    z = logits - logits.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


#: A line format: one string per character position, holding the characters allowed there.
Pattern = tuple[str, ...]


def fits(text: str, patterns: tuple[Pattern, ...] | list[Pattern]) -> bool:
    """``text`` has the length of one of ``patterns`` and each of its characters is allowed there."""
    return any(len(text) == len(p) and all(c in slot for c, slot in zip(text, p)) for p in patterns)


def constrained_decode(logits: np.ndarray, patterns: list[Pattern]) -> DecodedLine | None:
    """The most likely CTC path of one line (logits [T, C]) whose text fits one of ``patterns``
    (Viterbi over the CTC topology of each pattern; None if no pattern fits in T frames).

    Confidence: the weakest character probability on that path times how much less likely the path
    is than the unconstrained best one, so text the format forced (characters dropped or changed
    against the model's belief) comes back with a low confidence, not a made-up certainty.
    """
    logp = log_softmax(logits.astype(np.float32))
    shown = np.nonzero(logp.argmax(-1) != 0)[0]
    if len(shown):  # leave out the blank frames around the text (the batch's padding), 2 frames kept
        logp = logp[max(0, shown[0] - 2): shown[-1] + 3]
    free = float(logp.max(-1).sum())
    best = best_fitting_path(logp, patterns)
    if best is None:
        return None
    score, text, probs = best
    ratio = float(np.exp(min(0.0, score - free)))
    return DecodedLine(text, (min(probs) if probs else 0.0) * ratio, tuple(probs))


def best_fitting_path(logp: np.ndarray, patterns: list[Pattern]) -> tuple[float, str, list[float]] | None:
    """Log probability, text and per-character probabilities of the most likely CTC path over ``logp``
    [T, C] (log-softmax) whose text fits one of ``patterns``; None if none fits in T frames."""
    best: tuple[float, str, list[float]] | None = None
    by_length: dict[int, list[Pattern]] = {}
    for pattern in patterns:
        by_length.setdefault(len(pattern), []).append(pattern)
    for same_length in by_length.values():
        found = _viterbi(logp, same_length)
        if found is not None and (best is None or found[0] > best[0]):
            best = found
    return best


def _viterbi(logp: np.ndarray, patterns: list[Pattern]) -> tuple[float, str, list[float]] | None:
    """Best path, over the patterns (all of one length), through states "blank before slot s" (B[s], s =
    0..S) and "slot s shows character k" (E[s, k]); a slot moves on to the next directly only to a
    different character (CTC merges repeats). All patterns go through each frame at once."""
    if not patterns or not patterns[0] or any(c not in CLASS_OF for p in patterns for slot in p for c in slot):
        raise ValueError(f"pattern outside the reader's alphabet: {patterns!r}")
    n_frames, n_pat, n_slots = logp.shape[0], len(patterns), len(patterns[0])
    chars = sorted({c for p in patterns for slot in p for c in slot})
    index = {c: i for i, c in enumerate(chars)}
    cols = np.array([CLASS_OF[c] for c in chars])
    allowed = np.full((n_pat, n_slots, len(chars)), -np.inf, np.float32)
    for i, pattern in enumerate(patterns):
        for s, slot in enumerate(pattern):
            allowed[i, s, [index[c] for c in slot]] = 0.0
    emit, blank = logp[:, cols], logp[:, 0]
    ks = np.arange(len(chars))
    e_state = np.full((n_pat, n_slots, len(chars)), -np.inf, np.float32)
    e_state[:, 0] = emit[0] + allowed[:, 0]
    b_state = np.full((n_pat, n_slots + 1), -np.inf, np.float32)
    b_state[:, 0] = blank[0]
    e_from = np.zeros((n_frames, n_pat, n_slots, len(chars)), np.int8)  # 0 stay, 1 from B[s], 2 from E[s-1, k']
    e_prev_k = np.zeros((n_frames, n_pat, n_slots, len(chars)), np.int16)
    b_from = np.zeros((n_frames, n_pat, n_slots + 1), np.int8)  # 0 stay, 1 from E[s-1, best k]
    b_prev_k = np.zeros((n_frames, n_pat, n_slots + 1), np.int16)
    prev = np.full((n_pat, n_slots, len(chars)), -np.inf, np.float32)  # E[s-1] at row s (row 0: nothing)
    from_e = np.full((n_pat, n_slots + 1), -np.inf, np.float32)
    pp, ss = np.indices((n_pat, n_slots))
    for t in range(1, n_frames):
        prev[:, 1:] = e_state[:, :-1]
        a1 = prev.argmax(2)
        m1 = prev[pp, ss, a1][..., None]
        prev[pp, ss, a1] = -np.inf
        a2 = prev.argmax(2)
        same = ks == a1[..., None]
        other = np.where(same, prev[pp, ss, a2][..., None], m1)  # best previous of another character
        stay_or_blank = np.maximum(e_state, b_state[:, :n_slots, None])
        step = np.where(other > stay_or_blank, 2, (b_state[:, :n_slots, None] > e_state).astype(np.int8))
        e_from[t] = step
        e_prev_k[t] = np.where(same, a2[..., None], a1[..., None])
        last_k = e_state.argmax(2)
        from_e[:, 1:] = e_state[pp, ss, last_k]
        b_from[t] = from_e > b_state
        b_prev_k[t, :, 1:] = last_k
        b_state = np.maximum(b_state, from_e) + blank[t]
        e_state = np.maximum(stay_or_blank, other) + emit[t] + allowed
    ends = np.maximum(b_state[:, -1], e_state[:, -1].max(1))
    i = int(ends.argmax())
    end_score = float(ends[i])
    if not np.isfinite(end_score):
        return None
    last_k = int(e_state[i, -1].argmax())
    state = ("B", n_slots, 0) if b_state[i, -1] >= e_state[i, -1, last_k] else ("E", n_slots - 1, last_k)
    shown: dict[int, tuple[int, float]] = {}
    for t in range(n_frames - 1, -1, -1):
        kind, s, k = state
        if kind == "E":
            p = float(np.exp(emit[t, k]))
            shown[s] = (k, max(p, shown.get(s, (k, 0.0))[1]))
            if t:
                step = e_from[t, i, s, k]
                state = (("E", s, k) if step == 0 else ("B", s, 0) if step == 1
                         else ("E", s - 1, int(e_prev_k[t, i, s, k])))
        elif t:
            state = ("B", s, 0) if b_from[t, i, s] == 0 else ("E", s - 1, int(b_prev_k[t, i, s]))
    text = "".join(chars[shown[s][0]] for s in range(n_slots))
    return end_score, text, [shown[s][1] for s in range(n_slots)]


def best_path_scores(logp: np.ndarray, words: list[str]) -> np.ndarray:
    """Log probability of the most likely CTC path spelling each word over all frames of ``logp`` [T, C]
    (log-softmax), -inf where a word cannot fit: one Viterbi pass for all words at once."""
    lengths = np.array([len(w) for w in words])
    n_states = 2 * int(lengths.max()) + 1
    labels = np.zeros((len(words), n_states), np.int64)  # blank, c1, blank, c2, ..., blank
    for k, word in enumerate(words):
        labels[k, 1:2 * len(word):2] = [CLASS_OF[c] for c in word]
    skip = np.zeros(labels.shape, bool)  # c_{i-1} -> c_i over the blank between, unless they are equal
    skip[:, 2:] = (labels[:, 2:] != 0) & (labels[:, 2:] != labels[:, :-2])
    emit = logp[:, labels]  # [T, K, S]
    alpha = np.full(labels.shape, -np.inf, np.float32)
    alpha[:, :2] = emit[0, :, :2]
    for t in range(1, len(logp)):
        prev = alpha.copy()
        prev[:, 1:] = np.maximum(prev[:, 1:], alpha[:, :-1])
        prev[:, 2:] = np.where(skip[:, 2:], np.maximum(prev[:, 2:], alpha[:, :-2]), prev[:, 2:])
        alpha = prev + emit[t]
    rows = np.arange(len(words))
    return np.maximum(alpha[rows, 2 * lengths], alpha[rows, 2 * lengths - 1])
