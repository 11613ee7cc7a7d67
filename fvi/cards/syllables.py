"""Which written words can be Vietnamese syllables: onset + rhyme + at most one tone mark, from the
spelling rules of the language (not from a word list), so a misread like "Chiểi", "Thăi" or "mũt" is
recognisable as no syllable at all while every real one (and some unused but well-formed ones) passes.

Rules used (public facts of Vietnamese orthography):
- onsets: b c ch d đ g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x, or none;
- k, gh, ngh only before e ê i y; c, g, ng never before e ê i;
- rhymes: the nucleus/coda table below (with the o-/u- glide forms);
- a syllable closed by p, t, c or ch carries the sắc or nặng tone only.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from fvi.cards.charset import strip_diacritics

ONSETS = ("", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh", "nh",
          "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x")

_RHYMES = """
a ac ach ai am an ang anh ao ap at au ay
ăc ăm ăn ăng ăp ăt
âc âm ân âng âp ât âu ây
e ec em en eng eo ep et
ê êch êm ên ênh êp êt êu
i ia ich im in inh ip it iu iêc iêm iên iêng iêp iêt iêu
y yêm yên yêt yêu
o oc oi om on ong op ot ooc oong
ô ôc ôi ôm ôn ông ôp ôt
ơ ơi ơm ơn ơp ơt
u ua uc ui um un ung up ut uôc uôi uôm uôn uông uôt
ư ưa ưc ưi ưm ưn ưng ưt ưu ươc ươi ươm ươn ương ươp ươt ươu
oa oac oach oai oam oan oang oanh oao oap oat oay oăc oăm oăn oăng oăt oe oen oeo oet
uân uâng uât uây uê uêch uênh uy uya uych uyên uyêt uyn uynh uyp uyt uyu uơ
"""
#: Rhymes without their tone mark.
RHYMES = frozenset(_RHYMES.split())
_GLIDED = frozenset(r for r in RHYMES if r[0] in "ou" and len(r) > 1 and r[1] in "aăâeêyơ")
#: Rhymes after "qu" (whose u is the glide): the plain rhymes and the glide forms without their glide.
_AFTER_QU = (RHYMES - _GLIDED) | {r[1:] for r in _GLIDED}

#: Combining tone marks (NFD): sắc, huyền, hỏi, ngã, nặng.
TONES = {"\u0301": "sac", "\u0300": "huyen", "\u0309": "hoi", "\u0303": "nga", "\u0323": "nang"}
_FRONT = ("e", "ê", "i", "y")
_CHECKED = ("p", "t", "c", "ch")


def split_tone(word: str) -> tuple[str, str | None] | None:
    """The word in lower case without its tone mark, and the tone (None: level); None if it has two tones."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [c for c in decomposed if c in TONES]
    if len(tones) > 1:
        return None
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONES))
    return base, (TONES[tones[0]] if tones else None)


@lru_cache(maxsize=65536)
def is_syllable(word: str) -> bool:
    """True if ``word`` (any case, one tone mark at most) is spelled as a Vietnamese syllable can be."""
    split = split_tone(word)
    if split is None or not split[0]:
        return False
    base, tone = split
    for onset in ONSETS:
        if not base.startswith(onset):
            continue
        rhyme = base[len(onset):]
        if onset == "gi" and (rhyme == "" or rhyme in RHYMES or ("i" + rhyme) in RHYMES):
            return _tone_fits(rhyme or "i", tone)
        if rhyme not in (_AFTER_QU if onset == "qu" else RHYMES):
            continue
        front = rhyme.startswith(_FRONT)
        if onset in ("k", "gh", "ngh") and not front:
            continue
        if onset in ("c", "g", "ng") and front:
            continue
        if _tone_fits(rhyme, tone):
            return True
    return False


def _tone_fits(rhyme: str, tone: str | None) -> bool:
    return not rhyme.endswith(_CHECKED) or tone in ("sac", "nang")


@lru_cache(maxsize=1)
def unmarked_syllables() -> frozenset[str]:
    """Every syllable with its tone and vowel marks removed, as the MRZ writes names ("nguyen", "duc",
    "viet"): lower-case ASCII (đ as d)."""
    out = set()
    for onset in ONSETS:
        for rhyme in RHYMES | _AFTER_QU | {"", "i"}:
            word = onset + rhyme
            if word and (is_syllable(word) or is_syllable(word + "\u0301")):
                out.add(strip_diacritics(word))
    return frozenset(out)
