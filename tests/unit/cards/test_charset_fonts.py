import unicodedata

import pytest
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
        with fonts.using("+".join(fonts.FONT_SETS)):
            families = fonts.available(kind)
        for family in families:
            needed = MRZ_CHARS if kind == "mono" else set(CHARSET) - {" "}
            for path in (family.regular, family.bold):
                cmap = TTFont(str(fonts.FONT_DIR / path)).getBestCmap()
                missing = sorted(c for c in needed if ord(c) not in cmap)
                assert not missing, f"{path} lacks {''.join(missing)}"


def test_at_least_several_families_are_installed():
    assert len(fonts.available("sans")) >= 4
    assert len(fonts.available("serif")) >= 2
    assert len(fonts.available("mono")) >= 2


def test_every_font_set_has_each_kind_and_no_family_is_in_two():
    for spec in fonts.FONT_SETS:
        with fonts.using(spec):
            assert all(fonts.available(kind) for kind in ("sans", "serif", "mono"))
    names = [f.name for families in fonts.FONT_SETS.values() for f in families]
    assert len(names) == len(set(names))
    with fonts.using("core+extra"):
        both = fonts.available("sans")
    assert set(fonts.available("sans")) < set(both)


def test_a_font_set_is_used_only_inside_its_block():
    before = fonts.available("serif")
    with fonts.using("unseen"):
        assert not set(fonts.available("serif")) & set(before)
    assert fonts.available("serif") == before
    with pytest.raises(ValueError, match="unknown font set"), fonts.using("core+nope"):
        pass
