"""Generated photos: labels agree with pixels, flags tell the truth, output is reproducible."""

import dataclasses
import hashlib
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from fvi.cards.idnumber import id12_consistent
from fvi.cards.types import CANONICAL_SIZE, SUPPORTED_CARDS, fields_of
from fvi.synth.generate import Generator, SynthConfig, generate_dataset, load_labels
from fvi.synth.labels import ImageLabel
from fvi.synth.preview import warp_to_card

W, H = CANONICAL_SIZE


def _decode(jpeg: bytes) -> np.ndarray:
    return cv2.cvtColor(cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def _band(img: np.ndarray) -> np.ndarray:
    """Band-pass: keeps the card's print, drops lighting and shadows the photo simulation adds."""
    g = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY).astype(np.float32)
    return cv2.GaussianBlur(g, (0, 0), 2) - cv2.GaussianBlur(g, (0, 0), 12)


def _ncc(a: np.ndarray, b: np.ndarray) -> float:
    a, b = _band(a), _band(b)
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / (np.sqrt((a * a).sum() * (b * b).sum()) + 1e-6))


def _clean(label: ImageLabel) -> bool:
    p = label.photo
    return (label.card is not None and not label.flags.cut_corner and not p.occluders and p.glare_spots == 0
            and p.card_area_fraction > 0.08)


def test_corners_map_the_canonical_card_onto_the_photo(generator):
    checked = 0
    for index in range(60):
        sample = generator.sample(index)
        label = sample.label
        if not _clean(label):
            continue
        card = label.card
        hom = np.array(card.homography)
        projected = cv2.perspectiveTransform(np.float64([[[0, 0], [W, 0], [W, H], [0, H]]]), hom)[0]
        assert np.allclose(projected, card.corners, atol=0.05)
        photo = _decode(sample.jpeg)
        upright = warp_to_card(photo, card.corners)
        right = _ncc(upright, sample.card.image)
        # The same photo warped with the corners in the wrong order (card turned 180 degrees) must not match.
        wrong = _ncc(warp_to_card(photo, card.corners[2:] + card.corners[:2]), sample.card.image)
        assert right > 0.6, (index, right)
        assert right > wrong + 0.4, (index, right, wrong)
        checked += 1
    assert checked >= 10


def test_every_field_is_labelled_non_empty_and_inside_the_card(generator):
    seen = set()
    for index in range(80):
        label = generator.sample(index).label
        if label.card is None:
            continue
        card = label.card
        seen.add((card.type, card.side))
        assert set(card.fields) == set(fields_of(card.type, card.side))
        quad = np.float32(card.corners).reshape(-1, 1, 2)
        for key, field in card.fields.items():
            assert field.text.strip() and field.text == " ".join(line.text for line in field.lines)
            for line in field.lines:
                pc = np.array(line.polygon_card)
                assert (pc >= 0).all() and (pc[:, 0] <= W).all() and (pc[:, 1] <= H).all()
                for x, y in line.polygon:
                    assert cv2.pointPolygonTest(quad, (float(x), float(y)), True) >= -1.0, (index, key)
    assert seen == set(SUPPORTED_CARDS)


def test_flags_describe_what_was_drawn():
    gen = Generator(SynthConfig(seed=5, no_card_rate=1.0))
    for i in range(5):
        label = gen.sample(i).label
        assert label.card is None and label.flags.no_card and not label.flags.cut_corner

    gen = Generator(SynthConfig(seed=5, no_card_rate=0.0, cut_corner_rate=1.0))
    for i in range(8):
        label = gen.sample(i).label
        corners = np.array(label.card.corners)
        outside = ((corners < 0) | (corners > [label.width - 1, label.height - 1])).any()
        assert label.flags.cut_corner and outside

    gen = Generator(SynthConfig(seed=5, no_card_rate=0.0, cut_corner_rate=0.0, inconsistent_id_rate=1.0))
    for i in range(12):
        label = gen.sample(i).label
        assert not label.flags.cut_corner
        assert np.all(np.array(label.card.corners) >= 0)
        if "id_number" in label.card.fields and len(label.card.fields["id_number"].text) == 12:
            assert label.flags.inconsistent_id


def test_inconsistent_flag_matches_the_printed_id_and_birth_date(generator):
    from fvi.cards.dates import parse_date

    for i in range(80):
        label = generator.sample(i).label
        if label.card is None or "id_number" not in label.card.fields or "sex" not in label.card.fields:
            continue
        fields = label.card.fields
        birth = parse_date(fields["date_of_birth"].text)
        consistent = id12_consistent(fields["id_number"].text, birth.year, fields["sex"].text)
        assert consistent != label.flags.inconsistent_id, i


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_gives_identical_bytes_across_runs_and_worker_counts(tmp_path):
    config = SynthConfig(seed=42)
    generate_dataset(tmp_path / "a", 10, config, workers=1)
    generate_dataset(tmp_path / "b", 10, config, workers=1)
    generate_dataset(tmp_path / "c", 10, config, workers=2)
    a, b, c = (_digest(tmp_path / n) for n in "abc")
    assert len(a) == 10 * 2 + 2
    assert a == b == c
    generate_dataset(tmp_path / "d", 10, dataclasses.replace(config, seed=43), workers=1)
    d = _digest(tmp_path / "d")
    assert a["images/000000.jpg"] != d["images/000000.jpg"]


def test_fvi_synth_from_the_command_line(tmp_path):
    out = tmp_path / "set"
    proc = subprocess.run(
        [sys.executable, "-m", "fvi", "synth", "--out", str(out), "--count", "6", "--seed", "7",
         "--types", "cccd_chip", "--types", "can_cuoc_2024", "--sides", "back", "--no-card-rate", "0", "--preview"],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    labels = load_labels(out)
    assert [l.image for l in labels] == [f"{i:06d}.jpg" for i in range(6)]
    assert {(l.card.type.value, l.card.side.value) for l in labels} <= {("cccd_chip", "back"), ("can_cuoc_2024", "back")}
    for l in labels:
        img = cv2.imread(str(out / "images" / l.image))
        assert img.shape == (960, 1280, 3)
    sheet = cv2.imread(str(out / "preview.png"))
    assert sheet is not None and sheet.shape[1] > 1000
    assert (out / "manifest.json").is_file()


@pytest.mark.parametrize("option,value", [("--types", "passport"), ("--fonts", "comic")])
def test_fvi_synth_rejects_unknown_card_types_and_font_sets_with_a_clear_message(tmp_path, option, value):
    proc = subprocess.run([sys.executable, "-m", "fvi", "synth", "--out", str(tmp_path / "x"), option, value],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert value in proc.stderr and "Traceback" not in proc.stderr


def test_unseen_fonts_draw_other_type_reproducibly_and_leave_the_default_set_alone():
    core = Generator(SynthConfig(seed=5, no_card_rate=0.0))
    unseen = Generator(SynthConfig(seed=5, no_card_rate=0.0, fonts="unseen"))
    first = core.sample(0).jpeg
    other = unseen.sample(0).jpeg
    assert other != first
    assert Generator(SynthConfig(seed=5, no_card_rate=0.0, fonts="unseen")).sample(0).jpeg == other
    assert core.sample(0).jpeg == first  # the unseen set was used only inside its own sample
    with pytest.raises(ValueError, match="unknown font set"):
        SynthConfig(fonts="comic")  # refused when the configuration is made, not in a worker later


def test_layout_shift_moves_and_resizes_the_print_and_keeps_every_line_on_the_card():
    same = Generator(SynthConfig(seed=5, layout_shift=1.0)).sample(1).jpeg
    assert same == Generator(SynthConfig(seed=5)).sample(1).jpeg  # the default spread: the same bytes as before
    default, shifted = Generator(SynthConfig(seed=5, no_card_rate=0.0)), Generator(
        SynthConfig(seed=5, no_card_rate=0.0, layout_shift=2.5))
    moved = []
    for index in range(12):
        a, b = default.sample(index).label.card, shifted.sample(index).label.card
        for field in b.fields.values():
            for line in field.lines:
                pc = np.array(line.polygon_card)
                assert (pc >= 0).all() and (pc[:, 0] <= W).all() and (pc[:, 1] <= H).all()
        key = next(iter(a.fields))
        moved.append(np.abs(np.array(a.fields[key].lines[0].polygon_card)
                            - np.array(b.fields[key].lines[0].polygon_card)).max())
    assert max(moved) > 10  # text placed up to 2.5x further from the layout than by default
