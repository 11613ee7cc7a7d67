"""The real tritonserver (nvidia-pytriton bundle) serves the real model repository through FVI's
Python-based onnxruntime backend, identically to onnxruntime in process."""

import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
import tritonclient.grpc as grpcclient

from converters.samples import real_inputs
from fvi.pipeline.runner import served_model_path
from fvi.synth.generate import SynthConfig, generate_dataset
from fvi.triton.server import ServerConfig, ServerError, TritonServer, free_ports, shared_memory_of

ROOT = Path(__file__).parents[2]
MODELS = {"cropper": ("heatmaps", "offsets", "card_logits"), "cropper_cut": ("heatmaps", "offsets", "card_logits"),
          "detector": ("kernels",), "reader": ("logits",)}


def model_repo(tmp_path: Path, models=tuple(MODELS)) -> Path:
    repo = tmp_path / "repo"
    for m in models:
        shutil.copytree(ROOT / "model_repository" / m, repo / m)
    return repo


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    out = tmp_path_factory.mktemp("photos")
    generate_dataset(out, 4, SynthConfig(seed=2024, no_card_rate=0.0))
    return out


def test_each_model_served_by_triton_matches_onnxruntime(tmp_path, photos):
    http, grpc, metrics = free_ports()
    with TritonServer(ServerConfig(model_repo(tmp_path), http, grpc, metrics, workdir=tmp_path / "w")) as server:
        client = grpcclient.InferenceServerClient(server.grpc_url)
        for name, outputs in MODELS.items():
            assert client.is_model_ready(name)
            local = ort.InferenceSession(str(served_model_path(ROOT / "model_repository", name)))
            for x in real_inputs(name, photos)[:2]:
                tensor = grpcclient.InferInput("image", list(x.shape), "FP32")
                tensor.set_data_from_numpy(x)
                result = client.infer(name, [tensor])
                for out, expected in zip(outputs, local.run(list(outputs), {"image": x})):
                    np.testing.assert_allclose(result.as_numpy(out), expected, atol=1e-4)
    assert server.process.poll() is not None  # stopped with the context


def test_a_model_that_fails_to_load_is_named_in_a_clear_error(tmp_path):
    repo = model_repo(tmp_path, ("reader",))
    served_model_path(repo, "reader").write_bytes(b"this is not an onnx file")  # the version that would serve
    http, grpc, metrics = free_ports()
    with pytest.raises(ServerError) as err:
        TritonServer(ServerConfig(repo, http, grpc, metrics, workdir=tmp_path / "w", ready_timeout_s=60)).start()
    assert "reader" in str(err.value)


def test_port_in_use_is_refused_before_starting(tmp_path):
    http, grpc, metrics = free_ports()
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", http))
        busy.listen()
        with pytest.raises(ServerError, match=str(http)):
            TritonServer(ServerConfig(model_repo(tmp_path, ("reader",)), http, grpc, metrics,
                                      workdir=tmp_path / "w")).start()


def test_fvi_serve_runs_until_sigterm_and_leaves_nothing_behind(tmp_path):
    """With an instance count overridden from the command line; after SIGTERM no process and none of
    the server's shared-memory regions remain."""
    http, grpc, metrics = free_ports()
    repo = model_repo(tmp_path, ("reader",))
    proc = subprocess.Popen([sys.executable, "-m", "fvi", "serve", "--repo", str(repo), "--http-port", str(http),
                             "--grpc-port", str(grpc), "--metrics-port", str(metrics), "--instances", "reader=2",
                             "--no-gateway"],  # Triton alone here; tests/e2e/test_cli.py covers the gateway
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**__import__("os").environ, "FVI_TRITON_HOME": str(tmp_path / "w")})
    deadline = time.monotonic() + 120
    ready = False
    while time.monotonic() < deadline and not ready:
        try:
            ready = urllib.request.urlopen(f"http://127.0.0.1:{http}/v2/health/ready", timeout=1).status == 200
        except OSError:
            time.sleep(0.5)
    assert ready
    config = grpcclient.InferenceServerClient(f"127.0.0.1:{grpc}").get_model_config("reader").config
    assert [g.count for g in config.instance_group] == [2]
    assert "count: 1" in (repo / "reader" / "config.pbtxt").read_text()  # the repository is not edited
    pid = int(subprocess.run(["pgrep", "-f", f"tritonserver.*--http-port={http}"], capture_output=True,
                             text=True).stdout.split()[0])
    regions = shared_memory_of(pid)
    assert regions  # the Python-backend stubs talk to the server through /dev/shm
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert "Triton stopped" in out
    leftover = subprocess.run(["pgrep", "-f", f"--http-port={http}"], capture_output=True, text=True).stdout
    assert leftover.strip() == ""
    assert not [r for r in regions if r.exists()]
