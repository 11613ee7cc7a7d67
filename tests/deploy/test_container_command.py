"""The Triton command of the images and compose files, run as written against the embedded binary on
the same model repository: the CPU one becomes ready and reads a card; the GPU one reads
configs/gpu.pbtxt (and, with no GPU here, fails on exactly that)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fvi.client import FviClient
from fvi.synth.generate import Generator, SynthConfig
from fvi.triton.server import ServerConfig, ServerError, TritonServer
from tests.deploy.conftest import ROOT, compose_config
from tests.integration.test_triton_server import free_ports


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


@pytest.fixture
def repo(tmp_path):
    """The model repository as the containers mount it: a copy, never the committed one."""
    shutil.copytree(ROOT / "model_repository", tmp_path / "models", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path / "models"


def test_cpu_command_serves_the_repository_and_passes_its_healthcheck(repo, tmp_path):
    triton = compose_config("cpu")["services"]["triton"]
    with ContainerCommand(triton["command"], repo, tmp_path / "w") as server:
        doc = FviClient(server.grpc_url).read_bytes(Generator(SynthConfig(seed=31, no_card_rate=0.0)).sample(0).jpeg)
        assert doc["models"] == {"cropper": "1", "detector": "1", "reader": "1"} and doc["fields"]
        check = triton["healthcheck"]["test"]
        assert check[:2] == ["CMD", "python3"]
        code = check[-1].replace("127.0.0.1:8000", server.http_url)
        assert subprocess.run([sys.executable, *check[2:-1], code], timeout=30).returncode == 0
    code = check[-1].replace("127.0.0.1:8000", server.http_url)
    assert subprocess.run([sys.executable, *check[2:-1], code], capture_output=True, timeout=30).returncode != 0


def test_gpu_command_reads_the_gpu_configs_of_the_onnx_models_and_config_pbtxt_of_the_others(repo, tmp_path):
    server = ContainerCommand(compose_config("gpu")["services"]["triton"]["command"], repo, tmp_path / "w")
    with pytest.raises(ServerError):
        server.start()
    log = server.log_path.read_text(errors="replace")
    refused = {m for m in ("cropper", "detector", "reader", "preprocess", "warp", "lines", "assemble")
               if f"instance group {m}_0 of model {m} has kind KIND_GPU but no GPUs are available" in log}
    assert refused == {"cropper", "detector", "reader"}
    for step in ("preprocess", "warp", "lines", "assemble"):
        assert f"successfully loaded '{step}'" in log
