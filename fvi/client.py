"""`fvi read`: send photos to the Triton `fvi` model over gRPC, concurrently, and collect the results."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}
_ERROR_CODE = re.compile(r"\b([a-z_]+): ")
KNOWN_CODES = {"invalid_image", "unsupported_media_type", "image_too_large"}


def collect_images(paths: list[Path]) -> list[Path]:
    """Files as given, and the images inside folders (sorted), in order."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.suffix.lower() in IMAGE_SUFFIXES)
        else:
            out.append(p)
    return out


@dataclass
class Outcome:
    path: Path
    result: dict | None = None
    error: dict | None = None

    def as_record(self) -> dict:
        record: dict = {"file": str(self.path)}
        if self.error is not None:
            record["error"] = self.error
        else:
            record["result"] = self.result
        return record


def error_of(exc: Exception) -> dict:
    """Map a tritonclient exception to FVI's {code, message}."""
    text = str(exc)
    match = next((m for m in _ERROR_CODE.finditer(text) if m.group(1) in KNOWN_CODES), None)
    if match:
        return {"code": match.group(1), "message": text[match.end():].strip()}
    if "UNAVAILABLE" in text or "failed to connect" in text.lower():
        return {"code": "triton_unavailable", "message": text}
    return {"code": "inference_failed", "message": text}


class FviClient:
    """A gRPC client of the `fvi` ensemble (one connection per thread)."""

    def __init__(self, url: str = "127.0.0.1:8001", model: str = "fvi", timeout_s: float = 60.0) -> None:
        self.url, self.model, self.timeout_s = url, model, timeout_s

    def read_bytes(self, data: bytes) -> dict:
        import tritonclient.grpc as grpcclient

        client = grpcclient.InferenceServerClient(self.url)
        arr = np.frombuffer(data, np.uint8)
        tensor = grpcclient.InferInput("image", [len(arr)], "UINT8")
        tensor.set_data_from_numpy(arr)
        response = client.infer(self.model, [tensor], client_timeout=self.timeout_s)
        return json.loads(response.as_numpy("result")[0].decode("utf-8"))

    def read_file(self, path: Path) -> Outcome:
        try:
            data = path.read_bytes()
        except OSError as exc:
            return Outcome(path, error={"code": "unreadable_file", "message": str(exc)})
        try:
            return Outcome(path, result=self.read_bytes(data))
        except Exception as exc:  # every failure is recorded, nothing is dropped
            return Outcome(path, error=error_of(exc))

    def read_many(self, paths: list[Path], concurrency: int = 4, progress=None) -> list[Outcome]:
        """Results in input order, errors included."""
        with ThreadPoolExecutor(max(1, concurrency)) as pool:
            outcomes = []
            for outcome in pool.map(self.read_file, paths):
                outcomes.append(outcome)
                if progress:
                    progress(1)
        return outcomes
