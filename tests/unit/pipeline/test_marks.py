"""Identifying marks get the format's signs and spaces back; their words are left alone."""

import pytest

from fvi.pipeline.detection import LineBox
from fvi.pipeline.marks import tidy_marks
from fvi.pipeline.steps import read_fields
from tests.ctc_frames import frames_logits, spelled


@pytest.mark.parametrize(("read", "expected"), [
    # the period between two marks lost, or doubled with a comma
    ("Sẹo C:3cm dưới cánh mũi phải Vết bớt C:2.3cm trên đuôi mắt trái",
     "Sẹo C:3cm dưới cánh mũi phải. Vết bớt C:2.3cm trên đuôi mắt trái"),
    ("Nốt ruồi C:2.1cm trên trán., Nốt ruồi C:2.2cm sau cánh mũi trái",
     "Nốt ruồi C:2.1cm trên trán. Nốt ruồi C:2.2cm sau cánh mũi trái"),
    ("Nốtruồi C:1.4cm trên trán", "Nốt ruồi C:1.4cm trên trán"),  # two vocabulary words glued
    ("Nố truồi C:1.4cm trên trán", "Nốt ruồi C:1.4cm trên trán"),  # ... or their space moved
    ("Nố t ruồi son C:2.3cm sau gò má phải", "Nốt ruồi son C:2.3cm sau gò má phải"),
    ("Vết bớt: C:1cm trên cằm", "Vết bớt C:1cm trên cằm"),
    ("Vết bớtC:3.3cm dưới cằm", "Vết bớt C:3.3cm dưới cằm"),  # a distance glued to its neighbours
    ("Sẹo C:2.8cmdưới trước mép trái", "Sẹo C:2.8cm dưới trước mép trái"),
    ("Sẹo chấm C: 1.4cm dưới trước gò má trái", "Sẹo chấm C:1.4cm dưới trước gò má trái"),
    ("Vết bớt. C:0.9cm trước cánh mũi trái", "Vết bớt C:0.9cm trước cánh mũi trái"),
    ("Nốt sẹo C:1cm trên má. Hình xăm C:2cm dưới cổ", "Nốt sẹo C:1cm trên má. Hình xăm C:2cm dưới cổ"),
    ("Nốt ruồi C:2cm sau trán. Sẹo C:1.2cm trên sau đuôi mắt trái",
     "Nốt ruồi C:2cm sau trán. Sẹo C:1.2cm trên sau đuôi mắt trái"),  # already right: unchanged
    ("Nốt mụn xxx", "Nốt mụn xxx"),  # words outside the vocabulary are not this step's business
])
def test_marks_get_the_formats_signs_and_spaces(read, expected):
    assert tidy_marks(read) == expected


def test_the_field_keeps_the_readers_text_and_its_confidence():
    text = "Sẹo C:3cm dưới cằm Vết bớt C:2cm trên trán"
    box = LineBox("identifying_marks", (0.0, 0.0, 600.0, 30.0), 1.0)
    field = read_fields("cccd_chip/back", [box], frames_logits(spelled(text))[None])["identifying_marks"]
    assert field.text == "Sẹo C:3cm dưới cằm. Vết bớt C:2cm trên trán" and field.read_as == text
    assert field.confidence == pytest.approx(field.lines[0].text.confidence)
