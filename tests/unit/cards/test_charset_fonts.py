import unicodedata

from fontTools.ttLib import TTFont

from fvi.cards.charset import CHARSET, VIETNAMESE_LOWER, VIETNAMESE_UPPER, normalize, unsupported_chars
from fvi.synth import fonts

MRZ_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")


def test_charset_has_every_precomposed_vietnamese_letter():
    # 26 Latin + đ + ă â ê ô ơ ư + 12 vowels x 5 tones = 93 per case
    assert len(VIETNAMESE_LOWER) == len(VIETNAMESE_UPPER) == 93
    assert all(len(c) == 1 and unicodedata.normalize("NFC", c) == c for c in CHARSET)
    assert {"ữ", "Ỹ", "ặ", "Đ", "<", "/"} <= set(CHARSET)
    assert len(set(CHARSET)) == len(CHARSET)


def test_decomposed_input_is_normalised_into_the_charset():
    decomposed = unicodedata.normalize("NFD", "NGUYỄN Thị Ánh")
    assert unsupported_chars(decomposed) == set()
    assert normalize(decomposed) == "NGUYỄN Thị Ánh"


def test_every_installed_font_draws_what_it_is_used_for():
    for kind in ("sans", "serif", "mono"):
        for family in fonts.available(kind):
            needed = MRZ_CHARS if kind == "mono" else set(CHARSET) - {" "}
            for path in (family.regular, family.bold):
                cmap = TTFont(str(fonts.FONT_DIR / path)).getBestCmap()
                missing = sorted(c for c in needed if ord(c) not in cmap)
                assert not missing, f"{path} lacks {''.join(missing)}"


def test_at_least_several_families_are_installed():
    assert len(fonts.available("sans")) >= 4
    assert len(fonts.available("serif")) >= 2
    assert len(fonts.available("mono")) >= 2
