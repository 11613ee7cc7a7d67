"""Lines a card's structure ties read together: a CCCD front's birth date and expiry (the renewal rule),
the ID number's century and year digits and the birth date."""

import datetime as dt

import numpy as np

from fvi.cards.dates import NO_EXPIRY_TEXT
from fvi.cards.mrz import build_td1
from fvi.cards.types import CardType
from fvi.pipeline import steps
from fvi.pipeline.crossread import (
    birth_year_pairs,
    keeps_rule,
    mrz_expiry_text,
    renewal_pairs,
    with_birth_year_held,
    with_mrz_expiry_held,
    with_renewal_held,
)
from fvi.pipeline.ctc import encode_text, greedy_decode
from fvi.pipeline.detection import LineBox
from fvi.pipeline.specs import READER_ALPHABET

CLASSES = len(READER_ALPHABET) + 1


def reading(text: str, doubts: dict[int, tuple[str, float]] | None = None) -> np.ndarray:
    """Reader logits [T, C] reading ``text`` (each character at 0.98); ``doubts``: character index ->
    (the runner-up character, the read character's probability), the runner-up taking the rest."""
    doubts = doubts or {}
    probs = np.full((2 * len(text) + 2, CLASSES), 1e-6, np.float32)
    probs[:, 0] = 1.0
    for k, c in enumerate(encode_text(text)):
        row = probs[2 * k + 1]
        row[:] = 1e-6
        other, p = doubts.get(k, (None, 0.98))
        row[c] = p
        if other is not None:
            row[encode_text(other)[0]] = 1 - p
    return np.log(probs / probs.sum(-1, keepdims=True))


def test_the_rule_and_the_pairs_that_keep_it():
    assert keeps_rule(CardType.CCCD_CHIP, "04/06/2001", "04/06/2026")
    assert keeps_rule(CardType.CCCD_CHIP, "04/06/1960", NO_EXPIRY_TEXT)
    assert not keeps_rule(CardType.CCCD_CHIP, "04/06/2001", "04/09/2026")
    pairs = renewal_pairs(CardType.CCCD_CHIP, "04/06/2001", "04/09/2041")
    assert ("04/06/2001", "04/06/2041") in pairs and ("04/06/2001", NO_EXPIRY_TEXT) in pairs
    assert ("04/09/2001", "04/09/2041") in pairs and ("04/09/1981", "04/09/2041") in pairs  # born 40 or 60 years before
    assert all(keeps_rule(CardType.CCCD_CHIP, b, e) for b, e in pairs)


def test_a_doubted_digit_of_the_expiry_is_read_as_the_birthday_makes_it():
    birth = reading("04/06/2001")
    expiry = reading("04/09/2041", {4: ("6", 0.55)})  # the month's "9" nearly read "6"
    logits = {"date_of_birth": birth, "date_of_expiry": expiry}
    b, e = with_renewal_held(CardType.CCCD_CHIP, greedy_decode(birth[None])[0], greedy_decode(expiry[None])[0],
                             logits.__getitem__)
    assert (b.text, e.text) == ("04/06/2001", "04/06/2041")
    assert e.confidence < greedy_decode(expiry[None])[0].confidence  # lowered by the path's ratio
    # the same dates on a Căn cước front (no expiry there) or an old CMND stay as read
    for card_type in (CardType.CAN_CUOC_2024, CardType.CMND_9):
        b, e = with_renewal_held(card_type, greedy_decode(birth[None])[0], greedy_decode(expiry[None])[0],
                                 logits.__getitem__)
        assert e.text == "04/09/2041"


def test_dates_the_reader_is_sure_of_stay_as_read_though_they_break_the_rule():
    birth, expiry = reading("04/06/2001"), reading("04/09/2041")
    logits = {"date_of_birth": birth, "date_of_expiry": expiry}
    b, e = with_renewal_held(CardType.CCCD_2016, greedy_decode(birth[None])[0], greedy_decode(expiry[None])[0],
                             logits.__getitem__)
    assert (b.text, e.text) == ("04/06/2001", "04/09/2041")


def test_read_fields_keeps_what_the_reader_read_beside_the_mended_date():
    lines = {"date_of_birth": reading("04/06/2001"), "date_of_expiry": reading("04/09/2041", {4: ("6", 0.55)})}
    boxes = [LineBox(key, (100.0, 100.0 + 40 * i, 300.0, 120.0 + 40 * i), 0.9) for i, key in enumerate(lines)]
    width = max(len(v) for v in lines.values())
    logits = np.stack([np.pad(v, ((0, width - len(v)), (0, 0)), constant_values=np.log(1e-6)) for v in lines.values()])
    logits[:, :, 0] = np.where(np.arange(width)[None, :] >= np.array([len(v) for v in lines.values()])[:, None], 0.0,
                               logits[:, :, 0])  # padding frames are blanks
    fields = steps.read_fields("cccd_chip/front", boxes, logits)
    assert fields["date_of_expiry"].text == "04/06/2041" and fields["date_of_expiry"].read_as == "04/09/2041"
    assert fields["date_of_birth"].text == "04/06/2001" and fields["date_of_birth"].read_as is None


def test_the_id_numbers_century_and_year_digits_and_the_birth_year():
    assert birth_year_pairs("001083012345", "12/03/1985", "Nam") == [("001083012345", "12/03/1983"),
                                                                    ("001085012345", "12/03/1985")]
    assert birth_year_pairs("001183012345", "12/03/2005", "Nữ") == [("001183012345", "12/03/1983"),
                                                                   ("001305012345", "12/03/2005")]
    assert birth_year_pairs("123456789", "12/03/1985", "Nam") == []  # a 9-digit CMND number says nothing
    assert birth_year_pairs("001083012345", "12/13/1985", "Nam") == []  # no date


def test_a_doubted_year_digit_is_read_as_the_id_number_says_and_a_sure_one_stays():
    id_number = reading("001083012345")
    for doubt, expected in ((0.55, "12/03/1983"), (0.9995, "12/03/1985")):  # sure: at least 0.999
        birth = reading("12/03/1985", {9: ("3", doubt)})
        logits = {"id_number": id_number, "date_of_birth": birth}
        i, b = with_birth_year_held(greedy_decode(id_number[None])[0], greedy_decode(birth[None])[0], "Nam",
                                    logits.__getitem__)
        assert (i.text, b.text) == ("001083012345", expected)
    # the ID's doubted year digit read as the (sure) birth date says
    id_number = reading("001088012345", {5: ("3", 0.55)})
    birth = reading("12/03/1983")
    logits = {"id_number": id_number, "date_of_birth": birth}
    i, b = with_birth_year_held(greedy_decode(id_number[None])[0], greedy_decode(birth[None])[0], "Nam",
                                logits.__getitem__)
    assert (i.text, b.text) == ("001083012345", "12/03/1983")


def test_a_can_cuoc_backs_expiry_is_read_as_its_mrz_gives_it_when_the_check_digit_holds():
    mrz = " ".join(build_td1("001083012345", dt.date(1983, 3, 12), "Nam", dt.date(2043, 3, 12), "NGUYỄN VĂN A"))
    assert mrz_expiry_text(mrz) == "12/03/2043"
    no_expiry = " ".join(build_td1("001043012345", dt.date(1943, 3, 12), "Nam", None, "NGUYỄN VĂN A"))
    assert mrz_expiry_text(no_expiry) == NO_EXPIRY_TEXT
    broken = mrz[:40] + ("5" if mrz[40] != "5" else "6") + mrz[41:]  # an expiry digit off: its check fails
    assert mrz_expiry_text(broken) is None
    for doubt, expected in ((0.55, "12/03/2043"), (0.9995, "12/08/2043")):
        expiry = reading("12/08/2043", {4: ("3", doubt)})
        line = with_mrz_expiry_held(greedy_decode(expiry[None])[0], mrz, expiry)
        assert line.text == expected
