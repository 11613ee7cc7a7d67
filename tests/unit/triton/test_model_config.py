"""Model configs read as Triton reads them, ONNX interfaces checked against them, versions pinned in
place: every committed config (CPU and GPU variants) fits its published ONNX file."""

from pathlib import Path

import pytest

from fvi.triton import model_config as mc

ROOT = Path(__file__).parents[3]
REPO = ROOT / "model_repository"
ONNX_MODELS = ("cropper", "cropper_cut", "detector", "reader")


@pytest.mark.parametrize("path", sorted(REPO.glob("*/config.pbtxt")) + sorted(REPO.glob("*/configs/*.pbtxt")),
                         ids=lambda p: str(p.relative_to(REPO)))
def test_every_committed_config_parses_as_a_triton_model_config(path):
    config = mc.read(path)
    assert config.name == path.parent.name if path.name == "config.pbtxt" else path.parents[1].name


@pytest.mark.parametrize("model", ONNX_MODELS)
def test_published_onnx_fits_every_config_of_its_model(model):
    files = mc.config_files(REPO / model)
    assert len(files) == 2  # config.pbtxt and configs/gpu.pbtxt
    for path in files:
        assert mc.interface_mismatches(REPO / model / "1" / "model.onnx", mc.read(path)) == [], path


@pytest.mark.parametrize("model", ONNX_MODELS)
def test_gpu_variant_has_the_same_interface_and_batching_with_gpu_instances_and_tensorrt_fp16(model):
    cpu, gpu = mc.read(REPO / model / "config.pbtxt"), mc.read(REPO / model / "configs" / "gpu.pbtxt")
    assert mc.tensors(cpu) == mc.tensors(gpu)
    assert cpu.max_batch_size == gpu.max_batch_size
    # Dynamic batching may differ: on 2 CPU cores the cropper and detector run faster without it
    # (perf/reports/cpu-2core-tuning.md); on a GPU, batching concurrent requests pays.
    assert gpu.HasField("dynamic_batching")
    assert [type(g).Kind.Name(g.kind) for g in gpu.instance_group] == ["KIND_GPU"]
    [trt] = gpu.optimization.execution_accelerators.gpu_execution_accelerator
    assert trt.name == "tensorrt" and trt.parameters["precision_mode"] == "FP16"


def test_an_onnx_file_of_another_model_is_refused_with_each_difference():
    problems = mc.interface_mismatches(REPO / "detector" / "1" / "model.onnx", mc.read(REPO / "reader" / "config.pbtxt"))
    assert problems == ["input image: shape ['batch', 3, 320, 512], config.pbtxt says [-1, 1, 32, -1]",
                        "outputs are ['kernels'], config.pbtxt says ['logits']"]
    cropper = mc.read(REPO / "cropper" / "config.pbtxt")
    text = (REPO / "cropper" / "config.pbtxt").read_text().replace("dims: [ 3, 256, 256 ]", "dims: [ 3, 128, 256 ]")
    text = text.replace("TYPE_FP32 dims: [ 7 ]", "TYPE_FP16 dims: [ 7 ]")
    problems = mc.interface_mismatches(REPO / "cropper" / "1" / "model.onnx", mc.parse(text))
    assert problems == ["input image: shape ['batch', 3, 256, 256], config.pbtxt says [-1, 3, 128, 256]",
                        "output card_logits: type tensor(float), config.pbtxt says TYPE_FP16"]
    assert cropper.name == "cropper"


def test_a_corrupt_onnx_file_is_reported_not_raised(tmp_path):
    bad = tmp_path / "model.onnx"
    bad.write_bytes(b"not an onnx graph")
    [problem] = mc.interface_mismatches(bad, mc.read(REPO / "reader" / "config.pbtxt"))
    assert problem.startswith(f"onnxruntime cannot load {bad}")


@pytest.mark.parametrize("config,onnx,fits", [
    ((-1, 1, 32, -1), ["batch", 1, 32, "width"], True),
    ((-1, 1, 32, -1), ["batch", 1, 32, 256], False),  # the config promises any width
    ((-1, 3, 256, 256), ["N", "C", 256, 256], True),  # a free ONNX dim accepts the fixed size
    ((-1, 3, 256, 256), ["batch", 3, 256], False),
    ((-1, 7), [1, 7], False),  # a fixed batch of 1 would refuse Triton's batches
])
def test_shapes_fit(config, onnx, fits):
    assert mc.shapes_fit(config, onnx) is fits


def test_pinning_a_version_keeps_every_comment_and_setting_and_replaces_an_earlier_pin():
    committed = (REPO / "reader" / "config.pbtxt").read_text().splitlines(keepends=True)
    text = "".join(line for line in committed if not line.startswith("version_policy"))  # as before any pin
    once = mc.with_pinned_versions(text, [2])
    assert once.startswith(text.rstrip("\n"))
    assert mc.pinned_versions(mc.parse(once)) == [2]
    twice = mc.with_pinned_versions(once, [1])
    assert twice == once.replace("[ 2 ]", "[ 1 ]")
    assert mc.with_pinned_versions(twice, [1]) == twice


def test_a_hand_written_multiline_policy_is_replaced_in_place():
    text = ('name: "m"  # a comment with { braces }\nbackend: "onnxruntime"\n'
            'version_policy: {\n  latest: { num_versions: 2 }\n}\nmax_batch_size: 8\n')
    new = mc.with_pinned_versions(text, [3])
    assert new.splitlines()[2].startswith("version_policy: { specific: { versions: [ 3 ] } }")
    assert new.splitlines()[3] == "max_batch_size: 8"
    assert "# a comment with { braces }" in new


def test_pin_versions_writes_every_variant_of_the_model(tmp_path):
    import shutil

    shutil.copytree(REPO / "reader", tmp_path / "reader")
    changed = mc.pin_versions(tmp_path / "reader", [1])
    assert sorted(p.name for p in changed) == ["config.pbtxt", "gpu.pbtxt"]
    assert all(mc.pinned_versions(mc.read(p)) == [1] for p in changed)
    assert mc.pin_versions(tmp_path / "reader", [1]) == []  # already pinned: nothing rewritten


def test_model_names_cannot_point_outside_the_repository(tmp_path):
    for name in ("../reader", ".hidden", "a/b"):
        with pytest.raises(mc.ConfigError):
            mc.model_dir(REPO, name)
    with pytest.raises(mc.ConfigError, match="no config.pbtxt"):
        mc.model_dir(tmp_path, "reader")


def test_the_served_config_is_the_named_variant_where_a_model_has_it_and_config_pbtxt_elsewhere():
    from fvi.pipeline.runner import served_second_read

    assert mc.served_config(REPO / "assemble", "no-second-read") == REPO / "assemble" / "configs" / "no-second-read.pbtxt"
    assert mc.served_config(REPO / "reader", "no-second-read") == REPO / "reader" / "config.pbtxt"
    assert mc.served_config(REPO / "reader", "gpu") == REPO / "reader" / "configs" / "gpu.pbtxt"
    assert mc.served_config(REPO / "assemble") == REPO / "assemble" / "config.pbtxt"
    assert served_second_read(REPO) and not served_second_read(REPO, "no-second-read") and served_second_read(REPO, "gpu")
