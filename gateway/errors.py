"""The gateway's own errors, and the one table that turns every FVI error into an HTTP status."""

from __future__ import annotations

from fvi.errors import FviError, ImageTooLarge, InvalidImage, UnsupportedImageType


class InvalidRequest(FviError):
    """The request is not an upload the API understands (bad JSON, bad base64, no `image` part)."""

    code = "invalid_request"


class UnsupportedContentType(FviError):
    code = "unsupported_content_type"


class Unauthorized(FviError):
    code = "unauthorized"


class RequestTooLarge(FviError):
    code = "request_too_large"


class RequestTimeout(FviError):
    """The body did not arrive in time (a stalled or very slow upload)."""

    code = "request_timeout"


class NoCardFound(FviError):
    code = "no_card"


class Overloaded(FviError):
    code = "overloaded"


class InferenceFailed(FviError):
    """Triton answered with an error that is not the caller's: a fault on the serving side."""

    code = "inference_failed"


class TritonUnavailable(FviError):
    code = "triton_unavailable"


class TritonTimeout(FviError):
    code = "triton_timeout"


HTTP_STATUS: dict[type[FviError], int] = {
    InvalidRequest: 400,
    InvalidImage: 400,
    Unauthorized: 401,
    RequestTimeout: 408,
    RequestTooLarge: 413,
    ImageTooLarge: 413,
    UnsupportedImageType: 415,
    UnsupportedContentType: 415,
    NoCardFound: 422,
    Overloaded: 429,
    InferenceFailed: 502,
    TritonUnavailable: 503,
    TritonTimeout: 504,
}

#: Answers a client should simply try again later.
RETRY_LATER = (Overloaded, TritonUnavailable)


def http_status(exc: FviError) -> int:
    """The status for an error (its nearest mapped base class); 500 for an unmapped one."""
    for cls in type(exc).__mro__:
        if cls in HTTP_STATUS:
            return HTTP_STATUS[cls]
    return 500
