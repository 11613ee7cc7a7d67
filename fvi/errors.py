"""Errors a caller can act on: each has a stable code; HTTP/Triton borders map them once."""

from __future__ import annotations


class FviError(Exception):
    """Base class: ``code`` is stable and machine-readable, ``message`` says what to do."""

    code = "internal_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidImage(FviError):
    code = "invalid_image"


class UnsupportedImageType(FviError):
    code = "unsupported_media_type"


class ImageTooLarge(FviError):
    code = "image_too_large"
