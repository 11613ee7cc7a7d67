"""Triton stopped under a running gateway: clear 503s; Triton restarted on the same ports: the same
gateway is ready again and reads cards, without being restarted."""

from __future__ import annotations

import time


def test_triton_down_is_503_and_back_up_is_ready_without_restarting_the_gateway(triton, client, card):
    files = {"image": ("card.jpg", card.jpeg, "image/jpeg")}
    assert client.post("/v1/ocr", files=files).status_code == 200
    triton.stop()
    try:
        down = client.post("/v1/ocr", files=files)
        assert down.status_code == 503, down.text
        assert down.json()["error"]["code"] == "triton_unavailable" and down.headers["retry-after"] == "1"
        not_ready = client.get("/readyz")
        assert not_ready.status_code == 503 and not_ready.json()["error"]["code"] == "triton_unavailable"
        assert client.get("/healthz").status_code == 200  # the gateway itself is alive
    finally:
        triton.start()  # same config, same ports
    deadline = time.monotonic() + 30
    while client.get("/readyz").status_code != 200:
        assert time.monotonic() < deadline, "the gateway did not see Triton again within 30 s"
        time.sleep(0.2)
    back = client.post("/v1/ocr", files=files)
    assert back.status_code == 200 and back.json()["card_type"] == "cccd_chip"
