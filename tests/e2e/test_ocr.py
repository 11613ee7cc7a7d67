"""POST /v1/ocr over real HTTP against the real tritonserver: every card type, the bad-input matrix
with its statuses and codes, limits, auth, request ids, metrics and several Triton servers."""

from __future__ import annotations

import base64
import io
import re
from concurrent.futures import ThreadPoolExecutor

import cv2
import httpx
import numpy as np
import pytest
from PIL import Image

from fvi.cards.types import SUPPORTED_CARDS, fields_of
from fvi.pipeline.runner import MODELS, served_model_path
from fvi.synth.generate import Generator, SynthConfig
from gateway import GatewayServer
from tests.e2e.conftest import card_photo, gateway_settings, no_card_photo
from tests.integration.test_triton_server import ROOT, free_ports


def served_versions() -> dict[str, str]:
    """What the committed repository serves: each model's pinned (or highest) version."""
    return {m: served_model_path(ROOT / "model_repository", m).parent.name for m in MODELS}


def upload(client: httpx.Client, data: bytes, name: str = "card.jpg", **kwargs) -> httpx.Response:
    return client.post("/v1/ocr", files={"image": (name, data, "application/octet-stream")}, **kwargs)


@pytest.mark.parametrize("card_type,side", [(t.value, s.value) for t, s in SUPPORTED_CARDS])
def test_each_card_type_is_read_with_its_type_side_and_fields(client, card_type, side):
    sample = card_photo(card_type, side)
    assert (sample.label.card.type, sample.label.card.side) == (card_type, side)
    r = upload(client, sample.jpeg)
    assert r.status_code == 200, r.text
    doc = r.json()
    assert (doc["card_type"], doc["side"]) == (card_type, side)
    assert set(doc["fields"]) == set(fields_of(card_type, side))
    assert len(doc["corners"]) == 4 and doc["models"] == served_versions()
    assert doc["timing_ms"]["total"] >= doc["timing_ms"]["triton"] > 0
    assert "annotated_image" not in doc and "reason" not in doc


def test_json_base64_upload_gives_the_same_answer_as_multipart(client, card):
    multipart = upload(client, card.jpeg).json()
    as_json = client.post("/v1/ocr", json={"image": base64.b64encode(card.jpeg).decode()}).json()
    data_url = client.post("/v1/ocr", json={"image": "data:image/jpeg;base64," + base64.b64encode(card.jpeg).decode()})
    for doc in (as_json, data_url.json()):
        assert {k: v for k, v in doc.items() if k != "timing_ms"} == \
               {k: v for k, v in multipart.items() if k != "timing_ms"}


def test_annotate_returns_the_photo_with_the_result_drawn_as_png(client, card):
    doc = upload(client, card.jpeg, params={"annotate": "true"}).json()
    png = base64.b64decode(doc["annotated_image"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    drawn = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    photo = cv2.cvtColor(cv2.imdecode(np.frombuffer(card.jpeg, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    assert drawn.shape == photo.shape and np.abs(drawn.astype(int) - photo).max() > 100  # same size, boxes drawn


def _bomb_png() -> bytes:
    """30000 x 30000 1-bit PNG: ~110 kB on the wire, 900 megapixels (~2.7 GB as RGB) if decoded."""
    buf = io.BytesIO()
    Image.new("1", (30000, 30000)).save(buf, "PNG")
    return buf.getvalue()


def _truncated_jpeg(card) -> bytes:
    return card.jpeg[: len(card.jpeg) // 3]  # a valid header, then nothing: refused by Triton's decoder


BAD_UPLOADS = {
    "corrupt_jpeg_header": (lambda card: b"\xff\xd8\xff\xe0" + b"\0" * 200, 400, "invalid_image"),
    "truncated_jpeg": (_truncated_jpeg, 400, "invalid_image"),
    "empty_file": (lambda card: b"", 400, "invalid_image"),
    "tiny_png": (lambda card: cv2.imencode(".png", np.zeros((20, 20, 3), np.uint8))[1].tobytes(), 400,
                 "invalid_image"),
    "text_file_named_jpg": (lambda card: b"name,id\nNguyen Van A,001\n" * 20, 415, "unsupported_media_type"),
    "gif": (lambda card: b"GIF89a" + b"\0" * 100, 415, "unsupported_media_type"),
    "decompression_bomb_png": (lambda card: _bomb_png(), 413, "image_too_large"),
    "photo_without_a_card": (lambda card: no_card_photo(), 422, "no_card"),
}


@pytest.mark.parametrize("name", list(BAD_UPLOADS))
def test_bad_uploads_get_their_status_and_error_code(client, card, name):
    make, status, code = BAD_UPLOADS[name]
    r = upload(client, make(card))
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code and r.json()["error"]["message"]
    assert "Traceback" not in r.text


BAD_REQUESTS = {
    "bad_base64": ({"json": {"image": "not base64 at all!"}}, 400, "invalid_request"),
    "json_without_image": ({"json": {"photo": "aGVsbG8="}}, 400, "invalid_request"),
    "json_image_not_a_string": ({"json": {"image": 42}}, 400, "invalid_request"),
    "broken_json": ({"content": b"{\"image\": ", "headers": {"content-type": "application/json"}}, 400,
                    "invalid_request"),
    "multipart_without_image": ({"files": {"photo": ("a.jpg", b"\xff\xd8\xff")}}, 400, "invalid_request"),
    "form_urlencoded": ({"data": {"image": "abc"}}, 415, "unsupported_content_type"),
    "no_body": ({}, 415, "unsupported_content_type"),
    "bad_query": ({"json": {"image": "aGVsbG8="}, "params": {"annotate": "perhaps"}}, 400, "invalid_request"),
}


@pytest.mark.parametrize("name", list(BAD_REQUESTS))
def test_malformed_requests_get_their_status_and_error_code(client, name):
    kwargs, status, code = BAD_REQUESTS[name]
    r = client.post("/v1/ocr", **kwargs)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code


def test_a_body_over_the_limit_is_refused_from_its_declared_length(client):
    big = b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024)
    r = upload(client, big)
    assert r.status_code == 413 and r.json()["error"]["code"] == "request_too_large"


def test_a_streamed_body_over_the_limit_is_refused_while_it_is_read(triton):
    """Chunked upload with no Content-Length that never ends: the gateway answers 413 once it has
    counted past the limit, without waiting for (or buffering) the rest of the body."""
    import socket

    with GatewayServer(gateway_settings([triton.grpc_url], max_body_bytes=1024 * 1024)) as gw:
        port = gw.settings.gateway_port
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"POST /v1/ocr HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                      b"Transfer-Encoding: chunked\r\n\r\n")
            chunk = b"\0" * 65536
            try:
                for _ in range(24):  # 1.5 MB, and no final empty chunk: the body never ends
                    s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except OSError:  # the server may stop reading (or close) once it has answered
                pass
            answer = b""
            while b'"request_too_large"' not in answer and (part := s.recv(65536)):
                answer += part
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"request_too_large"' in answer


def test_request_id_is_echoed_or_made(client):
    r = client.get("/healthz", headers={"X-Request-ID": "kyc-7f3a.1"})
    assert r.headers["x-request-id"] == "kyc-7f3a.1"
    made = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"}).headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)


def test_unknown_route_and_method_are_json_errors(client):
    assert client.get("/v2/nothing").json()["error"]["code"] == "not_found"
    r = client.get("/v1/ocr")
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"


def test_health_readiness_and_metrics(client, card):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and all(ready.json()["endpoints"].values())
    upload(client, card.jpeg)
    text = client.get("/metrics").text
    assert re.search(r'fvi_gateway_requests_total\{method="POST",route="/v1/ocr",status="200"\} [1-9]', text)
    assert 'fvi_gateway_request_duration_seconds_bucket{le="0.5",route="/v1/ocr"}' in text
    assert re.search(r'fvi_gateway_triton_request_duration_seconds_count\{endpoint="[^"]+",outcome="ok"\} [1-9]', text)
    assert "fvi_gateway_in_flight_requests 0.0" in text


def test_thirty_two_concurrent_uploads_are_all_answered(client):
    photos = [Generator(SynthConfig(seed=3232, no_card_rate=0.0)).sample(i).jpeg for i in range(32)]
    with ThreadPoolExecutor(32) as pool:
        responses = list(pool.map(lambda data: upload(client, data), photos))
    assert [r.status_code for r in responses] == [200] * 32
    # Each answer is the one for its own photo: the same as asked alone, one at a time.
    for data, r in zip(photos, responses):
        alone = upload(client, data).json()
        assert {k: v for k, v in r.json().items() if k != "timing_ms"} == \
               {k: v for k, v in alone.items() if k != "timing_ms"}


def test_requests_over_the_in_flight_limit_get_429_with_retry_after(triton, card):
    with GatewayServer(gateway_settings([triton.grpc_url], max_in_flight=1, retry_after_s=3)) as gw:
        with httpx.Client(base_url=gw.url, timeout=60) as c, ThreadPoolExecutor(6) as pool:
            responses = list(pool.map(lambda _: upload(c, card.jpeg), range(6)))
    statuses = sorted(r.status_code for r in responses)
    assert 200 in statuses and 429 in statuses and set(statuses) <= {200, 429}
    refused = next(r for r in responses if r.status_code == 429)
    assert refused.headers["retry-after"] == "3" and refused.json()["error"]["code"] == "overloaded"


def test_api_keys_from_env_and_file_are_required_when_configured(triton, card, tmp_path):
    keys_file = tmp_path / "keys"
    keys_file.write_text("# partners\nkey-from-file\n")
    settings = gateway_settings([triton.grpc_url], api_keys=["key-from-env"], api_keys_file=keys_file)
    with GatewayServer(settings) as gw, httpx.Client(base_url=gw.url, timeout=60) as c:
        assert upload(c, card.jpeg).status_code == 401
        wrong = upload(c, card.jpeg, headers={"X-API-Key": "key-from-en"})
        assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "unauthorized"
        assert upload(c, card.jpeg, headers={"X-API-Key": "key-from-env"}).status_code == 200
        assert upload(c, card.jpeg, headers={"X-API-Key": "key-from-file"}).status_code == 200
        assert c.get("/healthz").status_code == 200  # probes stay open


def test_cors_allows_only_the_configured_origins(triton):
    settings = gateway_settings([triton.grpc_url], cors_origins=["https://kyc.example.vn"])
    with GatewayServer(settings) as gw, httpx.Client(base_url=gw.url, timeout=60) as c:
        preflight = {"Access-Control-Request-Method": "POST"}
        ok = c.options("/v1/ocr", headers={"Origin": "https://kyc.example.vn", **preflight})
        other = c.options("/v1/ocr", headers={"Origin": "https://evil.example.com", **preflight})
    assert ok.headers["access-control-allow-origin"] == "https://kyc.example.vn"
    assert "access-control-allow-origin" not in other.headers


def test_requests_are_spread_over_servers_and_a_dead_one_is_skipped(triton, card):
    """Three URLs: the live server under two names, and a port where nothing listens. Every request
    succeeds, both live names are used, and the dead one is marked unhealthy."""
    (dead,) = free_ports(1)
    port = triton.config.grpc_port
    urls = [f"127.0.0.1:{port}", f"127.0.0.1:{dead}", f"localhost:{port}"]
    with GatewayServer(gateway_settings(urls)) as gw, httpx.Client(base_url=gw.url, timeout=60) as c:
        statuses = [upload(c, card.jpeg).status_code for _ in range(8)]
        metrics = c.get("/metrics").text
        ready = c.get("/readyz").json()
    assert statuses == [200] * 8
    for live in (urls[0], urls[2]):
        assert re.search(rf'triton_request_duration_seconds_count\{{endpoint="{live}",outcome="ok"\}} [2-9]', metrics)
    assert f'fvi_gateway_triton_endpoint_healthy{{endpoint="{urls[1]}"}} 0.0' in metrics
    assert ready["endpoints"] == {urls[0]: True, urls[1]: False, urls[2]: True}


def _triton_calls(client) -> float:
    text = client.get("/metrics").text
    return sum(float(v) for v in re.findall(r"fvi_gateway_triton_request_duration_seconds_count\{[^}]*\} (\S+)", text))


def test_bombs_and_non_images_are_refused_in_the_gateway_without_calling_triton(client, card):
    before = _triton_calls(client)
    for name in ("decompression_bomb_png", "text_file_named_jpg", "corrupt_jpeg_header", "tiny_png"):
        assert upload(client, BAD_UPLOADS[name][0](card)).status_code in (400, 413, 415)
    assert _triton_calls(client) == before
    assert upload(client, card.jpeg).status_code == 200
    assert _triton_calls(client) == before + 1


def test_a_triton_call_past_its_deadline_is_504(triton, card):
    with GatewayServer(gateway_settings([triton.grpc_url], triton_timeout_s=0.001)) as gw, \
            httpx.Client(base_url=gw.url, timeout=60) as c:
        r = upload(c, card.jpeg)
    assert r.status_code == 504 and r.json()["error"]["code"] == "triton_timeout"


@pytest.mark.parametrize("model,status,code", [("reader", 502, "inference_failed"),
                                               ("no_such_model", 503, "triton_unavailable")])
def test_a_failure_on_the_serving_side_is_not_blamed_on_the_photo(triton, card, model, status, code):
    """A misconfigured gateway (wrong model) answers 502/503 with a code, never 400 or a bare 500."""
    with GatewayServer(gateway_settings([triton.grpc_url], triton_model=model)) as gw, \
            httpx.Client(base_url=gw.url, timeout=60) as c:
        r = upload(c, card.jpeg)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code
