"""The whole pipeline in one process with onnxruntime: the reference the Triton ensemble must match."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from fvi.pipeline.cropping import CropResult, decode_corners
from fvi.pipeline.ctc import greedy_decode
from fvi.pipeline.detection import decode_kernels, reading_order
from fvi.pipeline.fields import Field, ReadLine, assemble_fields
from fvi.pipeline.geometry import batch_lines, crop_line, letterbox, warp_card
from fvi.pipeline.specs import DETECTOR_INPUT

MODELS = ("cropper", "detector", "reader")
READER_CHUNK = 32


@dataclass
class CardReading:
    """Everything the pipeline found in one photo."""

    crop: CropResult
    corners: np.ndarray | None  # image pixels, card-text order
    card: np.ndarray | None  # the warped upright card (RGB)
    fields: dict[str, Field] = field(default_factory=dict)
    timing_ms: dict[str, float] = field(default_factory=dict)


def latest_version(repo: Path, model: str) -> Path:
    versions = sorted((p for p in (repo / model).iterdir() if p.is_dir() and p.name.isdigit()), key=lambda p: int(p.name))
    if not versions:
        raise FileNotFoundError(f"no version of {model} in {repo}")
    return versions[-1] / "model.onnx"


def to_nchw(images: list[np.ndarray]) -> np.ndarray:
    return np.ascontiguousarray(np.stack(images).transpose(0, 3, 1, 2), np.float32) / 255.0


class Pipeline:
    """cropper -> warp (full resolution) -> detector -> sorted lines -> one reader batch -> fields."""

    def __init__(self, repo: Path | None = None, paths: dict[str, Path] | None = None, threads: int = 1) -> None:
        import onnxruntime as ort

        paths = paths or {m: latest_version(Path(repo), m) for m in MODELS}
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.sessions = {m: ort.InferenceSession(str(paths[m]), options, providers=["CPUExecutionProvider"])
                         for m in MODELS}

    def _run(self, model: str, x: np.ndarray) -> list[np.ndarray]:
        session = self.sessions[model]
        return session.run(None, {session.get_inputs()[0].name: x})

    def read(self, image: np.ndarray) -> CardReading:
        """Read one RGB photo."""
        t0 = time.perf_counter()
        boxed, lb = letterbox(image)
        heat, offsets, logits = self._run("cropper", to_nchw([boxed]))
        crop = decode_corners(heat[0], offsets[0], logits[0])
        t1 = time.perf_counter()
        if crop.card_class == "none":
            return CardReading(crop, None, None, timing_ms={"cropper": 1000 * (t1 - t0)})
        corners = lb.to_image(crop.corners)
        card = warp_card(image, corners)
        det_in = cv2.resize(card, DETECTOR_INPUT, interpolation=cv2.INTER_AREA)
        probs = 1 / (1 + np.exp(-self._run("detector", to_nchw([det_in]))[0][0]))
        ordered = reading_order(decode_kernels(probs))
        boxes = [b for lines in ordered.values() for b in lines]
        t2 = time.perf_counter()
        decoded = []
        crops = [crop_line(card, b.box) for b in boxes]
        for start in range(0, len(crops), READER_CHUNK):
            logits = self._run("reader", batch_lines(crops[start:start + READER_CHUNK]))[0]
            decoded += greedy_decode(logits)
        t3 = time.perf_counter()
        fields = assemble_fields(crop.card_class, [ReadLine(b, d) for b, d in zip(boxes, decoded)])
        return CardReading(crop, corners, card, fields, {
            "cropper": 1000 * (t1 - t0), "detector": 1000 * (t2 - t1), "reader": 1000 * (t3 - t2),
            "total": 1000 * (time.perf_counter() - t0)})
