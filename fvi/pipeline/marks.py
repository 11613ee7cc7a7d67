"""The identifying-marks field's punctuation and spacing, from how the field is written (`fvi.cards.marks`):
each mark is a kind ("Nốt ruồi", "Sẹo chấm", ...), a distance "C:<cm>cm", a direction and a landmark, and
two marks are separated by ". ". The reader often loses or doubles these small signs and spaces ("trán
Nốt ruồi", "trán., Nốt ruồi", "Nốtruồi", "Nố truồi", "bớtC:3.3cm", "C: 1.4cm"); the words themselves are left to
the re-spelling (`fvi.pipeline.spelling`), this only puts the signs and spaces where the format has them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from fvi.cards.marks import MARK_KINDS, MARK_PHRASES, OTHER_MARK_KINDS

#: A distance written with stray spaces, or glued to the words around it.
_DISTANCE = re.compile(r"\s*C\s*:\s*(\d+(?:\.\d+)?)\s*cm")
#: A sign before a distance that belongs to the mark before it ("Vết bớt. C:0.9cm").
_SIGN_BEFORE_DISTANCE = re.compile(r"\s*[.,;:]\s*(?=C:\d)")


@lru_cache(maxsize=1)
def _words() -> frozenset[str]:
    return frozenset(w for phrase in MARK_PHRASES for w in phrase.lower().split())


@lru_cache(maxsize=1)
def _mark_start() -> re.Pattern[str]:
    """A capitalised kind word inside the text (after something else): where a second mark starts."""
    firsts = sorted({k.split()[0] for k in (*MARK_KINDS, *OTHER_MARK_KINDS)})
    return re.compile(r"(?<=\S)[\s.,;]*\s(?=(?:" + "|".join(map(re.escape, firsts)) + r")\b)")


def _split_words(letters: str) -> list[str] | None:
    """``letters`` as two or three vocabulary words (in its case), or None."""
    lower = letters.lower()
    for i in range(1, len(lower)):
        if lower[:i] in _words():
            if lower[i:] in _words():
                return [letters[:i], letters[i:]]
            for j in range(i + 1, len(lower)):
                if lower[i:j] in _words() and lower[j:] in _words():
                    return [letters[:i], letters[i:j], letters[j:]]
    return None


def _respaced(tokens: list[str]) -> list[str]:
    """Runs of tokens outside the vocabulary whose letters, put together, are two or three vocabulary
    words with their spaces lost or moved ("Nốtruồi", "Nố truồi", "Nố t ruồi") as those words."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if tokens[i].lower() in _words() or not tokens[i].isalpha():
            out.append(tokens[i])
            i += 1
            continue
        j = i
        while j < len(tokens) and tokens[j].isalpha() and tokens[j].lower() not in _words():
            j += 1
        # the run, or the run with the vocabulary word after it, when that word's letters were split off
        for end in (j, j + 1):
            words = _split_words("".join(tokens[i:end])) if end <= len(tokens) else None
            if words:
                out += words
                i = end
                break
        else:
            out += tokens[i:j]
            i = j
    return out


def tidy_marks(text: str) -> str:
    """``text`` (an identifying-marks field as read) with the format's signs and spaces: distances as
    "C:<cm>cm" set off by spaces, glued vocabulary words split, ". " between two marks."""
    text = _SIGN_BEFORE_DISTANCE.sub(" ", text)
    text = _DISTANCE.sub(lambda m: f" C:{m.group(1)}cm ", text)
    text = " ".join(_respaced(text.split()))
    text = _mark_start().sub(". ", text)
    return text
