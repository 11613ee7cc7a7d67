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


def decode_image(data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """RGB uint8 array from JPEG/PNG/WebP bytes (EXIF orientation applied), or a typed error."""
    if not data:
        raise InvalidImage("the image is empty")
    kind = sniff_type(data)
    if kind is None:
        raise UnsupportedImageType("send a JPEG, PNG or WebP photo")
    try:
        with Image.open(io.BytesIO(data)) as header:  # reads the header only
            width, height = header.size
    except Exception as exc:  # PIL raises many types for broken headers
        raise InvalidImage(f"the {kind.upper()} header cannot be read") from exc
    if width * height > max_pixels:
        raise ImageTooLarge(f"{width}x{height} is over the limit of {max_pixels} pixels; send a smaller photo")
    if min(width, height) < MIN_SIDE:
        raise InvalidImage(f"{width}x{height} is too small to read a card; send at least {MIN_SIDE} px per side")
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise InvalidImage(f"the {kind.upper()} data is corrupt or truncated")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
