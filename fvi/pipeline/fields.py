"""Turn read lines into fields: join lines, score them, keep only fields the card type has."""

from __future__ import annotations

from dataclasses import dataclass

from fvi.cards.types import fields_of
from fvi.pipeline.addresses import ADDRESS_FIELDS, join_address_lines
from fvi.pipeline.ctc import DecodedLine
from fvi.pipeline.detection import LineBox


@dataclass(frozen=True)
class ReadLine:
    box: LineBox
    text: DecodedLine


@dataclass(frozen=True)
class Field:
    key: str
    text: str
    confidence: float
    lines: tuple[ReadLine, ...]
    read_as: str | None = None  # the reader's own text when ``text`` was matched to official names


def allowed_fields(card_class: str) -> set[str]:
    """Field keys printed on a "type/side" card class (none for "none")."""
    card_type, _, side = card_class.partition("/")
    return set(fields_of(card_type, side)) if side else set()


def assemble_fields(card_class: str, lines: list[ReadLine]) -> dict[str, Field]:
    """Group lines (already in reading order) by field.

    Confidence of a field = its weakest line, where a line scores the detector's kernel score times
    the reader's weakest character probability: one doubtful character makes the field doubtful.
    Fields the detected card type does not print are dropped (never invented).
    """
    allowed = allowed_fields(card_class)
    grouped: dict[str, list[ReadLine]] = {}
    for line in lines:
        if line.box.field in allowed and line.text.text:
            grouped.setdefault(line.box.field, []).append(line)
    return {
        key: Field(
            key=key,
            text=(join_address_lines if key in ADDRESS_FIELDS else " ".join)([l.text.text for l in group]),
            confidence=min(l.box.score * l.text.confidence for l in group),
            lines=tuple(group),
        )
        for key, group in grouped.items()
    }
