"""Domain facts about Vietnamese identity cards: types, fields, formats and their checks."""

from fvi.cards.types import (
    CANONICAL_SIZE,
    CARD_ASPECT,
    CARD_FIELDS,
    FIELD_KEYS,
    SUPPORTED_CARDS,
    CardType,
    Side,
    fields_of,
)

__all__ = [
    "CANONICAL_SIZE",
    "CARD_ASPECT",
    "CARD_FIELDS",
    "FIELD_KEYS",
    "SUPPORTED_CARDS",
    "CardType",
    "Side",
    "fields_of",
]
