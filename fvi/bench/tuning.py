"""`fvi bench --tune`: the ensemble under configuration variants (instances, dynamic batching, onnxruntime
threads, INT8 reader), each served from a temporary copy of the repository; the committed one is untouched."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fvi.bench import analyzer, inputs
from fvi.bench.suite import BenchConfig, TritonRun, _measure, free_ports
from fvi.pipeline.runner import MODELS

PYTHON_STEPS = ("preprocess", "zoom", "warp", "lines", "assemble")


@dataclass(frozen=True)
class Change:
    """Edits to one model's config; ``None`` leaves a setting as it is."""

    count: int | None = None  # instance_group count
    queue_delay_us: int | None = None  # dynamic_batching max_queue_delay_microseconds; -1 removes dynamic batching
    preferred: tuple[int, ...] | None = None  # dynamic_batching preferred_batch_size
    threads: int | None = None  # onnxruntime intra_op_thread_count
    int8: bool = False  # serve the INT8 quantization of the model (made by `fvi quantize`'s code)


@dataclass(frozen=True)
class Variant:
    name: str
    what: str
    changes: dict[str, Change] = field(default_factory=dict)


def _all(models: tuple[str, ...], change: Change) -> dict[str, Change]:
    return {m: change for m in models}


def merge(name: str, what: str, *variants: Variant) -> Variant:
    """One variant with the changes of several (later ones win per model)."""
    changes: dict[str, Change] = {}
    for v in variants:
        for model, c in v.changes.items():
            old = changes.get(model, Change())
            changes[model] = Change(**{k: getattr(old, k) if getattr(c, k) is None or getattr(c, k) is False
                                       else getattr(c, k) for k in Change.__dataclass_fields__})
    return Variant(name, what, changes)


# Each variant edits the committed configuration. Since the tuning of issue #6 the cropper and the detector
# have no dynamic batching (measured: +15% cards/s at concurrency 8 on 2 cores); BATCHING_BEFORE puts back
# what they had before, so the report keeps showing what that choice gave.
BATCHING_BEFORE = Variant("batching-before", "cropper and detector batching as before tuning (max_queue_delay 2 ms)",
                          _all(("cropper", "detector"), Change(queue_delay_us=2000)))
NO_DELAY = Variant("no-queue-delay", "dynamic batching without waiting (max_queue_delay 0) on the 3 models",
                   _all(MODELS, Change(queue_delay_us=0)))
NO_BATCHING = Variant("no-dynamic-batching", "no dynamic batching on the 3 models (the reader too)",
                      _all(MODELS, Change(queue_delay_us=-1)))
LONG_DELAY = Variant("delay-5ms-preferred", "max_queue_delay 5 ms, preferred batch 4/8 (reader 16/32) on the 3 models",
                     {"cropper": Change(queue_delay_us=5000, preferred=(4, 8)),
                      "detector": Change(queue_delay_us=5000, preferred=(4, 8)),
                      "reader": Change(queue_delay_us=5000, preferred=(16, 32))})
ORT_2 = Variant("ort-2-threads", "onnxruntime intra_op_thread_count 2 on the 3 models", _all(MODELS, Change(threads=2)))
DETECTOR_2 = Variant("detector-2-threads", "onnxruntime intra_op_thread_count 2 on the detector only",
                     {"detector": Change(threads=2)})
PY_X2 = Variant("python-steps-x2", "2 instances of each Python step", _all(PYTHON_STEPS, Change(count=2)))
MODELS_X2 = Variant("models-x2", "2 instances of each ONNX model", _all(MODELS, Change(count=2)))
DETECTOR_X2 = Variant("detector-x2", "2 instances of the detector", {"detector": Change(count=2)})
INT8 = Variant("int8-reader", "the reader quantized to INT8 (static QDQ, calibrated on other photos)",
               {"reader": Change(int8=True)})

VARIANTS: tuple[Variant, ...] = (
    Variant("repository", "the committed configuration"),
    BATCHING_BEFORE, NO_DELAY, NO_BATCHING, LONG_DELAY, ORT_2, DETECTOR_2, PY_X2, MODELS_X2, DETECTOR_X2, INT8,
    merge("all-x2", "2 instances of every step", PY_X2, MODELS_X2),
    merge("no-dynamic-batching+int8", "no dynamic batching on the 3 models, INT8 reader", NO_BATCHING, INT8),
    merge("batching-before+python-x2", "batching as before, 2 instances of each Python step", BATCHING_BEFORE, PY_X2),
)


def apply(config, change: Change, int8_file: str | None) -> None:
    """Edit a parsed ModelConfig (Triton's protobuf message) in place."""
    if change.count is not None:
        if not config.instance_group:
            from tritonclient.grpc import model_config_pb2

            config.instance_group.add(kind=model_config_pb2.ModelInstanceGroup.KIND_CPU)
        for group in config.instance_group:
            group.count = change.count
    if change.queue_delay_us is not None:
        if change.queue_delay_us < 0:
            config.ClearField("dynamic_batching")
        else:
            config.dynamic_batching.max_queue_delay_microseconds = change.queue_delay_us
    if change.preferred is not None:
        del config.dynamic_batching.preferred_batch_size[:]
        config.dynamic_batching.preferred_batch_size.extend(change.preferred)
    if change.threads is not None:
        config.parameters["intra_op_thread_count"].string_value = str(change.threads)
    if change.int8 and int8_file:
        config.default_model_filename = int8_file


def variant_repository(base: Path, variant: Variant, out: Path, int8: dict[str, Path]) -> Path:
    """A copy of ``base`` at ``out`` with ``variant``'s config edits (and INT8 files where asked)."""
    from google.protobuf import text_format

    from fvi.pipeline.runner import served_model_path
    from fvi.triton.model_config import read

    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(base, out, ignore=shutil.ignore_patterns("__pycache__"))
    for model, change in variant.changes.items():
        path = out / model / "config.pbtxt"
        config = read(path)
        int8_name = None
        if change.int8:
            target = served_model_path(out, model).parent / "model_int8.onnx"
            shutil.copy2(int8[model], target)
            int8_name = target.name
        apply(config, change, int8_name)
        path.write_text(f"# {variant.name}: {variant.what} (fvi bench --tune)\n"
                        + text_format.MessageToString(config), encoding="utf-8")
    return out


def quantized_reader(repo: Path, folder: Path, seed: int) -> Path:
    """The served reader quantized to INT8 as `fvi quantize reader` does, calibrated on photos of another seed."""
    from converters.int8 import quantize_int8
    from converters.samples import real_lines
    from fvi.pipeline.geometry import batch_lines
    from fvi.pipeline.runner import served_model_path

    calib = folder / "calibration"
    inputs.make_photos(calib, 3, seed + 1)
    lines = real_lines(calib, count=18)
    batches = [batch_lines(lines[i:i + 16]) for i in range(0, len(lines) - 15, 16)]
    return quantize_int8(served_model_path(repo, "reader"), folder / "reader_int8.onnx", batches)


@dataclass
class VariantResult:
    variant: Variant
    runs: list[TritonRun]


def run_tuning(config: BenchConfig, variants: tuple[Variant, ...] = VARIANTS, concurrency: tuple[int, ...] = (1, 8, 16),
               say: Callable[[str], None] = print) -> list[VariantResult]:
    """The ensemble at ``concurrency`` under each variant, on the photos of a `fvi bench` run."""
    from fvi.triton.server import ServerConfig, TritonServer

    folder = config.folder / "tuning"
    folder.mkdir(parents=True, exist_ok=True)
    photos = inputs.make_photos(folder / "photos", config.per_type, config.seed)
    data = inputs.write_input_data(folder / "fvi.json", inputs.ensemble_entries(photos))
    int8 = {}
    if any(c.int8 for v in variants for c in v.changes.values()):
        say("quantizing the reader to INT8")
        int8["reader"] = quantized_reader(config.repo, folder, config.seed)
    results = []
    for v in variants:
        say(f"variant {v.name}: {v.what}")
        repo = variant_repository(config.repo, v, folder / "repository", int8)
        http, grpc, metrics = free_ports(3)
        server = TritonServer(ServerConfig(repo, http, grpc, metrics, workdir=folder / "triton"))
        server.start()
        runs = []
        try:
            for c in concurrency:
                try:
                    runs.append(_measure(server, "fvi", data, folder / "pa" / f"{v.name}-c{c}.csv", concurrency=c,
                                         window=max(config.ensemble_window, 4 * c)))
                except analyzer.AnalyzerError as exc:
                    say(f"  c{c} failed: {exc}")
        finally:
            server.stop()
        results.append(VariantResult(v, runs))
        say("  " + ", ".join(f"c{r.measurement.concurrency}: {r.measurement.throughput:.1f}/s "
                             f"p50 {r.measurement.ms('p50 latency'):.0f} ms" for r in runs))
    return results


def markdown(config: BenchConfig, results: list[VariantResult], machine: dict[str, str], beside: list[str],
             plot: Path | None) -> str:
    from fvi.bench.report import _unstable

    conc = sorted({r.measurement.concurrency for v in results for r in v.runs})
    base = {r.measurement.concurrency: r.measurement.throughput for r in results[0].runs} if results else {}
    lines = [f"# Tuning the `fvi` ensemble: `{config.name}`", "",
             f"Command: `{config.command}` (`make bench-tune`). Each variant is served from a "
             "temporary copy of the model repository with only its edits; perf_analyzer over gRPC on the same "
             f"{config.per_type * 6} generated photos as the main report.", "",
             f"- machine: {machine['cores']} cores, {machine['cpu']}; {machine['server']}; onnxruntime "
             f"{machine['onnxruntime']}; fvi at `{machine['git']}`", ""]
    if beside:
        lines += ["**Measured beside other work** (figures are distorted): " + "; ".join(beside), ""]
    lines += ["| variant | what | " + " | ".join(f"c{c} cards/s | c{c} p50 ms | c{c} p95 ms" for c in conc)
              + " | c8 vs repository |", "|---|---|" + "---|---|---|" * len(conc) + "---|"]
    for v in results:
        by_c = {r.measurement.concurrency: r.measurement for r in v.runs}
        usage = {r.measurement.concurrency: r.usage for r in v.runs}
        cells = []
        for c in conc:
            m = by_c.get(c)
            cells.append("–|–|–" if m is None else
                         f"{m.throughput:.1f}{_unstable(m, usage[c])} | {m.ms('p50 latency'):.0f} | "
                         f"{m.ms('p95 latency'):.0f}")
        gain = (by_c[8].throughput / base[8] - 1) if 8 in by_c and base.get(8) else None
        lines.append(f"| {v.variant.name} | {v.variant.what} | " + " | ".join(cells)
                     + f" | {'–' if gain is None else f'{gain:+.0%}'} |")
    if plot:
        lines += ["", f"![tuning: throughput vs p95 latency]({plot.name})"]
    lines += ["", "Not tried: a smaller cropper letterbox. The cropper is trained at 256x256 (a new size means "
              "retraining it) and is about a tenth of the model FLOPs per card and a smaller share of the time "
              "(see the main report's per-step table), so it bounds the gain to a few percent."]
    return "\n".join(lines) + "\n"


def plot(results: list[VariantResult], path: Path, title: str) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=110)
    for v in results:
        pts = [(r.measurement.throughput, r.measurement.ms("p95 latency"), r.measurement.concurrency) for r in v.runs]
        if not pts:
            continue
        xs, ys, cs = zip(*pts)
        ax.plot(xs, ys, marker="o", label=v.variant.name)
        for x, y, c in pts:
            ax.annotate(f"c{c}", (x, y), textcoords="offset points", xytext=(3, 3), fontsize=7)
    ax.set_xlabel("throughput (cards/s)")
    ax.set_ylabel("p95 latency (ms)")
    ax.set_yscale("log")
    ax.grid(True, which="both", alpha=0.3)
    ax.set_title(title)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def write(config: BenchConfig, results: list[VariantResult], machine: dict[str, str], beside: list[str]) -> Path:
    from fvi.bench.report import TRITON_HEADER, _triton_row, _write_csv

    _write_csv(config.folder / "tuning.csv", ["variant", *TRITON_HEADER],
               [[v.variant.name, *_triton_row(r)] for v in results for r in v.runs])
    png = plot(results, config.reports / f"{config.name}-tuning.png", f"Tuning on {machine['cores']} cores")
    report = config.reports / f"{config.name}-tuning.md"
    report.write_text(markdown(config, results, machine, beside, png), encoding="utf-8")
    return report
