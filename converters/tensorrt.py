"""ONNX -> TensorRT FP16 engine (a Triton `tensorrt_plan`) for a model of the repository, with the
optimisation profile that its Triton config and the pipeline's shapes imply.

The other GPU route needs no build step: configs/gpu.pbtxt runs the ONNX file through onnxruntime's
TensorRT provider with the same profile (`tritonserver --model-config-name=gpu`). Plans are for when
the engine must be built ahead of time: they are tied to the GPU model and TensorRT version, so build
them on the serving machine, with the TensorRT of the serving image (24.10: TensorRT 10.5):

    python -m converters.tensorrt reader --repo model_repository --version 2
    tritonserver ... --model-config-name=trt     # serves <model>/<N>/model.plan

Everything before the build (profile, config) runs anywhere; the build says clearly what is missing.
"""

from __future__ import annotations

import argparse
import ctypes
import math
import sys
from pathlib import Path

from fvi.pipeline.specs import READER_BATCH_WIDTH_STEP, READER_MAX_WIDTH, READER_WIDTH_STEP, network_of

PLAN_CONFIG = "trt"  # configs/trt.pbtxt, served with --model-config-name=trt
PLAN_FILE = "model.plan"
#: The batch TensorRT tunes for: a few concurrent photos for the cropper and detector, a card's lines
#: for the reader.
OPT_BATCH = {"cropper": 4, "detector": 4, "reader": 16}  # by network (`runner.network_of`)
#: Free (-1) axes other than the batch, by model: axis of the batched shape -> (min, opt, max).
#: Reader lines are READER_WIDTH_STEP wide at least, and a card's batch is padded to a multiple of
#: READER_BATCH_WIDTH_STEP, so the widest batch is READER_MAX_WIDTH rounded up to that step.
FREE_AXES = {"reader": {3: (READER_WIDTH_STEP, 256,
                            math.ceil(READER_MAX_WIDTH / READER_BATCH_WIDTH_STEP) * READER_BATCH_WIDTH_STEP)}}


class TensorRTUnavailable(RuntimeError):
    """No NVIDIA GPU, driver or TensorRT here: the message says which, and where to build instead."""


Shape = tuple[int, ...]


def profile(model: str, config) -> dict[str, tuple[Shape, Shape, Shape]]:
    """min, opt and max shape of each input, from the config's dims and max_batch_size."""
    from fvi.triton.model_config import tensors

    inputs, _ = tensors(config)
    batched = config.max_batch_size > 0
    out = {}
    for t in inputs:
        shapes = []
        for which in range(3):
            shape = []
            for axis, dim in enumerate(t.shape):
                if batched and axis == 0:
                    shape.append((1, OPT_BATCH.get(network_of(model), 1), config.max_batch_size)[which])
                elif dim == -1:
                    if axis not in FREE_AXES.get(model, {}):
                        raise ValueError(f"{model}: input {t.name} axis {axis} is free; add its range to FREE_AXES")
                    shape.append(FREE_AXES[model][axis][which])
                else:
                    shape.append(dim)
            shapes.append(tuple(shape))
        out[t.name] = (shapes[0], shapes[1], shapes[2])
    return out


def profile_parameters(shapes: dict[str, tuple[Shape, Shape, Shape]]) -> dict[str, str]:
    """The same profile as onnxruntime's TensorRT provider reads it (configs/gpu.pbtxt parameters)."""
    def fmt(which: int) -> str:
        return ",".join(f"{name}:" + "x".join(map(str, s[which])) for name, s in shapes.items())

    return {"trt_profile_min_shapes": fmt(0), "trt_profile_opt_shapes": fmt(1), "trt_profile_max_shapes": fmt(2)}


def plan_config(config) -> str:
    """configs/trt.pbtxt: the model's interface and batching, served from model.plan on the GPU."""
    from google.protobuf import text_format
    from tritonclient.grpc import model_config_pb2

    plan = model_config_pb2.ModelConfig()
    plan.CopyFrom(config)
    for name in ("backend", "runtime", "optimization", "parameters", "instance_group"):
        plan.ClearField(name)
    plan.platform = "tensorrt_plan"
    plan.default_model_filename = PLAN_FILE
    plan.instance_group.add(count=1, kind=model_config_pb2.ModelInstanceGroup.KIND_GPU)
    header = ("# Written by `python -m converters.tensorrt`: serves <version>/model.plan (TensorRT FP16) with\n"
              "# tritonserver --model-config-name=trt. Rebuild the plans for another GPU or TensorRT version.\n")
    return header + text_format.MessageToString(plan)


def gpu_count() -> int:
    """NVIDIA GPUs the driver reports (0 without a driver)."""
    try:
        cuda = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return 0
    count = ctypes.c_int(0)
    if cuda.cuInit(0) != 0 or cuda.cuDeviceGetCount(ctypes.byref(count)) != 0:
        return 0
    return count.value


def require_tensorrt():
    """The tensorrt module, once a GPU is known to be there; TensorRTUnavailable otherwise."""
    if gpu_count() == 0:
        raise TensorRTUnavailable(
            "no NVIDIA GPU here (the CUDA driver, libcuda.so.1, is missing or reports no device): TensorRT "
            "engines are built on the GPU machine that serves them, e.g. inside the fvi-serving container. "
            "Without a build step, serve with --model-config-name=gpu (onnxruntime's TensorRT provider).")
    try:
        import tensorrt
    except ImportError as exc:
        raise TensorRTUnavailable("the `tensorrt` Python package is not installed: pip install tensorrt-cu12 "
                                  "(the version of the serving image: 10.5 for tritonserver 24.10)") from exc
    return tensorrt


def build_plan(onnx: Path, out: Path, shapes: dict[str, tuple[Shape, Shape, Shape]], fp16: bool = True,
               workspace_bytes: int = 1 << 30) -> Path:
    """Build and write a serialized TensorRT engine of ``onnx`` for one optimisation profile."""
    trt = require_tensorrt()
    logger = trt.Logger(trt.Logger.WARNING)
    builder = trt.Builder(logger)
    explicit_batch = 0 if int(trt.__version__.split(".")[0]) >= 10 else \
        1 << int(trt.NetworkDefinitionCreationFlag.EXPLICIT_BATCH)
    network = builder.create_network(explicit_batch)
    parser = trt.OnnxParser(network, logger)
    if not parser.parse(Path(onnx).read_bytes()):
        errors = "; ".join(str(parser.get_error(i)) for i in range(parser.num_errors))
        raise RuntimeError(f"TensorRT cannot parse {onnx}: {errors}")
    config = builder.create_builder_config()
    config.set_memory_pool_limit(trt.MemoryPoolType.WORKSPACE, workspace_bytes)
    if fp16:
        config.set_flag(trt.BuilderFlag.FP16)
    opt = builder.create_optimization_profile()
    for name, (lo, mid, hi) in shapes.items():
        opt.set_shape(name, lo, mid, hi)
    config.add_optimization_profile(opt)
    engine = builder.build_serialized_network(network, config)
    if engine is None:
        raise RuntimeError(f"TensorRT could not build an engine of {onnx} (see its log above)")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(bytes(engine))
    return out


def convert(repo: Path, model: str, version: int) -> Path:
    """<repo>/<model>/<version>/model.plan and <repo>/<model>/configs/trt.pbtxt."""
    from fvi.triton import model_config as mc

    mdir = mc.model_dir(repo, model)
    config = mc.read(mdir / "config.pbtxt")
    shapes = profile(model, config)
    plan = build_plan(mdir / str(version) / (config.default_model_filename or "model.onnx"),
                      mdir / str(version) / PLAN_FILE, shapes)
    (mdir / "configs").mkdir(exist_ok=True)
    (mdir / "configs" / f"{PLAN_CONFIG}.pbtxt").write_text(plan_config(config), encoding="utf-8")
    return plan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m converters.tensorrt", description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help="cropper, detector or reader")
    parser.add_argument("--repo", type=Path, default=Path("model_repository"))
    parser.add_argument("--version", type=int, required=True)
    args = parser.parse_args(argv)
    try:
        plan = convert(args.repo, args.model, args.version)
    except TensorRTUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {plan} and {plan.parents[1] / 'configs' / (PLAN_CONFIG + '.pbtxt')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
