"""ICAO 9303 TD1 machine-readable zone as printed on chip-card backs (CARDS.md)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from fvi.cards.charset import strip_diacritics

LINE_LENGTH = 30
#: Check-digit weights, repeating from a field's first character.
WEIGHTS = (7, 3, 1)
#: Character positions of line 1: `IDVNM`, the document number (the ID's last nine digits) and its check,
#: the 12-digit ID, `<<`, the ID's check.
DOCUMENT = range(5, 14)
DOCUMENT_CHECK = 14
ID_DIGITS = range(15, 27)
ID_CHECK = 29
#: Character positions of line 2: birth date and check, sex, expiry (or six fillers) and check, `VNM`,
#: fillers, the composite check over line 1's 5-29 and line 2's 0-6, 8-14 and 18-28.
BIRTH = range(6)
BIRTH_CHECK = 6
EXPIRY = range(8, 14)
EXPIRY_CHECK = 14
COMPOSITE_CHECK = 29


def char_value(char: str) -> int:
    if char.isdigit():
        return int(char)
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    if char == "<":
        return 0
    raise ValueError(f"{char!r} is not an MRZ character")


def weighted_sum(field: str) -> int:
    """Character values times weights 7, 3, 1 repeating, summed."""
    return sum(char_value(c) * WEIGHTS[i % 3] for i, c in enumerate(field))


def check_digit(field: str) -> str:
    """Weights 7, 3, 1 repeating over character values, sum mod 10."""
    return str(weighted_sum(field) % 10)


def mrz_date(date: dt.date | None) -> str:
    """YYMMDD, or six fillers for 'no expiry'."""
    return "<<<<<<" if date is None else date.strftime("%y%m%d")


def parse_mrz_date(yymmdd: str, not_after: int | None = None) -> dt.date | None:
    """The date an MRZ YYMMDD writes; the century is the one that keeps the year at most ``not_after``
    (2000s without one). None for fillers or no date."""
    if not re.fullmatch(r"\d{6}", yymmdd):
        return None
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    year = 2000 + yy if not_after is None or 2000 + yy <= not_after else 1900 + yy
    try:
        return dt.date(year, mm, dd)
    except ValueError:
        return None


def mrz_name(full_name: str) -> str:
    """'NGUYỄN VĂN A' -> 'NGUYEN<<VAN<A', padded or cut to one line."""
    words = re.sub(r"[^A-Z ]", "", strip_diacritics(full_name).upper()).split()
    if not words:
        return "<" * LINE_LENGTH
    name = words[0] + "<<" + "<".join(words[1:])
    return name[:LINE_LENGTH].ljust(LINE_LENGTH, "<")


def build_td1(id12: str, birth: dt.date, sex: str, expiry: dt.date | None, full_name: str) -> list[str]:
    """The three 30-character lines for a Vietnamese chip card, every check digit valid."""
    document_number = id12[-9:]
    line1 = f"IDVNM{document_number}{check_digit(document_number)}{id12}<<{check_digit(id12)}"
    birth_s, expiry_s = mrz_date(birth), mrz_date(expiry)
    mrz_sex = "F" if sex == "Nữ" else "M"
    line2 = f"{birth_s}{check_digit(birth_s)}{mrz_sex}{expiry_s}{check_digit(expiry_s)}VNM"
    line2 = line2.ljust(LINE_LENGTH - 1, "<")
    line2 += composite_check(line1, line2)
    return [line1, line2, mrz_name(full_name)]


def composite_check(line1: str, line2: str) -> str:
    """TD1 composite check: line 1 positions 6-30 and line 2 positions 1-7, 9-15, 19-29."""
    return check_digit(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29])


def _at(line: str, positions: range) -> str:
    return line[positions.start:positions.stop]


@dataclass(frozen=True)
class ParsedMrz:
    """What a TD1 MRZ says, and which of its check digits hold."""

    document_number: str
    id_number: str
    birth: str
    sex: str
    expiry: str
    nationality: str
    surname: str
    given_names: str
    checks: dict[str, bool]


def parse_td1(lines: list[str]) -> ParsedMrz | None:
    """Parse three TD1 lines; ``None`` when the shape is not a Vietnamese TD1."""
    if len(lines) != 3 or any(len(line) != LINE_LENGTH for line in lines):
        return None
    line1, line2, line3 = lines
    if not line1.startswith("ID"):
        return None
    try:
        checks = {
            "document_number": check_digit(_at(line1, DOCUMENT)) == line1[DOCUMENT_CHECK],
            "id_number": check_digit(_at(line1, ID_DIGITS)) == line1[ID_CHECK],
            "birth": check_digit(_at(line2, BIRTH)) == line2[BIRTH_CHECK],
            "expiry": check_digit(_at(line2, EXPIRY)) == line2[EXPIRY_CHECK],
            "composite": composite_check(line1, line2) == line2[COMPOSITE_CHECK],
        }
    except ValueError:
        return None
    surname, _, given = line3.partition("<<")
    return ParsedMrz(
        document_number=_at(line1, DOCUMENT),
        id_number=_at(line1, ID_DIGITS),
        birth=_at(line2, BIRTH),
        sex=line2[7],
        expiry=_at(line2, EXPIRY),
        nationality=line2[15:18],
        surname=surname.strip("<"),
        given_names=" ".join(part for part in given.split("<") if part),
        checks=checks,
    )
