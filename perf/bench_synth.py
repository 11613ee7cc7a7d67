"""Benchmark: synthetic photos per second per core (target >= 15 at 1280x960), with a stage breakdown.

Run: `make bench` or `.venv/bin/python perf/bench_synth.py [--count N] [--report perf/reports/synth.md]`.
The same run measures a floor (JPEG-encoding an already-made photo) so the figure can be read as a ratio.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from fvi import __version__
from fvi.bench.suite import cpu_model
from fvi.synth import generate as gen_mod
from fvi.synth.generate import Generator, SynthConfig, generate_dataset

TARGET = 15.0


class StageTimer:
    """Wraps module functions to add up the time spent in each stage of Generator.sample."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = {}
        self._originals: list[tuple[object, str, object]] = []

    def restore(self) -> None:
        for module, name, fn in reversed(self._originals):
            setattr(module, name, fn)
        self._originals.clear()

    def wrap(self, module, name: str, stage: str) -> None:
        fn = getattr(module, name)
        self._originals.append((module, name, fn))

        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.totals[stage] = self.totals.get(stage, 0.0) + time.perf_counter() - t0

        setattr(module, name, timed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=150)
    parser.add_argument("--report", type=Path, default=None, help="also write a markdown report here")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    config = SynthConfig(seed=2026)

    generator = Generator(config)
    for i in range(30):  # warm caches (backgrounds, fonts, noise bank): they are per process, built once
        generator.sample(10_000 + i)

    timer = StageTimer()
    timer.wrap(gen_mod, "render_card", "card render")
    timer.wrap(gen_mod, "make_background", "scene background")
    timer.wrap(gen_mod, "paste_card", "warp + paste")
    timer.wrap(gen_mod, "degrade", "photo degradation")
    timer.wrap(gen_mod.cv2, "imencode", "jpeg encode")
    t0 = time.perf_counter()
    sizes = []
    for i in range(args.count):
        sizes.append(len(generator.sample(i).jpeg))
    single = time.perf_counter() - t0
    timer.restore()
    per_image_ms = 1000 * single / args.count
    rate_one_core = args.count / single

    # Floor: only the last stage (JPEG encode of a finished photo), same size and quality range.
    photo = cv2.imdecode(np.frombuffer(generator.sample(0).jpeg, np.uint8), cv2.IMREAD_COLOR)
    t0 = time.perf_counter()
    for q in range(30, 96, 2):
        cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, q])
    encode_ms = 1000 * (time.perf_counter() - t0) / len(range(30, 96, 2))

    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        generate_dataset(Path(tmp), args.count, config, workers=cores)
        multi = time.perf_counter() - t0
    rate_all = args.count / multi

    stages = sorted(timer.totals.items(), key=lambda kv: -kv[1])
    other = single - sum(v for _, v in stages)
    lines = [
        f"# Synthetic generator throughput ({config.size[0]}x{config.size[1]} JPEG)",
        "",
        f"- machine: {cores} cores, {cpu_model()}; fvi {__version__}, OpenCV {cv2.__version__}, numpy {np.__version__}",
        f"- command: `.venv/bin/python perf/bench_synth.py --count {args.count}`",
        "",
        "| measure | value |",
        "|---|---|",
        f"| one process, one core: photos/s | **{rate_one_core:.1f}** ({per_image_ms:.1f} ms/photo) |",
        f"| ratio to the target of {TARGET:.0f} photos/s/core | {rate_one_core / TARGET:.2f}x |",
        f"| {cores} workers (files written): photos/s | {rate_all:.1f} ({rate_all / cores:.1f} per core) |",
        f"| floor measured in the same run: JPEG encode alone | {encode_ms:.1f} ms/photo "
        f"({per_image_ms / encode_ms:.1f}x of the full photo) |",
        f"| mean JPEG size | {np.mean(sizes) / 1024:.0f} KiB |",
        "",
        "Stage breakdown (one core):",
        "",
        "| stage | ms/photo | share |",
        "|---|---|---|",
        *[f"| {name} | {1000 * v / args.count:.1f} | {100 * v / single:.0f}% |" for name, v in stages],
        f"| person, labels, other | {1000 * other / args.count:.1f} | {100 * other / single:.0f}% |",
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
