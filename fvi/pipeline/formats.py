"""What each field's printed line can look like, from the card formats (shared/CARDS.md): the reader
decodes a line of such a field under its format when its free reading does not fit it. Fields without
a fixed format (names, addresses, marks) are read freely."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from fvi.cards.charset import DIGITS, strip_diacritics
from fvi.cards.dates import NO_EXPIRY_TEXT
from fvi.pipeline.ctc import Pattern, fits

#: A free reading more characters than this away from every pattern's length is left as read (with the
#: field's format check failing): forcing it would only dress up some other text as the field.
MAX_LENGTH_GAP = 3


@dataclass(frozen=True)
class LineFormat:
    """Fixed-length shapes (a line is any one of ``patterns``), and/or the only characters a line may
    hold (``charset``, used when a reading is too far from every pattern's length)."""

    patterns: tuple[Pattern, ...] = ()
    charset: str | None = None
    max_lines: int | None = 1  # the field is printed on this many lines at most (None: any number)
    tried: int | None = None  # decode under only this many patterns, those the reading is closest to
    #: A rule that turns a free reading into the format's text when the format's structure alone decides
    #: what was misread (None: the rule does not apply), tried before any pattern.
    rewrite: Callable[[str], str | None] | None = None

    def candidates(self, text: str) -> list[Pattern]:
        """The patterns to decode under: all, or of each length the ``tried`` ones whose slots most of
        ``text`` fits (so a date reading is tried as a date and as `Không thời hạn` alike)."""
        if self.tried is None:
            return list(self.patterns)
        by_length: dict[int, list[Pattern]] = {}
        for p in sorted(self.patterns, key=lambda p: -sum(c in slot for c, slot in zip(text, p))):
            by_length.setdefault(len(p), []).append(p)
        return [p for group in by_length.values() for p in group[: self.tried]]

    def near(self, text: str) -> bool:
        """Close enough in length that the free reading is the field misread, not some other text."""
        return any(abs(len(text) - len(p)) <= MAX_LENGTH_GAP for p in self.patterns)

    def fits(self, text: str) -> bool:
        if self.patterns:
            return fits(text, self.patterns)
        return self.charset is not None and set(text) <= set(self.charset)


def literal(text: str) -> Pattern:
    return tuple(text)


#: Years a date of each field can have: nobody is born, and no card issued, after this year; the first
#: 9-digit CMNDs were issued in the 1970s; an expiry lies in this century.
THIS_YEAR = dt.date.today().year
YEARS = {"date_of_birth": (1900, THIS_YEAR), "date_of_issue": (1976, THIS_YEAR), "date_of_expiry": (2000, 2099)}
#: Years each card generation was issued in (public facts): the chip CCCD from 2021 until the Căn cước
#: replaced it on 1 July 2024; the Căn cước since. Its printed issue date lies in them.
ISSUE_YEARS = {"cccd_chip": (2021, 2024), "can_cuoc_2024": (2024, THIS_YEAR)}


def year_slots(first: int, last: int) -> tuple[Pattern, ...]:
    """Four-digit patterns covering exactly the years ``first``..``last``: one per partly covered
    decade, one per run of whole decades in a century."""
    out: list[Pattern] = []
    for century in range(first // 100, last // 100 + 1):
        whole = ""
        for decade in range(10):
            years = [y for y in range(century * 100 + decade * 10, century * 100 + decade * 10 + 10) if first <= y <= last]
            if len(years) == 10:
                whole += str(decade)
            elif years:
                out.append((*str(century), str(decade), "".join(str(y % 10) for y in years)))
        if whole:
            out.append((*str(century), whole, DIGITS))
    return tuple(out)


def dates(separators: str = "/", years: tuple[int, int] = (1900, 2099)) -> tuple[Pattern, ...]:
    """DD/MM/YYYY as calendar dates can be written: day 01-31, month 01-12, a year in ``years`` (by
    default 19xx or 20xx, the years on identity cards), one pattern per combination of leading digits."""
    days = (("0", DIGITS[1:]), ("12", DIGITS), ("3", "01"))
    months = (("0", DIGITS[1:]), ("1", "012"))
    return tuple(day + (separators,) + month + (separators,) + year
                 for day in days for month in months for year in year_slots(*years))


#: A date reading that is no calendar date is decoded under the date patterns its characters fit best.
DATE_PATTERNS_TRIED = 4

#: ICAO 9303 machine-readable zone characters.
MRZ_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MRZ_CHARS = DIGITS + MRZ_LETTERS + "<"
#: The three TD1 lines of a Vietnamese chip card (shared/CARDS.md): ID, document number and checks;
#: birth date, sex, expiry (a date, or six fillers when none), nationality, optional data, composite
#: check; the name. The date line has two shapes, with and without an expiry date.
MRZ_ID_LINE: Pattern = literal("IDVNM") + (DIGITS,) * 9 + (DIGITS,) + (DIGITS,) * 12 + literal("<<") + (DIGITS,)
MRZ_DATE_LINES: tuple[Pattern, ...] = tuple(
    (DIGITS,) * 7 + ("MF<",) + expiry + (DIGITS,) + literal("VNM") + ("<",) * 11 + (DIGITS,)
    for expiry in ((DIGITS,) * 6, ("<",) * 6))
MRZ_NAME_LINE: Pattern = (MRZ_LETTERS + "<",) * 30
MRZ_LINE_COUNT = 3


@lru_cache(maxsize=256)
def line_format(card_class: str, field: str) -> LineFormat | None:
    """The format one line of ``field`` takes on a "type/side" card, or None (any text)."""
    card_type = card_class.partition("/")[0]
    if field == "id_number":
        # 9 digits on the old CMND, 12 on every later card; both are allowed on any card so that a card
        # taken for the wrong type keeps its number (the id_number_format check flags the mismatch).
        return LineFormat(((DIGITS,) * 12, (DIGITS,) * 9))
    if field in YEARS:
        years = ISSUE_YEARS.get(card_type, YEARS[field]) if field == "date_of_issue" else YEARS[field]
        # Each day/month shape is tried with every year range (a year reading out of range, "2061" for an
        # issue date, fits none of them, so its closest is no guide to the others).
        tried = DATE_PATTERNS_TRIED * len(year_slots(*years))
        if field == "date_of_birth":
            # Old 9-digit CMNDs print the birth date with dashes as often as with slashes.
            return LineFormat(dates("/-" if card_type == "cmnd_9" else "/", YEARS[field]), tried=tried)
        if field == "date_of_issue":
            return LineFormat(dates(years=years), tried=tried)
        return LineFormat((*dates(years=YEARS[field]), literal(NO_EXPIRY_TEXT)), tried=tried)
    if field == "sex":
        return LineFormat((literal("Nam"), literal("Nữ")))
    if field == "nationality":
        # Identity cards are issued to Vietnamese citizens only.
        return LineFormat((literal("Việt Nam"),))
    if field == "mrz":
        # A line the detector split in two is too short for any MRZ line: only its characters are kept to.
        # Which line (and which shape of the date line) a reading is shows in its characters (IDVNM...,
        # digits, fillers, letters): only that pattern is tried (each costs ~4 ms of Viterbi on a
        # 30-character line).
        return LineFormat((MRZ_ID_LINE, *MRZ_DATE_LINES, MRZ_NAME_LINE), charset=MRZ_CHARS, max_lines=MRZ_LINE_COUNT,
                          tried=1, rewrite=mrz_name_line)
    return None


def mrz_name_line(text: str) -> str | None:
    """The MRZ name line (SURNAME<<GIVEN<NAMES, then '<' to 30 characters) from a reading whose name part
    is clean (letters with diacritics taken as their base letters): everything after the first '<<<', or
    after the second '<<' (the surname is followed by two fillers once, given names by one), can only be
    filler, so it becomes '<' whatever was read there.
    None for any other line (the ID and date lines hold digits) or a name part with other characters."""
    width = len(MRZ_NAME_LINE)
    text = strip_diacritics(text)  # "HOÀNG": a letter with a mark is its base letter misread (no marks in an MRZ)
    second = text.find("<<", text.find("<<") + 2) if "<<" in text else -1
    end = min((e for e in (text.find("<<<"), second) if e >= 0), default=-1)
    name = text[:end] if end >= 0 else text.rstrip("<") if text.endswith("<") else None
    if not name or len(name) > width - 1 or not set(name) <= set(MRZ_LETTERS + "<") or name.startswith("<"):
        return None
    return name + "<" * (width - len(name))

