"""Python-based Triton backend named "onnxruntime": serves `backend: "onnxruntime"` models with the
onnxruntime Python package, for the pytriton server bundle that has no native onnxruntime backend.

The official tritonserver containers use their native backend for the same configs instead.
Config parameters honoured: `intra_op_thread_count`, `inter_op_thread_count` (as in the native backend).
"""

import json
import os

import numpy as np
import onnxruntime as ort
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def initialize(self, args):
        config = json.loads(args["model_config"])
        params = {k: v["string_value"] for k, v in config.get("parameters", {}).items()}
        options = ort.SessionOptions()
        options.intra_op_num_threads = int(params.get("intra_op_thread_count", "1"))
        options.inter_op_num_threads = int(params.get("inter_op_thread_count", "1"))
        path = os.path.join(args["model_repository"], args["model_version"],
                            config.get("default_model_filename") or "model.onnx")
        self.session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        self.inputs = [i["name"] for i in config["input"]]
        self.outputs = [o["name"] for o in config["output"]]
        self.batched = config.get("max_batch_size", 0) > 0

    def execute(self, requests):
        arrays = [{n: pb_utils.get_input_tensor_by_name(r, n).as_numpy() for n in self.inputs} for r in requests]
        same_shape = all(a[n].shape[1:] == arrays[0][n].shape[1:] for a in arrays for n in self.inputs)
        if self.batched and same_shape and len(requests) > 1:
            # One onnxruntime call for the whole dynamic batch, split back per request.
            sizes = np.cumsum([a[self.inputs[0]].shape[0] for a in arrays])[:-1]
            feed = {n: np.concatenate([a[n] for a in arrays]) for n in self.inputs}
            results = self.session.run(self.outputs, feed)
            per_request = list(zip(*[np.split(r, sizes) for r in results]))
        else:
            per_request = [self.session.run(self.outputs, a) for a in arrays]
        return [pb_utils.InferenceResponse([pb_utils.Tensor(n, np.ascontiguousarray(t))
                                            for n, t in zip(self.outputs, tensors)])
                for tensors in per_request]
