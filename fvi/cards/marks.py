"""The identifying-marks field (`Đặc điểm nhận dạng`): one or two marks, each a kind, its distance from
a landmark of the face ("C:" for "cách", then centimetres), a direction and the landmark, e.g.
"Nốt ruồi C:1.5cm trên sau đuôi mắt trái". Officers write it from a small vocabulary; these are its words.

The generator draws marks from the first tables; ``MARK_PHRASES`` also holds kinds, directions and
landmarks it does not draw (``OTHER_MARK_PHRASES``), so that a card written by other hands keeps its
words when the pipeline re-spells misread ones (`fvi.pipeline.spelling`).
"""

from __future__ import annotations

from fvi.cards.charset import DIGITS

#: Kinds, directions and landmarks the synthetic generator draws (its order fixes the generated data).
MARK_KINDS = ("Nốt ruồi", "Sẹo chấm", "Sẹo", "Vết bớt", "Nốt ruồi son")
MARK_PLACES = (
    "đuôi mắt trái", "đuôi mắt phải", "cánh mũi trái", "cánh mũi phải", "mép trái", "mép phải",
    "đầu lông mày trái", "đầu lông mày phải", "cằm", "trán", "gò má trái", "gò má phải",
)
MARK_DIRECTIONS = ("trên", "dưới", "sau", "trước", "trên sau", "dưới trước")

#: Kinds of marks the generator does not draw.
OTHER_MARK_KINDS = ("Nốt sẹo", "Vết sẹo", "Vết chàm", "Sẹo lồi", "Sẹo lõm", "Sẹo thẳng", "Hình xăm")
#: Further phrases of the same vocabulary the generator does not draw.
OTHER_MARK_PHRASES = (
    *OTHER_MARK_KINDS,
    "cách", "giữa", "bên trái", "bên phải", "ngay trên", "ngay dưới", "phía trên", "phía dưới",
    "dưới sau", "trên trước",  # distances and directions
    "đầu mày", "đuôi mày", "đuôi lông mày", "chân mày", "mí mắt", "khóe mắt", "khóe miệng", "sống mũi",
    "đầu mũi", "nhân trung", "môi trên", "môi dưới", "dái tai", "vành tai", "thái dương", "má", "cổ",
    "gáy", "mép",  # landmarks
)

#: Every phrase of the vocabulary.
MARK_PHRASES = (*MARK_KINDS, *MARK_PLACES, *MARK_DIRECTIONS, *OTHER_MARK_PHRASES)

#: How far a mark is from its landmark: "C:" ("cách"), centimetres with one decimal or none, "cm" (one
#: string of allowed characters per position).
MARK_DISTANCES: tuple[tuple[str, ...], ...] = (
    ("C", ":", DIGITS, "c", "m"),
    ("C", ":", DIGITS, ".", DIGITS, "c", "m"),
)
