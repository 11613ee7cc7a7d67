"""`fvi serve` starts Triton and the gateway and stops both on SIGTERM; `fvi gateway` runs the
gateway alone in front of a running Triton."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx

from fvi.triton.server import port_free
from tests.e2e.conftest import ROOT
from tests.integration.test_triton_server import free_ports


def wait_ready(url: str, proc: subprocess.Popen, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[0]
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} was not ready in {timeout_s} s")


def test_fvi_serve_starts_triton_and_the_gateway_and_sigterm_stops_both(tmp_path, card):
    http, grpc, metrics, gw = free_ports(4)
    proc = subprocess.Popen([sys.executable, "-m", "fvi", "serve", "--repo", str(ROOT / "model_repository"),
                             "--http-port", str(http), "--grpc-port", str(grpc), "--metrics-port", str(metrics)],
                            env={**os.environ, "FVI_TRITON_HOME": str(tmp_path / "w"), "FVI_GATEWAY_PORT": str(gw)},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_ready(f"http://127.0.0.1:{gw}", proc)
        r = httpx.post(f"http://127.0.0.1:{gw}/v1/ocr", files={"image": ("c.jpg", card.jpeg)}, timeout=60)
        assert r.status_code == 200 and r.json()["card_type"] == "cccd_chip"
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert f"Gateway ready: http://127.0.0.1:{gw}" in out and f"gRPC 127.0.0.1:{grpc}" in out
    assert "Gateway stopped." in out and "Triton stopped." in out
    assert all(port_free(p) for p in (http, grpc, metrics, gw))


def test_fvi_gateway_runs_alone_in_front_of_a_running_triton(triton):
    (port,) = free_ports(1)
    proc = subprocess.Popen([sys.executable, "-m", "fvi", "gateway", "--triton-url", triton.grpc_url,
                             "--port", str(port), "--host", "127.0.0.1"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_ready(f"http://127.0.0.1:{port}", proc, 60)
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert f"Triton: {triton.grpc_url}" in out and "Gateway stopped." in out
