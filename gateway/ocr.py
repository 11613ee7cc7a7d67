"""Read one uploaded photo: refuse bad bytes early, ask Triton, turn "no card" into an error, and
optionally draw the result on the photo."""

from __future__ import annotations

import asyncio
import base64
import logging
import time

import cv2

from fvi.pipeline.annotate import annotate
from fvi.pipeline.image import decode_image, inspect_image
from gateway.errors import NoCardFound
from gateway.settings import Settings
from gateway.triton import TritonPool

log = logging.getLogger("gateway.ocr")


def annotated_png(data: bytes, result: dict, max_pixels: int) -> str:
    """The photo with the result drawn on, as base64 PNG (CPU work: run it off the event loop)."""
    drawn = annotate(decode_image(data, max_pixels), result)
    _, png = cv2.imencode(".png", cv2.cvtColor(drawn, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_PNG_COMPRESSION, 1])
    return base64.b64encode(png.tobytes()).decode("ascii")


class OcrService:
    def __init__(self, settings: Settings, pool: TritonPool) -> None:
        self.settings = settings
        self.pool = pool

    async def read(self, data: bytes, with_annotation: bool = False) -> dict:
        """The result document for a photo, or a typed error (bad image, no card, Triton down...)."""
        start = time.perf_counter()
        inspect_image(data, self.settings.max_pixels)  # type and pixel count from the header: bombs stop here
        called = time.perf_counter()
        result = await self.pool.infer(data)
        triton_ms = (time.perf_counter() - called) * 1000
        reason = result.get("reason") or {}
        if result.get("card_type") is None:
            raise NoCardFound(reason.get("message") or "no identity card was found in the photo")
        if with_annotation:
            result["annotated_image"] = await asyncio.to_thread(annotated_png, data, result, self.settings.max_pixels)
        timing = result.setdefault("timing_ms", {})
        timing["triton"] = round(triton_ms, 2)
        timing["total"] = round((time.perf_counter() - start) * 1000, 2)  # in the gateway, Triton included
        if self.settings.debug_log_content:
            log.info("result", extra={"fields": {"result": {k: v for k, v in result.items() if k != "annotated_image"}}})
        return result
