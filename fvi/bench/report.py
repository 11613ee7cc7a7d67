"""Write one `fvi bench` run out: CSV files, the markdown report, and a throughput vs p95 latency plot."""

from __future__ import annotations

import csv
import pickle
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from fvi.bench.baselines import agreement
from fvi.bench.suite import BenchResults, TritonRun, achieved_vs_floor

#: The targets of issue #6 (2 cores, 1280x960 JPEG).
TARGET_P50_C1_MS = 80.0
TARGET_VS_TORCH = 2.5
TARGET_VS_ORT = 1.3
TARGET_GATEWAY_OVERHEAD = 0.10
TARGET_VS_TESSERACT = 10.0
SPLIT = ("Client Send", "Network+Server Send/Recv", "Server Queue", "Server Compute Input", "Server Compute Infer",
         "Server Compute Output", "Client Recv")


@dataclass
class Target:
    what: str
    measured: str
    met: bool | None  # None: not measured


def _write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow([f"{v:.4g}" if isinstance(v, float) else v for v in row])
    return path


def _triton_row(run: TritonRun) -> list:
    m, u = run.measurement, run.usage
    return [m.model, m.batch, m.concurrency, m.throughput, m.ms("p50 latency"), m.ms("p90 latency"),
            m.ms("p95 latency"), m.ms("p99 latency"), m.ms("Avg latency"), *[m.ms(k) for k in SPLIT],
            u.cpu_cores if u else "", u.memory_mb if u else "", u.other_cores if u else ""]


TRITON_HEADER = ["model", "batch", "concurrency", "throughput_per_s", "p50_ms", "p90_ms", "p95_ms", "p99_ms", "avg_ms",
                 *[k.lower().replace(" ", "_").replace("+", "_").replace("/", "_") + "_ms" for k in SPLIT],
                 "server_cpu_cores", "server_memory_mb", "other_work_cores"]


def write_csvs(results: BenchResults) -> list[Path]:
    folder = results.config.folder
    paths = [
        _write_csv(folder / "ensemble.csv", TRITON_HEADER, [_triton_row(r) for r in results.ensemble]),
        _write_csv(folder / "models.csv", TRITON_HEADER, [_triton_row(r) for r in results.models]),
        _write_csv(folder / "ensemble_steps.csv",
                   ["concurrency", "step", "inferences", "executions", "queue_ms", "compute_ms", "latency_ms"],
                   [[r.measurement.concurrency, s.model, s.inferences, s.executions, s.queue_us / 1000,
                     s.compute_us / 1000, s.latency_us / 1000] for r in results.ensemble for s in r.measurement.steps]),
        _write_csv(folder / "baselines.csv",
                   ["name", "requests", "concurrency", "throughput_per_s", "p50_ms", "p95_ms", "p99_ms",
                    "cpu_cores", "memory_mb"],
                   [[b.name, b.requests, b.concurrency, b.throughput, b.p50_ms, b.p95_ms, b.p99_ms,
                     "" if b.cpu_cores is None else b.cpu_cores, "" if b.memory_mb is None else b.memory_mb]
                    for b in results.baselines]),
        _write_csv(folder / "ocr_lines.csv", ["engine", "tesseract_mode", "lines", "cer", "exact", "ms_per_line"],
                   [[engine, mode, t["lines"], t[engine]["cer"], t[engine]["exact"], t[engine]["ms_per_line"]]
                    for mode, t in results.tesseract.items() for engine in ("tesseract", "reader")]),
        _write_csv(folder / "floor.csv", ["item", "value", "unit"],
                   [*[[f"{m} per card", f / 1e9, "GFLOP"] for m, f in results.flops.items()],
                    *[[f"fp32 matmul peak, {t} thread(s)", g, "GFLOP/s"] for t, g in results.peak_gflops.items()]]),
    ]
    return paths


def _by(results: BenchResults, prefix: str):
    return [b for b in results.baselines if b.name.startswith(prefix)]


def _ensemble_at(results: BenchResults, c: int) -> TritonRun | None:
    return next((r for r in results.ensemble if r.measurement.concurrency == c), None)


def reader_lines_per_s(results: BenchResults) -> dict[str, float]:
    out = {"reader in process, onnxruntime 1 thread (batches of 16)":
           1000 / results.tesseract["one process"]["reader"]["ms_per_line"]}
    for r in results.models:
        if r.measurement.model == "reader":
            out[f"reader in Triton, batch {r.measurement.batch}"] = r.measurement.throughput
    return out


def targets(results: BenchResults) -> list[Target]:
    c = results.config.client_concurrency
    out = []
    c1 = _ensemble_at(results, 1)
    if c1:
        p50 = c1.measurement.ms("p50 latency")
        out.append(Target(f"ensemble p50 at concurrency 1 <= {TARGET_P50_C1_MS:.0f} ms", f"{p50:.1f} ms",
                          p50 <= TARGET_P50_C1_MS))
    c8 = _ensemble_at(results, 8)
    for prefix, label, factor in (("PyTorch", "naive PyTorch", TARGET_VS_TORCH),
                                  ("onnxruntime", "in-process onnxruntime", TARGET_VS_ORT)):
        runs = _by(results, prefix)
        if c8 and runs:
            best = max(runs, key=lambda b: b.throughput)  # compared with the stronger of its thread settings
            ratio = c8.measurement.throughput / best.throughput
            out.append(Target(f"concurrency 8 >= {factor}x {label} (its best: {best.name})",
                              f"{ratio:.2f}x ({c8.measurement.throughput:.1f} vs {best.throughput:.1f} cards/s)",
                              ratio >= factor))
    gateway, direct = _by(results, "HTTP gateway"), _by(results, "Triton ensemble, Python")
    if gateway and direct:
        overhead = 1 - gateway[0].throughput / direct[0].throughput
        out.append(Target(f"gateway overhead at concurrency {c} <= {TARGET_GATEWAY_OVERHEAD:.0%} of throughput "
                          "(same Python client style on both paths)",
                          f"{overhead:.1%} ({gateway[0].throughput:.1f} vs {direct[0].throughput:.1f} cards/s)",
                          overhead <= TARGET_GATEWAY_OVERHEAD))
    else:
        out.append(Target(f"gateway overhead at concurrency {c} <= {TARGET_GATEWAY_OVERHEAD:.0%}", "not measured", None))
    if "one process" in results.tesseract:
        tess = 1000 / results.tesseract["one process"]["tesseract"]["ms_per_line"]
        ours = reader_lines_per_s(results)
        name, best = max(ours.items(), key=lambda kv: kv[1])
        single = ours["reader in process, onnxruntime 1 thread (batches of 16)"]
        out.append(Target(f"reader >= {TARGET_VS_TESSERACT:.0f}x Tesseract lines/s (Tesseract in one process, "
                          "1 thread; reader 1 thread in process)",
                          f"{single / tess:.1f}x ({single:.0f} vs {tess:.0f} lines/s; {name}: {best / tess:.1f}x)",
                          single / tess >= TARGET_VS_TESSERACT))
    return out


def _per_item_ms(cores: float, rate: float) -> float:
    """CPU milliseconds spent per card: what a card costs, whatever the parallelism."""
    return 1000 * cores / rate


def _unstable(m, usage=None) -> str:
    marks = ([] if m.stable else ["unstable"]) + (
        [f"disturbed: {usage.other_cores:.1f} cores of other work"] if usage is not None and usage.disturbed else [])
    return f" ({', '.join(marks)})" if marks else ""


def _fmt(v: float | None, spec: str = ".1f") -> str:
    return "–" if v is None else format(v, spec)


def markdown(results: BenchResults, plot: Path | None, tuning: Path | None = None) -> str:
    cfg, mach = results.config, results.machine
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"# FVI serving benchmark: `{cfg.name}`", "",
             f"Run {now}, {results.wall_s / 60:.1f} minutes. Command: `{cfg.command}` (`make bench` runs "
             "`fvi bench`).", "",
             f"- machine: {mach['cores']} cores, {mach['cpu']}, {mach['memory']}; {mach['os']}",
             f"- software: {mach['server']}, FVI's Python-based onnxruntime backend (onnxruntime "
             f"{mach['onnxruntime']}); {mach['perf_analyzer']} perf_analyzer over gRPC; torch {mach['torch']}; "
             f"{mach['tesseract']}; Python {mach['python']}; fvi {mach['fvi']} at `{mach['git']}`",
             f"- models: {mach['models']}; repository `{cfg.repo}`"
             + (f", config variant `{cfg.config_name}`" if cfg.config_name else " (default configs)"),
             f"- photos: {cfg.per_type} of each of the 6 card types/sides = {cfg.per_type * 6} generated 1280x960 "
             f"JPEG photos (seed {cfg.seed}), {results.lines_per_card:.1f} text lines per card; every configuration "
             "below reads these same photos.", ""]
    disturbed = [r for r in results.ensemble + results.models if r.usage and r.usage.disturbed]
    if results.beside:
        lines += ["**Measured beside other work** (figures are distorted, rerun on an idle machine): "
                  + "; ".join(results.beside), ""]
    elif disturbed:
        lines += [f"**{len(disturbed)} measurements ran beside other work** (marked *disturbed* below).", ""]
    else:
        lines += ["Nothing else used the CPU during the run (busy processes checked at its start and end, the "
                  "machine's CPU time against this run's during every Triton measurement).", ""]

    lines += ["## Targets", "", "| target | measured | met |", "|---|---|---|"]
    for t in targets(results):
        lines.append(f"| {t.what} | {t.measured} | {'–' if t.met is None else ('yes' if t.met else '**no**')} |")

    lines += ["", "## The `fvi` ensemble (perf_analyzer, gRPC, real photos)", "",
              "Server-side split from Triton's statistics (means per request, added over the ensemble's steps); CPU and "
              "memory of the tritonserver "
              "process tree (server and Python-backend stubs): CPU seconds per second (2.0 = both cores), peak "
              "proportional set size.", "",
              "| concurrency | cards/s | p50 ms | p95 ms | p99 ms | server queue ms | server compute ms | "
              "network+transfer ms | server CPU (cores) | server CPU ms per card | server memory MB |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results.ensemble:
        m, u = r.measurement, r.usage
        # An ensemble's own queue is empty: its requests wait in the queues of its steps.
        queue = sum(s.queue_us for s in m.steps) / 1000
        compute = sum(s.compute_us for s in m.steps) / 1000
        lines.append(f"| {m.concurrency}{_unstable(m, u)} | {m.throughput:.1f} | {m.ms('p50 latency'):.1f} | "
                     f"{m.ms('p95 latency'):.1f} | {m.ms('p99 latency'):.1f} | {queue:.1f} | {compute:.1f} | "
                     f"{m.ms('Network+Server Send/Recv'):.1f} | {_fmt(u and u.cpu_cores, '.2f')} | "
                     f"{_fmt(u and _per_item_ms(u.cpu_cores, m.throughput), '.0f')} | {_fmt(u and u.memory_mb, '.0f')} |")
    if plot:
        lines += ["", f"![throughput vs p95 latency]({plot.name})", ""]

    lines += ["", "Where a request's time goes, per step (server statistics; mean batch = inferences / executions):",
              "", "| step | " + " | ".join(f"c{r.measurement.concurrency} queue / compute ms (mean batch)"
                                           for r in results.ensemble) + " |",
              "|---|" + "---|" * len(results.ensemble)]
    order = ["preprocess", "cropper", "zoom", "warp", "detector", "lines", "reader", "assemble"]
    for step in order:
        cells = []
        for r in results.ensemble:
            s = next((s for s in r.measurement.steps if s.model == step), None)
            cells.append("–" if s is None else f"{s.queue_us / 1000:.1f} / {s.compute_us / 1000:.1f} "
                                                f"({s.inferences / max(1, s.executions):.1f})")
        lines.append(f"| {step} | " + " | ".join(cells) + " |")

    lines += ["", "## Each ONNX model alone (perf_analyzer, gRPC, concurrency 1, real preprocessed inputs)", "",
              f"Inputs: the cropper's letterboxed photos, the detector's warped cards, the reader's line crops "
              f"(padded to {results.reader_width} px, the median width of one card's reader batch). Throughput in "
              "images (cropper), cards (detector) or lines (reader) per second.", "",
              "| model | batch | items/s | p50 ms | p95 ms | p99 ms | server queue ms | server compute ms | "
              "server CPU (cores) |", "|---|---|---|---|---|---|---|---|---|"]
    for r in results.models:
        m, u = r.measurement, r.usage
        compute = m.ms("Server Compute Input") + m.ms("Server Compute Infer") + m.ms("Server Compute Output")
        lines.append(f"| {m.model} | {m.batch}{_unstable(m, u)} | {m.throughput:.1f} | {m.ms('p50 latency'):.1f} | "
                     f"{m.ms('p95 latency'):.1f} | {m.ms('p99 latency'):.1f} | {m.ms('Server Queue'):.1f} | "
                     f"{compute:.1f} | {_fmt(u and u.cpu_cores, '.2f')} |")
    for s in results.skipped:
        lines.append(f"| {s} | | | | | | | | |")

    lines += ["", "## Baselines on the same photos", "",
              "In-process baselines read one photo after another (bytes in, JSON out, decoding included) in a "
              "process of their own; CPU and peak resident memory are that process's. Client rows are closed "
              f"loops of {results.config.client_concurrency} Python clients (threads of the bench process); their "
              "CPU and memory are the serving side's: Triton's process tree, plus the gateway's where it is used.",
              "", "| way | concurrency | cards/s | p50 ms | p95 ms | p99 ms | CPU (cores) | CPU ms per card | "
              "memory MB |", "|---|---|---|---|---|---|---|---|---|"]
    for b in results.baselines:
        lines.append(f"| {b.name} | {b.concurrency} | {b.throughput:.1f} | {b.p50_ms:.1f} | {b.p95_ms:.1f} | "
                     f"{b.p99_ms:.1f} | {_fmt(b.cpu_cores, '.2f')} | "
                     f"{_fmt(b.cpu_cores and _per_item_ms(b.cpu_cores, b.throughput), '.0f')} | "
                     f"{_fmt(b.memory_mb, '.0f')} |")
    for r in results.ensemble:
        m, u = r.measurement, r.usage
        if m.concurrency in (1, results.config.client_concurrency):
            lines.append(f"| Triton ensemble, perf_analyzer (C++ client) | {m.concurrency} | {m.throughput:.1f} | "
                         f"{m.ms('p50 latency'):.1f} | {m.ms('p95 latency'):.1f} | {m.ms('p99 latency'):.1f} | "
                         f"{_fmt(u and u.cpu_cores, '.2f')} (server) | "
                         f"{_fmt(u and _per_item_ms(u.cpu_cores, m.throughput), '.0f')} (server) | "
                         f"{_fmt(u and u.memory_mb, '.0f')} (server) |")
    for gap in results.gaps:
        lines.append(f"| **gap**: {gap} | | | | | | | | |")
    if results.gateway_cpu_ms is not None:
        lines += ["", f"The gateway process itself used {results.gateway_cpu_ms:.1f} ms of CPU per request."]
    torch_runs, ort_runs = _by(results, "PyTorch"), _by(results, "onnxruntime")
    if torch_runs and ort_runs:
        same, total = agreement(torch_runs[0], ort_runs[0])
        lines += ["", f"Same work: the PyTorch and onnxruntime pipelines read the same text in {same} of {total} "
                  "fields of these photos (the Triton ensemble answers exactly like the onnxruntime pipeline: "
                  "tests/integration/test_ensemble.py)."]

    if results.tesseract:
        lines += ["", "## Reader vs Tesseract 5 on the same line crops", "",
                  "Ground-truth line crops of the photos above (normal photos only); one thread each "
                  "(`OMP_THREAD_LIMIT=1` for Tesseract). Tesseract gets the line at card resolution, `--psm 7 -l vie`.",
                  "", "| engine | lines | CER | exact lines | ms/line | lines/s |", "|---|---|---|---|---|---|"]
        for mode, t in results.tesseract.items():
            r = t["tesseract"]
            lines.append(f"| Tesseract, {mode} | {t['lines']} | {r['cer']:.4f} | {r['exact']:.3f} | "
                         f"{r['ms_per_line']:.2f} | {1000 / r['ms_per_line']:.0f} |")
        r = results.tesseract["one process"]["reader"]
        lines.append(f"| FVI reader, in process, onnxruntime 1 thread, batches of 16 | "
                     f"{results.tesseract['one process']['lines']} | {r['cer']:.4f} | {r['exact']:.3f} | "
                     f"{r['ms_per_line']:.2f} | {1000 / r['ms_per_line']:.0f} |")
        for name, rate in reader_lines_per_s(results).items():
            if "Triton" in name:
                lines.append(f"| FVI {name} (perf_analyzer) | | | | {1000 / rate:.2f} | {rate:.0f} |")

    if results.flops:
        floor_rate, best, ratio = achieved_vs_floor(results)
        per_card = sum(results.flops.values())
        lines += ["", "## Compute floor", "",
                  "FLOPs = 2 x multiply-adds of every Conv, MatMul and Gemm, with shapes from ONNX shape inference at "
                  f"the real input sizes (reader: {results.lines_per_card:.1f} lines of {results.reader_width} px per "
                  "card). Peak: the best time of a 1536x1536 fp32 MatMul through onnxruntime.", "",
                  "| item | value |", "|---|---|"]
        for m, f in results.flops.items():
            lines.append(f"| {m}, GFLOP per card | {f / 1e9:.3f} |")
        lines.append(f"| all models, GFLOP per card | {per_card / 1e9:.3f} |")
        for t, g in results.peak_gflops.items():
            lines.append(f"| fp32 peak, {t} thread{'s' if t > 1 else ''} | {g:.0f} GFLOP/s |")
        lines += [f"| floor: cards/s if the models ran at the {len(results.peak_gflops)}-thread peak and nothing "
                  f"else cost | {floor_rate:.0f} |",
                  f"| achieved: best ensemble cards/s | {best:.1f} |",
                  f"| achieved / floor | {ratio:.1%} |"]
        for r in results.models:
            m = r.measurement
            if m.model in results.flops and m.batch == max(x.measurement.batch for x in results.models
                                                            if x.measurement.model == m.model):
                per_item = results.flops[m.model] / (results.lines_per_card if m.model == "reader" else 1)
                compute = (m.ms("Server Compute Infer")) / 1000 / m.batch
                lines.append(f"| {m.model} alone at batch {m.batch}: model GFLOP/s in Triton's compute time "
                             f"(1 thread) | {per_item / compute / 1e9:.0f} ({per_item / compute / 1e9 / results.peak_gflops[1]:.0%} of the 1-thread peak) |")

    if tuning and tuning.exists():
        lines += ["", "## Tuning", "", f"What was tried and what each gave: [{tuning.name}]({tuning.name})."]
    lines += ["", f"Raw data: `{results.config.folder}/` (CSV files, perf_analyzer output per run).", ""]
    return "\n".join(lines)


def plot(results: BenchResults, path: Path, curves: dict[str, list[tuple[float, float, int]]] | None = None) -> Path:
    """Throughput (x) vs p95 latency (y): the ensemble's concurrency sweep as a curve (and any ``curves``
    given, e.g. tuning variants), each baseline as a point."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=110)
    series = {"Triton ensemble (perf_analyzer)": [(r.measurement.throughput, r.measurement.ms("p95 latency"),
                                                   r.measurement.concurrency) for r in results.ensemble]}
    series.update(curves or {})
    for name, pts in series.items():
        xs, ys, cs = zip(*pts) if pts else ((), (), ())
        ax.plot(xs, ys, marker="o", label=name)
        for x, y, c in pts:
            ax.annotate(f"c{c}", (x, y), textcoords="offset points", xytext=(4, 4), fontsize=8)
    markers = iter("s^vD<>ph*")
    for b in results.baselines:
        ax.scatter([b.throughput], [b.p95_ms], marker=next(markers, "x"), s=60, label=f"{b.name} (c{b.concurrency})",
                   zorder=3)
    ax.set_xlabel("throughput (cards/s)")
    ax.set_ylabel("p95 latency (ms)")
    ax.set_yscale("log")
    ax.grid(True, which="both", alpha=0.3)
    ax.set_title(f"FVI on {results.machine['cores']} cores: throughput vs p95 latency")
    ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def write(results: BenchResults) -> Path:
    """CSV files under the run folder, then ``<reports>/<name>.md`` and ``<name>.png``; returns the report."""
    write_csvs(results)
    # Everything measured, to render the report again without measuring again (pickle.load, then write()).
    (results.config.folder / "results.pickle").write_bytes(pickle.dumps(results))
    reports = results.config.reports
    png = plot(results, reports / f"{results.config.name}.png")
    report = reports / f"{results.config.name}.md"
    report.write_text(markdown(results, png, reports / f"{results.config.name}-tuning.md"), encoding="utf-8")
    return report
