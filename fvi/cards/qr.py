"""The QR payload printed on chip cards: ``|``-separated fields (CARDS.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

SEPARATOR = "|"


@dataclass(frozen=True)
class QrPayload:
    """The first seven fields every card's QR carries; ``extra`` keeps any further fields."""

    id_number: str
    old_id_number: str
    full_name: str
    date_of_birth: dt.date
    sex: str
    place_of_residence: str
    date_of_issue: dt.date
    extra: tuple[str, ...] = ()

    def encode(self) -> str:
        fields = [
            self.id_number,
            self.old_id_number,
            self.full_name,
            self.date_of_birth.strftime("%d%m%Y"),
            self.sex,
            self.place_of_residence,
            self.date_of_issue.strftime("%d%m%Y"),
            *self.extra,
        ]
        return SEPARATOR.join(fields)


    def as_dict(self) -> dict:
        """The payload with ISO dates, as the API returns it."""
        return {"id_number": self.id_number, "old_id_number": self.old_id_number or None,
                "full_name": self.full_name, "date_of_birth": self.date_of_birth.isoformat(), "sex": self.sex,
                "place_of_residence": self.place_of_residence, "date_of_issue": self.date_of_issue.isoformat(),
                "extra": list(self.extra)}


def parse_payload(text: str) -> QrPayload | None:
    """Parse a QR payload; ``None`` when it does not have the documented shape."""
    fields = text.split(SEPARATOR)
    if len(fields) < 7:
        return None
    try:
        birth = dt.datetime.strptime(fields[3], "%d%m%Y").date()
        issued = dt.datetime.strptime(fields[6], "%d%m%Y").date()
    except ValueError:
        return None
    return QrPayload(fields[0], fields[1], fields[2], birth, fields[4], fields[5], issued, tuple(fields[7:]))
