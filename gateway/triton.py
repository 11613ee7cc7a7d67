"""Triton over gRPC for the gateway: one reused channel per server, round robin over the healthy
servers, bounded retries with backoff on UNAVAILABLE only, and a background re-probe of the others."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from dataclasses import dataclass

import numpy as np
import tritonclient.grpc as grpcclient
import tritonclient.grpc.aio as grpcaio
from tritonclient.utils import InferenceServerException

from fvi.client import error_of
from fvi.errors import FviError, ImageTooLarge, InvalidImage, UnsupportedImageType
from gateway.errors import InferenceFailed, TritonTimeout, TritonUnavailable
from gateway.metrics import Metrics
from gateway.settings import Settings

log = logging.getLogger("gateway.triton")

UNAVAILABLE = "StatusCode.UNAVAILABLE"
DEADLINE_EXCEEDED = "StatusCode.DEADLINE_EXCEEDED"
NOT_FOUND = "StatusCode.NOT_FOUND"
#: Image errors raised inside Triton by fvi.pipeline.image, recognised by their code in the message.
IMAGE_ERRORS: dict[str, type[FviError]] = {cls.code: cls for cls in (InvalidImage, UnsupportedImageType, ImageTooLarge)}
PROBE_TIMEOUT_S = 2.0


def channel_args(reconnect_s: float) -> list[tuple[str, int]]:
    """tritonclient's defaults (no message size limit) plus a short reconnect backoff, so a restarted
    server is used again within seconds instead of gRPC's default of up to two minutes."""
    keepalive = grpcclient.KeepAliveOptions()
    return [
        ("grpc.max_send_message_length", grpcclient.MAX_GRPC_MESSAGE_SIZE),
        ("grpc.max_receive_message_length", grpcclient.MAX_GRPC_MESSAGE_SIZE),
        ("grpc.keepalive_time_ms", keepalive.keepalive_time_ms),
        ("grpc.keepalive_timeout_ms", keepalive.keepalive_timeout_ms),
        ("grpc.initial_reconnect_backoff_ms", min(250, int(reconnect_s * 1000))),
        ("grpc.max_reconnect_backoff_ms", int(reconnect_s * 1000)),
    ]


@dataclass
class Endpoint:
    url: str
    client: grpcaio.InferenceServerClient
    healthy: bool = True


class TritonPool:
    """Calls the `fvi` model on one of several Triton servers. Open and close it inside the event loop."""

    def __init__(self, settings: Settings, metrics: Metrics) -> None:
        self.settings = settings
        self.metrics = metrics
        self.endpoints: list[Endpoint] = []
        self._turn = itertools.count()
        self._prober: asyncio.Task | None = None

    async def open(self) -> None:
        args = channel_args(self.settings.triton_probe_interval_s)
        self.endpoints = [Endpoint(url, grpcaio.InferenceServerClient(url, channel_args=args))
                          for url in self.settings.triton_urls]
        for e in self.endpoints:
            self.metrics.set_endpoint_health(e.url, True)
        self._prober = asyncio.create_task(self._probe_forever())

    async def close(self) -> None:
        if self._prober is not None:
            self._prober.cancel()
        for e in self.endpoints:
            await e.client.close()

    def _pick(self) -> Endpoint:
        """The next healthy server in turn; when none is healthy, the next of all (it may be back)."""
        healthy = [e for e in self.endpoints if e.healthy]
        pool = healthy or self.endpoints
        return pool[next(self._turn) % len(pool)]

    def _set_health(self, endpoint: Endpoint, healthy: bool) -> None:
        if endpoint.healthy != healthy:
            log.warning("triton %s is %s", endpoint.url, "healthy again" if healthy else "unavailable")
        endpoint.healthy = healthy
        self.metrics.set_endpoint_health(endpoint.url, healthy)

    async def infer(self, data: bytes) -> dict:
        """The result document for one encoded photo, or a typed error."""
        image = grpcclient.InferInput("image", [len(data)], "UINT8")
        image.set_data_from_numpy(np.frombuffer(data, np.uint8))
        outputs = [grpcclient.InferRequestedOutput("result")]
        s = self.settings
        for attempt in range(s.triton_retries + 1):
            if attempt:
                await asyncio.sleep(s.triton_backoff_s * 2 ** (attempt - 1))
            endpoint = self._pick()
            start = time.perf_counter()
            try:
                response = await endpoint.client.infer(s.triton_model, [image], outputs=outputs,
                                                       client_timeout=s.triton_timeout_s)
            except InferenceServerException as exc:
                status = exc.status()
                self.metrics.observe_triton(endpoint.url, _outcome(status), time.perf_counter() - start)
                if status == UNAVAILABLE:
                    self._set_health(endpoint, False)
                    continue
                raise _error_of(exc, s.triton_timeout_s) from None
            self.metrics.observe_triton(endpoint.url, "ok", time.perf_counter() - start)
            return json.loads(response.as_numpy("result")[0])
        raise TritonUnavailable(f"no Triton server is reachable ({', '.join(s.triton_urls)}); try again shortly")

    async def probe(self, endpoint: Endpoint) -> bool:
        """Is the server up with the model ready? Updates the endpoint's health."""
        try:
            ready = await endpoint.client.is_model_ready(self.settings.triton_model, client_timeout=PROBE_TIMEOUT_S)
        except InferenceServerException:
            ready = False
        self._set_health(endpoint, ready)
        return ready

    async def readiness(self) -> dict[str, bool]:
        """Each server's readiness, probed now."""
        states = await asyncio.gather(*(self.probe(e) for e in self.endpoints))
        return {e.url: ready for e, ready in zip(self.endpoints, states)}

    async def _probe_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.triton_probe_interval_s)
            await asyncio.gather(*(self.probe(e) for e in self.endpoints if not e.healthy))


def _outcome(status: str | None) -> str:
    return {UNAVAILABLE: "unavailable", DEADLINE_EXCEEDED: "timeout"}.get(status or "", "error")


def _error_of(exc: InferenceServerException, timeout_s: float) -> FviError:
    """A Triton failure other than UNAVAILABLE as FVI's typed error."""
    status = exc.status()
    if status == DEADLINE_EXCEEDED:
        return TritonTimeout(f"Triton did not answer within {timeout_s:g} s; try again or send a smaller photo")
    if status == NOT_FOUND:
        return TritonUnavailable("the model is not loaded on the Triton server")
    error = error_of(exc)
    if error["code"] in IMAGE_ERRORS:
        return IMAGE_ERRORS[error["code"]](error["message"])
    log.error("triton error %s: %s", status, exc.message())
    return InferenceFailed("the server could not read this photo")
