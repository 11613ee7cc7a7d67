"""The perf suite's own arithmetic: FLOPs counted from an ONNX graph, perf_analyzer's per-step figures read
from its output, and config variants edited as Triton's protobuf."""

from pathlib import Path

import numpy as np
import pytest

from fvi.bench import analyzer, floor, tuning

ROOT = Path(__file__).parents[3]

PA_OUTPUT = """Request concurrency: 1
  Server:
    Avg request latency: 73357 usec (overhead 0 usec + queue 8026 usec + compute 67337 usec)

  Composing models: 
  cropper, version: 1
      Inference count: 40
      Execution count: 40
      Successful request count: 40
      Avg request latency: 9089 usec (overhead 4 usec + queue 3062 usec + compute input 137 usec + compute infer 4877 usec + compute output 1008 usec)

  reader, version: 2
      Inference count: 306
      Execution count: 41
      Successful request count: 41
      Avg request latency: 15000 usec (overhead 3 usec + queue 1000 usec + compute input 100 usec + compute infer 13000 usec + compute output 897 usec)
"""


def _conv_model(path: Path, groups: int) -> Path:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    w = numpy_helper.from_array(np.zeros((8, 8 // groups, 3, 3), np.float32), "w")
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1], group=groups),
         helper.make_node("Flatten", ["c"], ["f"]),
         helper.make_node("MatMul", ["f", "m"], ["y"])],
        "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 8, 16, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 10])],
        [w, numpy_helper.from_array(np.zeros((8 * 16 * 16, 10), np.float32), "m")])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return path


@pytest.mark.parametrize("groups", [1, 8])
def test_flops_are_counted_from_shapes_inferred_at_the_given_input(tmp_path, groups):
    path = _conv_model(tmp_path / "m.onnx", groups)
    conv = 2 * (8 * 16 * 16) * (8 // groups) * 9  # per output element: Cin/group x 3 x 3 multiply-adds
    matmul = 2 * 10 * (8 * 16 * 16)
    assert floor.model_flops(path, (1, 8, 16, 16)) == conv + matmul
    assert floor.model_flops(path, (4, 8, 16, 16)) == 4 * (conv + matmul)


def test_the_served_reader_costs_in_proportion_to_its_width():
    reader = ROOT / "model_repository" / "reader" / "1" / "model.onnx"
    narrow, wide = (floor.model_flops(reader, (1, 1, 32, w)) for w in (256, 512))
    assert narrow > 1e7 and wide == pytest.approx(2 * narrow, rel=0.02)


def test_per_step_server_figures_are_read_from_perf_analyzer_output():
    steps = {s.model: s for s in analyzer.parse_steps(PA_OUTPUT)}
    assert set(steps) == {"cropper", "reader"}
    assert steps["reader"].inferences == 306 and steps["reader"].executions == 41
    assert steps["cropper"].queue_us == 3062 and steps["cropper"].compute_us == 137 + 4877 + 1008


def test_a_variant_edits_only_its_models_in_a_copy_of_the_repository(tmp_path):
    from fvi.triton.model_config import read

    variant = tuning.merge("v", "test", tuning.PY_X2, tuning.NO_DELAY, tuning.Variant("t", "t", {
        "detector": tuning.Change(threads=2), "reader": tuning.Change(queue_delay_us=-1)}))
    committed = {p: p.read_text() for p in (ROOT / "model_repository").glob("*/config.pbtxt")}
    repo = tuning.variant_repository(ROOT / "model_repository", variant, tmp_path / "repo", {})
    assert read(repo / "warp" / "config.pbtxt").instance_group[0].count == 2
    detector = read(repo / "detector" / "config.pbtxt")
    assert detector.dynamic_batching.max_queue_delay_microseconds == 0
    assert detector.parameters["intra_op_thread_count"].string_value == "2"
    assert not read(repo / "reader" / "config.pbtxt").HasField("dynamic_batching")
    assert read(repo / "fvi" / "config.pbtxt") == read(ROOT / "model_repository" / "fvi" / "config.pbtxt")
    assert committed == {p: p.read_text() for p in (ROOT / "model_repository").glob("*/config.pbtxt")}
