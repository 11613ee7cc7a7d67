"""Random Vietnamese-looking text: every letter and tone mark, beyond what card holders' names use."""

from __future__ import annotations

import unicodedata

import numpy as np

_ONSETS = ("", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh", "nh",
           "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x")
_NUCLEI = ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ai", "ao", "au", "ay", "âu", "ây", "eo",
           "êu", "ia", "iê", "iu", "oa", "oă", "oai", "oe", "oi", "ôi", "ơi", "ua", "uâ", "uê", "ui", "uô", "uy",
           "ưa", "ưi", "ươ", "ưu", "yê")
_CODAS = ("", "", "c", "ch", "m", "n", "ng", "nh", "p", "t")
_TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
_PUNCT = (",", ".", "-", "/", ":", "(", ")")


def syllable(rng: np.random.Generator) -> str:
    onset = _ONSETS[int(rng.integers(len(_ONSETS)))]
    nucleus = _NUCLEI[int(rng.integers(len(_NUCLEI)))]
    coda = _CODAS[int(rng.integers(len(_CODAS)))] if len(nucleus) < 3 else ""
    tone = _TONES[int(rng.integers(len(_TONES)))]
    # The tone mark sits on the last vowel with a circumflex/horn/breve, else on the main vowel.
    marked = [i for i, c in enumerate(nucleus) if c in "ăâêôơư"]
    pos = marked[-1] if marked else (len(nucleus) - 1 if coda or len(nucleus) == 1 else 0)
    nucleus = nucleus[: pos + 1] + tone + nucleus[pos + 1:]
    return unicodedata.normalize("NFC", onset + nucleus + coda)


def random_line(rng: np.random.Generator) -> str:
    """A line like those on cards: words, dates, numbers, addresses, MRZ-like strings."""
    kind = rng.random()
    if kind < 0.1:
        return f"{int(rng.integers(1, 29)):02d}/{int(rng.integers(1, 13)):02d}/{int(rng.integers(1930, 2045))}"
    if kind < 0.18:
        return "".join(str(d) for d in rng.integers(0, 10, int(rng.integers(6, 13))))
    if kind < 0.24:
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<<<<<<"
        return "".join(alphabet[int(i)] for i in rng.integers(0, len(alphabet), int(rng.integers(10, 31))))
    words = [syllable(rng) for _ in range(int(rng.integers(1, 8)))]
    case = rng.random()
    if case < 0.35:
        words = [w.upper() for w in words]
    elif case < 0.75:
        words = [w[:1].upper() + w[1:] for w in words]
    out = []
    for w in words:
        out.append(w)
        r = rng.random()
        if r < 0.12:
            out[-1] += _PUNCT[int(rng.integers(len(_PUNCT)))]
        elif r < 0.2:
            out.append(str(int(rng.integers(1, 500))))
    return " ".join(out)
