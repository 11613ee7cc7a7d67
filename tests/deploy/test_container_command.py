"""The commands of the images and compose files, run as written on this machine: the CPU Triton command
(embedded binary, same model repository) becomes ready and reads a card, and so does the gateway
image's command in front of it; the GPU command reads configs/gpu.pbtxt (and, with no GPU here, fails
on exactly that); the health checks pass on a ready server and fail on a missing one."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from fvi.client import FviClient
from fvi.pipeline.runner import MODELS, served_model_path
from fvi.synth.generate import Generator, SynthConfig
from fvi.triton.server import ServerConfig, ServerError, TritonServer
from tests.deploy.conftest import ROOT, compose_config, dockerfile_exec_form, dockerfile_instructions
from tests.integration.test_triton_server import free_ports

#: The versions the committed repository serves (pinned, else the highest).
SERVED = {m: served_model_path(ROOT / "model_repository", m).parent.name for m in MODELS}


class ContainerCommand(TritonServer):
    """tritonserver started with a container's exact arguments. Only what differs between a container
    and this machine is replaced: the binary's path, where /models is, the bundle's backend and cache
    folders, and the ports (free ones, so tests never collide)."""

    def __init__(self, argv: list[str], repo: Path, workdir: Path) -> None:
        http, grpc, metrics = free_ports()
        super().__init__(ServerConfig(repo, http, grpc, metrics, workdir=workdir, ready_timeout_s=90))
        self.argv = argv

    def command(self, bundle: Path) -> list[str]:
        assert self.argv[0] == "tritonserver"
        args = [a.replace("--model-repository=/models", f"--model-repository={self.repository.resolve()}")
                for a in self.argv[1:]]
        assert f"--model-repository={self.repository.resolve()}" in args
        c = self.config
        return [str(bundle / "bin" / "tritonserver"), *args, f"--backend-directory={bundle / 'backends'}",
                f"--cache-directory={bundle / 'caches'}", f"--http-port={c.http_port}",
                f"--grpc-port={c.grpc_port}", f"--metrics-port={c.metrics_port}"]


def copy_repository(target: Path) -> Path:
    """The model repository as the containers mount it: a copy, never the committed one."""
    shutil.copytree(ROOT / "model_repository", target, ignore=shutil.ignore_patterns("__pycache__", "rollouts.jsonl"))
    return target


@pytest.fixture(scope="module")
def cpu_triton(tmp_path_factory):
    work = tmp_path_factory.mktemp("cpu")
    command = compose_config("cpu")["services"]["triton"]["command"]
    with ContainerCommand(command, copy_repository(work / "models"), work / "w") as server:
        yield server


def run_healthcheck(test: list[str], url: str) -> int:
    """A compose/Dockerfile health check (["CMD", "python3", "-c", code]) run here against ``url``."""
    assert test[0] == "CMD" and test[1] in ("python", "python3") and test[2] == "-c"
    code = test[3].replace("127.0.0.1:8000", url).replace("127.0.0.1:8080", url)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=30).returncode


def test_cpu_command_serves_the_repository_and_passes_its_healthcheck(cpu_triton):
    doc = FviClient(cpu_triton.grpc_url).read_bytes(Generator(SynthConfig(seed=31, no_card_rate=0.0)).sample(0).jpeg)
    assert doc["models"] == SERVED and doc["fields"]
    test = compose_config("cpu")["services"]["triton"]["healthcheck"]["test"]
    assert run_healthcheck(test, cpu_triton.http_url) == 0
    assert run_healthcheck(test, f"127.0.0.1:{free_ports(1)[0]}") != 0


def test_gateway_image_command_serves_ocr_in_front_of_it(cpu_triton):
    dockerfile = ROOT / "docker" / "Dockerfile.gateway"
    argv = dockerfile_exec_form(dockerfile, "CMD")
    assert argv[0] == "fvi"
    (port,) = free_ports(1)
    argv = [str(Path(sys.executable).parent / "fvi"), *argv[1:]]
    # The container's settings (FVI_*), with a free port here instead of the image's default 8080.
    env = {**os.environ, "FVI_TRITON_URLS": cpu_triton.grpc_url, "FVI_GATEWAY_PORT": str(port)}
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "the gateway did not become ready"
            time.sleep(0.25)
        photo = Generator(SynthConfig(seed=32, no_card_rate=0.0)).sample(0).jpeg
        r = httpx.post(f"{url}/v1/ocr", files={"image": ("card.jpg", photo)}, timeout=60)
        assert r.status_code == 200 and r.json()["models"] == SERVED
        [check] = [a for w, a in dockerfile_instructions(dockerfile) if w == "HEALTHCHECK"]
        assert run_healthcheck(["CMD", *json.loads(check.split(" CMD ", 1)[1])],
                               f"127.0.0.1:{port}") == 0
    finally:
        proc.terminate()
        proc.wait(20)


def test_gpu_command_reads_the_gpu_configs_of_the_onnx_models_and_config_pbtxt_of_the_others(tmp_path):
    repo = copy_repository(tmp_path / "models")
    server = ContainerCommand(compose_config("gpu")["services"]["triton"]["command"], repo, tmp_path / "w")
    with pytest.raises(ServerError):
        server.start()
    log = server.log_path.read_text(errors="replace")
    refused = {m for m in ("cropper", "cropper_cut", "detector", "reader", "preprocess", "zoom", "warp", "lines",
                           "assemble")
               if f"instance group {m}_0 of model {m} has kind KIND_GPU but no GPUs are available" in log}
    assert refused == {"cropper", "cropper_cut", "detector", "reader"}
    for step in ("preprocess", "zoom", "warp", "lines", "assemble"):
        assert f"successfully loaded '{step}'" in log
