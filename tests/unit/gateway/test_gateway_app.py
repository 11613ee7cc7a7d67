"""The app in process, with Triton replaced by a canned answer: the last-resort 500, and what the
logs may and may not contain."""

from __future__ import annotations

import asyncio
import logging

import cv2
import httpx
import numpy as np
import pytest

from gateway import Settings, create_app
from gateway.logs import JsonFormatter

#: Any real JPEG passes the gateway's header checks; Triton is replaced, so the content does not matter.
PHOTO = cv2.imencode(".jpg", np.full((120, 160, 3), 127, np.uint8))[1].tobytes()
HOLDER = "NGUYỄN THỊ THU HÀ"  # a fictional holder, as the canned answer's name
ANSWER = {"card_type": "cccd_chip", "side": "front", "card_confidence": 0.99,
          "corners": [[0, 0], [10, 0], [10, 10], [0, 10]],
          "fields": {"full_name": {"text": HOLDER, "confidence": 0.97, "lines": []}},
          "checks": [], "models": {"cropper": "1", "detector": "1", "reader": "1"}, "timing_ms": {}}


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def logs():
    handler = Collect()
    logging.getLogger("gateway").addHandler(handler)
    yield handler.lines
    logging.getLogger("gateway").removeHandler(handler)


def call(app, method: str, path: str, **kwargs) -> httpx.Response:
    async def go():
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
                return await c.request(method, path, **kwargs)

    return asyncio.run(go())


def app_answering(answer, **settings):
    app = create_app(Settings(triton_urls=["127.0.0.1:1"], **settings))

    async def infer(data: bytes) -> dict:
        if isinstance(answer, Exception):
            raise answer
        return dict(answer)

    app.state.pool.infer = infer
    return app


def test_an_unexpected_error_is_a_json_500_without_details_and_is_logged(logs):
    app = app_answering(RuntimeError("secret internals /srv/fvi"))
    r = call(app, "POST", "/v1/ocr", files={"image": ("c.jpg", PHOTO)}, headers={"X-Request-ID": "t-500"})
    assert r.status_code == 500 and r.json()["error"]["code"] == "internal_error"
    assert "secret" not in r.text and "Traceback" not in r.text
    assert r.headers["x-request-id"] == "t-500"
    assert any('"request_id": "t-500"' in line and "secret internals" in line for line in logs)


def test_field_values_are_not_logged_by_default(logs):
    r = call(app_answering(ANSWER), "POST", "/v1/ocr", files={"image": ("c.jpg", PHOTO)})
    assert r.status_code == 200 and r.json()["fields"]["full_name"]["text"] == HOLDER
    assert logs and not any(HOLDER in line or "THU" in line for line in logs)


def test_the_debug_flag_logs_field_values_and_warns_loudly(logs):
    r = call(app_answering(ANSWER, debug_log_content=True), "POST", "/v1/ocr",
             files={"image": ("c.jpg", PHOTO)})
    assert r.status_code == 200
    assert any('"level": "warning"' in line and "FVI_DEBUG_LOG_CONTENT is ON" in line for line in logs)
    assert any(HOLDER in line for line in logs)


def test_settings_read_comma_separated_lists_from_the_environment(monkeypatch):
    monkeypatch.setenv("FVI_TRITON_URLS", "triton-a:8001, triton-b:8001")
    monkeypatch.setenv("FVI_API_KEYS", "k1,k2")
    monkeypatch.setenv("FVI_GATEWAY_PORT", "9090")
    s = Settings()
    assert s.triton_urls == ["triton-a:8001", "triton-b:8001"] and s.accepted_keys() == ["k1", "k2"]
    assert s.gateway_port == 9090


def test_a_stalled_upload_gets_408_within_the_body_timeout_and_frees_its_slot():
    import time

    app = app_answering(ANSWER, body_timeout_s=0.3, max_in_flight=1)

    async def stalled():
        yield b"--x\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\n"
        await asyncio.sleep(3)
        yield b"never"

    async def go():
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
                start = time.perf_counter()
                slow = await c.post("/v1/ocr", content=stalled(),
                                    headers={"content-type": "multipart/form-data; boundary=x"})
                waited = time.perf_counter() - start
                after = await c.post("/v1/ocr", files={"image": ("card.jpg", PHOTO, "image/jpeg")})
                return slow, waited, after

    slow, waited, after = asyncio.run(go())
    assert slow.status_code == 408 and slow.json()["error"]["code"] == "request_timeout"
    assert waited < 2.5
    assert after.status_code == 200  # the one admission slot was given back
