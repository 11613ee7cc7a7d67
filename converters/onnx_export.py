"""PyTorch -> ONNX for the three models: opset 17, dynamic batch (and width for the reader),
simplified with onnxslim, and verified against PyTorch on real inputs."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from fvi.pipeline.specs import SAME_NETWORK_AS, network_of

ONNX_OPSET = 17


@dataclass(frozen=True)
class OnnxSpec:
    """Names and dynamic axes of one model's ONNX interface (what Triton's config.pbtxt declares)."""

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    dynamic_axes: dict[str, dict[int, str]]
    tolerance: float  # max abs difference to PyTorch allowed on real inputs


SPECS: dict[str, OnnxSpec] = {
    "cropper": OnnxSpec(("image",), ("heatmaps", "offsets", "card_logits"),
                        {"image": {0: "batch"}, "heatmaps": {0: "batch"}, "offsets": {0: "batch"},
                         "card_logits": {0: "batch"}}, 1e-3),
    "detector": OnnxSpec(("image",), ("kernels",), {"image": {0: "batch"}, "kernels": {0: "batch"}}, 1e-3),
    "reader": OnnxSpec(("image",), ("logits",), {"image": {0: "batch", 3: "width"}, "logits": {0: "batch", 1: "steps"}},
                       1e-3),
}


def load_weights(name: str, weights: Path) -> torch.nn.Module:
    """A model in eval mode with weights from a training run (best.pt, last.pt) or a published .pt."""
    state = torch.load(weights, map_location="cpu", weights_only=False)
    state = state.get("model", state) if isinstance(state, dict) and "model" in state else state
    state = {k: v.float() for k, v in state.items()}
    if network_of(name) == "cropper":
        from fvi.models.cropper import Cropper

        model = Cropper()
    elif name == "detector":
        from fvi.models.detector import Detector

        model = Detector()
    elif name == "reader":  # readers come in sizes (READER_SIZES): the weights tell which
        from fvi.models.reader import Reader

        return Reader.from_state_dict(state).eval()
    else:
        raise ValueError(f"unknown model {name!r}; expected one of {', '.join([*SPECS, *SAME_NETWORK_AS])}")
    model.load_state_dict(state)
    return model.eval()


@dataclass(frozen=True)
class ExportReport:
    path: Path
    size_bytes: int
    max_abs_diff: float
    tolerance: float
    inputs_checked: int


class VerificationError(RuntimeError):
    """The exported graph disagrees with PyTorch beyond the tolerance."""


def export(name: str, model: torch.nn.Module, example: np.ndarray, out: Path,
           check_inputs: list[np.ndarray]) -> ExportReport:
    """Export ``model`` to ``out`` and compare ONNX with PyTorch on every array in ``check_inputs``."""
    import onnx
    import onnxruntime as ort
    import onnxslim

    spec = SPECS[network_of(name)]
    buffer = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(model, torch.from_numpy(example), buffer, input_names=list(spec.inputs),
                          output_names=list(spec.outputs), dynamic_axes=spec.dynamic_axes,
                          opset_version=ONNX_OPSET, dynamo=False)
    graph = onnxslim.slim(onnx.load_from_string(buffer.getvalue()))
    onnx.checker.check_model(graph)
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(graph, str(out))

    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    worst = 0.0
    for x in check_inputs:
        with torch.no_grad():
            expected = model(torch.from_numpy(x))
        expected = expected if isinstance(expected, (tuple, list)) else (expected,)
        got = session.run(None, {spec.inputs[0]: x})
        for e, g in zip(expected, got):
            worst = max(worst, float(np.abs(e.numpy() - g).max()))
    report = ExportReport(out, out.stat().st_size, worst, spec.tolerance, len(check_inputs))
    if worst > spec.tolerance:
        raise VerificationError(f"{name}: ONNX differs from PyTorch by {worst:.2e} (> {spec.tolerance:.0e})")
    return report


def average_weights(name: str, weights: list[Path], mix: list[float] | None = None) -> torch.nn.Module:
    """One model whose parameters and batch-norm statistics are the weighted mean of several trainings of
    the same architecture (``mix`` sums to 1; equal by default). Averaging a fine-tuned model with the
    version it started from keeps most of what each is good at (weight-space ensembling, WiSE-FT)."""
    if len(weights) < 2:
        raise ValueError("average needs at least two weight files")
    mix = [1.0 / len(weights)] * len(weights) if mix is None else mix
    if len(mix) != len(weights) or abs(sum(mix) - 1.0) > 1e-6 or min(mix) < 0:
        raise ValueError(f"--mix needs one non-negative share per weight file, summing to 1 (got {mix})")
    models = [load_weights(name, w) for w in weights]
    states = [m.state_dict() for m in models]
    if any(s.keys() != states[0].keys() or any(s[k].shape != states[0][k].shape for k in s) for s in states):
        raise ValueError("the weight files are not of one architecture (or reader size)")
    merged = {k: sum(share * s[k] for share, s in zip(mix, states)) if states[0][k].is_floating_point()
              else states[-1][k] for k in states[0]}
    models[0].load_state_dict(merged)
    return models[0].eval()


def save_fp16_weights(model: torch.nn.Module, out: Path) -> Path:
    """The published PyTorch weights (fp16 state_dict, small) so training can continue later."""
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save({k: v.half() if v.is_floating_point() else v for k, v in model.state_dict().items()}, out)
    return out
