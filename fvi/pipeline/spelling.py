"""Words of names and addresses spelled as Vietnamese syllables: a freely read word that no syllable
can be spelled like ("Chiểi", "Thăi", "mũt", "Nhấ") is replaced by the most likely well-formed syllable
one edit away, when the reader's own output gives it nearly as much probability.

The spelling rules of the language decide what is well-formed (`fvi.cards.syllables`), not a list of
people's names, so unusual but real names pass and nothing is tuned to our generator's names. Words of
the official place names that are no Vietnamese syllable (minority-language names such as "Đắk",
"Krông", "Tẻh"; the `vietnam-provinces` list) count as well-formed too. Words with digits or other
signs, words of one or two letters (abbreviations such as "TP", "Ea") and words the reader is sure of
(foreign names such as "Pasteur") are left as read.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from fvi.cards.charset import VIETNAMESE_LOWER
from fvi.cards.syllables import is_syllable
from fvi.pipeline.addresses import official_names
from fvi.pipeline.ctc import CLASS_OF, DecodedLine, best_path_scores, log_softmax, path_runs
from fvi.pipeline.specs import READER_ALPHABET

#: A replacement is taken when the reader's best path spelling it is at most this much less likely
#: (natural log) than its free reading of the word, i.e. >= e^-MARGIN of it. Chosen on the validation set
#: (seed 2; see perf/reports/spelling.md).
MARGIN = 6.0
#: Shorter words are left as read (abbreviations, initials).
MIN_LETTERS = 3
LETTERS = frozenset(VIETNAMESE_LOWER)
TRAILING = ",.;:"


@dataclass(frozen=True)
class _Char:
    char: str
    first: int  # first and last frame of its run in the best path
    last: int


def _best_path(logp: np.ndarray) -> list[_Char]:
    """The characters of the free reading with their frames (the same path `greedy_decode` reads)."""
    return [_Char(READER_ALPHABET[k - 1], first, last) for k, first, last in path_runs(logp.argmax(-1))]


@lru_cache(maxsize=1)
def place_words() -> frozenset[str]:
    """Lower-case words of official place names that are no Vietnamese syllable ("đắk", "krông")."""
    return frozenset(w for name in official_names() for w in name.lower().split()
                     if set(w) <= LETTERS and not is_syllable(w))


def well_formed(word: str) -> bool:
    return is_syllable(word) or word.lower() in place_words()


def candidates(word: str, letters: set[str]) -> list[str]:
    """Well-formed words one edit (substitution, insertion, deletion) from ``word`` with one of
    ``letters`` (lower case), in the word's case."""
    lower = word.lower()
    edits = {lower[:i] + lower[i + 1:] for i in range(len(lower))}
    for i in range(len(lower) + 1):
        for c in letters:
            edits.add(lower[:i] + c + lower[i:])
            if i < len(lower):
                edits.add(lower[:i] + c + lower[i + 1:])
    found = sorted(e for e in edits if e != lower and well_formed(e))
    if word.isupper():
        found = [e.upper() for e in found]
    elif word[0].isupper():
        found = [e[0].upper() + e[1:] for e in found]
    return [e for e in found if all(c in CLASS_OF for c in e)]


#: The letters an edit may bring in: those among the reader's RUNNER_UP best classes in some frame of
#: the word (a letter it never considered could not pass the MARGIN anyway).
RUNNER_UP = 5


def _letters_considered(segment: np.ndarray) -> set[str]:
    top = np.argpartition(-segment, RUNNER_UP, axis=-1)[:, :RUNNER_UP]
    chars = {READER_ALPHABET[k - 1].lower() for k in np.unique(top) if k}
    return chars & LETTERS


def spell_syllables(logits: np.ndarray, line: DecodedLine) -> DecodedLine:
    """``line`` (the free reading of ``logits`` [T, C]) with each ill-formed word replaced as described
    above; its confidence times the probability ratio of each replacement."""
    logp = log_softmax(logits.astype(np.float32))
    chars = _best_path(logp)
    out = [c.char for c in chars]
    confidence = line.confidence
    i = 0
    while i < len(chars):
        if chars[i].char == " ":
            i += 1
            continue
        j = i
        while j < len(chars) and chars[j].char != " ":
            j += 1
        end = j
        while end > i and chars[end - 1].char in TRAILING:
            end -= 1
        word = "".join(c.char for c in chars[i:end])
        if len(word) >= MIN_LETTERS and set(word.lower()) <= LETTERS and not well_formed(word):
            first = chars[i - 1].last + 1 if i else 0
            last = chars[end].first - 1 if end < len(chars) else len(logp) - 1
            segment = logp[first:last + 1]
            options = candidates(word, _letters_considered(segment))
            if options and len(segment):
                scores = best_path_scores(segment, options)
                k = int(np.argmax(scores))
                drop = float(scores[k] - segment.max(-1).sum())
                if drop >= -MARGIN:
                    out[i:end] = [options[k]] + [""] * (end - i - 1)
                    confidence *= float(np.exp(min(0.0, drop)))
        i = j
    text = "".join(out).strip()
    return line if text == line.text else DecodedLine(text, confidence, line.char_probs)
