"""The 12-digit personal identification number: build it and soft-check it (CARDS.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ID12 = re.compile(r"^\d{12}$")


def century_sex_digit(birth_year: int, sex: str) -> int:
    """Digit 4 of the ID: century of birth and sex (1900s: 0/1, 2000s: 2/3, 2100s: 4/5)."""
    century_index = (birth_year // 100) - 19
    if not 0 <= century_index <= 2:
        raise ValueError(f"birth year {birth_year} is outside 1900-2199")
    return 2 * century_index + (1 if sex == "Nữ" else 0)


def build_id12(province_code: int, birth_year: int, sex: str, serial: int) -> str:
    """Compose a 12-digit ID from the birth-registration province, birth year, sex and serial."""
    return (
        f"{province_code:03d}{century_sex_digit(birth_year, sex)}"
        f"{birth_year % 100:02d}{serial % 1_000_000:06d}"
    )


@dataclass(frozen=True)
class Id12Parts:
    """The soft structure of a 12-digit ID: what it claims about its holder."""

    province_code: int
    birth_year: int
    sex: str


def parse_id12(id_number: str) -> Id12Parts | None:
    """Decode province, birth year and sex from a 12-digit ID; ``None`` if it is not one."""
    if not _ID12.match(id_number):
        return None
    digit = int(id_number[3])
    if digit > 5:
        return None
    century = 1900 + 100 * (digit // 2)
    return Id12Parts(
        province_code=int(id_number[:3]),
        birth_year=century + int(id_number[4:6]),
        sex="Nữ" if digit % 2 else "Nam",
    )


def id12_consistent(id_number: str, birth_year: int, sex: str) -> bool:
    """True when the ID's century/sex digit and year digits agree with the holder's."""
    parts = parse_id12(id_number)
    return parts is not None and parts.birth_year == birth_year and parts.sex == sex
