"""Prometheus metrics of one gateway app (its own registry, so several apps can live in one process)."""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

disable_created_metrics()  # the *_created series double the output and no dashboard of ours reads them

#: Seconds: from a cached 5 ms answer to a slow CPU card at several seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """What /metrics shows: HTTP requests and latency by route, Triton calls, OCR requests in flight."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("fvi_gateway_requests", "HTTP requests answered, by route, method and status.",
                                ["route", "method", "status"], registry=self.registry)
        self.latency = Histogram("fvi_gateway_request_duration_seconds", "HTTP request latency, by route.",
                                 ["route"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.triton_latency = Histogram("fvi_gateway_triton_request_duration_seconds",
                                        "Latency of one Triton inference call, by server and outcome.",
                                        ["endpoint", "outcome"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.in_flight = Gauge("fvi_gateway_in_flight_requests", "OCR requests being handled now.",
                               registry=self.registry)
        self.endpoint_healthy = Gauge("fvi_gateway_triton_endpoint_healthy",
                                      "1 while a Triton server is used, 0 while it is marked unhealthy.",
                                      ["endpoint"], registry=self.registry)

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route).observe(seconds)

    def observe_triton(self, endpoint: str, outcome: str, seconds: float) -> None:
        self.triton_latency.labels(endpoint, outcome).observe(seconds)

    def set_endpoint_health(self, endpoint: str, healthy: bool) -> None:
        self.endpoint_healthy.labels(endpoint).set(1 if healthy else 0)

    def render(self) -> tuple[bytes, str]:
        """The exposition text and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
