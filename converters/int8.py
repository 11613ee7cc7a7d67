"""ONNX fp32 -> INT8 (onnxruntime static QDQ quantization, calibrated on real inputs)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


class _Calibration:
    """Feeds real input batches to onnxruntime's calibrator one by one."""

    def __init__(self, batches: list[np.ndarray]) -> None:
        self._items = iter([{"image": b} for b in batches])

    def get_next(self):
        return next(self._items, None)

    def rewind(self) -> None:  # pragma: no cover - not used by the MinMax calibrator
        pass


def quantize_int8(fp32: Path, out: Path, calibration: list[np.ndarray]) -> Path:
    """Static INT8 (QDQ, per-channel weights, uint8 activations) of ``fp32``, written to ``out``. The first
    convolution, the one that sees the pixels, stays fp32: quantizing it cost reader v7 most of its INT8
    accuracy loss (perf/reports/int8-reader.md) for little of the speed."""
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.inner = _Calibration(calibration)

        def get_next(self):
            return self.inner.get_next()

    out.parent.mkdir(parents=True, exist_ok=True)
    prepared = out.with_suffix(".pre.onnx")
    quant_pre_process(str(fp32), str(prepared), skip_symbolic_shape=True)
    import onnx

    first_conv = next((n.name for n in onnx.load(str(prepared)).graph.node if n.op_type == "Conv"), None)
    quantize_static(str(prepared), str(out), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                    nodes_to_exclude=[first_conv] if first_conv else [])
    prepared.unlink(missing_ok=True)
    return out
