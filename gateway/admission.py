"""Admission control: at most N OCR requests at once; the next one is refused at once, never queued."""

from __future__ import annotations

from contextlib import asynccontextmanager

from prometheus_client import Gauge

from gateway.errors import Overloaded


class Admission:
    def __init__(self, limit: int, gauge: Gauge) -> None:
        self.limit = limit
        self.gauge = gauge
        self.current = 0  # one event loop: no lock needed

    @asynccontextmanager
    async def slot(self):
        if self.current >= self.limit:
            raise Overloaded(f"{self.limit} requests are already being handled; retry after Retry-After seconds")
        self.current += 1
        self.gauge.inc()
        try:
            yield
        finally:
            self.current -= 1
            self.gauge.dec()
