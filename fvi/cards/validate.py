"""Soft checks of what was read: each says pass, fail or unknown, and none rewrites a field."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from fvi.cards.charset import normalize
from fvi.cards.dates import NO_EXPIRY_TEXT, RENEWAL_AGES, add_years, parse_date
from fvi.cards.idnumber import parse_id12
from fvi.cards.mrz import parse_td1
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


def normalized_value(key: str, text: str) -> str | None:
    """A machine-friendly value for a field when one exists: ISO dates, '' for no expiry."""
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


def _mrz_checks(fields: dict[str, str]) -> list[Check]:
    lines = fields["mrz"].split(" ")
    parsed = parse_td1(lines)
    if parsed is None:
        return [Check("mrz_check_digits", UNKNOWN, "MRZ not read as 3 lines of 30 characters")]
    bad = [k for k, ok in parsed.checks.items() if not ok]
    out = [Check("mrz_check_digits", FAIL if bad else PASS, ", ".join(bad))]
    expiry = _date(fields, "date_of_expiry")
    if expiry is not None:
        ok = parsed.expiry == expiry.strftime("%y%m%d")
        out.append(Check("mrz_matches_date_of_expiry", PASS if ok else FAIL))
    return out


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

