"""ASGI middleware around every request: request id (X-Request-ID in and out), access log, metrics,
and the last border for unexpected errors (logged, answered as a JSON 500 without details)."""

from __future__ import annotations

import json
import logging
import time

from gateway.logs import new_request_id, request_id
from gateway.metrics import Metrics

log = logging.getLogger("gateway.access")
INTERNAL_ERROR = {"error": {"code": "internal_error", "message": "an internal error occurred; it was logged "
                                                                 "under this request's X-Request-ID"}}


class ObserveMiddleware:
    def __init__(self, app, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        rid = new_request_id(headers.get(b"x-request-id", b"").decode("latin-1") or None)
        token = request_id.set(rid)
        start = time.perf_counter()
        status = 500
        started = False

        async def send_with_id(message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error")
            if not started:
                body = json.dumps(INTERNAL_ERROR).encode()
                await send_with_id({"type": "http.response.start", "status": 500, "headers": [
                    (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
                await send_with_id({"type": "http.response.body", "body": body})
        finally:
            seconds = time.perf_counter() - start
            route = scope.get("route")
            # The route's template (bounded label values); a mount (/static) has its root path instead.
            label = getattr(route, "path", None) or scope.get("root_path") or "unmatched"
            self.metrics.observe_request(label, scope["method"], status, seconds)
            log.info("%s %s %d", scope["method"], scope["path"], status, extra={"fields": {
                "method": scope["method"], "path": scope["path"], "route": label, "status": status,
                "duration_ms": round(seconds * 1000, 1)}})
            request_id.reset(token)
