import numpy as np

from fvi.cards.types import CardType
from fvi.cards.validate import FAIL, PASS, UNKNOWN, check_fields, mrz_matches_fields, normalized_value
from fvi.synth.card import field_texts, qr_payload
from fvi.synth.person import PersonFactory


def _status(checks):
    return {c.name: c.status for c in checks}


def test_dates_get_iso_values_and_no_expiry_is_handled():
    assert normalized_value("date_of_birth", "01/02/1990") == "1990-02-01"
    assert normalized_value("date_of_expiry", "Không thời hạn") == ""
    assert normalized_value("date_of_expiry", "32/01/2030") is None
    assert normalized_value("full_name", "NGUYỄN VĂN A") is None


def test_generated_cards_pass_every_check_and_broken_ids_fail_theirs():
    people = PersonFactory()
    for seed in range(30):
        rng = np.random.default_rng(seed)
        for inconsistent in (0.0, 1.0):
            p = people.make(rng, CardType.CCCD_CHIP, inconsistent)
            texts = field_texts(p, rng)
            fields = {k: texts[k] for k in ("id_number", "full_name", "date_of_birth", "sex", "nationality",
                                            "place_of_residence", "date_of_expiry")}
            status = _status(check_fields("cccd_chip", fields, qr_payload(p)))
            assert status["date_of_birth_is_a_date"] == PASS and status["id_number_format"] == PASS
            assert status["expiry_matches_age_rules"] == PASS
            assert status["qr_matches_fields"] == PASS
            id_ok = status["id_number_matches_birth_year"] == PASS and status["id_number_matches_sex"] == PASS
            assert id_ok == (inconsistent == 0.0)


def test_a_misread_field_fails_the_qr_cross_check_without_being_rewritten():
    fields = {"id_number": "001090012345", "full_name": "NGUYỄN VĂN B", "date_of_birth": "01/01/1990", "sex": "Nam"}
    qr = "001090012345||NGUYỄN VĂN A|01011990|Nam|Số 1, Hà Nội|01012021"
    checks = {c.name: c for c in check_fields("cccd_chip", fields, qr)}
    assert checks["qr_matches_fields"].status == FAIL and "full_name" in checks["qr_matches_fields"].detail
    assert fields["full_name"] == "NGUYỄN VĂN B"


def test_mrz_check_digits_and_missing_information_is_unknown():
    good = "IDVNM0900123450001090012345<<1 9001011M3001019VNM<<<<<<<<<<<2 NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<"
    assert _status(check_fields("cccd_chip", {"mrz": good}))["mrz_check_digits"] == PASS
    bad = good.replace("9001011M", "9001021M")
    assert _status(check_fields("cccd_chip", {"mrz": bad}))["mrz_check_digits"] == FAIL
    assert _status(check_fields("cccd_chip", {"mrz": "IDVNM"}))["mrz_check_digits"] == UNKNOWN
    status = _status(check_fields("cccd_chip", {"id_number": "001090012345"}))
    assert status["id_number_matches_birth_year"] == UNKNOWN and status["id_number_matches_sex"] == UNKNOWN


def test_cmnd_numbers_have_nine_digits():
    assert _status(check_fields("cmnd_9", {"id_number": "123456789"}))["id_number_format"] == PASS
    assert _status(check_fields("cmnd_9", {"id_number": "1234567"}))["id_number_format"] == FAIL


MRZ = "IDVNM0900123450001090012345<<1 9001011M3001019VNM<<<<<<<<<<<2 NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<"


def test_mrz_value_is_the_parsed_mrz_in_the_cards_field_keys():
    assert normalized_value("mrz", MRZ) == {
        "document_number": "090012345", "id_number": "001090012345", "date_of_birth": "1990-01-01", "sex": "Nam",
        "date_of_expiry": "2030-01-01", "nationality": "VNM", "name": "NGUYEN VAN A", "check_digits_valid": True}
    assert normalized_value("mrz", "IDVNM too short") is None


def test_mrz_is_cross_checked_against_the_printed_fields_it_is_given_with():
    front = {"id_number": "001090012345", "full_name": "NGUYỄN VĂN A", "date_of_birth": "01/01/1990", "sex": "Nam",
             "date_of_expiry": "01/01/2030"}
    check = mrz_matches_fields({**front, "mrz": MRZ})
    assert check.status == PASS and "name" in check.detail
    check = mrz_matches_fields({**front, "sex": "Nữ", "full_name": "NGUYỄN VĂN B", "mrz": MRZ})
    assert check.status == FAIL and check.detail == "sex, name"
    assert _status(check_fields("cccd_chip", {"mrz": MRZ}))["mrz_matches_fields"] == UNKNOWN  # nothing printed
    assert _status(check_fields("can_cuoc_2024", {"mrz": MRZ, "date_of_expiry": "01/01/2031"}))[
        "mrz_matches_fields"] == FAIL
