"""TritonPool without a server: round robin over healthy servers, retries only on UNAVAILABLE, and
Triton's errors turned into FVI's typed errors."""

from __future__ import annotations

import asyncio
import json

import numpy as np
import pytest
from tritonclient.utils import InferenceServerException

from fvi.errors import ImageTooLarge, InvalidImage
from gateway.errors import InferenceFailed, TritonTimeout, TritonUnavailable
from gateway.metrics import Metrics
from gateway.settings import Settings
from gateway.triton import Endpoint, TritonPool


class FakeResult:
    def __init__(self, url: str) -> None:
        self.url = url

    def as_numpy(self, name: str) -> np.ndarray:
        return np.array([json.dumps({"served_by": self.url}).encode()], dtype=np.object_)


class FakeClient:
    """Answers, or raises the given errors in turn, and counts calls."""

    def __init__(self, url: str, errors=()) -> None:
        self.url, self.errors, self.calls = url, list(errors), 0

    async def infer(self, model, inputs, outputs=None, client_timeout=None):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return FakeResult(self.url)

    async def is_model_ready(self, model, client_timeout=None) -> bool:
        if self.errors:
            raise self.errors.pop(0)
        return True


def unavailable() -> InferenceServerException:
    return InferenceServerException("failed to connect to all addresses", status="StatusCode.UNAVAILABLE")


def pool_of(*clients: FakeClient, **settings) -> TritonPool:
    pool = TritonPool(Settings(triton_urls=[c.url for c in clients], triton_backoff_s=0, **settings), Metrics())
    pool.endpoints = [Endpoint(c.url, c) for c in clients]
    return pool


def read(pool: TritonPool) -> str:
    return asyncio.run(pool.infer(b"\xff\xd8\xff"))["served_by"]


def test_requests_go_round_robin_over_healthy_servers():
    pool = pool_of(FakeClient("a"), FakeClient("b"), FakeClient("c"))
    assert [read(pool) for _ in range(6)] == ["a", "b", "c", "a", "b", "c"]


def test_an_unavailable_server_is_skipped_until_a_probe_finds_it_ready():
    a, b = FakeClient("a", [unavailable()]), FakeClient("b")
    pool = pool_of(a, b)
    assert read(pool) == "b"  # a failed, the same request retried on b
    assert not pool.endpoints[0].healthy
    assert [read(pool) for _ in range(3)] == ["b", "b", "b"]
    assert asyncio.run(pool.readiness()) == {"a": True, "b": True}
    assert sorted(read(pool) for _ in range(2)) == ["a", "b"]


def test_retries_are_bounded_and_end_in_triton_unavailable():
    down = FakeClient("a", [unavailable()] * 10)
    with pytest.raises(TritonUnavailable):
        read(pool_of(down, triton_retries=2))
    assert down.calls == 3


@pytest.mark.parametrize("error,expected", [
    (InferenceServerException("Deadline Exceeded", status="StatusCode.DEADLINE_EXCEEDED"), TritonTimeout),
    (InferenceServerException("in ensemble 'fvi', invalid_image: the JPEG data is corrupt or truncated",
                              status="StatusCode.INTERNAL"), InvalidImage),
    (InferenceServerException("image_too_large: 9000x9000 is over the limit", status="StatusCode.INTERNAL"),
     ImageTooLarge),
    (InferenceServerException("Request for unknown model: 'fvi' is not found", status="StatusCode.NOT_FOUND"),
     TritonUnavailable),
    (InferenceServerException("onnxruntime exploded", status="StatusCode.INTERNAL"), InferenceFailed),
])
def test_other_errors_are_typed_and_never_retried(error, expected):
    server = FakeClient("a", [error])
    with pytest.raises(expected):
        read(pool_of(server, triton_retries=3))
    assert server.calls == 1
