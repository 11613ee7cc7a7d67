"""`fvi models publish` adds a checked version beside the serving one and changes nothing that serves;
the version reported as serving is the highest one Triton says is ready."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fvi.triton import model_config as mc
from fvi.triton import rollout
from fvi.triton.versions import ServingVersions, version_numbers

ROOT = Path(__file__).parents[3]
REPO = ROOT / "model_repository"
V1 = REPO / "reader" / "1" / "model.onnx"
EVAL = ROOT / "perf" / "reports" / "eval-v1.json"


@pytest.fixture
def repo(tmp_path):
    """The reader and detector of the committed repository, copied with version 1 only and nothing pinned:
    the state of a repository before its first `fvi models publish` (never the committed one)."""
    def skipped(_: str, names: list[str]) -> list[str]:
        return [n for n in names if n == rollout.HISTORY or (n.isdigit() and n != "1")]

    for model in ("reader", "detector"):
        shutil.copytree(REPO / model, tmp_path / "repo" / model, ignore=skipped)
        for config in mc.config_files(tmp_path / "repo" / model):
            lines = config.read_text().splitlines(keepends=True)
            config.write_text("".join(line for line in lines if not line.startswith("version_policy")))
    return tmp_path / "repo"


def fvi(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fvi", "models", *args], capture_output=True, text=True, timeout=120)


def test_publish_adds_the_next_version_with_its_figures_and_pins_the_serving_one(repo):
    before = (repo / "reader" / "1").stat().st_mtime_ns, V1.read_bytes()
    done = rollout.publish(repo, "reader", V1, rollout.load_eval_report(EVAL, "reader"), "`eval-v1.json`")
    assert (done.version, done.pinned) == (2, 1)
    assert (repo / "reader" / "2" / "model.onnx").read_bytes() == before[1]
    readme = (repo / "reader" / "2" / "README.md").read_text()
    assert "| character error rate | 0.0847 | 0.0263 | 0.1152 |" in readme
    assert "input `image` TYPE_FP32 [-1, 1, 32, -1]" in readme
    # What serves does not change, not even after a restart: v1 is pinned in every config variant.
    assert all(mc.pinned_versions(mc.read(p)) == [1] for p in mc.config_files(repo / "reader"))
    assert (repo / "reader" / "1").stat().st_mtime_ns == before[0]
    assert [h["action"] for h in rollout.history(repo / "reader")] == ["publish"]
    assert version_numbers(repo / "reader") == [1, 2]
    assert not list((repo / "reader").glob(".publish-*"))


def test_publishing_again_adds_v3_and_keeps_the_existing_pin(repo):
    rollout.publish(repo, "reader", V1, None, "none")
    done = rollout.publish(repo, "reader", V1, None, "none")
    assert (done.version, done.pinned) == (3, None)
    assert mc.pinned_versions(mc.read(repo / "reader" / "config.pbtxt")) == [1]


@pytest.mark.parametrize("case", ["corrupt", "other_model", "missing"])
def test_publish_refuses_a_file_that_would_not_serve_and_writes_nothing(repo, tmp_path, case):
    onnx = {"corrupt": tmp_path / "bad.onnx", "other_model": REPO / "detector" / "1" / "model.onnx",
            "missing": tmp_path / "nothing.onnx"}[case]
    if case == "corrupt":
        onnx.write_bytes(b"\x08\x07garbage")
    config = (repo / "reader" / "config.pbtxt").read_text()
    with pytest.raises(rollout.PublishRefused):
        rollout.publish(repo, "reader", onnx, None, "none")
    assert version_numbers(repo / "reader") == [1]
    assert (repo / "reader" / "config.pbtxt").read_text() == config
    assert not (repo / "reader" / rollout.HISTORY).exists()


def test_fvi_models_publish_needs_figures_and_says_what_to_do_next(repo):
    refused = fvi("publish", "reader", "--onnx", str(V1), "--repo", str(repo))
    assert refused.returncode == 1 and "--eval-report" in refused.stderr and version_numbers(repo / "reader") == [1]
    ok = fvi("publish", "reader", "--onnx", str(V1), "--repo", str(repo), "--eval-report",
             str(EVAL.with_suffix(".md")))
    assert ok.returncode == 0, ok.stderr
    assert "fvi models rollout reader --version 2" in " ".join(ok.stderr.split())


def test_an_eval_report_without_the_models_figures_is_refused(tmp_path):
    report = tmp_path / "r.json"
    report.write_text(json.dumps({"all": {"photos": 3}}))
    with pytest.raises(rollout.PublishRefused, match="reader_cer"):
        rollout.load_eval_report(report, "reader")


def test_quick_evaluation_records_figures_measured_with_the_candidate(repo, tmp_path):
    from fvi.synth.generate import SynthConfig, generate_dataset

    for model in ("cropper", "cropper_cut"):
        shutil.copytree(REPO / model, repo / model)
    generate_dataset(tmp_path / "eval", 2, SynthConfig(seed=77, no_card_rate=0.0))
    results = rollout.quick_evaluation(repo, "reader", V1, tmp_path / "eval", 2)
    assert results["all"]["photos"] == 2 and 0 <= results["all"]["reader_cer"] <= 1


def test_rollback_goes_to_the_version_that_served_before_else_the_next_lower(repo):
    for _ in range(2):
        rollout.publish(repo, "reader", V1, None, "none")
    assert rollout.rollback_target(repo, "reader", 3) == 2  # no history of switches: next lower
    rollout.record(repo / "reader", {"action": "rollout", "from": 1, "to": 3})
    assert rollout.rollback_target(repo, "reader", 3) == 1
    rollout.record(repo / "reader", {"action": "rollback", "from": 3, "to": 1})
    assert rollout.rollback_target(repo, "reader", 1) == 3  # like `kubectl rollout undo`: back and forth
    with pytest.raises(rollout.RolloutFailed, match="no earlier version"):
        rollout.rollback_target(repo, "detector", 1)


def test_serving_version_is_the_highest_ready_one(tmp_path):
    for name in ("1", "2", "3", "03", "configs", "x7"):
        (tmp_path / "reader" / name).mkdir(parents=True)
    (tmp_path / "reader" / "4").write_text("a file, not a version")
    assert version_numbers(tmp_path / "reader") == [1, 2, 3]
    ready = {("reader", "2"), ("reader", "1"), ("cropper", "1")}
    probes = []

    def is_ready(model, version):
        probes.append((model, version))
        return (model, version) in ready

    versions = ServingVersions(tmp_path, ("reader", "cropper"), is_ready)
    assert versions() == {"reader": "2", "cropper": None}  # no cropper folder: nothing to report
    assert probes == [("reader", "3"), ("reader", "2")]
    ready.clear()  # a rollout reloading the model: for an instant no version answers ready
    assert versions() == {"reader": "2", "cropper": None}  # the last one seen serving
    ready.add(("reader", "3"))
    assert versions()["reader"] == "3"


@pytest.mark.parametrize("args", [
    ("publish", "nosuch", "--onnx", str(V1), "--eval-report", str(EVAL)),
    ("rollout", "nosuch", "--version", "1", "--url", "127.0.0.1:1"),
    ("status", "--url", "127.0.0.1:1"),
], ids=["unknown-model", "unknown-model-rollout", "no-server"])
def test_refusals_are_one_message_and_exit_code_1_not_a_traceback(repo, args):
    proc = fvi(*args, "--repo", str(repo))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.split(":")[0] in ("publish_refused", "invalid_config", "rollout_failed")
