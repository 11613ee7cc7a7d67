"""The TensorRT converter up to where a GPU is needed: optimisation profiles from the configs and the
pipeline's shapes (the same ones configs/gpu.pbtxt gives onnxruntime), the plan's Triton config, and a
clear refusal where there is no GPU."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from converters import tensorrt as trt_converter
from fvi.triton import model_config as mc

ROOT = Path(__file__).parents[3]
REPO = ROOT / "model_repository"


@pytest.mark.parametrize("model", ["cropper", "cropper_cut", "detector", "reader"])
def test_gpu_config_profile_is_the_one_the_converter_derives(model):
    shapes = trt_converter.profile(model, mc.read(REPO / model / "config.pbtxt"))
    [accelerator] = mc.read(REPO / model / "configs" / "gpu.pbtxt").optimization.execution_accelerators \
        .gpu_execution_accelerator
    params = dict(accelerator.parameters)
    assert {k: params[k] for k in trt_converter.profile_parameters(shapes)} == trt_converter.profile_parameters(shapes)


def test_reader_profile_covers_one_line_to_a_full_card_of_the_widest_lines():
    (lo, opt, hi), = trt_converter.profile("reader", mc.read(REPO / "reader" / "config.pbtxt")).values()
    assert lo == (1, 1, 32, 8) and opt == (16, 1, 32, 256) and hi == (64, 1, 32, 832)


def test_plan_config_keeps_the_interface_and_batching_on_the_gpu():
    config = mc.read(REPO / "reader" / "config.pbtxt")
    plan = mc.parse(trt_converter.plan_config(config))
    assert plan.platform == "tensorrt_plan" and plan.default_model_filename == "model.plan"
    assert mc.tensors(plan) == mc.tensors(config) and plan.dynamic_batching == config.dynamic_batching
    assert [type(g).Kind.Name(g.kind) for g in plan.instance_group] == ["KIND_GPU"]
    assert not plan.backend and not plan.parameters


@pytest.mark.skipif(trt_converter.gpu_count() > 0, reason="a GPU is present: the build itself can run")
def test_without_a_gpu_the_converter_says_so_and_writes_nothing(tmp_path):
    shutil.copytree(REPO / "reader", tmp_path / "reader")
    proc = subprocess.run([sys.executable, "-m", "converters.tensorrt", "reader", "--repo", str(tmp_path),
                           "--version", "1"], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 1
    assert "no NVIDIA GPU here" in proc.stderr and "--model-config-name=gpu" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "reader" / "1" / "model.plan").exists()
    assert not (tmp_path / "reader" / "configs" / "trt.pbtxt").exists()


def test_with_a_gpu_but_no_tensorrt_package_the_message_says_what_to_install(monkeypatch):
    monkeypatch.setattr(trt_converter, "gpu_count", lambda: 1)
    monkeypatch.setitem(sys.modules, "tensorrt", None)  # as if not installed
    with pytest.raises(trt_converter.TensorRTUnavailable, match="pip install tensorrt-cu12"):
        trt_converter.require_tensorrt()
