"""CPU and memory of a process tree (tritonserver and its Python-backend stubs) while a benchmark runs."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import psutil


@dataclass
class Usage:
    """What a process tree used over one measured interval."""

    cpu_cores: float  # mean CPU time per wall second (2.0 = both cores of this machine busy)
    memory_mb: float  # peak proportional set size (shared pages split between processes), MB
    processes: int
    other_cores: float = 0.0  # CPU used meanwhile by processes outside this benchmark (they distort it)

    @property
    def disturbed(self) -> bool:
        return self.other_cores > DISTURBED_CORES


#: Other work above this many cores during a measurement marks it as disturbed in the reports (an idle
#: machine reads 0.1-0.25 here: loopback networking and kernel threads; a training job reads 1-2).
DISTURBED_CORES = 0.5


def _busy_seconds() -> float:
    t = psutil.cpu_times()
    return t.user + t.nice + t.system + getattr(t, "irq", 0) + getattr(t, "softirq", 0)


def _tree(root: psutil.Process) -> list[psutil.Process]:
    try:
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _cpu_seconds(procs: list[psutil.Process]) -> float:
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def _pss_mb(procs: list[psutil.Process]) -> float:
    total = 0
    for p in procs:
        try:
            info = p.memory_full_info()
            total += getattr(info, "pss", info.rss)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total / 1e6


class TreeMonitor:
    """``with TreeMonitor(pid) as m: ...`` then ``m.usage``: CPU from the tree's CPU times before and after
    (exact, not sampled), memory sampled every ``interval_s`` (the peak is kept)."""

    def __init__(self, pid: int, interval_s: float = 0.5) -> None:
        self.root = psutil.Process(pid)
        self.interval_s = interval_s
        self.usage: Usage | None = None
        self._stop = threading.Event()
        self._peak = 0.0
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self._peak = max(self._peak, _pss_mb(_tree(self.root)))
            self._stop.wait(self.interval_s)

    def __enter__(self) -> TreeMonitor:
        self._cpu0 = _cpu_seconds(_tree(self.root))
        self._busy0, self._own0 = _busy_seconds(), _cpu_seconds(_tree(psutil.Process()))
        self._t0 = time.perf_counter()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        procs = _tree(self.root)  # Triton's stubs live as long as the server: the same tree as at the start
        cpu = _cpu_seconds(procs) - self._cpu0
        wall = time.perf_counter() - self._t0
        self._peak = max(self._peak, _pss_mb(procs))
        # Everything this benchmark started (server, clients, perf_analyzer) descends from this process.
        other = (_busy_seconds() - self._busy0) - (_cpu_seconds(_tree(psutil.Process())) - self._own0)
        self.usage = Usage(cpu / max(wall, 1e-9), self._peak, len(procs), max(0.0, other / max(wall, 1e-9)))
