"""Zero-downtime model versions: under steady load on the HTTP gateway, publish, roll out and roll
back a reader version with no failed request and responses switching versions; a version that fails
to load leaves the old one serving. A real tritonserver in EXPLICIT mode on a copy of the repository."""

import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from fvi.synth.generate import Generator, SynthConfig
from fvi.triton import model_config as mc
from fvi.triton import rollout
from fvi.triton.server import ServerConfig, TritonServer
from fvi.triton.versions import configured_version, version_numbers
from gateway import GatewayServer, Settings
from tests.integration.test_triton_server import free_ports

ROOT = Path(__file__).parents[2]
V1 = ROOT / "model_repository" / "reader" / "1" / "model.onnx"
EVAL = ROOT / "perf" / "reports" / "eval-v1.json"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    work = tmp_path_factory.mktemp("rollout")
    repo = work / "repo"
    shutil.copytree(ROOT / "model_repository", repo, ignore=shutil.ignore_patterns("__pycache__", "rollouts.jsonl"))
    http, grpc, metrics = free_ports()
    config = ServerConfig(repo, http, grpc, metrics, model_control_mode="explicit", load_models=["fvi", "cropper_cut"],
                          workdir=work / "w")
    (port,) = free_ports(1)
    settings = Settings(triton_urls=[f"127.0.0.1:{grpc}"], gateway_host="127.0.0.1", gateway_port=port)
    with TritonServer(config) as server, GatewayServer(settings) as gateway:
        yield server, repo, gateway.url


@pytest.fixture(scope="module")
def photos():
    gen = Generator(SynthConfig(seed=707, no_card_rate=0.0))
    return [gen.sample(i).jpeg for i in range(6)]


@dataclass
class Reply:
    started: float
    ended: float
    reader: str | None = None
    error: str | None = None


class SteadyLoad:
    """POST /v1/ocr from ``concurrency`` clients, each sending its next request when the last returns,
    until ``stop()`` and at least ``minimum`` requests (so that a fast machine does not finish before
    the switches do); every reply is kept."""

    def __init__(self, gateway: str, photos: list[bytes], minimum: int, concurrency: int) -> None:
        self.gateway, self.photos, self.minimum = gateway, photos, minimum
        self.replies: list[Reply] = []
        self.lock = threading.Lock()
        self.sent = 0
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._client, daemon=True) for _ in range(concurrency)]

    def _next(self) -> int | None:
        with self.lock:
            if self.stopping.is_set() and self.sent >= self.minimum:
                return None
            self.sent += 1
            return self.sent

    def _client(self) -> None:
        with httpx.Client(base_url=self.gateway, timeout=60) as client:
            while (i := self._next()) is not None:
                reply = Reply(time.monotonic(), 0.0)
                try:
                    r = client.post("/v1/ocr", files={"image": ("card.jpg", self.photos[i % len(self.photos)])})
                    if r.status_code == 200:
                        reply.reader = r.json()["models"]["reader"]
                    else:
                        reply.error = f"{r.status_code} {r.text[:200]}"
                except Exception as exc:  # every failure is counted, none is raised here
                    reply.error = repr(exc)
                reply.ended = time.monotonic()
                with self.lock:
                    self.replies.append(reply)

    def start(self) -> "SteadyLoad":
        for t in self.threads:
            t.start()
        return self

    def wait(self, condition, timeout: float = 120.0) -> float:
        deadline = time.monotonic() + timeout
        while not condition(list(self.replies)):
            assert time.monotonic() < deadline, "the condition was not met in time"
            time.sleep(0.05)
        return time.monotonic()

    def stop(self) -> list[Reply]:
        """Let the clients finish (at least ``minimum`` requests in all); the replies by end time."""
        self.stopping.set()
        for t in self.threads:
            t.join(180)
        return sorted(self.replies, key=lambda r: r.ended)


def fvi_models(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fvi", "models", *args], capture_output=True, text=True, timeout=120)


def test_publish_rollout_and_rollback_under_steady_load_fail_no_request(served, photos):
    server, repo, gateway = served
    url = ["--url", server.grpc_url, "--repo", str(repo)]
    old = str(configured_version(repo / "reader"))  # what the committed repository serves
    new = str(max(version_numbers(repo / "reader")) + 1)
    load = SteadyLoad(gateway, photos, minimum=300, concurrency=4).start()
    load.wait(lambda r: len(r) >= 30)
    published = fvi_models("publish", "reader", "--onnx", str(V1), "--repo", str(repo), "--eval-report", str(EVAL))
    assert published.returncode == 0, published.stderr
    after_publish = time.monotonic()
    load.wait(lambda r: len(r) >= 70)
    rollout_started = time.monotonic()
    switched = fvi_models("rollout", "reader", "--version", new, *url)
    assert switched.returncode == 0, switched.stderr
    rolled_out = time.monotonic()
    load.wait(lambda r: sum(x.reader == new and x.started > rolled_out for x in r) >= 40)
    rollback_started = time.monotonic()
    back = fvi_models("rollback", "reader", *url)
    assert back.returncode == 0, back.stderr
    rolled_back = time.monotonic()
    load.wait(lambda r: sum(x.started > rolled_back for x in r) >= 20)
    replies = load.stop()

    assert len(replies) >= 300 and [r.error for r in replies if r.error] == []
    published_only = [r.reader for r in replies if after_publish < r.started and r.ended < rollout_started]
    on_v2 = [r.reader for r in replies if rolled_out < r.started and r.ended < rollback_started]
    after = [r.reader for r in replies if r.started > rolled_back]
    assert published_only and set(published_only) == {old}  # publishing changes nothing that serves
    assert len(on_v2) >= 40 and set(on_v2) == {new}
    assert after and set(after) == {old}
    assert replies[0].reader == old and replies[-1].reader == old
    latency = sorted(r.ended - r.started for r in replies)
    during = [r.ended - r.started for r in replies if r.ended > rollout_started and r.started < rolled_out
              or r.ended > rollback_started and r.started < rolled_back]
    print(f"\nrollout {rolled_out - rollout_started:.1f} s, rollback {rolled_back - rollback_started:.1f} s "
          f"(CLI included); {len(replies)} requests, 0 failed; latency median {latency[len(latency) // 2]:.3f} s, "
          f"max {latency[-1]:.3f} s; during the switches max {max(during):.3f} s over {len(during)} requests; "
          f"{switched.stderr.strip()} / {back.stderr.strip()}")

    assert mc.pinned_versions(mc.read(repo / "reader" / "config.pbtxt")) == [int(old)]
    assert [h["action"] for h in rollout.history(repo / "reader")] == ["publish", "rollout", "rollback"]
    status = fvi_models("status", *url)
    assert status.returncode == 0, status.stderr
    reader = next(line for line in status.stdout.splitlines() if line.startswith("reader"))
    on_disk = " ".join(f"v{v}" for v in version_numbers(repo / "reader"))
    assert reader.split()[:3] == ["reader", f"v{old}", f"v{old}"] and on_disk in reader
    assert f"rollback v{new} -> v{old}" in reader


def test_a_version_that_fails_to_load_leaves_the_old_one_serving(served, photos):
    server, repo, gateway = served
    # `fvi models publish` refuses such a file, so it is put there by hand (a broken copy, a bad disk).
    corrupt = repo / "reader" / "9"
    corrupt.mkdir()
    (corrupt / "model.onnx").write_bytes(b"\x08\x07 truncated onnx")
    serving = rollout.serving_version(server.grpc_url, "reader")
    pinned = mc.pinned_versions(mc.read(repo / "reader" / "config.pbtxt"))
    load = SteadyLoad(gateway, photos, minimum=40, concurrency=2).start()
    load.wait(lambda r: len(r) >= 5)
    failed = fvi_models("rollout", "reader", "--version", "9", "--url", server.grpc_url, "--repo", str(repo))
    replies = load.stop()
    message = " ".join(failed.stderr.split())
    assert failed.returncode == 1 and "could not load reader v9" in message and "still serving" in message
    assert "Traceback" not in failed.stderr
    assert [r.error for r in replies if r.error] == [] and {r.reader for r in replies} == {str(serving)}
    assert rollout.serving_version(server.grpc_url, "reader") == serving
    assert mc.pinned_versions(mc.read(repo / "reader" / "config.pbtxt")) == pinned
    assert all(h.get("to") != 9 for h in rollout.history(repo / "reader"))
