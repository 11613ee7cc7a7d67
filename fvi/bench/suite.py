"""`fvi bench`: Triton (perf_analyzer), its baselines and the compute floor, measured in one run on the same
generated photos; writes CSV files and a markdown report with a plot."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import psutil

from fvi.bench import analyzer, baselines, floor, inputs
from fvi.bench.analyzer import Measurement
from fvi.bench.baselines import RunResult
from fvi.bench.monitor import TreeMonitor, Usage
from fvi.pipeline.runner import MODELS, served_model_path
from fvi.triton.server import free_ports

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class BenchConfig:
    """What one `fvi bench` run measures, and where it writes."""

    name: str = "cpu-2core"  # perf/out/<name>/ (CSV, raw perf_analyzer output) and perf/reports/<name>.md
    command: str = "fvi bench"  # how this run was started, for the report
    repo: Path = Path("model_repository")
    weights: Path = Path("weights")  # published PyTorch weights, for the naive baseline
    out: Path = Path("perf/out")
    reports: Path = Path("perf/reports")
    config_name: str = ""  # Triton --model-config-name: measure <model>/configs/<name>.pbtxt instead
    per_type: int = 4  # photos of each card type and side (6 of them)
    seed: int = 6006
    concurrency: tuple[int, ...] = (1, 2, 4, 8, 16)
    batches: tuple[int, ...] = (1, 8, 16)
    ensemble_window: int = 24  # requests per perf_analyzer window (3+ windows per level), at least 4 per client
    model_window: int = 24  # requests per window, models alone
    client_requests: int = 96  # requests of the Python-client runs (Triton direct, gateway)
    baseline_requests: int = 48  # photos read by each in-process baseline
    client_concurrency: int = 8  # Python clients of Triton and of the gateway
    gateway: bool = True  # also measure the HTTP gateway (gateway/app.py), when it is in this checkout
    tesseract_lines: int = 120
    peak_seconds: float = 2.0

    @property
    def folder(self) -> Path:
        return self.out / self.name

    def quick(self) -> BenchConfig:
        """The same run, small: checks that every part works in about two minutes (figures are rough)."""
        return replace(self, per_type=1, concurrency=(1, 8), batches=(1, 8), ensemble_window=8, model_window=8,
                       client_requests=24, baseline_requests=6, tesseract_lines=20, peak_seconds=0.5)


@dataclass
class TritonRun:
    """One perf_analyzer measurement with what the server used meanwhile."""

    measurement: Measurement
    usage: Usage | None


@dataclass
class BenchResults:
    config: BenchConfig
    machine: dict[str, str]
    beside: list[str]  # other busy processes seen during the run (a training job distorts the figures)
    lines_per_card: float
    reader_width: int
    ensemble: list[TritonRun] = field(default_factory=list)
    models: list[TritonRun] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    baselines: list[RunResult] = field(default_factory=list)
    tesseract: dict[str, dict] = field(default_factory=dict)
    flops: dict[str, float] = field(default_factory=dict)  # per card (reader: all its lines)
    peak_gflops: dict[int, float] = field(default_factory=dict)  # threads -> GFLOP/s
    gaps: list[str] = field(default_factory=list)
    gateway_cpu_ms: float | None = None  # the gateway process's CPU per request
    wall_s: float = 0.0


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict[str, str]:
    from importlib.metadata import version

    import onnxruntime
    import torch

    from fvi import __version__

    try:
        server = f"Triton Inference Server 2.51.0 (nvidia-pytriton {version('nvidia-pytriton')} bundle)"
    except Exception:
        server = "unknown"
    tess = subprocess.run(["tesseract", "--version"], capture_output=True, text=True)
    return {
        "cpu": cpu_model(),
        "cores": str(os.cpu_count()),
        "memory": f"{psutil.virtual_memory().total / 2**30:.0f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        "server": server,
        "perf_analyzer": f"tritonclient {version('tritonclient')}",
        "onnxruntime": onnxruntime.__version__,
        "torch": torch.__version__,
        "tesseract": (tess.stdout or tess.stderr).splitlines()[0] if tess.returncode == 0 else "not installed",
        "fvi": __version__,
        "git": _git_state(),
        "models": ", ".join(f"{m} v{served_model_path(ROOT / 'model_repository', m).parent.name}" for m in MODELS),
    }


def _git_state() -> str:
    """The commit measured, and whether the code or the model repository had uncommitted changes."""
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "fvi", "model_repository"],
                           capture_output=True, text=True).stdout.strip()
    return (head.stdout.strip() or "unknown") + (" + uncommitted changes" if dirty else "")


def busy_processes(min_cores: float = 0.3, sample_s: float = 1.0) -> list[str]:
    """Processes outside this run using more than ``min_cores`` (e.g. a training job)."""
    mine = {os.getpid(), *(p.pid for p in psutil.Process().children(recursive=True))}
    procs = [p for p in psutil.process_iter(["pid", "cmdline"]) if p.pid not in mine]
    for p in procs:
        try:
            p.cpu_percent(None)
        except psutil.Error:
            pass
    time.sleep(sample_s)
    found = []
    for p in procs:
        try:
            cores = p.cpu_percent(None) / 100
            if cores >= min_cores:
                found.append(f"pid {p.pid} `{' '.join(p.info['cmdline'] or [])[:100]}`")
        except psutil.Error:
            pass
    return found


def max_batch_sizes(repo: Path, config_name: str = "") -> dict[str, int]:
    from fvi.triton.model_config import read, served_config

    return {m: read(served_config(repo / m, config_name)).max_batch_size for m in MODELS}


class Gateway:
    """The HTTP gateway (gateway/app.py) in its own uvicorn process, in front of one Triton server."""

    def __init__(self, grpc_url: str, log: Path) -> None:
        self.port = free_ports(1)[0]
        env = dict(os.environ, FVI_TRITON_URLS=grpc_url, FVI_LOG_LEVEL="warning")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "gateway.app:create_app", "--factory", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning", "--no-access-log"],
            cwd=ROOT, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the gateway exited while starting (log: {log})")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/readyz", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"the gateway was not ready after 60 s (log: {log})")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/ocr"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def gateway_available() -> bool:
    return (ROOT / "gateway" / "app.py").is_file()


def run_bench(config: BenchConfig, say: Callable[[str], None] = print) -> BenchResults:
    """Every measurement of one `fvi bench` run (see the module docstring); returns the results."""
    from fvi.triton.server import ServerConfig, TritonServer

    t_start = time.perf_counter()
    folder = config.folder
    folder.mkdir(parents=True, exist_ok=True)
    say("machine and load beside this run")
    beside = busy_processes()
    data = folder / "photos"
    photos = inputs.make_photos(data, config.per_type, config.seed)
    per_model = inputs.model_entries(data)
    files = {"fvi": inputs.write_input_data(folder / "inputs" / "fvi.json", inputs.ensemble_entries(photos))}
    for m, entries in per_model.items():
        files[m] = inputs.write_input_data(folder / "inputs" / f"{m}.json", entries)
    results = BenchResults(config, machine(), beside, inputs.lines_per_card(data),
                           per_model["reader"][0]["image"]["shape"][-1])
    say(f"{len(photos)} photos, {results.lines_per_card:.1f} lines per card")
    _floor(results)
    _in_process(results, data, say)
    _tesseract(results, data, say)

    http, grpc, metrics = free_ports(3)
    server = TritonServer(ServerConfig(config.repo, http, grpc, metrics, config_name=config.config_name,
                                       workdir=folder / "triton"))
    say("starting Triton")
    server.start()
    try:
        _perf_analyzer(results, server, files, say)
        _clients(results, server, [p.read_bytes() for p in photos], say)
    finally:
        server.stop()
    results.beside = sorted(set(beside) | set(busy_processes()))
    results.wall_s = time.perf_counter() - t_start
    return results


def _floor(results: BenchResults) -> None:
    config, w = results.config, results.reader_width
    # Per card: the models every photo runs (cropper_cut only answers for cards at the photo's frame).
    results.flops = {
        "cropper": floor.model_flops(served_model_path(config.repo, "cropper"), (1, 3, 256, 256)),
        "detector": floor.model_flops(served_model_path(config.repo, "detector"), (1, 3, 320, 512)),
        # A card's lines are one batch padded to one width: count that padded batch, at the mean line count.
        "reader": results.lines_per_card * floor.model_flops(served_model_path(config.repo, "reader"), (1, 1, 32, w)),
    }
    results.peak_gflops = {t: floor.cpu_peak_gflops(t, seconds=config.peak_seconds) for t in (1, 2)}


def _in_process(results: BenchResults, data: Path, say: Callable[[str], None]) -> None:
    config = results.config
    for kind, threads in (("torch", 1), ("torch", 2), ("onnxruntime", 1), ("onnxruntime", 2)):
        say(f"baseline: {kind} in process, {threads} thread(s)")
        results.baselines.append(baselines.run_in_process(kind, config.repo, data, config.baseline_requests,
                                                          threads, config.weights, config.config_name))


def _tesseract(results: BenchResults, data: Path, say: Callable[[str], None]) -> None:
    from fvi.evaluate import tesseract_baseline
    from fvi.pipeline.runner import Pipeline

    if not results.machine["tesseract"].startswith("tesseract"):
        results.gaps.append("Tesseract not measured: not installed (scripts/install-system-deps.sh)")
        return
    say("baseline: Tesseract 5 (vie) and the reader on the same line crops")
    pipeline = Pipeline(results.config.repo, threads=1)
    for one_process in (False, True):
        key = "one process" if one_process else "process per line"
        results.tesseract[key] = tesseract_baseline(data, pipeline, results.config.tesseract_lines, one_process)


def _perf_analyzer(results: BenchResults, server, files: dict[str, Path], say: Callable[[str], None]) -> None:
    config, folder = results.config, results.config.folder
    limits = max_batch_sizes(config.repo, config.config_name)
    for m in MODELS:
        for b in config.batches:
            if b > limits[m]:
                results.skipped.append(f"{m} batch {b}: over its max_batch_size {limits[m]}")
                continue
            say(f"perf_analyzer: {m}, batch {b}")
            results.models.append(_measure(server, m, files[m], folder / "pa" / f"{m}-b{b}.csv", batch=b,
                                           window=config.model_window))
    for c in config.concurrency:
        say(f"perf_analyzer: fvi ensemble, concurrency {c}")
        results.ensemble.append(_measure(server, "fvi", files["fvi"], folder / "pa" / f"fvi-c{c}.csv",
                                         concurrency=c, window=max(config.ensemble_window, 4 * c)))


def _clients(results: BenchResults, server, jpegs: list[bytes], say: Callable[[str], None]) -> None:
    """The same closed loop of Python clients against Triton (gRPC) and against the gateway (HTTP)."""
    config = results.config
    n, c = config.client_requests, config.client_concurrency
    say(f"Python gRPC clients of Triton, concurrency {c}")
    with TreeMonitor(server.process.pid) as triton_use:
        run = baselines.closed_loop(baselines.triton_sender(server.grpc_url), jpegs, c, n,
                                    "Triton ensemble, Python gRPC clients")
    results.baselines.append(_served(run, triton_use.usage))
    if not config.gateway:
        results.gaps.append("gateway not measured (--no-gateway)")
        return
    if not gateway_available():
        results.gaps.append("gateway not measured: gateway/app.py is not in this checkout yet")
        return
    say(f"HTTP gateway, concurrency {c}")
    try:
        gateway = Gateway(server.grpc_url, config.folder / "gateway.log")
    except RuntimeError as exc:
        results.gaps.append(f"gateway not measured: {exc}")
        return
    try:
        with TreeMonitor(server.process.pid) as triton_use, TreeMonitor(gateway.process.pid) as gateway_use:
            run = baselines.closed_loop(baselines.gateway_sender(gateway.url), jpegs, c, n,
                                        "HTTP gateway -> Triton, Python HTTP clients")
        results.baselines.append(_served(run, triton_use.usage, gateway_use.usage))
        results.gateway_cpu_ms = 1000 * gateway_use.usage.cpu_cores / run.throughput
    finally:
        gateway.stop()


def _served(run: RunResult, *usages: Usage) -> RunResult:
    """A client-side run with the CPU and memory of the serving processes (Triton, and the gateway)."""
    return replace(run, cpu_cores=sum(u.cpu_cores for u in usages), memory_mb=sum(u.memory_mb for u in usages))


def _measure(server, model: str, data: Path, csv_path: Path, *, batch: int = 1, concurrency: int = 1,
             window: int) -> TritonRun:
    with TreeMonitor(server.process.pid) as monitor:
        m = analyzer.run(model, server.grpc_url, data, csv_path, batch=batch, concurrency=concurrency,
                         window_requests=window)
    return TritonRun(m, monitor.usage)


def achieved_vs_floor(results: BenchResults) -> tuple[float, float, float]:
    """(floor cards/s at the 2-thread peak, best ensemble cards/s, achieved / floor)."""
    per_card = sum(results.flops.values())
    floor_rate = results.peak_gflops[2] * 1e9 / per_card
    best = max((r.measurement.throughput for r in results.ensemble), default=0.0)
    return floor_rate, best, best / floor_rate
