"""The whole pipeline in one process with onnxruntime: the reference the Triton ensemble must match."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fvi.pipeline import steps
from fvi.pipeline.cropping import CropResult, crop_from_probs
from fvi.pipeline.detection import LineBox
from fvi.pipeline.fields import Field
from fvi.pipeline.result import build_result

#: The trained models: ``cropper_cut`` is the cropper's second look at a card the photo's frame cuts
#: (`steps.at_frame`; docs/models.md).
MODELS = ("cropper", "cropper_cut", "detector", "reader")


@dataclass
class CardReading:
    """Everything the pipeline found in one photo."""

    crop: CropResult
    corners: np.ndarray | None  # image pixels, card-text order
    card: np.ndarray | None  # the warped upright card (RGB)
    fields: dict[str, Field] = field(default_factory=dict)
    timing_ms: dict[str, float] = field(default_factory=dict)
    qr_text: str | None = None
    photo_size: tuple[int, int] | None = None  # (height, width)
    boxes: list[LineBox] = field(default_factory=list)  # the line boxes read, in reading order
    reader_logits: np.ndarray | None = None  # the reader's output for them (one row per box)


def served_model_path(repo: Path, model: str) -> Path:
    """The ONNX file Triton serves for ``model`` from this repository when it starts: the highest version
    that config.pbtxt pins (`fvi models rollout` pins), else the highest version on disk."""
    from fvi.triton.versions import configured_version

    version = configured_version(Path(repo) / model)
    if version is None:
        raise FileNotFoundError(f"no (pinned) version of {model} in {repo}")
    return Path(repo) / model / str(version) / "model.onnx"


def second_read_on(value: str) -> bool:
    """The assemble step's ``second_read`` parameter: "true" (the default) or "false"."""
    value = value.strip().lower()
    if value not in ("true", "false"):
        raise ValueError(f'parameter second_read must be "true" or "false", not {value!r}')
    return value == "true"


def served_second_read(repo: Path, config_name: str = "") -> bool:
    """Whether the assemble step Triton serves from ``repo`` (its configs/``config_name``.pbtxt when there
    is one, else config.pbtxt) reads doubted lines again: the in-process pipeline that matches it."""
    from fvi.triton import model_config

    config = model_config.read(model_config.served_config(Path(repo) / "assemble", config_name))
    return second_read_on(config.parameters["second_read"].string_value if "second_read" in config.parameters else "true")


class Pipeline:
    """cropper (two looks; the second by cropper_cut for a card at the frame) -> warp (full resolution) ->
    detector -> sorted lines -> one reader batch (and one more of the doubted lines' moved crops) -> fields."""

    def __init__(self, repo: Path | None = None, paths: dict[str, Path] | None = None, threads: int = 1,
                 second_read: bool = True) -> None:
        import onnxruntime as ort

        self.second_read = second_read  # the assemble step's `second_read` parameter

        paths = paths or {m: served_model_path(Path(repo), m) for m in MODELS}
        self.versions = {m: paths[m].parent.name for m in MODELS}
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.sessions = {m: ort.InferenceSession(str(paths[m]), options, providers=["CPUExecutionProvider"])
                         for m in MODELS}

    def run_model(self, model: str, x: np.ndarray) -> list[np.ndarray]:
        """One model's outputs for one input batch."""
        session = self.sessions[model]
        return session.run(None, {session.get_inputs()[0].name: x})

    def read_lines(self, card: np.ndarray, boxes: list[LineBox], first: np.ndarray | None = None) -> np.ndarray:
        """The reader's output for the card's lines, one batch (or ``first``, that batch's output already
        read), its doubted lines read again (``steps.second_read``): the rows ``steps.read_fields`` decodes."""
        if first is None:
            first = self.run_model("reader", steps.reader_input(card, boxes))[0]
        return steps.second_read(card, boxes, first,
                                 (lambda x: self.run_model("reader", x)[0]) if self.second_read else None)

    def read(self, image: np.ndarray) -> CardReading:
        """Read one RGB photo."""
        t0 = time.perf_counter()
        x, lb = steps.cropper_input(image)
        first = tuple(out[0] for out in self.run_model("cropper", x))
        x, zoom_lb = steps.zoom_input(image, lb, first)
        second = tuple(out[0] for out in self.run_model("cropper", x))
        located = steps.locate_card(image, lb, first, (zoom_lb, second),
                                    lambda: tuple(out[0] for out in self.run_model("cropper_cut", x)))
        t1 = time.perf_counter()
        if located.card is None:
            return CardReading(located.crop, None, None, timing_ms={"cropper": 1000 * (t1 - t0)})
        kernels = self.run_model("detector", steps.detector_input(located.card))[0][0]
        crop = located.crop
        located = dataclasses.replace(located, crop=crop_from_probs(steps.layout_probs(crop.class_probs, kernels),
                                                                    crop.corners, crop.corner_scores))
        boxes = steps.find_lines(kernels, located.crop.card_class)
        t2 = time.perf_counter()
        reader_logits = self.read_lines(located.card, boxes)
        fields = steps.read_fields(located.crop.card_class, boxes, reader_logits)
        t3 = time.perf_counter()
        return CardReading(located.crop, located.corners, located.card, fields, {
            "cropper": 1000 * (t1 - t0), "detector": 1000 * (t2 - t1), "reader": 1000 * (t3 - t2),
            "total": 1000 * (time.perf_counter() - t0)}, located.qr_text, located.photo_size, boxes, reader_logits)

    def read_json(self, image: np.ndarray) -> dict:
        """The same document the Triton ensemble returns."""
        reading = self.read(image)
        located = steps.Located(reading.crop, reading.corners, reading.card, reading.qr_text, reading.photo_size)
        timing = {k: round(v, 2) for k, v in reading.timing_ms.items()}
        return build_result(located, reading.fields, self.versions, timing)
