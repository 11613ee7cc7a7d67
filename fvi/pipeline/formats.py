"""What each field's printed line can look like, from the card formats (shared/CARDS.md): the reader
decodes a line of such a field under its format when its free reading does not fit it. Fields without
a fixed format (names, addresses, marks) are read freely."""

from __future__ import annotations

from dataclasses import dataclass

from fvi.cards.charset import DIGITS
from fvi.cards.dates import NO_EXPIRY_TEXT
from fvi.pipeline.ctc import Pattern


#: A free reading more characters than this away from every pattern's length is left as read (with the
#: field's format check failing): forcing it would only dress up some other text as the field.
MAX_LENGTH_GAP = 3


@dataclass(frozen=True)
class LineFormat:
    """Either fixed-length shapes (any one of ``patterns``) or any text over ``charset``."""

    patterns: tuple[Pattern, ...] = ()
    charset: str | None = None

    def near(self, text: str) -> bool:
        """Close enough in length that the free reading is the field misread, not some other text."""
        return self.charset is not None or any(abs(len(text) - len(p)) <= MAX_LENGTH_GAP for p in self.patterns)

    def fits(self, text: str) -> bool:
        if self.charset is not None:
            return set(text) <= set(self.charset)
        return any(len(text) == len(p) and all(c in slot for c, slot in zip(text, p)) for p in self.patterns)


def literal(text: str) -> Pattern:
    return tuple(text)


def date(separators: str = "/") -> Pattern:
    """DD/MM/YYYY with plausible leading digits (day 0-3, month 0-1, year 1xxx-2xxx)."""
    return ("0123", DIGITS, separators, "01", DIGITS, separators, "12", DIGITS, DIGITS, DIGITS)


#: ICAO 9303 machine-readable zone characters.
MRZ_CHARS = DIGITS + "ABCDEFGHIJKLMNOPQRSTUVWXYZ<"


def line_format(card_class: str, field: str) -> LineFormat | None:
    """The format one line of ``field`` takes on a "type/side" card, or None (any text)."""
    card_type = card_class.partition("/")[0]
    if field == "id_number":
        # 9 digits on the old CMND, 12 on every later card; both are allowed on any card so that a card
        # taken for the wrong type keeps its number (the id_number_format check flags the mismatch).
        return LineFormat(((DIGITS,) * 12, (DIGITS,) * 9))
    if field == "date_of_birth":
        # Old 9-digit CMNDs print the birth date with dashes as often as with slashes.
        return LineFormat((date("/-" if card_type == "cmnd_9" else "/"),))
    if field == "date_of_issue":
        return LineFormat((date(),))
    if field == "date_of_expiry":
        return LineFormat((date(), literal(NO_EXPIRY_TEXT)))
    if field == "sex":
        return LineFormat((literal("Nam"), literal("Nữ")))
    if field == "mrz":
        # Lines are 30 characters, but a line the detector split in two must not be stretched to 30 each.
        return LineFormat(charset=MRZ_CHARS)
    return None
