"""Start and stop the real `tritonserver` binary shipped in the nvidia-pytriton wheel (no Docker).

What pytriton itself does, made explicit (shared/TOOLCHAIN.md): copy the server bundle somewhere
writable, add the Python-backend stub for the running Python, add FVI's Python-based onnxruntime
backend, and start the binary with the bundle's shared libraries and this virtualenv on the path.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from fvi.triton.instances import overlay_repository

ONNXRUNTIME_BACKEND = Path(__file__).parent / "backends" / "onnxruntime" / "model.py"


class ServerError(RuntimeError):
    """Triton could not start or become ready; the message says why and what to do."""


@dataclass
class ServerConfig:
    """How to run tritonserver. Ports follow Triton's defaults."""

    model_repository: Path
    http_port: int = 8000
    grpc_port: int = 8001
    metrics_port: int = 8002
    model_control_mode: str = "none"  # "none", "poll" or "explicit"
    load_models: list[str] = field(default_factory=list)  # with "explicit": models to load at start
    config_name: str = ""  # --model-config-name: read <model>/configs/<name>.pbtxt instead
    instances: dict[str, int] = field(default_factory=dict)  # model -> instance count, overriding its config
    log_verbose: int = 0
    workdir: Path = Path(os.environ.get("FVI_TRITON_HOME", Path.home() / ".cache" / "fvi" / "tritonserver"))
    ready_timeout_s: float = 120.0


def _bundle() -> tuple[Path, Path]:
    try:
        import pytriton
    except ImportError as exc:  # pragma: no cover - the serve extra is missing
        raise ServerError("nvidia-pytriton is not installed: pip install -e '.[serve]'") from exc
    package = Path(pytriton.__file__).parent
    return package / "tritonserver", package.parent / "nvidia_pytriton.libs"


def prepare_bundle(workdir: Path) -> Path:
    """A writable copy of the server bundle with the Python stub and the onnxruntime backend in place."""
    source, _ = _bundle()
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    stub = source / "python_backend_stubs" / version / "triton_python_backend_stub"
    if not stub.exists():
        raise ServerError(f"the pytriton bundle has no Python backend stub for Python {version}")
    target = workdir / "bundle"
    marker = target / ".fvi-ready"
    if not marker.exists():
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(source, target, symlinks=True)
        shutil.copy2(stub, target / "backends" / "python" / "triton_python_backend_stub")
        marker.write_text(version)
    backend = target / "backends" / "onnxruntime"
    backend.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ONNXRUNTIME_BACKEND, backend / "model.py")  # always the project's current version
    return target


def free_ports(n: int = 3) -> list[int]:
    """``n`` distinct ports free right now (the OS picks them), e.g. for a test or benchmark server."""
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


def shared_memory_of(pid: int) -> set[Path]:
    """The /dev/shm files a process has mapped (the Python backend's regions, for tritonserver)."""
    try:
        maps = Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return set()
    regions = set()
    for line in maps.splitlines():
        parts = line.split(maxsplit=5)  # address perms offset dev inode path
        if len(parts) == 6 and parts[5].startswith("/dev/shm/"):
            regions.add(Path(parts[5].removesuffix(" (deleted)")))
    return regions


class TritonServer:
    """One tritonserver process: ``start()`` waits until ready, ``stop()`` ends it and its stubs."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.process: subprocess.Popen | None = None
        self.log_path = config.workdir / f"tritonserver-{config.http_port}.log"
        self.repository = Path(config.model_repository)  # an overlay of it when instance counts change

    @property
    def http_url(self) -> str:
        return f"127.0.0.1:{self.config.http_port}"

    @property
    def grpc_url(self) -> str:
        return f"127.0.0.1:{self.config.grpc_port}"

    def command(self, bundle: Path) -> list[str]:
        c = self.config
        cmd = [str(bundle / "bin" / "tritonserver"),
               f"--model-repository={self.repository.resolve()}",
               f"--backend-directory={bundle / 'backends'}",
               f"--cache-directory={bundle / 'caches'}",
               f"--http-port={c.http_port}", f"--grpc-port={c.grpc_port}", f"--metrics-port={c.metrics_port}",
               f"--model-control-mode={c.model_control_mode}",
               "--exit-on-error=true", "--strict-readiness=true", f"--log-verbose={c.log_verbose}"]
        # EXPLICIT mode with no model named would serve nothing: load them all, as NONE does, and let
        # the repository API (`fvi models`) change versions from there.
        cmd += [f"--load-model={m}" for m in c.load_models or (["*"] if c.model_control_mode == "explicit" else [])]
        if c.config_name:
            cmd.append(f"--model-config-name={c.config_name}")
        return cmd

    def environment(self) -> dict[str, str]:
        _, libs = _bundle()
        env = dict(os.environ)
        env["LD_LIBRARY_PATH"] = os.pathsep.join(filter(None, [str(libs), env.get("LD_LIBRARY_PATH", "")]))
        # The Python-backend stub finds this virtualenv's packages through PATH (TOOLCHAIN.md).
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        env.setdefault("OMP_NUM_THREADS", "1")
        return env

    def start(self) -> TritonServer:
        c = self.config
        if not (Path(c.model_repository) / "").is_dir():
            raise ServerError(f"model repository {c.model_repository} does not exist")
        busy = [p for p in (c.http_port, c.grpc_port, c.metrics_port) if not port_free(p)]
        if busy:
            raise ServerError(f"port(s) {', '.join(map(str, busy))} already in use: stop the other server "
                              "or choose other ports (--http-port/--grpc-port/--metrics-port)")
        c.workdir.mkdir(parents=True, exist_ok=True)
        bundle = prepare_bundle(c.workdir)
        if c.instances:
            self.repository = overlay_repository(c.model_repository, c.instances,
                                                 c.workdir / f"repository-{c.http_port}")
        log = open(self.log_path, "wb")
        # Own process group: stopping it also stops the Python-backend stub processes.
        self.process = subprocess.Popen(self.command(bundle), env=self.environment(), stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.config.ready_timeout_s
        url = f"http://{self.http_url}/v2/health/ready"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(f"tritonserver exited with code {self.process.returncode} while starting:\n"
                                  + self.failure_summary())
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.25)
        self.stop()
        raise ServerError(f"tritonserver was not ready after {self.config.ready_timeout_s:.0f} s:\n"
                          + self.failure_summary())

    def failure_summary(self, lines: int = 15) -> str:
        """The log lines that say what failed (model load errors first)."""
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        errors = [l for l in text if l.startswith("E") or "failed" in l.lower() or "error" in l.lower()]
        return "\n".join((errors or text)[-lines:]) + f"\n(full log: {self.log_path})"

    def stop(self, timeout: float = 20.0) -> None:
        if self.process is None:
            return
        regions = shared_memory_of(self.process.pid)
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # Triton unloads models and stops its stubs itself
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        try:  # anything left in the group (a stuck stub) is killed: no orphans
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        for region in regions:  # the Python backend's regions, normally removed by Triton itself
            region.unlink(missing_ok=True)

    def __enter__(self) -> TritonServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
