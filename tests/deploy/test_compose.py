"""The Compose files, as `docker-compose config` resolves them: Triton reads the repository read-only
and is health-checked, the gateway waits for it and is the only published port, the GPU file
reserves the GPUs of CUDA_VISIBLE_DEVICES (all otherwise), and one set of Triton flags everywhere."""

import json

import pytest

from tests.deploy.conftest import ROOT, compose_config, dockerfile_exec_form, dockerfile_instructions

TRITONS = ("triton", "triton-2")


@pytest.fixture(params=["cpu", "gpu"])
def config(request, cpu_config, gpu_config):
    return {"cpu": cpu_config, "gpu": gpu_config}[request.param]


def volume(entry) -> tuple[str, str, bool]:
    """(source, target, read_only) of a volume in either of Compose's syntaxes."""
    if isinstance(entry, dict):
        return entry["source"], entry["target"], bool(entry.get("read_only"))
    source, target, *mode = entry.split(":")
    return source, target, mode == ["ro"]


def test_both_files_validate_and_start_only_triton_and_the_gateway_by_default():
    for variant in ("cpu", "gpu"):
        services = compose_config(variant)["services"]
        assert {n for n, s in services.items() if not s.get("profiles")} == {"triton", "gateway"}


def test_triton_mounts_the_model_repository_read_only_with_enough_shared_memory(config):
    for name in TRITONS:
        triton = config["services"][name]
        [models] = [volume(v) for v in triton["volumes"] if volume(v)[1] == "/models"]
        assert models == (str(ROOT / "model_repository"), "/models", True)
        size = triton["shm_size"].lower()
        assert size.endswith("gb") and float(size[:-2]) >= 1


def test_triton_is_healthy_only_when_ready_and_the_gateway_waits_for_it(config):
    for name in TRITONS:
        test = config["services"][name]["healthcheck"]["test"]
        assert test[0] == "CMD" and "/v2/health/ready" in test[-1]
    gateway = config["services"]["gateway"]
    assert gateway["depends_on"] == {"triton": {"condition": "service_healthy"}}
    assert gateway["environment"]["FVI_TRITON_URLS"] == "triton:8001"


def test_only_the_gateway_port_is_published(config):
    published = {name: s.get("ports") for name, s in config["services"].items() if s.get("ports")}
    assert list(published) == ["gateway"]
    assert published["gateway"] == [{"published": 8080, "target": 8080}]


def test_triton_flags_are_the_serving_images_cmd_plus_the_gpu_config_name(cpu_config, gpu_config):
    cmd = dockerfile_exec_form(ROOT / "docker" / "Dockerfile.serving", "CMD")
    assert "--model-control-mode=explicit" in cmd and "--model-repository=/models" in cmd
    for name in TRITONS:
        assert cpu_config["services"][name]["command"] == cmd
        assert gpu_config["services"][name]["command"] == [*cmd, "--model-config-name=gpu"]


def test_the_healthcheck_is_the_same_in_the_image_and_both_files(cpu_config, gpu_config):
    [image] = [args for word, args in dockerfile_instructions(ROOT / "docker" / "Dockerfile.serving")
               if word == "HEALTHCHECK"]
    for config in (cpu_config, gpu_config):
        assert config["services"]["triton"]["healthcheck"]["test"] == ["CMD", *json.loads(image.split(" CMD ", 1)[1])]


@pytest.mark.parametrize("visible,ids", [(None, ["all"]), ("1", ["1"]), ("0,2", ["0,2"])])
def test_gpu_file_reserves_the_gpus_of_cuda_visible_devices_or_all(visible, ids):
    env = {"CUDA_VISIBLE_DEVICES": visible} if visible else {}
    config = compose_config("gpu", "scale", env=env)
    for name in TRITONS:
        triton = config["services"][name]
        [device] = triton["deploy"]["resources"]["reservations"]["devices"]
        assert device == {"driver": "nvidia", "device_ids": ids, "capabilities": ["gpu"]}
        assert triton["environment"]["NVIDIA_VISIBLE_DEVICES"] == ids[0]
    assert "deploy" not in compose_config("cpu")["services"]["triton"]


def test_scale_profile_is_a_second_identical_triton_the_gateway_is_pointed_at(config):
    first, second = config["services"]["triton"], config["services"]["triton-2"]
    assert second.pop("profiles") == ["scale"]
    assert first == second
    scaled = compose_config("cpu", "scale", env={"FVI_TRITON_URLS": "triton:8001,triton-2:8001"})
    assert scaled["services"]["gateway"]["environment"]["FVI_TRITON_URLS"] == "triton:8001,triton-2:8001"


def test_models_admin_service_runs_fvi_models_on_a_writable_repository(config):
    models = config["services"]["models"]
    assert models["entrypoint"] == ["fvi", "models"] and models["profiles"] == ["admin"]
    assert models["build"]["args"]["FVI_EXTRAS"] == "gateway,admin"
    [(source, target, read_only)] = [volume(v) for v in models["volumes"]]
    assert target == models["environment"]["FVI_MODEL_REPOSITORY"] == "/models" and not read_only
