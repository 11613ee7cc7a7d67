import datetime as dt

import pytest

from fvi.cards.dates import NO_EXPIRY_TEXT, expected_expiry, parse_date
from fvi.cards.idnumber import build_id12, century_sex_digit, id12_consistent, parse_id12
from fvi.cards.qr import QrPayload, parse_payload
from fvi.cards.types import CardType


@pytest.mark.parametrize("year,sex,digit", [(1990, "Nam", 0), (1990, "Nữ", 1), (2005, "Nam", 2),
                                            (2005, "Nữ", 3), (2101, "Nữ", 5)])
def test_century_sex_digit(year, sex, digit):
    assert century_sex_digit(year, sex) == digit


def test_id12_round_trip_and_soft_check():
    id12 = build_id12(1, 1990, "Nam", 12345)
    assert id12 == "001090012345"
    parts = parse_id12(id12)
    assert (parts.province_code, parts.birth_year, parts.sex) == (1, 1990, "Nam")
    assert id12_consistent(id12, 1990, "Nam")
    assert not id12_consistent(id12, 1991, "Nam")
    assert not id12_consistent(id12, 1990, "Nữ")
    assert parse_id12("12345") is None and parse_id12("001990012345") is None


def test_expiry_rules_follow_renewal_ages():
    birth = dt.date(1990, 3, 15)
    # issued at 30 -> valid until 40
    assert expected_expiry(CardType.CCCD_CHIP, birth, dt.date(2020, 1, 1)) == dt.date(2030, 3, 15)
    # issued within 2 years before 40 -> valid until 60
    assert expected_expiry(CardType.CCCD_CHIP, birth, dt.date(2029, 1, 1)) == dt.date(2050, 3, 15)
    # issued at 58 or later -> no expiry
    assert expected_expiry(CardType.CCCD_CHIP, birth, dt.date(2048, 6, 1)) is None
    # 2024 card also renews at 14
    assert expected_expiry(CardType.CAN_CUOC_2024, dt.date(2015, 1, 1), dt.date(2025, 1, 1)) == dt.date(2029, 1, 1)
    assert expected_expiry(CardType.CMND_9, birth, dt.date(2008, 2, 29)) == dt.date(2023, 2, 28)
    assert NO_EXPIRY_TEXT == "Không thời hạn"


def test_parse_date_accepts_card_separators_and_rejects_impossible_dates():
    assert parse_date("01/02/1990") == dt.date(1990, 2, 1)
    assert parse_date("01-02-1990") == dt.date(1990, 2, 1)
    assert parse_date("31/02/1990") is None and parse_date("Không thời hạn") is None


def test_qr_payload_round_trip_keeps_extra_fields():
    payload = QrPayload("001090012345", "", "NGUYỄN VĂN A", dt.date(1990, 1, 1), "Nam",
                        "Số 1, Phường Hoàn Kiếm, Thành phố Hà Nội", dt.date(2021, 5, 6), ("01012030",))
    text = payload.encode()
    assert text.startswith("001090012345||NGUYỄN VĂN A|01011990|Nam|")
    assert parse_payload(text) == payload
    assert parse_payload("a|b|c") is None
