"""Printed dates and the expiry rules of each card generation (CARDS.md)."""

from __future__ import annotations

import datetime as dt

from fvi.cards.types import CardType

NO_EXPIRY_TEXT = "Không thời hạn"

#: Ages at which a card must be renewed, per card generation.
RENEWAL_AGES: dict[CardType, tuple[int, ...]] = {
    CardType.CCCD_2016: (25, 40, 60),
    CardType.CCCD_CHIP: (25, 40, 60),
    CardType.CAN_CUOC_2024: (14, 25, 40, 60),
}
CMND_VALID_YEARS = 15


def format_date(date: dt.date) -> str:
    return date.strftime("%d/%m/%Y")


def parse_date(text: str) -> dt.date | None:
    """'DD/MM/YYYY' (also with '-' or '.') -> date; ``None`` if it is not a real date."""
    cleaned = text.strip().replace("-", "/").replace(".", "/")
    try:
        return dt.datetime.strptime(cleaned, "%d/%m/%Y").date()
    except ValueError:
        return None


def add_years(date: dt.date, years: int) -> dt.date:
    """Same day ``years`` later (29 Feb becomes 28 Feb in a common year)."""
    try:
        return date.replace(year=date.year + years)
    except ValueError:
        return date.replace(year=date.year + years, day=28)


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def expected_expiry(card_type: CardType, birth: dt.date, issued: dt.date) -> dt.date | None:
    """Expiry date the law gives a card issued on ``issued``; ``None`` means no expiry.

    A card issued within 2 years before a renewal age is valid until the following one; past
    the last renewal age minus 2 it never expires.
    """
    if card_type in (CardType.CMND_9, CardType.CMND_12):
        return add_years(issued, CMND_VALID_YEARS)
    age = age_on(birth, issued)
    for renewal_age in RENEWAL_AGES[card_type]:
        if age < renewal_age - 2:
            return add_years(birth, renewal_age)
    return None
