"""The characters FVI reads: the full Vietnamese alphabet with every precomposed diacritic."""

from __future__ import annotations

import unicodedata

_BASE_VOWELS = "aăâeêioôơuưy"
# Five tone marks (grave, hook above, tilde, acute, dot below); "no tone" is the bare vowel.
_TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")


def _vietnamese_lower() -> str:
    letters = set("abcdefghijklmnopqrstuvwxyzđ")
    for vowel in _BASE_VOWELS:
        for tone in _TONES:
            letters.add(unicodedata.normalize("NFC", vowel + tone))
    return "".join(sorted(letters))


VIETNAMESE_LOWER = _vietnamese_lower()
VIETNAMESE_UPPER = VIETNAMESE_LOWER.upper()
DIGITS = "0123456789"
#: Punctuation seen on cards, MRZ filler '<' included.
PUNCTUATION = " /,.-:<()'"

#: Every character the reader can output, in a fixed order (index 0 is reserved for CTC blank).
CHARSET = "".join(sorted(set(VIETNAMESE_LOWER + VIETNAMESE_UPPER + DIGITS + PUNCTUATION)))


def normalize(text: str) -> str:
    """NFC-normalise text so that each Vietnamese letter is one precomposed code point."""
    return unicodedata.normalize("NFC", text)


def unsupported_chars(text: str) -> set[str]:
    """Characters of ``text`` (after NFC) that are outside :data:`CHARSET`."""
    return set(normalize(text)) - set(CHARSET)


def strip_diacritics(text: str) -> str:
    """ASCII transliteration as used in the MRZ: 'Nguyễn Đức' -> 'Nguyen Duc'."""
    text = normalize(text).replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
