"""Baselines measured beside Triton on the same photos: the naive PyTorch way, in-process onnxruntime,
closed-loop clients for Triton and the HTTP gateway, and Tesseract on the same line crops.

In-process baselines run in a child process (``python -m fvi.bench.baselines``) so that their memory and
CPU are theirs alone: ``run_in_process`` starts it and reads its JSON.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from fvi.pipeline.image import decode_image
from fvi.pipeline.runner import MODELS, Pipeline, served_model_path, served_second_read


class TorchPipeline(Pipeline):
    """The same pipeline code with the PyTorch checkpoints run eagerly: "load the checkpoints in the web
    process", the naive way to serve. Only ``run_model`` differs from the onnxruntime pipeline."""

    def __init__(self, repo: Path, weights: Path, threads: int | None = None, second_read: bool = True) -> None:
        import torch

        from converters.onnx_export import load_weights

        if threads:
            torch.set_num_threads(threads)
        self.versions = {m: served_model_path(repo, m).parent.name for m in MODELS}
        self.second_read = second_read
        # The published fp16 weights of each served version (the ONNX graphs were exported from them).
        self.models = {m: load_weights(m, weights / m / f"v{v}.pt") for m, v in self.versions.items()}

    def run_model(self, model: str, x: np.ndarray) -> list[np.ndarray]:
        import torch

        with torch.inference_mode():
            out = self.models[model](torch.from_numpy(x))
        return [o.numpy() for o in (out if isinstance(out, tuple) else (out,))]


@dataclass
class RunResult:
    """One baseline: latencies of every request (ms), throughput and what the process used."""

    name: str
    requests: int
    concurrency: int
    throughput: float  # photos per second
    p50_ms: float
    p95_ms: float
    p99_ms: float
    cpu_cores: float | None = None  # CPU seconds per wall second of the measured process
    memory_mb: float | None = None  # its peak resident memory
    texts: list[dict[str, str | None]] | None = None  # field texts read from each photo (in-process runs)

    @classmethod
    def from_latencies(cls, name: str, latencies_ms: list[float], wall_s: float, concurrency: int = 1,
                       **extra) -> RunResult:
        p50, p95, p99 = np.percentile(latencies_ms, [50, 95, 99])
        return cls(name, len(latencies_ms), concurrency, len(latencies_ms) / wall_s, float(p50), float(p95),
                   float(p99), **extra)


def sequential(read: Callable[[bytes], dict], photos: list[bytes], requests: int, name: str) -> RunResult:
    """One photo after another, bytes in: decoding is part of the work, as in the server."""
    for data in photos[:2]:  # warm-up (first-call allocations, lazy imports)
        read(data)
    cpu0, t0 = time.process_time(), time.perf_counter()
    latencies, texts = [], {}
    for i in range(requests):
        s = time.perf_counter()
        doc = read(photos[i % len(photos)])
        latencies.append(1000 * (time.perf_counter() - s))
        texts[i % len(photos)] = {k: f["text"] for k, f in doc["fields"].items()}
    wall = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return RunResult.from_latencies(name, latencies, wall, cpu_cores=(time.process_time() - cpu0) / wall,
                                    memory_mb=peak_mb, texts=[texts[i] for i in sorted(texts)])


def closed_loop(make_sender: Callable[[], Callable[[bytes], object]], photos: list[bytes], concurrency: int,
                requests: int, name: str) -> RunResult:
    """``concurrency`` threads, each with its own connection, each sending its next photo when the previous
    answer arrives (what perf_analyzer's concurrency mode does), ``requests`` in all."""
    senders = [make_sender() for _ in range(concurrency)]
    for send in senders:
        send(photos[0])  # connect and warm up
    latencies: list[float] = []
    errors: list[BaseException] = []
    counter = iter(range(requests))
    lock = threading.Lock()

    def worker(send: Callable[[bytes], object]) -> None:
        while True:
            with lock:
                i = next(counter, None)
            if i is None or errors:
                return
            s = time.perf_counter()
            try:
                send(photos[i % len(photos)])
            except BaseException as exc:  # reported below, after the threads are joined
                errors.append(exc)
                return
            with lock:
                latencies.append(1000 * (time.perf_counter() - s))

    threads = [threading.Thread(target=worker, args=(send,)) for send in senders]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"{name}: a request failed: {errors[0]}") from errors[0]
    return RunResult.from_latencies(name, latencies, time.perf_counter() - t0, concurrency)


def triton_sender(grpc_url: str) -> Callable[[], Callable[[bytes], object]]:
    """A gRPC client of the `fvi` model per thread (Python tritonclient, as the gateway uses)."""
    def make() -> Callable[[bytes], object]:
        import tritonclient.grpc as grpcclient

        client = grpcclient.InferenceServerClient(grpc_url)

        def send(data: bytes) -> object:
            arr = np.frombuffer(data, np.uint8)
            tensor = grpcclient.InferInput("image", [len(arr)], "UINT8")
            tensor.set_data_from_numpy(arr)
            return client.infer("fvi", [tensor]).as_numpy("result")[0]
        return send
    return make


def gateway_sender(url: str) -> Callable[[], Callable[[bytes], object]]:
    """An HTTP/1.1 keep-alive client per thread posting each photo to ``url`` as multipart field `image`."""
    from http.client import HTTPConnection
    from urllib.parse import urlsplit

    parts = urlsplit(url)

    def make() -> Callable[[bytes], object]:
        conn = HTTPConnection(parts.hostname, parts.port, timeout=60)
        boundary = "fvi-bench-boundary"
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"card.jpg\"\r\n"
                "Content-Type: image/jpeg\r\n\r\n").encode()
        tail = f"\r\n--{boundary}--\r\n".encode()

        def send(data: bytes) -> object:
            conn.request("POST", parts.path, body=head + data + tail,
                         headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
            response = conn.getresponse()
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"gateway answered {response.status}: {body[:200]!r}")
            return body
        return send
    return make


# ---- in-process baselines, each in its own child process -------------------------------------------------

def run_in_process(kind: str, repo: Path, photos_dir: Path, requests: int, threads: int,
                   weights: Path = Path("weights"), config_name: str = "") -> RunResult:
    """Run an in-process baseline (``torch`` or ``onnxruntime``) in a child process, reading as the served
    configs (``config_name``) read; its measured result."""
    cmd = [sys.executable, "-m", "fvi.bench.baselines", kind, "--repo", str(repo), "--photos", str(photos_dir),
           "--requests", str(requests), "--threads", str(threads), "--weights", str(weights),
           "--config-name", config_name]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{kind} baseline failed:\n{done.stderr[-2000:]}")
    return RunResult(**json.loads(done.stdout.strip().splitlines()[-1]))


def _child(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="one in-process baseline, printed as JSON")
    parser.add_argument("kind", choices=["torch", "onnxruntime"])
    parser.add_argument("--repo", type=Path, required=True)
    parser.add_argument("--photos", type=Path, required=True)
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--weights", type=Path, required=True)
    parser.add_argument("--config-name", default="")
    args = parser.parse_args(argv)
    threads = f"{args.threads} thread{'s' if args.threads > 1 else ''}"
    second_read = served_second_read(args.repo, args.config_name)
    if args.kind == "torch":
        pipeline: Pipeline = TorchPipeline(args.repo, args.weights, args.threads, second_read)
        name = f"PyTorch eager, in process ({threads})"
    else:
        pipeline = Pipeline(args.repo, threads=args.threads, second_read=second_read)
        name = f"onnxruntime, in process ({threads})"
    photos = [p.read_bytes() for p in sorted((args.photos / "images").iterdir())]
    result = sequential(lambda data: pipeline.read_json(decode_image(data)), photos, args.requests, name)
    print(json.dumps(asdict(result)))


if __name__ == "__main__":
    _child()


def agreement(a: RunResult, b: RunResult) -> tuple[int, int]:
    """(fields read alike, fields) between two in-process runs over the same photos."""
    same = total = 0
    for x, y in zip(a.texts or [], b.texts or []):
        for key in set(x) | set(y):
            total += 1
            same += x.get(key) == y.get(key)
    return same, total
