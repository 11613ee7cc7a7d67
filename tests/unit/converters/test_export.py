"""The published ONNX models are the published PyTorch weights, exported faithfully."""

from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
import torch

from converters.onnx_export import SPECS, export, load_weights
from converters.samples import real_inputs
from fvi.synth.generate import SynthConfig, generate_dataset

ROOT = Path(__file__).parents[3]
MODELS = ("cropper", "detector", "reader")


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    out = tmp_path_factory.mktemp("photos")
    generate_dataset(out, 6, SynthConfig(seed=31337, no_card_rate=0.0))
    return out


@pytest.mark.parametrize("name", MODELS)
def test_committed_onnx_matches_the_committed_pytorch_weights(name, photos):
    model = load_weights(name, ROOT / "weights" / name / "v1.pt")
    session = ort.InferenceSession(str(ROOT / "model_repository" / name / "1" / "model.onnx"))
    worst = 0.0
    for x in real_inputs(name, photos):
        with torch.no_grad():
            expected = model(torch.from_numpy(x))
        expected = expected if isinstance(expected, tuple) else (expected,)
        for e, g in zip(expected, session.run(None, {"image": x})):
            assert e.shape == g.shape
            worst = max(worst, float(np.abs(e.numpy() - g).max()))
    assert worst <= SPECS[name].tolerance, worst


@pytest.mark.parametrize("name", MODELS)
def test_export_verifies_against_pytorch_and_keeps_batch_dynamic(name, photos, tmp_path):
    model = load_weights(name, ROOT / "weights" / name / "v1.pt")
    inputs = real_inputs(name, photos)
    report = export(name, model, inputs[0], tmp_path / "model.onnx", inputs)
    assert report.max_abs_diff <= report.tolerance and report.inputs_checked == len(inputs)
    assert report.size_bytes < 10 * 1024 * 1024
    session = ort.InferenceSession(str(report.path))
    batch_sizes = {session.run(None, {"image": x})[0].shape[0] for x in inputs}
    assert len(batch_sizes) > 1  # the same graph ran several batch sizes


def test_reader_width_is_dynamic(photos):
    session = ort.InferenceSession(str(ROOT / "model_repository" / "reader" / "1" / "model.onnx"))
    for width in (64, 256, 800):
        logits = session.run(None, {"image": np.ones((2, 1, 32, width), np.float32)})[0]
        assert logits.shape[:2] == (2, width // 4)


def test_int8_reader_runs_and_reads_like_fp32(photos, tmp_path):
    from converters.int8 import quantize_int8
    from converters.samples import real_lines
    from fvi.pipeline.ctc import greedy_decode
    from fvi.pipeline.geometry import batch_lines

    lines = real_lines(photos, 6)
    fp32 = ROOT / "model_repository" / "reader" / "1" / "model.onnx"
    int8 = quantize_int8(fp32, tmp_path / "int8.onnx", [batch_lines(lines[i:i + 8]) for i in range(0, 24, 8)])
    assert int8.stat().st_size < fp32.stat().st_size / 2
    import onnx

    graph = onnx.load(str(int8)).graph
    dequantized = {n.output[0] for n in graph.node if n.op_type == "DequantizeLinear"}
    convs = [n for n in graph.node if n.op_type == "Conv"]
    assert not set(convs[0].input) & dequantized  # the first convolution stays fp32 ...
    assert all(set(c.input) & dequantized for c in convs[1:])  # ... the others are INT8
    x = batch_lines(lines)
    texts = [[d.text for d in greedy_decode(ort.InferenceSession(str(p)).run(None, {"image": x})[0])]
             for p in (fp32, int8)]
    assert sum(a == b for a, b in zip(*texts)) >= 0.8 * len(lines)


def test_average_takes_the_weighted_mean_of_two_trainings_and_refuses_other_architectures(tmp_path):
    import subprocess
    import sys

    from converters.onnx_export import average_weights

    a, b = ROOT / "weights/reader/v5.pt", ROOT / "weights/reader/v6.pt"
    sa, sb = load_weights("reader", a).state_dict(), load_weights("reader", b).state_dict()
    mean = average_weights("reader", [a, b], [0.25, 0.75]).state_dict()
    key = next(k for k in sa if sa[k].is_floating_point() and not torch.equal(sa[k], sb[k]))
    assert torch.allclose(mean[key], 0.25 * sa[key] + 0.75 * sb[key])
    with pytest.raises(ValueError, match="summing to 1"):
        average_weights("reader", [a, b], [0.5, 0.6])
    with pytest.raises(ValueError, match="at least two"):
        average_weights("reader", [a])
    out = tmp_path / "avg.pt"
    proc = subprocess.run([sys.executable, "-m", "fvi", "average", "reader", "--weights", str(a), "--weights", str(b),
                           "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert torch.allclose(load_weights("reader", out).state_dict()[key], (sa[key] + sb[key]) / 2)
    proc = subprocess.run([sys.executable, "-m", "fvi", "average", "reader", "--weights", str(a), "--weights",
                           str(ROOT / "weights/detector/v2.pt"), "--out", str(out)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
