"""The in-process pipeline runs the published models end to end; `fvi eval` reports every figure."""

import itertools
import json
import re
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from fvi.cards.types import fields_of
from fvi.pipeline.runner import Pipeline
from fvi.synth.generate import Generator, SynthConfig, generate_dataset

ROOT = Path(__file__).parents[3]


@pytest.fixture(scope="module")
def pipeline():
    return Pipeline(ROOT / "model_repository")


def _photo(sample):
    return cv2.cvtColor(cv2.imdecode(np.frombuffer(sample.jpeg, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def test_reads_a_card_photo_into_fields_of_its_type(pipeline):
    gen = Generator(SynthConfig(seed=4242, no_card_rate=0.0, cut_corner_rate=0.0))
    found = 0
    for i in range(6):
        sample = gen.sample(i)
        reading = pipeline.read(_photo(sample))
        assert set(reading.timing_ms) >= {"cropper"}
        if reading.crop.card_class == "none":
            continue
        found += 1
        card_type, side = reading.crop.card_class.split("/")
        assert reading.corners.shape == (4, 2) and reading.card.shape == (540, 856, 3)
        assert set(reading.fields) <= set(fields_of(card_type, side))
        for f in reading.fields.values():
            assert f.text and 0.0 <= f.confidence <= 1.0 and f.lines
        assert {"detector", "reader", "total"} <= set(reading.timing_ms)
    assert found >= 4


def test_fvi_eval_writes_a_report_with_every_measure(tmp_path):
    data = tmp_path / "eval"
    generate_dataset(data, 4, SynthConfig(seed=9999))
    report = tmp_path / "report.md"
    proc = subprocess.run([sys.executable, "-m", "fvi", "eval", "--data", str(data), "--repo",
                           str(ROOT / "model_repository"), "--report", str(report)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    results = json.loads(report.with_suffix(".json").read_text())
    assert set(results) == {"all", "normal", "hard"}
    assert results["all"]["photos"] == 4
    for key in ("corner_error_p99_pct", "type_side_accuracy", "detector_recall", "reader_cer",
                "e2e_exact_all_fields"):
        assert key in results["all"]
    text = report.read_text()
    assert "end-to-end exact" in text
    assert "- data: 4 photos, seed 9999, fonts core" in text  # what the data set is, from its manifest
    assert re.search(r"- models: cropper v\d+, cropper_cut v\d+, detector v\d+, reader v\d+", text)
    routing = results["all"]["confidence_routing"]
    assert [r["threshold"] for r in routing] == [0.3, 0.5, 0.7, 0.9]
    assert all(a["kept"] >= b["kept"] for a, b in itertools.pairwise(routing))  # higher bar, fewer fields
    assert "Routing on field confidence" in report.read_text()
    # The error budget: the same photos read again from their true corners, then their true lines.
    given = results["all"]["e2e_exact_given_truth"]
    assert set(given) == {"corners", "lines"} and all(0.0 <= v <= 1.0 for v in given.values())
    assert given["lines"] >= 0.5  # true crops of generated cards: the reader gets most fields right
    assert "Error budget by stage" in text and "| true corners, type/side and lines |" in text
    retake = results["all"]["retake_routing"]
    assert 0.0 <= retake["kept"] <= 1.0 and 0.0 <= retake["exact_when_kept"] <= 1.0
    assert "| card wholly in the photo |" in text


def test_retake_routing_counts_only_the_fields_of_photos_whose_card_is_inside(tmp_path):
    from fvi.evaluate import Tally, _count_fields
    from fvi.synth.generate import load_labels

    generate_dataset(tmp_path, 6, SynthConfig(seed=9998))
    cards = [label for label in load_labels(tmp_path) if label.card is not None]
    tally = Tally()
    right = {k: (f.text, 0.9) for k, f in cards[0].card.fields.items()}
    _count_fields([tally], cards[0], right, inside=True)  # kept, every field exact
    _count_fields([tally], cards[1], {}, inside=False)  # asked again: its (missing) fields do not count
    retake = tally.summary()["retake_routing"]
    assert retake == {"kept": 0.5, "exact_when_kept": 1.0}
    assert tally.summary()["e2e_exact_all_fields"] < 1.0  # the photo asked again still counts there


def test_confidence_routing_counts_the_fields_kept_and_how_many_of_them_are_exact():
    from fvi.evaluate import confidence_routing

    scores = [(0.95, True), (0.92, False), (0.8, True), (0.6, True), (0.4, False), (0.0, False)]
    routing = {r["threshold"]: r for r in confidence_routing(scores)}
    assert routing[0.9]["kept"] == 2 / 6 and routing[0.9]["exact_when_kept"] == 1 / 2
    assert routing[0.7]["kept"] == 3 / 6 and routing[0.7]["exact_when_kept"] == 2 / 3
    assert routing[0.3]["kept"] == 5 / 6 and routing[0.3]["exact_when_kept"] == 3 / 5


def test_the_in_process_pipeline_uses_the_version_triton_serves_pinned_or_highest(tmp_path):
    import shutil

    from fvi.pipeline.runner import served_model_path
    from fvi.triton.model_config import pin_versions

    shutil.copytree(ROOT / "model_repository" / "reader", tmp_path / "reader",
                    ignore=lambda _, names: [n for n in names if n.isdigit() and n != "1"])
    shutil.copytree(tmp_path / "reader" / "1", tmp_path / "reader" / "3")
    pin_versions(tmp_path / "reader", [1])
    assert served_model_path(tmp_path, "reader").parent.name == "1"
    pin_versions(tmp_path / "reader", [3])
    assert served_model_path(tmp_path, "reader").parent.name == "3"


def test_the_qr_code_is_read_from_the_full_resolution_photo_and_returned_with_iso_dates():
    from fvi.cards.qr import parse_payload
    from tests.scans import scan_photos

    pipeline = Pipeline(ROOT / "model_repository")
    read = 0
    for card_type, side in (("cccd_chip", "front"), ("can_cuoc_2024", "back")):
        for photo, payload in scan_photos(card_type, side, 3):
            doc = pipeline.read_json(photo)
            assert (doc["card_type"], doc["side"]) == (card_type, side)
            if "qr" in doc:
                read += 1
                assert doc["qr"] == parse_payload(payload).as_dict()
                assert doc["qr"]["date_of_birth"].count("-") == 2
                assert any(c["name"] == "qr_matches_fields" and c["status"] != "unknown" for c in doc["checks"])
    assert read >= 4
