import json
from pathlib import Path

from fvi.synth.labels import ImageLabel

SCHEMA = Path(__file__).parents[3] / "docs" / "synth-labels.schema.json"


def test_documented_json_schema_matches_the_code():
    """docs/synth-labels.schema.json is what users read: regenerate it when the label model changes."""
    assert json.loads(SCHEMA.read_text(encoding="utf-8")) == ImageLabel.model_json_schema()


def test_a_generated_label_round_trips_through_json(generator):
    label = generator.sample(3).label
    again = ImageLabel.model_validate_json(label.model_dump_json())
    assert again == label and again.schema_version == 1
