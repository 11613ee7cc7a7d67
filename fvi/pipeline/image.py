"""Decode uploaded image bytes once, safely: sniff the type, refuse bombs before decoding pixels."""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image

from fvi.errors import ImageTooLarge, InvalidImage, UnsupportedImageType

#: Refuse images above this many pixels before decoding them (a 12 MP phone photo is 12e6).
DEFAULT_MAX_PIXELS = 40_000_000
MIN_SIDE = 64


def sniff_type(data: bytes) -> str | None:
    """'jpeg', 'png' or 'webp' from the magic bytes; ``None`` for anything else."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def inspect_image(data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS) -> tuple[str, int, int]:
    """(type, width, height) from the magic bytes and the header only, or the typed error
    ``decode_image`` would raise before decoding: cheap enough to refuse bad uploads early."""
    if not data:
        raise InvalidImage("the image is empty")
    kind = sniff_type(data)
    if kind is None:
        raise UnsupportedImageType("send a JPEG, PNG or WebP photo")
    too_large = f"over the limit of {max_pixels} pixels; send a smaller photo"
    try:
        with Image.open(io.BytesIO(data)) as header:  # reads the header only
            width, height = header.size
    except Image.DecompressionBombError as exc:  # PIL's own bomb guard fires in open(), above ~179 MP
        raise ImageTooLarge(f"the {kind.upper()} is {too_large}") from exc
    except Exception as exc:  # PIL raises many types for broken headers
        raise InvalidImage(f"the {kind.upper()} header cannot be read") from exc
    if width * height > max_pixels:
        raise ImageTooLarge(f"{width}x{height} is {too_large}")
    if min(width, height) < MIN_SIDE:
        raise InvalidImage(f"{width}x{height} is too small to read a card; send at least {MIN_SIDE} px per side")
    return kind, width, height


def decode_image(data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """RGB uint8 array from JPEG/PNG/WebP bytes (EXIF orientation applied), or a typed error."""
    kind, _, _ = inspect_image(data, max_pixels)
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise InvalidImage(f"the {kind.upper()} data is corrupt or truncated")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
