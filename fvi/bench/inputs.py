"""Benchmark inputs: generated card photos of every type, and the same data as perf_analyzer input files."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np

from fvi.cards.types import SUPPORTED_CARDS
from fvi.pipeline import steps
from fvi.pipeline.geometry import batch_lines, crop_line, warp_card
from fvi.pipeline.image import decode_image
from fvi.pipeline.specs import READER_BATCH_WIDTH_STEP
from fvi.synth.generate import Generator, SynthConfig, load_labels


def make_photos(folder: Path, per_type: int, seed: int) -> list[Path]:
    """``per_type`` 1280x960 JPEG photos of each supported card type and side, written as a data set that
    fvi's loaders read (``images/``, ``labels.jsonl``); returns the photo paths, types interleaved."""
    (folder / "images").mkdir(parents=True, exist_ok=True)
    rows: list[list[tuple[Path, str]]] = []
    for k, card in enumerate(SUPPORTED_CARDS):
        generator = Generator(SynthConfig(seed=seed, cards=(card,), no_card_rate=0.0))
        rows.append([])
        for i in range(per_type):
            sample = generator.sample(1000 * k + i)  # distinct file names across types
            path = folder / "images" / sample.label.image
            path.write_bytes(sample.jpeg)
            rows[-1].append((path, sample.label.model_dump_json()))
    ordered = [item for group in zip(*rows) for item in group]  # one of each type, then again
    (folder / "labels.jsonl").write_text("".join(text + "\n" for _, text in ordered), encoding="utf-8")
    return [path for path, _ in ordered]


def _entry(name: str, array: np.ndarray, shape: tuple[int, ...] | None = None) -> dict:
    # "b64" carries the raw little-endian bytes of any non-STRING tensor; "shape" excludes the batch axis.
    data = np.ascontiguousarray(array)
    return {name: {"b64": base64.b64encode(data.tobytes()).decode("ascii"), "shape": list(shape or data.shape)}}


def write_input_data(path: Path, entries: list[dict]) -> Path:
    """A perf_analyzer ``--input-data`` JSON file: one request (or batch element) per entry, used in turn."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"data": entries}), encoding="utf-8")
    return path


def ensemble_entries(photos: list[Path]) -> list[dict]:
    """The encoded photo bytes, as the `fvi` model takes them (``image``, UINT8 [-1])."""
    return [_entry("image", np.frombuffer(p.read_bytes(), np.uint8)) for p in photos]


def model_entries(folder: Path, reader_width: int | None = None) -> dict[str, list[dict]]:
    """Each ONNX model's real inputs for the photos of ``folder``, one batch element per entry, made by the
    pipeline's own step functions (the cropper's from the decoded photo, the detector's and reader's from the
    card warped with its true corners). Reader lines are padded to one width (perf_analyzer batches entries
    of one shape): ``reader_width``, by default the median width of one card's reader batch."""
    labels = load_labels(folder)
    cropper, detector, lines, batch_widths = [], [], [], []
    for label in labels:
        photo = decode_image((folder / "images" / label.image).read_bytes())
        cropper.append(steps.cropper_input(photo)[0][0])
        card = warp_card(photo, np.float32(label.card.corners))
        detector.append(steps.detector_input(card)[0])
        card_lines = [crop_line(card, _box(line.polygon_card)) for f in label.card.fields.values() for line in f.lines]
        batch_widths.append(batch_lines(card_lines, READER_BATCH_WIDTH_STEP).shape[3])
        lines += card_lines
    width = reader_width or int(np.median(batch_widths))
    padded = [np.ones((1, 32, width), np.float32) for _ in lines]
    for out, line in zip(padded, lines):
        w = min(width, line.shape[1])
        out[0, :, :w] = line[:, :w] / 255.0
    return {"cropper": [_entry("image", x) for x in cropper],
            "cropper_cut": [_entry("image", x) for x in cropper],  # the same network and input
            "detector": [_entry("image", x) for x in detector],
            "reader": [_entry("image", x) for x in padded]}


def lines_per_card(folder: Path) -> float:
    """Mean number of labelled text lines per card photo of ``folder``."""
    labels = [l for l in load_labels(folder) if l.card is not None]
    return float(np.mean([sum(len(f.lines) for f in l.card.fields.values()) for l in labels]))


def _box(polygon) -> tuple[float, float, float, float]:
    pc = np.array(polygon)
    return pc[:, 0].min(), pc[:, 1].min(), pc[:, 0].max(), pc[:, 1].max()


def reader_width_of(entries: list[dict]) -> int:
    return entries[0]["image"]["shape"][-1]

