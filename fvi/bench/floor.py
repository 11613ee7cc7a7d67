"""Compute floor: FLOPs of each model counted from its ONNX graph, and this CPU's measured fp32 peak."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

#: Operators counted: their multiply-adds (x2) are nearly all of the work in our models.
COUNTED_OPS = ("Conv", "MatMul", "Gemm")


def model_flops(path: Path, input_shape: tuple[int, ...]) -> float:
    """FLOPs (2 x multiply-adds of Conv, MatMul, Gemm) of one run of the ONNX model at ``input_shape``,
    with every tensor shape from ONNX shape inference after fixing the input's dynamic axes."""
    import onnx
    from onnx import shape_inference

    model = onnx.load(str(path))
    dims = model.graph.input[0].type.tensor_type.shape.dim
    if len(dims) != len(input_shape):
        raise ValueError(f"{path}: input has rank {len(dims)}, got shape {input_shape}")
    for d, n in zip(dims, input_shape):
        d.ClearField("dim_param")
        d.dim_value = int(n)
    inferred = shape_inference.infer_shapes(model, strict_mode=True, data_prop=True)
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
              for v in [*inferred.graph.value_info, *inferred.graph.input, *inferred.graph.output]}
    weights = {t.name: list(t.dims) for t in inferred.graph.initializer}
    shapes.update(weights)
    total = 0.0
    for node in inferred.graph.node:
        if node.op_type not in COUNTED_OPS:
            continue
        ins = [shapes.get(name) for name in node.input[:2]]
        out = shapes.get(node.output[0])
        if any(s is None or 0 in s for s in (*ins, out)):
            raise ValueError(f"{path}: shape inference left {node.op_type} {node.name!r} without a shape")
        if node.op_type == "Conv":
            w = ins[1]  # [Cout, Cin/group, k...]: each output element takes Cin/group x k multiply-adds
            total += 2.0 * float(np.prod(out)) * w[1] * float(np.prod(w[2:]))
        elif node.op_type == "MatMul":
            total += 2.0 * float(np.prod(out)) * ins[0][-1]
        else:  # Gemm: out [M, N], K from A (transposed or not)
            trans_a = next((a.i for a in node.attribute if a.name == "transA"), 0)
            total += 2.0 * float(np.prod(out)) * ins[0][0 if trans_a else 1]
    return total


def _matmul_model(n: int):
    from onnx import TensorProto, helper

    a = helper.make_tensor_value_info("a", TensorProto.FLOAT, [n, n])
    b = helper.make_tensor_value_info("b", TensorProto.FLOAT, [n, n])
    c = helper.make_tensor_value_info("c", TensorProto.FLOAT, [n, n])
    graph = helper.make_graph([helper.make_node("MatMul", ["a", "b"], ["c"])], "peak", [a, b], [c])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def cpu_peak_gflops(threads: int, n: int = 1536, seconds: float = 2.0) -> float:
    """fp32 GFLOP/s of a large square MatMul through onnxruntime (MLAS) on ``threads`` threads: the best
    this CPU does on dense work, the denominator of the floor."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(_matmul_model(n).SerializeToString(), options, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    feed = {"a": rng.standard_normal((n, n), np.float32), "b": rng.standard_normal((n, n), np.float32)}
    session.run(None, feed)
    best = float("inf")
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        t0 = time.perf_counter()
        session.run(None, feed)
        best = min(best, time.perf_counter() - t0)
    return 2.0 * n**3 / best / 1e9
