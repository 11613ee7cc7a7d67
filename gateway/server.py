"""Run the gateway with uvicorn in a background thread (what `fvi serve` and the e2e tests do)."""

from __future__ import annotations

import threading
import time

import uvicorn

from fvi.triton.server import port_free
from gateway.app import create_app
from gateway.settings import Settings


class GatewayError(RuntimeError):
    """The gateway could not start; the message says why."""


def uvicorn_config(settings: Settings) -> uvicorn.Config:
    # The app logs its own structured access lines; uvicorn's would repeat them unstructured.
    return uvicorn.Config(create_app(settings), host=settings.gateway_host, port=settings.gateway_port,
                          log_level="warning", access_log=False, lifespan="on")


class GatewayServer:
    """``start()`` returns once the gateway accepts connections; ``stop()`` drains and ends it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.server = uvicorn.Server(uvicorn_config(settings))
        self.thread = threading.Thread(target=self.server.run, name="fvi-gateway", daemon=True)

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.settings.gateway_host in ("0.0.0.0", "::") else self.settings.gateway_host
        return f"http://{host}:{self.settings.gateway_port}"

    def start(self, timeout_s: float = 30.0) -> GatewayServer:
        if not port_free(self.settings.gateway_port):
            raise GatewayError(f"port {self.settings.gateway_port} is already in use: choose another one "
                               "(--gateway-port or FVI_GATEWAY_PORT)")
        self.thread.start()
        deadline = time.monotonic() + timeout_s
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise GatewayError(f"the gateway did not start on {self.url}")
            time.sleep(0.05)
        return self

    def stop(self, timeout_s: float = 15.0) -> None:
        self.server.should_exit = True
        if self.thread.is_alive():
            self.thread.join(timeout_s)

    def __enter__(self) -> GatewayServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
