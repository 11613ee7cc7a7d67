"""Card types, sides, canonical field keys and the fields each card side carries."""

from __future__ import annotations

from enum import Enum


class CardType(str, Enum):
    """Canonical card-type keys (see shared/CARDS.md)."""

    CMND_9 = "cmnd_9"
    CMND_12 = "cmnd_12"
    CCCD_2016 = "cccd_2016"
    CCCD_CHIP = "cccd_chip"
    CAN_CUOC_2024 = "can_cuoc_2024"


class Side(str, Enum):
    FRONT = "front"
    BACK = "back"


#: Every field key the API and the ground truth use, in display order.
FIELD_KEYS: tuple[str, ...] = (
    "id_number",
    "full_name",
    "date_of_birth",
    "sex",
    "nationality",
    "place_of_origin",
    "place_of_residence",
    "date_of_expiry",
    "date_of_issue",
    "place_of_birth",
    "identifying_marks",
    "mrz",
)

#: ID-1 card: 85.6 x 53.98 mm.
CARD_ASPECT = 85.6 / 53.98

#: The upright card every photo is warped to (10 px per mm), width x height.
CANONICAL_SIZE: tuple[int, int] = (856, 540)

#: Fields printed on each (type, side) that FVI reads. A field absent here is not on that side.
CARD_FIELDS: dict[tuple[CardType, Side], tuple[str, ...]] = {
    (CardType.CMND_9, Side.FRONT): (
        "id_number", "full_name", "date_of_birth", "place_of_origin", "place_of_residence",
    ),
    (CardType.CCCD_2016, Side.FRONT): (
        "id_number", "full_name", "date_of_birth", "sex", "nationality",
        "place_of_origin", "place_of_residence", "date_of_expiry",
    ),
    (CardType.CCCD_CHIP, Side.FRONT): (
        "id_number", "full_name", "date_of_birth", "sex", "nationality",
        "place_of_origin", "place_of_residence", "date_of_expiry",
    ),
    (CardType.CCCD_CHIP, Side.BACK): ("identifying_marks", "date_of_issue", "mrz"),
    (CardType.CAN_CUOC_2024, Side.FRONT): (
        "id_number", "full_name", "date_of_birth", "sex", "nationality",
    ),
    (CardType.CAN_CUOC_2024, Side.BACK): (
        "place_of_residence", "place_of_birth", "date_of_issue", "date_of_expiry", "mrz",
    ),
}

#: The (type, side) pairs the generator renders and the models learn, in class-index order.
SUPPORTED_CARDS: tuple[tuple[CardType, Side], ...] = tuple(CARD_FIELDS)


def fields_of(card_type: CardType | str, side: Side | str) -> tuple[str, ...]:
    """Field keys printed on one side of one card type (empty if FVI does not read that side)."""
    return CARD_FIELDS.get((CardType(card_type), Side(side)), ())
