"""`fvi eval`: each model alone and the whole pipeline end to end, on a held-out `fvi synth` set."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from fvi.cards.types import FIELD_KEYS
from fvi.cards.validate import PASS
from fvi.pipeline import steps
from fvi.pipeline.ctc import greedy_decode
from fvi.pipeline.detection import LineBox, decode_kernels, reading_order
from fvi.pipeline.edges import card_inside_photo
from fvi.pipeline.geometry import batch_lines, crop_line, warp_card
from fvi.pipeline.runner import Pipeline
from fvi.synth.generate import load_labels
from fvi.synth.labels import CardLabel, ImageLabel
from fvi.train.detector_task import match_lines
from fvi.train.reader_task import cer_and_exact


def is_hard(label: ImageLabel) -> bool:
    """Strong blur, glare, steep tilt or low resolution (including a card under 8% of the photo's
    area, i.e. text under ~8 px high): the subset reported apart."""
    p = label.photo
    return ((p.blur == "defocus" and p.blur_amount >= 2.0) or (p.blur == "motion" and p.blur_amount >= 9)
            or p.glare_spots > 0 or p.tilt_deg >= 25 or p.low_res_factor < 0.5
            or (label.card is not None and p.card_area_fraction < 0.08))


@dataclass
class Tally:
    """Counts for one subset; ``summary`` turns them into the reported figures."""

    corner_errors: list[float] = field(default_factory=list)
    class_hits: int = 0
    class_total: int = 0
    no_card_tp: int = 0
    no_card_fp: int = 0
    no_card_fn: int = 0
    det_hits: int = 0
    det_true: int = 0
    det_pred: int = 0
    read_pred: list[str] = field(default_factory=list)
    read_true: list[str] = field(default_factory=list)
    field_hits: dict[str, int] = field(default_factory=dict)
    field_total: dict[str, int] = field(default_factory=dict)
    field_scores: list[tuple[float, bool]] = field(default_factory=list)  # (confidence, exact) per field
    stage_hits: dict[str, int] = field(default_factory=dict)  # exact fields with earlier stages given the truth
    photos: int = 0
    card_photos: int = 0
    inside_photos: int = 0  # card photos whose `card_inside_photo` check passed
    inside_hits: int = 0  # exact fields on those photos, of ``inside_fields``
    inside_fields: int = 0

    def summary(self) -> dict:
        errors = np.array(self.corner_errors) if self.corner_errors else np.zeros(1)
        cer, exact = cer_and_exact(self.read_pred, self.read_true)
        per_field = {k: self.field_hits.get(k, 0) / n for k, n in self.field_total.items() if n}
        total_hits, total_fields = sum(self.field_hits.values()), sum(self.field_total.values())
        return {
            "photos": self.photos,
            "corner_error_mean_pct": 100 * float(errors.mean()),
            "corner_error_p99_pct": 100 * float(np.percentile(errors, 99)),
            "type_side_accuracy": self.class_hits / max(1, self.class_total),
            "no_card_precision": self.no_card_tp / max(1, self.no_card_tp + self.no_card_fp),
            "no_card_recall": self.no_card_tp / max(1, self.no_card_tp + self.no_card_fn),
            "detector_recall": self.det_hits / max(1, self.det_true),
            "detector_precision": self.det_hits / max(1, self.det_pred),
            "reader_cer": cer,
            "reader_exact_lines": exact,
            "reader_lines": len(self.read_true),
            "e2e_exact_per_field": {k: per_field[k] for k in FIELD_KEYS if k in per_field},
            "e2e_exact_all_fields": total_hits / max(1, total_fields),
            "e2e_exact_given_truth": {k: self.stage_hits.get(k, 0) / max(1, total_fields) for k in TRUTH_STAGES},
            "confidence_routing": confidence_routing(self.field_scores),
            "retake_routing": {"kept": self.inside_photos / max(1, self.card_photos),
                               "exact_when_kept": self.inside_hits / max(1, self.inside_fields)},
        }


#: The error budget by stage: all fields exact when the pipeline starts from the truth instead of a model's
#: output. "corners": the card warped from its true corners and read as its true type/side (the cropper's
#: share of the errors is the gain over the pipeline); "lines": also the true line boxes (the detector's
#: share is the gain over "corners"); what "lines" still misses is the reader's and the decoding's.
TRUTH_STAGES = ("corners", "lines")
STAGES_INTRO = ("Error budget by stage: all fields exact when earlier stages are given the truth (the card warped "
                "from its true corners and read as its true type/side; then also its true line boxes). Each gain is "
                "that model's share of the errors; what the last row misses is the reader's and the decoding's:")


#: A flow that asks for another photo when the card is not wholly in the frame (the `card_inside_photo`
#: check fails, or no card is found) reads only the photos it keeps: their share and their fields.
RETAKE_INTRO = ("Asking for another photo when the `card_inside_photo` check does not pass (a corner at or past "
                "the photo's edge, or no card found): share of card photos kept, and all fields exact on them:")


#: Confidence thresholds a caller might route on (fields below go to a person).
ROUTING_THRESHOLDS = (0.3, 0.5, 0.7, 0.9)


def confidence_routing(scores: list[tuple[float, bool]]) -> list[dict]:
    """For each threshold: the share of fields at or above it (kept automatically) and how many of
    those are exact; a field missing from the result has confidence 0."""
    out = []
    for threshold in ROUTING_THRESHOLDS:
        kept = [exact for confidence, exact in scores if confidence >= threshold]
        out.append({"threshold": threshold, "kept": len(kept) / max(1, len(scores)),
                    "exact_when_kept": sum(kept) / max(1, len(kept))})
    return out


def evaluate(data: Path, pipeline: Pipeline, limit: int | None = None) -> dict[str, dict]:
    """Run every measurement on ``data``; returns summaries for 'all', 'normal' and 'hard'."""
    tallies = {"all": Tally(), "normal": Tally(), "hard": Tally()}
    labels = load_labels(data)[:limit]
    for label in labels:
        image = cv2.cvtColor(cv2.imread(str(data / "images" / label.image)), cv2.COLOR_BGR2RGB)
        subsets = [tallies["all"], tallies["hard" if is_hard(label) else "normal"]]
        reading = pipeline.read(image)
        card = label.card
        _count_class(subsets, label, reading.crop.card_class)
        if card is None:
            continue
        width = float(np.linalg.norm(np.subtract(card.corners[1], card.corners[0])))
        if reading.corners is not None and not label.flags.cut_corner:
            err = float(np.linalg.norm(reading.corners - np.float32(card.corners), axis=1).max() / width)
            for t in subsets:
                t.corner_errors.append(err)
        # Each model alone, on ground-truth input.
        upright = warp_card(image, np.float32(card.corners))
        kernel_logits = pipeline.run_model("detector", steps.detector_input(upright))[0][0]
        probs = 1 / (1 + np.exp(-kernel_logits))
        pred = [(b.field, b.box) for b in decode_kernels(probs)]
        # The true lines, read once as one card's batch: for the reader's own figures and for the error
        # budget's last step.
        true_boxes, texts = true_lines(card)
        hits = match_lines(pred, [(b.field, b.box) for b in true_boxes])
        true_logits = pipeline.run_model("reader", steps.reader_input(upright, true_boxes))[0] if true_boxes else None
        _count_stages(subsets, label, pipeline, upright, kernel_logits, true_boxes, true_logits)
        decoded = [d.text for d in greedy_decode(true_logits)] if true_boxes else []
        for t in subsets:
            t.det_hits += hits
            t.det_true += len(true_boxes)
            t.det_pred += len(pred)
            t.read_pred += decoded
            t.read_true += texts
        inside = reading.corners is not None and card_inside_photo(reading.corners, reading.photo_size).status == PASS
        _count_fields(subsets, label, {k: (f.text, f.confidence) for k, f in reading.fields.items()}, inside)
    return {name: t.summary() for name, t in tallies.items()}


def true_lines(card: CardLabel) -> tuple[list[LineBox], list[str]]:
    """A card's labelled text lines as line boxes on the canonical card, in the pipeline's reading order,
    and their texts."""
    text_of: dict[int, str] = {}
    boxes: list[LineBox] = []
    for key, printed in card.fields.items():
        for line in printed.lines:
            corners = np.array(line.polygon_card)
            boxes.append(LineBox(key, (corners[:, 0].min(), corners[:, 1].min(), corners[:, 0].max(),
                                       corners[:, 1].max()), 1.0))
            text_of[id(boxes[-1])] = line.text
    ordered = [b for lines in reading_order(boxes).values() for b in lines]
    return ordered, [text_of[id(b)] for b in ordered]


def _count_stages(subsets: list[Tally], label: ImageLabel, pipeline: Pipeline, upright: np.ndarray,
                  kernel_logits: np.ndarray, true_boxes: list[LineBox], true_logits: np.ndarray | None) -> None:
    """Exact fields read from the truly warped card: with the detector's lines, then with the true lines
    (``true_logits``: the reader's outputs for them, in order, read once); the same steps the pipeline runs
    (`find_lines`, `Pipeline.read_lines` with its second read, `read_fields`)."""
    card_class = f"{label.card.type.value}/{label.card.side.value}"
    found = steps.find_lines(kernel_logits, card_class)
    found_logits = pipeline.read_lines(upright, found)
    if true_logits is not None:
        true_logits = pipeline.read_lines(upright, true_boxes, true_logits)
    for stage, boxes, logits in zip(TRUTH_STAGES, (found, true_boxes), (found_logits, true_logits)):
        fields = steps.read_fields(card_class, boxes, logits) if boxes else {}
        hits = sum(key in fields and fields[key].text == f.text for key, f in label.card.fields.items())
        for t in subsets:
            t.stage_hits[stage] = t.stage_hits.get(stage, 0) + hits


def _count_class(subsets: list[Tally], label: ImageLabel, predicted: str) -> None:
    """Card presence and type/side of one photo."""
    card = label.card
    truth = "none" if card is None else f"{card.type.value}/{card.side.value}"
    for t in subsets:
        t.photos += 1
        t.no_card_tp += truth == "none" and predicted == "none"
        t.no_card_fp += truth != "none" and predicted == "none"
        t.no_card_fn += truth == "none" and predicted != "none"
        if card is not None:
            t.class_total += 1
            t.class_hits += predicted == truth


def _count_fields(subsets: list[Tally], label: ImageLabel, read: dict[str, tuple[str | None, float]],
                  inside: bool) -> None:
    """End to end: exact match per field through the whole pipeline, and the confidence it came with;
    ``inside``: whether the photo passed the `card_inside_photo` check (kept by a flow that asks again)."""
    for t in subsets:
        t.card_photos += 1
        t.inside_photos += inside
    for key, f in label.card.fields.items():
        text, confidence = read.get(key, (None, 0.0))
        confidence = round(float(confidence), 4)  # as the served JSON rounds it: both evaluations agree
        ok = text == f.text
        for t in subsets:
            t.field_total[key] = t.field_total.get(key, 0) + 1
            t.field_hits[key] = t.field_hits.get(key, 0) + ok
            t.field_scores.append((confidence, ok))
            t.inside_fields += inside
            t.inside_hits += ok and inside


#: What an evaluation through the server measures (it sees results, not the models' raw outputs).
SERVED_KEYS = ("photos", "type_side_accuracy", "no_card_precision", "no_card_recall", "e2e_exact_per_field",
               "e2e_exact_all_fields", "confidence_routing", "retake_routing")


def evaluate_served(data: Path, client, limit: int | None = None, concurrency: int = 4) -> dict[str, dict]:
    """End-to-end figures through a running server (``client``: `fvi.client.FviClient`): the same photos
    and the same counting as ``evaluate``; a request that fails counts as a miss, never as skipped."""
    tallies = {"all": Tally(), "normal": Tally(), "hard": Tally()}
    labels = load_labels(data)[:limit]
    outcomes = client.read_many([data / "images" / label.image for label in labels], concurrency)
    for label, outcome in zip(labels, outcomes):
        subsets = [tallies["all"], tallies["hard" if is_hard(label) else "normal"]]
        doc = outcome.result or {"card_type": None, "fields": {}}
        predicted = "none" if doc["card_type"] is None else f"{doc['card_type']}/{doc['side']}"
        _count_class(subsets, label, predicted if outcome.error is None else "error")
        if label.card is not None:
            inside = any(c["name"] == "card_inside_photo" and c["status"] == PASS for c in doc.get("checks", []))
            _count_fields(subsets, label, {k: (f["text"], f["confidence"]) for k, f in doc["fields"].items()}, inside)
    return {name: {k: v for k, v in t.summary().items() if k in SERVED_KEYS} for name, t in tallies.items()}


def describe_data(data: Path) -> str:
    """What `fvi synth` made ``data`` with (its manifest), for a report's reader."""
    try:
        config = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"{data} (no manifest)"
    c = config.get("config", {})
    return (f"{config.get('count')} photos, seed {c.get('seed')}, fonts {c.get('fonts', 'core')} "
            f"(`fvi synth` manifest of {data})")


def format_report(results: dict[str, dict], title: str, command: str, about: tuple[str, ...] = ()) -> str:
    rows = [
        ("corner error, mean (% of card width)", "corner_error_mean_pct", "{:.2f}"),
        ("corner error, p99 (% of card width)", "corner_error_p99_pct", "{:.2f}"),
        ("card type/side accuracy", "type_side_accuracy", "{:.4f}"),
        ("no-card precision", "no_card_precision", "{:.3f}"),
        ("no-card recall", "no_card_recall", "{:.3f}"),
        ("detector line recall @IoU0.5", "detector_recall", "{:.4f}"),
        ("detector line precision @IoU0.5", "detector_precision", "{:.4f}"),
        ("reader CER", "reader_cer", "{:.4f}"),
        ("reader exact lines", "reader_exact_lines", "{:.4f}"),
        ("end-to-end exact, all fields", "e2e_exact_all_fields", "{:.4f}"),
    ]
    names = list(results)
    out = [f"# {title}", "", f"Command: `{command}`", "", *(f"- {line}" for line in about), *([""] if about else []),
           "| measure | " + " | ".join(f"{n} ({results[n]['photos']} photos)" for n in names) + " |",
           "|---|" + "---|" * len(names)]
    for label, key, fmt in (r for r in rows if r[1] in results[names[0]]):
        out.append(f"| {label} | " + " | ".join(fmt.format(results[n][key]) for n in names) + " |")
    out += ["", "End-to-end exact match per field:", "",
            "| field | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for key in FIELD_KEYS:
        if key in results[names[0]]["e2e_exact_per_field"]:
            out.append(f"| {key} | " + " | ".join(
                f"{results[n]['e2e_exact_per_field'].get(key, float('nan')):.4f}" for n in names) + " |")
    if "e2e_exact_given_truth" in results[names[0]]:
        out += ["", STAGES_INTRO, "", "| starting from | " + " | ".join(names) + " |", "|---|" + "---|" * len(names),
                "| the photo (the pipeline) | " + " | ".join(
                    f"{results[n]['e2e_exact_all_fields']:.4f}" for n in names) + " |"]
        for stage, label in zip(TRUTH_STAGES, ("true corners and type/side", "true corners, type/side and lines")):
            out.append(f"| {label} | " + " | ".join(
                f"{results[n]['e2e_exact_given_truth'][stage]:.4f}" for n in names) + " |")
    if "confidence_routing" in results[names[0]]:
        out += ["", "Routing on field confidence: share of fields at or above a threshold, and exact among them:",
                "", "| confidence >= | " + " | ".join(f"{n}: kept / exact" for n in names) + " |",
                "|---|" + "---|" * len(names)]
        for i, threshold in enumerate(ROUTING_THRESHOLDS):
            out.append(f"| {threshold} | " + " | ".join(
                "{kept:.3f} / {exact_when_kept:.3f}".format(**results[n]["confidence_routing"][i]) for n in names) + " |")
    if "retake_routing" in results[names[0]]:
        out += ["", RETAKE_INTRO, "", "| | " + " | ".join(f"{n}: kept / exact" for n in names) + " |",
                "|---|" + "---|" * len(names), "| card wholly in the photo | " + " | ".join(
                    "{kept:.3f} / {exact_when_kept:.4f}".format(**results[n]["retake_routing"]) for n in names) + " |"]
    return "\n".join(out) + "\n"


def write_json(results: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def tesseract_baseline(data: Path, pipeline: Pipeline, max_lines: int = 300, one_process: bool = False) -> dict:
    """Tesseract 5 (`vie`, one line per call, --psm 7) vs the reader on the same ground-truth line crops of
    normal photos. Tesseract gets the line at card resolution (grey), the reader its usual 32-px crop.
    ``one_process``: one Tesseract process reads every line (no start-up per line, as a library would)."""
    import time

    crops_card, crops_reader, texts = [], [], []
    for label in load_labels(data):
        if label.card is None or is_hard(label) or len(texts) >= max_lines:
            continue
        image = cv2.cvtColor(cv2.imread(str(data / "images" / label.image)), cv2.COLOR_BGR2RGB)
        upright = warp_card(image, np.float32(label.card.corners))
        grey = cv2.cvtColor(upright, cv2.COLOR_RGB2GRAY)
        for f in label.card.fields.values():
            for line in f.lines:
                pc = np.array(line.polygon_card)
                x0, y0, x1, y1 = pc[:, 0].min(), pc[:, 1].min(), pc[:, 0].max(), pc[:, 1].max()
                crops_card.append(grey[max(0, int(y0)):int(y1) + 1, max(0, int(x0)):int(x1) + 1])
                crops_reader.append(crop_line(upright, (x0, y0, x1, y1)))
                texts.append(line.text)
    texts, crops_card, crops_reader = texts[:max_lines], crops_card[:max_lines], crops_reader[:max_lines]
    t0 = time.perf_counter()
    tess = _tesseract(crops_card, one_process)
    tess_ms = 1000 * (time.perf_counter() - t0) / max(1, len(texts))
    t0 = time.perf_counter()
    ours = [d.text for i in range(0, len(crops_reader), 16)
            for d in greedy_decode(pipeline.run_model("reader", batch_lines(crops_reader[i:i + 16]))[0])]
    ours_ms = 1000 * (time.perf_counter() - t0) / max(1, len(texts))
    t_cer, t_exact = cer_and_exact(tess, texts)
    o_cer, o_exact = cer_and_exact(ours, texts)
    return {"lines": len(texts), "tesseract": {"cer": t_cer, "exact": t_exact, "ms_per_line": tess_ms},
            "reader": {"cer": o_cer, "exact": o_exact, "ms_per_line": ours_ms,
                       "version": pipeline.versions["reader"]}}


def _tesseract(crops: list[np.ndarray], one_process: bool = False) -> list[str]:
    """Tesseract's text for each grey line crop (8 px border), one process per line or one for all."""
    import subprocess
    import tempfile

    pngs = [cv2.imencode(".png", cv2.copyMakeBorder(c, 8, 8, 8, 8, cv2.BORDER_REPLICATE))[1].tobytes() for c in crops]
    env = {"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"}
    if not one_process:
        return [subprocess.run(["tesseract", "stdin", "stdout", "--psm", "7", "-l", "vie"], input=png,
                               capture_output=True, env=env, check=False).stdout.decode("utf-8", "replace").strip() for png in pngs]
    with tempfile.TemporaryDirectory() as tmp:
        paths = [Path(tmp) / f"{i:05d}.png" for i in range(len(pngs))]
        for path, png in zip(paths, pngs):
            path.write_bytes(png)
        (Path(tmp) / "list.txt").write_text("".join(f"{p}\n" for p in paths))
        out = subprocess.run(["tesseract", str(Path(tmp) / "list.txt"), "stdout", "--psm", "7", "-l", "vie"],
                             capture_output=True, env=env, check=False).stdout.decode("utf-8", "replace")
    pages = [p.strip() for p in out.split("\f")][: len(pngs)]  # one page per image, form-feed separated
    if len(pages) != len(pngs):
        raise RuntimeError(f"tesseract returned {len(pages)} pages for {len(pngs)} lines")
    return pages


def format_baseline(b: dict) -> str:
    rows = ["", f"Baseline on {b['lines']} ground-truth line crops of normal photos (one CPU core):", "",
            "| reader | CER | exact lines | ms/line |", "|---|---|---|---|"]
    for name, label in (("reader", f"FVI reader v{b['reader'].get('version', '?')} (batches of 16)"),
                        ("tesseract", "Tesseract 5 `vie`, --psm 7, one process per line")):
        r = b[name]
        rows.append(f"| {label} | {r['cer']:.4f} | {r['exact']:.4f} | {r['ms_per_line']:.2f} |")
    return "\n".join(rows) + "\n"
