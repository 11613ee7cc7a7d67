"""The identifying-marks field's punctuation and spacing, from how the field is written (`fvi.cards.marks`):
each mark is a kind ("Nốt ruồi", "Sẹo chấm", ...), a distance "C:<cm>cm", a direction and a landmark, and
two marks are separated by ". ". The reader often loses or doubles these small signs and spaces ("trán
Nốt ruồi", "trán., Nốt ruồi", "Nốtruồi", "bớtC:3.3cm", "C: 1.4cm"); the words themselves are left to
the re-spelling (`fvi.pipeline.spelling`), this only puts the signs and spaces where the format has them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from fvi.cards.marks import MARK_KINDS, MARK_PHRASES

#: A distance written with stray spaces, or glued to the words around it.
_DISTANCE = re.compile(r"\s*C\s*:\s*(\d+(?:\.\d+)?)\s*cm")
#: A sign before a distance that belongs to the mark before it ("Vết bớt. C:0.9cm").
_SIGN_BEFORE_DISTANCE = re.compile(r"\s*[.,;]\s*(?=C:\d)")
#: Other hands' kinds (capitalised first words) that start a mark as well as ours.
_OTHER_KINDS = ("Nốt sẹo", "Vết sẹo", "Vết chàm", "Sẹo lồi", "Sẹo lõm", "Sẹo thẳng", "Hình xăm")


@lru_cache(maxsize=1)
def _words() -> frozenset[str]:
    return frozenset(w for phrase in MARK_PHRASES for w in phrase.lower().split())


@lru_cache(maxsize=1)
def _mark_start() -> re.Pattern[str]:
    """A capitalised kind word inside the text (after something else): where a second mark starts."""
    firsts = sorted({k.split()[0] for k in (*MARK_KINDS, *_OTHER_KINDS)})
    return re.compile(r"(?<=\S)[\s.,;]*\s(?=(?:" + "|".join(map(re.escape, firsts)) + r")\b)")


def _unglued(token: str) -> str:
    """A token of two vocabulary words whose space was lost ("Nốtruồi") as the two words."""
    lower = token.lower()
    if lower in _words() or not lower.isalpha():
        return token
    for i in range(1, len(token)):
        if lower[:i] in _words() and lower[i:] in _words():
            return f"{token[:i]} {token[i:]}"
    return token


def tidy_marks(text: str) -> str:
    """``text`` (an identifying-marks field as read) with the format's signs and spaces: distances as
    "C:<cm>cm" set off by spaces, glued vocabulary words split, ". " between two marks."""
    text = _SIGN_BEFORE_DISTANCE.sub(" ", text)
    text = _DISTANCE.sub(lambda m: f" C:{m.group(1)}cm ", text)
    text = " ".join(_unglued(t) for t in text.split())
    text = _mark_start().sub(". ", text)
    return text
