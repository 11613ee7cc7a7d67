"""Benchmark: each published ONNX model on one CPU core (onnxruntime, 1 thread) against its budget.

Run: `.venv/bin/python perf/bench_models.py [--repo model_repository] [--report perf/reports/models.md]`.
Inputs are real: photos from a small `fvi synth` set cut by the same pipeline code the server runs.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

from converters.samples import real_inputs, real_lines
from fvi.pipeline.geometry import batch_lines
from fvi.pipeline.runner import served_model_path
from fvi.synth.generate import SynthConfig, generate_dataset

BUDGET_MS = {"cropper": 5.0, "detector": 15.0, "reader": 1.0}  # per image / card / line (issue #3)


def timed(session: ort.InferenceSession, x: np.ndarray, repeats: int) -> float:
    session.run(None, {"image": x})
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        session.run(None, {"image": x})
        times.append(time.perf_counter() - t0)
    return 1000 * float(np.median(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=Path("model_repository"))
    parser.add_argument("--report", type=Path, default=None)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        generate_dataset(Path(tmp), 24, SynthConfig(seed=777, no_card_rate=0.0))
        for name in ("cropper", "detector", "reader"):
            path = served_model_path(args.repo, name)
            session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
            if name == "reader":
                lines = real_lines(Path(tmp), count=24)
                # Real card lines in card order, 16 per batch, each batch padded to its widest line.
                batches = [batch_lines(lines[i:i + 16]) for i in range(0, len(lines) - 15, 16)]
                per_item = [timed(session, b, args.repeats) / len(b) for b in batches]
                unit, shape = "ms/line (batches of 16)", f"1x32xW, W={np.mean([b.shape[3] for b in batches]):.0f} avg"
            else:
                x = real_inputs(name, Path(tmp), count=24)[0]
                per_item = [timed(session, x, args.repeats)]
                unit, shape = "ms/" + ("image" if name == "cropper" else "card"), "x".join(map(str, x.shape[1:]))
            ms = float(np.mean(per_item))
            rows.append((name, unit, shape, ms, BUDGET_MS[name], path.stat().st_size / 1e6))
    lines = ["# Model latency on one CPU core (onnxruntime, 1 thread)", "",
             f"onnxruntime {ort.__version__}; command: `.venv/bin/python perf/bench_models.py`", "",
             "| model | input | measured | budget | ratio to budget | ONNX size |", "|---|---|---|---|---|---|"]
    for name, unit, shape, ms, budget, size in rows:
        lines.append(f"| {name} | {shape} | {ms:.2f} {unit} | {budget:.1f} | {ms / budget:.2f}x | {size:.2f} MB |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.report:
        args.report.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
