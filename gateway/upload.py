"""The uploaded photo's bytes from a request: body read within its limit, then multipart or JSON
base64, all in memory (a photo is personal data: never spooled to disk)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from collections.abc import AsyncIterator

from python_multipart.multipart import FormParser, parse_options_header

from gateway.errors import InvalidRequest, RequestTimeout, RequestTooLarge, UnsupportedContentType

FIELD = "image"


async def read_body(stream: AsyncIterator[bytes], declared_length: str | None, limit: int,
                    timeout_s: float | None = None) -> bytes:
    """The whole body, refused as soon as it is known to be over ``limit`` (declared or counted), or
    when it has not all arrived within ``timeout_s`` (a stalled upload must not hold a slot)."""
    too_large = RequestTooLarge(f"the request body is over the limit of {limit} bytes; send a smaller photo")
    if declared_length and declared_length.isdigit() and int(declared_length) > limit:
        raise too_large
    chunks, size = [], 0
    try:
        async with asyncio.timeout(timeout_s):
            async for chunk in stream:
                size += len(chunk)
                if size > limit:
                    raise too_large
                chunks.append(chunk)
    except TimeoutError:
        raise RequestTimeout(f"the request body did not arrive within {timeout_s:g} s ({size} bytes came)") from None
    return b"".join(chunks)


def image_bytes(body: bytes, content_type: str) -> bytes:
    """The photo from a multipart body (part `image`) or a JSON body ({"image": "<base64>"})."""
    media, _ = parse_options_header(content_type or "")
    if media == b"multipart/form-data":
        return _from_multipart(body, content_type)
    if media == b"application/json":
        return _from_json(body)
    raise UnsupportedContentType("send multipart/form-data with an `image` part, or JSON {\"image\": \"<base64>\"}")


def _from_multipart(body: bytes, content_type: str) -> bytes:
    found: list[bytes] = []

    def on_part(part) -> None:  # a file part (with filename) or a plain field: both are accepted
        if part.field_name == FIELD.encode():
            found.append(part.file_object.getvalue() if hasattr(part, "file_object") else part.value or b"")

    # Memory limit above the body limit: parts stay in memory, never in a temporary file.
    parser = FormParser("multipart/form-data", on_part, on_part,
                        boundary=parse_options_header(content_type)[1].get(b"boundary"),
                        config={"MAX_MEMORY_FILE_SIZE": len(body) + 1})
    try:
        parser.write(body)
        parser.finalize()
    except Exception as exc:  # python-multipart raises several types for malformed bodies
        raise InvalidRequest(f"the multipart body cannot be parsed: {exc}") from None
    if not found:
        raise InvalidRequest(f"the multipart body has no `{FIELD}` part")
    return found[0]


def _from_json(body: bytes) -> bytes:
    try:
        doc = json.loads(body)
    except ValueError:
        raise InvalidRequest("the body is not valid JSON") from None
    if not isinstance(doc, dict) or not isinstance(doc.get(FIELD), str):
        raise InvalidRequest(f"the JSON body must be an object with a string `{FIELD}` (base64 of the photo)")
    text = doc[FIELD]
    if text.startswith("data:") and "," in text:  # a data: URL, as a browser's FileReader gives
        text = text.split(",", 1)[1]
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequest(f"`{FIELD}` is not valid base64") from None
