"""Run Triton's perf_analyzer (the binary in tritonclient 2.50) and read what it measured."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

#: perf_analyzer's CSV (with --verbose-csv): client-side figures, then the server-side split, in microseconds.
CSV_COLUMNS = ("Concurrency", "Inferences/Second", "Client Send", "Network+Server Send/Recv", "Server Queue",
               "Server Compute Input", "Server Compute Infer", "Server Compute Output", "Client Recv",
               "p50 latency", "p90 latency", "p95 latency", "p99 latency", "Avg latency")

_STEP = re.compile(r"^\s+(\w+), version: (\S+)\s*$")
_COUNT = re.compile(r"^\s+(Inference|Execution) count: (\d+)")
_LATENCY = re.compile(r"Avg request latency: (\d+) usec \(overhead (\d+) usec \+ queue (\d+) usec \+ "
                      r"compute input (\d+) usec \+ compute infer (\d+) usec \+ compute output (\d+) usec\)")


class AnalyzerError(RuntimeError):
    """perf_analyzer is missing, cannot start, or failed a measurement; the message says why."""


@dataclass
class StepStats:
    """Server-side figures of one model inside an ensemble (perf_analyzer's per-composing-model lines)."""

    model: str
    inferences: int = 0
    executions: int = 0
    queue_us: float = 0.0
    compute_us: float = 0.0  # input + infer + output
    latency_us: float = 0.0


@dataclass
class Measurement:
    """One perf_analyzer run: a model at one batch size and concurrency."""

    model: str
    batch: int
    concurrency: int
    row: dict[str, float]  # the CSV row, CSV_COLUMNS as keys (latencies in us)
    steps: list[StepStats] = field(default_factory=list)
    stable: bool = True  # three windows agreed within the stability threshold

    @property
    def throughput(self) -> float:
        """Inferences per second (for a batched model: batch elements, e.g. lines, per second)."""
        return self.row["Inferences/Second"]

    def ms(self, column: str) -> float:
        return self.row[column] / 1000.0


def binary() -> Path:
    """The perf_analyzer executable installed with tritonclient[all] (the `perf` extra)."""
    found = Path(sys.executable).parent / "perf_analyzer"
    if found.exists():
        return found
    other = shutil.which("perf_analyzer")
    if other:
        return Path(other)
    raise AnalyzerError("perf_analyzer not found: pip install -e '.[perf]' (tritonclient[all]==2.50.0)")


def environment() -> dict[str, str]:
    """perf_analyzer links libcudart.so.12 even on CPU: point it at the one from nvidia-cuda-runtime-cu12."""
    env = dict(os.environ)
    try:
        import nvidia.cuda_runtime

        lib = Path(list(nvidia.cuda_runtime.__path__)[0]) / "lib"
        env["LD_LIBRARY_PATH"] = os.pathsep.join(filter(None, [str(lib), env.get("LD_LIBRARY_PATH", "")]))
    except ImportError:
        pass
    return env


def run(model: str, grpc_url: str, input_data: Path, csv_path: Path, *, batch: int = 1, concurrency: int = 1,
        window_requests: int = 30, stability: float = 20.0, max_trials: int = 6,
        timeout_s: float = 300.0) -> Measurement:
    """Measure ``model`` at ``concurrency`` over gRPC with real input data, ``batch`` elements per request.

    perf_analyzer's count windows (at least ``window_requests`` requests each) until three in a row agree
    within ``stability`` percent, then the three are merged. If they never agree within ``max_trials``
    windows (a busy machine), the measurement is taken again accepting any three windows and marked
    unstable, so a run always ends with a figure, in bounded time. (Its --request-count mode is not used:
    it divides by whole seconds, which overstates short runs.)
    """
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    base = [str(binary()), "-m", model, "-u", grpc_url, "-i", "grpc", "--input-data", str(input_data),
            "-b", str(batch), "--concurrency-range", str(concurrency), "--measurement-mode", "count_windows",
            "--measurement-request-count", str(window_requests), "-r", str(max_trials),
            "-f", str(csv_path), "--verbose-csv"]
    stable = True
    done = _call(base + ["-s", f"{stability:g}"], model, timeout_s)
    if done.returncode != 0 and "stable measurement" in done.stdout + done.stderr:
        stable = False
        done = _call(base + ["-s", "1000"], model, timeout_s)
    csv_path.with_suffix(".log").write_text(done.stdout + done.stderr, encoding="utf-8")
    if done.returncode != 0 or not csv_path.exists():
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-8:])
        raise AnalyzerError(f"perf_analyzer on {model} (b={batch}, c={concurrency}) failed:\n{tail}")
    return Measurement(model, batch, concurrency, read_csv(csv_path)[0], parse_steps(done.stdout), stable)


def _call(cmd: list[str], model: str, timeout_s: float) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(cmd, env=environment(), capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired as exc:
        raise AnalyzerError(f"perf_analyzer on {model} ran over {timeout_s:.0f} s") from exc
    except OSError as exc:
        raise AnalyzerError(f"perf_analyzer could not start ({exc}); it needs libb64-0d "
                            "(scripts/install-system-deps.sh)") from exc


def read_csv(path: Path) -> list[dict[str, float]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return [{k: float(v) for k, v in row.items() if k in CSV_COLUMNS and v not in ("", None)}
                for row in csv.DictReader(fh)]


def parse_steps(stdout: str) -> list[StepStats]:
    """The per-model server figures perf_analyzer prints for an ensemble's composing models."""
    steps: list[StepStats] = []
    in_composing = False
    for line in stdout.splitlines():
        if "Composing models:" in line:
            in_composing = True
            continue
        if not in_composing:
            continue
        if m := _STEP.match(line):
            steps.append(StepStats(m.group(1)))
        elif steps and (m := _COUNT.match(line)):
            setattr(steps[-1], "inferences" if m.group(1) == "Inference" else "executions", int(m.group(2)))
        elif steps and (m := _LATENCY.search(line)):
            total, _, queue, c_in, c_infer, c_out = (float(v) for v in m.groups())
            steps[-1].latency_us, steps[-1].queue_us, steps[-1].compute_us = total, queue, c_in + c_infer + c_out
    return steps
