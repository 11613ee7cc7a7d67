"""Every card type and side renders with the fields it should carry, inside the card, with real MRZ/QR."""

import numpy as np
import pytest
import zxingcpp

from fvi.cards.mrz import parse_td1
from fvi.cards.qr import parse_payload
from fvi.cards.types import CANONICAL_SIZE, SUPPORTED_CARDS, CardType, fields_of
from fvi.synth.card import render_card
from fvi.synth.person import PersonFactory

CASES = [(t, s, seed) for t, s in SUPPORTED_CARDS for seed in range(3)]


@pytest.fixture(scope="module")
def people():
    return PersonFactory()


@pytest.mark.parametrize("card_type,side,seed", CASES, ids=lambda v: getattr(v, "value", str(v)))
def test_every_type_and_side_renders_its_fields_inside_the_card(people, card_type, side, seed):
    rng = np.random.default_rng([seed, 99])
    card = render_card(card_type, side, people.make(rng, card_type, 0.0), rng)
    w, h = CANONICAL_SIZE
    assert card.image.shape == (h, w, 3) and card.image.dtype == np.uint8
    assert set(card.fields) == set(fields_of(card_type, side))
    for key, lines in card.fields.items():
        assert lines and all(line.text.strip() for line in lines), key
        for line in lines:
            quad = np.array(line.quad)
            assert (quad >= 0).all() and (quad[:, 0] <= w).all() and (quad[:, 1] <= h).all(), (key, line)
            x0, y0 = quad.min(0).astype(int)
            x1, y1 = quad.max(0).astype(int)
            patch = card.image[y0:y1, x0:x1].astype(int)
            assert patch.std() > 10, f"{key} box has no ink: {line.text}"


@pytest.mark.parametrize("card_type,side", [c for c in SUPPORTED_CARDS if "mrz" in fields_of(*c)],
                         ids=lambda v: getattr(v, "value", str(v)))
def test_mrz_check_digits_verify_and_match_the_holder(people, card_type, side):
    for seed in range(5):
        rng = np.random.default_rng([seed, 7])
        person = people.make(rng, card_type, 0.0)
        card = render_card(card_type, side, person, rng)
        parsed = parse_td1(card.mrz)
        assert parsed is not None and all(parsed.checks.values()), card.mrz
        assert parsed.id_number == person.id_number
        assert parsed.birth == person.date_of_birth.strftime("%y%m%d")
        assert [line.text for line in card.fields["mrz"]] == card.mrz


@pytest.mark.parametrize("card_type,side", [c for c in SUPPORTED_CARDS if c[0] in (CardType.CCCD_CHIP,
                                            CardType.CAN_CUOC_2024)], ids=lambda v: getattr(v, "value", str(v)))
def test_qr_decodes_to_the_labelled_payload(people, card_type, side):
    rng = np.random.default_rng([3, 11])
    person = people.make(rng, card_type, 0.0)
    card = render_card(card_type, side, person, rng)
    if card.qr_payload is None:
        assert card_type is CardType.CCCD_CHIP and side.value == "back" or \
            card_type is CardType.CAN_CUOC_2024 and side.value == "front"
        return
    results = zxingcpp.read_barcodes(card.image)
    assert [r.text for r in results] == [card.qr_payload]
    payload = parse_payload(card.qr_payload)
    assert payload.id_number == person.id_number and payload.full_name == person.full_name
    assert payload.date_of_birth == person.date_of_birth


def test_inconsistent_ids_are_really_inconsistent(people):
    from fvi.cards.idnumber import id12_consistent

    for seed in range(20):
        rng = np.random.default_rng(seed)
        good = people.make(rng, CardType.CCCD_CHIP, 0.0)
        bad = people.make(rng, CardType.CCCD_CHIP, 1.0)
        assert good.id_consistent and id12_consistent(good.id_number, good.date_of_birth.year, good.sex)
        assert not bad.id_consistent and not id12_consistent(bad.id_number, bad.date_of_birth.year, bad.sex)


def test_people_are_self_consistent(people):
    from fvi.cards.dates import age_on, expected_expiry

    for seed in range(30):
        rng = np.random.default_rng(seed)
        card_type = [CardType.CMND_9, CardType.CCCD_2016, CardType.CCCD_CHIP, CardType.CAN_CUOC_2024][seed % 4]
        p = people.make(rng, card_type, 0.0)
        assert age_on(p.date_of_birth, p.date_of_issue) >= (6 if card_type is CardType.CAN_CUOC_2024 else 14)
        assert p.date_of_expiry == expected_expiry(card_type, p.date_of_birth, p.date_of_issue)
        assert p.full_name == p.full_name.upper() and len(p.full_name.split()) >= 2
        assert len(p.id_number) == (9 if card_type is CardType.CMND_9 else 12) and p.id_number.isdigit()
        assert ", " in p.place_of_residence
