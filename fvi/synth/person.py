"""Fictional card holders: names, addresses, dates and numbers that agree with each other."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from faker import Faker

from fvi.cards.dates import add_years, age_on, expected_expiry
from fvi.cards.divisions import load_divisions
from fvi.cards.idnumber import build_id12, century_sex_digit
from fvi.cards.marks import MARK_DIRECTIONS, MARK_KINDS, MARK_PLACES
from fvi.cards.types import CardType

#: Date ranges in which each card generation was issued.
ISSUE_PERIODS: dict[CardType, tuple[dt.date, dt.date]] = {
    CardType.CMND_9: (dt.date(1999, 1, 1), dt.date(2016, 6, 30)),
    CardType.CMND_12: (dt.date(2012, 1, 1), dt.date(2016, 6, 30)),
    CardType.CCCD_2016: (dt.date(2016, 1, 1), dt.date(2021, 1, 31)),
    CardType.CCCD_CHIP: (dt.date(2021, 1, 1), dt.date(2024, 6, 30)),
    CardType.CAN_CUOC_2024: (dt.date(2024, 7, 1), dt.date(2026, 10, 31)),
}
MIN_AGE = {CardType.CAN_CUOC_2024: 6}
DEFAULT_MIN_AGE = 14

_STREET_KIND = ("Số {n}", "Số {n}/{m}", "Số {n}, Ngõ {m}", "Số {n}, Ngách {m}/{k}", "Tổ {n}", "Thôn {w}",
                "Ấp {w}", "Khu phố {n}", "Xóm {w}", "Tổ dân phố {n}", "Bản {w}")


@dataclass(frozen=True)
class Division:
    """A province (with its 3-digit code) and the names of its wards."""

    code: int
    name: str
    is_city: bool
    wards: tuple[str, ...]


@lru_cache(maxsize=1)
def divisions() -> tuple[Division, ...]:
    """Provinces and wards from the ``vietnam-provinces`` package (loaded once per process)."""
    return tuple(
        Division(
            code=int(p["code"]),
            name=p["name"].removeprefix("Thành phố ").removeprefix("Tỉnh "),
            is_city=p["division_type"] == "thành phố trung ương",
            wards=tuple(w["name"] for w in p["wards"]),
        )
        for p in load_divisions()
    )


@dataclass(frozen=True)
class Person:
    """Everything printed about one fictional holder on one card."""

    card_type: CardType
    full_name: str
    sex: str
    date_of_birth: dt.date
    id_number: str
    id_consistent: bool
    old_id_number: str
    nationality: str
    place_of_origin: str
    place_of_residence: str
    place_of_birth: str
    identifying_marks: str
    date_of_issue: dt.date
    date_of_expiry: dt.date | None


class PersonFactory:
    """Draws fictional people; one per process, reseeded for every card so output is reproducible."""

    def __init__(self) -> None:
        self.faker = Faker("vi_VN")

    def make(self, rng: np.random.Generator, card_type: CardType, inconsistent_rate: float) -> Person:
        self.faker.seed_instance(int(rng.integers(2**31)))
        sex = "Nữ" if rng.random() < 0.5 else "Nam"
        full_name = self._name(rng, sex)
        start, end = ISSUE_PERIODS[card_type]
        issued = start + dt.timedelta(days=int(rng.integers((end - start).days + 1)))
        min_age = MIN_AGE.get(card_type, DEFAULT_MIN_AGE)
        age_days = int(rng.integers(min_age * 366, 85 * 365))
        birth = issued - dt.timedelta(days=age_days)
        if age_on(birth, issued) < min_age:  # leap-day edge
            birth = add_years(birth, -1)

        birth_division = divisions()[int(rng.integers(len(divisions())))]
        old_id = _digits(rng, 9) if rng.random() < 0.6 else ""
        consistent = True
        if card_type is CardType.CMND_9:
            id_number = old_id or _digits(rng, 9)
        else:
            id_number = build_id12(birth_division.code, birth.year, sex, int(rng.integers(1_000_000)))
            consistent = rng.random() >= inconsistent_rate
            if not consistent:
                id_number = _break_id(rng, id_number, birth.year, sex)

        return Person(
            card_type=card_type,
            full_name=full_name,
            sex=sex,
            date_of_birth=birth,
            id_number=id_number,
            id_consistent=consistent,
            old_id_number=old_id,
            nationality="Việt Nam",
            place_of_origin=self._address(rng, birth_division, street=False),
            place_of_residence=self._address(rng, None, street=True),
            place_of_birth=self._address(rng, birth_division, street=False),
            identifying_marks=_identifying_marks(rng),
            date_of_issue=issued,
            date_of_expiry=expected_expiry(card_type, birth, issued),
        )

    def _name(self, rng: np.random.Generator, sex: str) -> str:
        f = self.faker
        first = f.first_name_female() if sex == "Nữ" else f.first_name_male()
        middles = [f.middle_name() for _ in range(int(rng.choice([0, 1, 1, 1, 2])))]
        parts = [f.last_name(), *middles, first]
        if rng.random() < 0.1:  # double-barrelled family name, e.g. "Tôn Nữ", "Nguyễn Phạm"
            parts.insert(1, f.last_name())
        words = " ".join(parts).split()
        deduped = [w for i, w in enumerate(words) if i == 0 or w != words[i - 1]]
        return " ".join(deduped).upper()

    def _address(self, rng: np.random.Generator, division: Division | None, street: bool) -> str:
        division = division or divisions()[int(rng.integers(len(divisions())))]
        ward = division.wards[int(rng.integers(len(division.wards)))]
        parts: list[str] = []
        if street:
            pattern = _STREET_KIND[int(rng.integers(len(_STREET_KIND)))]
            word = self.faker.street_name().split(" ")[-1]
            parts.append(pattern.format(n=int(rng.integers(1, 400)), m=int(rng.integers(1, 200)),
                                        k=int(rng.integers(1, 60)), w=word))
            if pattern.startswith("Số") and rng.random() < 0.7:
                parts[-1] += f" {self.faker.street_name()}"
        if rng.random() < 0.3 and "Xã" not in ward:
            ward = ward.replace("Phường", "P.", 1) if rng.random() < 0.5 else ward
        parts.append(ward)
        if rng.random() < 0.55:  # cards issued before the 2025 reform print a district level
            other = division.wards[int(rng.integers(len(division.wards)))].split(" ", 1)[-1]
            kind = ("Huyện", "Quận", "Thị xã", "Thành phố")[int(rng.integers(4))]
            parts.append(f"{kind} {other}")
        prefix = "Thành phố" if division.is_city else "Tỉnh"
        style = rng.random()
        if style < 0.6:
            parts.append(f"{prefix} {division.name}")
        elif style < 0.8:
            parts.append(division.name)
        else:
            parts.append(("TP. " if division.is_city else "T. ") + division.name)
        return ", ".join(parts)


def _digits(rng: np.random.Generator, count: int) -> str:
    return "".join(str(d) for d in rng.integers(0, 10, count))


def _break_id(rng: np.random.Generator, id_number: str, birth_year: int, sex: str) -> str:
    """Make the ID disagree with birth year or sex (a labelled inconsistency for the checks)."""
    if rng.random() < 0.5:
        other_sex = "Nam" if sex == "Nữ" else "Nữ"
        return id_number[:3] + str(century_sex_digit(birth_year, other_sex)) + id_number[4:]
    year_digits = (birth_year + int(rng.integers(1, 30))) % 100
    return id_number[:4] + f"{year_digits:02d}" + id_number[6:]


def _identifying_marks(rng: np.random.Generator) -> str:
    def one() -> str:
        kind = MARK_KINDS[int(rng.integers(len(MARK_KINDS)))]
        where = MARK_DIRECTIONS[int(rng.integers(len(MARK_DIRECTIONS)))]
        place = MARK_PLACES[int(rng.integers(len(MARK_PLACES)))]
        return f"{kind} C:{rng.uniform(0.5, 3.5):.1f}cm {where} {place}".replace(".0cm", "cm")

    return one() if rng.random() < 0.6 else f"{one()}. {one()}"
