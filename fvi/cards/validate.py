"""Soft checks of what was read: each says pass, fail or unknown, and none rewrites a field."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from fvi.cards.charset import normalize
from fvi.cards.dates import NO_EXPIRY_TEXT, RENEWAL_AGES, add_years, parse_date
from fvi.cards.idnumber import parse_id12
from fvi.cards.mrz import mrz_name, parse_mrz_date, parse_td1
from fvi.cards.qr import parse_payload
from fvi.cards.types import CardType

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        out = {"name": self.name, "status": self.status}
        if self.detail:
            out["detail"] = self.detail
        return out


def normalized_value(key: str, text: str) -> str | dict | None:
    """A machine-friendly value for a field when one exists: ISO dates, '' for no expiry, the MRZ parsed."""
    if key == "mrz":
        return mrz_value(text)
    if key in ("date_of_birth", "date_of_expiry", "date_of_issue"):
        if key == "date_of_expiry" and normalize(text).strip().lower() == NO_EXPIRY_TEXT.lower():
            return ""
        date = parse_date(text)
        return date.isoformat() if date else None
    return None


def _date(fields: dict[str, str], key: str) -> dt.date | None:
    return parse_date(fields[key]) if key in fields else None


def check_fields(card_type: str, fields: dict[str, str], qr_text: str | None = None) -> list[Check]:
    """All checks that apply to one side of one card, from the fields' texts (and the QR text if decoded)."""
    checks: list[Check] = []
    ctype = CardType(card_type)
    id_number = fields.get("id_number")
    birth = _date(fields, "date_of_birth")

    for key in ("date_of_birth", "date_of_issue", "date_of_expiry"):
        if key in fields:
            ok = normalized_value(key, fields[key]) is not None
            checks.append(Check(f"{key}_is_a_date", PASS if ok else FAIL, "" if ok else f"{fields[key]!r}"))

    if id_number is not None:
        digits = 9 if ctype is CardType.CMND_9 else 12
        ok = bool(re.fullmatch(rf"\d{{{digits}}}", id_number))
        checks.append(Check("id_number_format", PASS if ok else FAIL, f"{digits} digits expected"))
        if digits == 12:
            parts = parse_id12(id_number)
            if parts is None or birth is None:
                checks.append(Check("id_number_matches_birth_year", UNKNOWN))
            else:
                checks.append(Check("id_number_matches_birth_year", PASS if parts.birth_year == birth.year else FAIL,
                                    f"ID says {parts.birth_year}"))
            if parts is None or "sex" not in fields:
                checks.append(Check("id_number_matches_sex", UNKNOWN))
            else:
                checks.append(Check("id_number_matches_sex", PASS if parts.sex == fields["sex"] else FAIL,
                                    f"ID says {parts.sex}"))

    if "date_of_expiry" in fields and ctype in RENEWAL_AGES:
        checks.append(_expiry_check(ctype, birth, fields["date_of_expiry"]))

    if "mrz" in fields:
        checks += _mrz_checks(fields)

    if qr_text is not None:
        checks.append(_qr_check(fields, qr_text))
    return checks


def _expiry_check(ctype: CardType, birth: dt.date | None, expiry_text: str) -> Check:
    """Expiry must fall on a renewal birthday (or be 'no expiry'); without the birth date: unknown."""
    if normalize(expiry_text).strip().lower() == NO_EXPIRY_TEXT.lower():
        return Check("expiry_matches_age_rules", PASS, "no expiry")
    expiry = parse_date(expiry_text)
    if birth is None or expiry is None:
        return Check("expiry_matches_age_rules", UNKNOWN)
    ok = any(add_years(birth, age) == expiry for age in RENEWAL_AGES[ctype])
    return Check("expiry_matches_age_rules", PASS if ok else FAIL,
                 "expiry is the birthday at a renewal age" if ok else "expiry is not a renewal birthday")


def _mrz_date(yymmdd: str, not_after: int | None = None) -> str | None:
    """ISO date from an MRZ YYMMDD (``fvi.cards.mrz.parse_mrz_date``)."""
    date = parse_mrz_date(yymmdd, not_after)
    return None if date is None else date.isoformat()


def mrz_value(text: str) -> dict | None:
    """What the MRZ (three lines joined by spaces) says, as the card's field keys; ``None`` if unreadable."""
    parsed = parse_td1(text.split(" "))
    if parsed is None:
        return None
    id_parts = parse_id12(parsed.id_number)
    birth_ceiling = id_parts.birth_year if id_parts else dt.date.today().year
    return {
        "document_number": parsed.document_number,
        "id_number": parsed.id_number,
        "date_of_birth": _mrz_date(parsed.birth, birth_ceiling),
        "sex": {"M": "Nam", "F": "Nữ"}.get(parsed.sex),
        "date_of_expiry": _mrz_date(parsed.expiry),  # None for 'no expiry' (fillers)
        "nationality": parsed.nationality,
        "name": " ".join(filter(None, [parsed.surname, parsed.given_names])),
        "check_digits_valid": all(parsed.checks.values()),
    }


def _mrz_checks(fields: dict[str, str]) -> list[Check]:
    parsed = parse_td1(fields["mrz"].split(" "))
    if parsed is None:
        return [Check("mrz_check_digits", UNKNOWN, "MRZ not read as 3 lines of 30 characters"),
                Check("mrz_matches_fields", UNKNOWN, "MRZ unreadable")]
    bad = [k for k, ok in parsed.checks.items() if not ok]
    return [Check("mrz_check_digits", FAIL if bad else PASS, ", ".join(bad)), mrz_matches_fields(fields)]


def mrz_matches_fields(fields: dict[str, str]) -> Check:
    """The MRZ against the printed fields present with it (the same side, or a caller's front+back merge):
    ID number, birth date, sex, expiry and the name without diacritics."""
    mrz = mrz_value(fields["mrz"])
    if mrz is None:
        return Check("mrz_matches_fields", UNKNOWN, "MRZ unreadable")
    printed = {key: fields[key] for key in ("id_number", "sex") if key in fields}
    for key in ("date_of_birth", "date_of_expiry"):
        if key in fields:
            printed[key] = normalized_value(key, fields[key]) or None  # '' (no expiry) is None in the MRZ too
    if "full_name" in fields:
        printed["name"] = " ".join(part for part in mrz_name(fields["full_name"]).split("<") if part)
    if not printed:
        return Check("mrz_matches_fields", UNKNOWN, "no printed field to compare on this side")
    compared = list(printed)
    differ = [k for k in compared if printed[k] != mrz[k]]
    return Check("mrz_matches_fields", FAIL if differ else PASS, ", ".join(differ or compared))


def _qr_check(fields: dict[str, str], qr_text: str) -> Check:
    payload = parse_payload(qr_text)
    if payload is None:
        return Check("qr_matches_fields", UNKNOWN, "QR text is not the documented payload")
    expected = {
        "id_number": payload.id_number,
        "full_name": payload.full_name,
        "date_of_birth": payload.date_of_birth.strftime("%d/%m/%Y"),
        "sex": payload.sex,
        "place_of_residence": payload.place_of_residence,
    }
    compared = [k for k in expected if k in fields]
    differ = [k for k in compared if normalize(fields[k]).strip() != normalize(expected[k]).strip()]
    if not compared:
        return Check("qr_matches_fields", UNKNOWN, "no field printed on this side is in the QR")
    return Check("qr_matches_fields", FAIL if differ else PASS, ", ".join(differ) if differ else ", ".join(compared))

