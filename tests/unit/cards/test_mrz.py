import datetime as dt

from fvi.cards.mrz import build_td1, check_digit, mrz_name, parse_td1

# The fictional example documented in shared/CARDS.md.
DOCUMENTED = [
    "IDVNM0900123450001090012345<<1",
    "9001011M3001019VNM<<<<<<<<<<<2",
    "NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<",
]


def test_build_td1_reproduces_the_documented_example():
    lines = build_td1("001090012345", dt.date(1990, 1, 1), "Nam", dt.date(2030, 1, 1), "NGUYỄN VĂN A")
    assert lines == DOCUMENTED


def test_check_digit_uses_weights_731_and_letter_values():
    assert check_digit("520727") == "3"  # ICAO 9303 worked example
    assert check_digit("<<<<<<") == "0"
    assert check_digit("AB") == str((10 * 7 + 11 * 3) % 10)


def test_parse_td1_accepts_valid_and_flags_each_broken_check_digit():
    parsed = parse_td1(DOCUMENTED)
    assert parsed is not None and all(parsed.checks.values())
    assert (parsed.id_number, parsed.birth, parsed.sex, parsed.surname, parsed.given_names) == (
        "001090012345", "900101", "M", "NGUYEN", "VAN A")
    tampered = [DOCUMENTED[0], DOCUMENTED[1].replace("900101", "900102"), DOCUMENTED[2]]
    checks = parse_td1(tampered).checks
    assert checks["birth"] is False and checks["composite"] is False and checks["id_number"] is True


def test_parse_td1_rejects_wrong_shapes():
    assert parse_td1(DOCUMENTED[:2]) is None
    assert parse_td1([line[:-1] for line in DOCUMENTED]) is None


def test_no_expiry_is_fillers_and_names_lose_diacritics():
    lines = build_td1("079301000001", dt.date(2001, 5, 2), "Nữ", None, "TRẦN THỊ ĐÀO")
    assert lines[1][8:15] == "<<<<<<0" and lines[1][7] == "F"
    assert mrz_name("TRẦN THỊ ĐÀO").startswith("TRAN<<THI<DAO<")
    assert all(parse_td1(lines).checks.values())
