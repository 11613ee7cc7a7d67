"""What the deployment tests read: the compose files as Compose resolves them, the Dockerfiles' CMD."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parents[2]
COMPOSE_FILES = {"cpu": ROOT / "docker-compose.cpu.yml", "gpu": ROOT / "docker-compose.gpu.yml"}


def compose_config(variant: str, *profiles: str, env: dict[str, str] | None = None) -> dict:
    """`docker-compose -f FILE config` (Compose's own validation and interpolation), parsed."""
    exe = shutil.which("docker-compose")
    if exe is None:
        pytest.fail("docker-compose is not installed: run scripts/install-system-deps.sh (Debian docker-compose)")
    environ = {k: v for k, v in os.environ.items() if k not in ("CUDA_VISIBLE_DEVICES", "FVI_TRITON_URLS",
                                                                   "FVI_GATEWAY_PORT")}
    args = [exe, "-f", str(COMPOSE_FILES[variant])]
    for p in profiles:
        args += ["--profile", p]
    proc = subprocess.run([*args, "config"], capture_output=True, text=True, timeout=60,
                          env={**environ, **(env or {})}, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return yaml.safe_load(proc.stdout)


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per instruction, continuation lines joined, comments dropped."""
    out, pending = [], ""
    for line in path.read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        text = (pending + line).strip()
        pending = ""
        word, _, rest = text.partition(" ")
        out.append((word.upper(), rest.strip()))
    return out


def dockerfile_exec_form(path: Path, instruction: str) -> list[str]:
    """The JSON (exec-form) arguments of the last ``instruction`` (CMD, ENTRYPOINT)."""
    [*_, last] = [args for word, args in dockerfile_instructions(path) if word == instruction]
    return json.loads(last)


@pytest.fixture(scope="session")
def cpu_config() -> dict:
    return compose_config("cpu", "scale", "admin")


@pytest.fixture(scope="session")
def gpu_config() -> dict:
    return compose_config("gpu", "scale", "admin")
