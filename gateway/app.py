"""The FastAPI app: thin routes over gateway modules, errors mapped to JSON at one border."""

from __future__ import annotations

import hmac
import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.security import APIKeyHeader
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from fvi import __version__
from fvi.errors import FviError
from gateway import logs
from gateway.admission import Admission
from gateway.errors import RETRY_LATER, InvalidRequest, TritonUnavailable, Unauthorized, http_status
from gateway.metrics import Metrics
from gateway.observe import ObserveMiddleware
from gateway.ocr import OcrService
from gateway.schemas import ErrorResponse, HealthResponse, OcrJsonRequest, OcrResponse, ReadyResponse
from gateway.settings import Settings
from gateway.triton import TritonPool
from gateway.upload import FIELD, image_bytes, read_body

log = logging.getLogger("gateway")
STATIC = Path(__file__).parent / "static"
DEBUG_WARNING = ("!!! FVI_DEBUG_LOG_CONTENT is ON: card field values (personal data) are written to the logs. "
                 "Never run a production gateway like this !!!")

OCR_BODY = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "required": [FIELD], "properties": {
        FIELD: {"type": "string", "format": "binary", "description": "The photo: JPEG, PNG or WebP."}}}},
    "application/json": {"schema": OcrJsonRequest.model_json_schema()},
}}}
ERRORS = {status: {"model": ErrorResponse, "description": text} for status, text in {
    400: "Not a readable image, or not a valid request (invalid_image, invalid_request).",
    401: "X-API-Key missing or wrong (unauthorized), when keys are configured.",
    408: "The body did not all arrive in time (request_timeout).",
    413: "Body over the limit (request_too_large) or image over the pixel limit (image_too_large).",
    415: "Not a JPEG, PNG or WebP (unsupported_media_type), or a body that is neither multipart nor JSON.",
    422: "No identity card found in the photo (no_card).",
    429: "Too many requests in flight (overloaded); see Retry-After.",
    503: "Triton is down or the model is not ready (triton_unavailable); see Retry-After.",
    504: "Triton did not answer in time (triton_timeout).",
}.items()}


def error_response(exc: FviError, settings: Settings) -> JSONResponse:
    headers = {"Retry-After": str(settings.retry_after_s)} if isinstance(exc, RETRY_LATER) else None
    return JSONResponse({"error": {"code": exc.code, "message": exc.message}}, http_status(exc), headers=headers)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    logs.configure(settings.log_level)
    metrics = Metrics()
    pool = TritonPool(settings, metrics)
    service = OcrService(settings, pool)
    admission = Admission(settings.max_in_flight, metrics.in_flight)
    keys = settings.accepted_keys()

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        if settings.debug_log_content:
            log.warning(DEBUG_WARNING)
        log.info("gateway starting", extra={"fields": {"triton_urls": settings.triton_urls,
                                                       "api_keys": len(keys), "max_in_flight": settings.max_in_flight}})
        await pool.open()
        try:
            yield
        finally:
            await pool.close()

    app = FastAPI(title="FVI gateway", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Reads a photo of a Vietnamese identity card into structured, validated JSON.")
    app.state.settings, app.state.metrics, app.state.pool = settings, metrics, pool
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type", "X-API-Key", "X-Request-ID"], expose_headers=["X-Request-ID"])
    app.add_middleware(ObserveMiddleware, metrics=metrics)  # outermost: sees every answer, even a crash

    @app.exception_handler(FviError)
    async def _fvi_error(_: Request, exc: FviError) -> JSONResponse:
        return error_response(exc, settings)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        where = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return error_response(InvalidRequest(where), settings)

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, f"http_{exc.status_code}")
        return JSONResponse({"error": {"code": code, "message": str(exc.detail)}}, exc.status_code,
                            headers=getattr(exc, "headers", None))

    api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="Needed when the gateway has keys.")

    def authorized(key: str | None = Depends(api_key)) -> None:
        if not keys:
            return
        given = (key or "").encode()
        if not any([hmac.compare_digest(given, k.encode()) for k in keys]):  # every key compared: constant time
            raise Unauthorized("send a valid X-API-Key header")

    @app.post("/v1/ocr", response_model=OcrResponse, response_model_exclude_unset=True, responses=ERRORS,
              openapi_extra=OCR_BODY, dependencies=[Depends(authorized)], summary="Read one card photo")
    async def ocr(request: Request, annotate: bool = Query(False, description=(
            "Also return the photo with the result drawn on it (base64 PNG), for debugging UIs."))) -> dict:
        """Multipart part `image`, or JSON {"image": "<base64>"}: the card's fields, checks and confidences."""
        async with admission.slot():
            body = await read_body(request.stream(), request.headers.get("content-length"), settings.max_body_bytes,
                                   settings.body_timeout_s)
            return await service.read(image_bytes(body, request.headers.get("content-type", "")), annotate)

    @app.get("/healthz", response_model=HealthResponse, summary="The gateway process is alive")
    async def healthz() -> HealthResponse:
        return HealthResponse()

    @app.get("/readyz", response_model=ReadyResponse, responses={503: ERRORS[503]},
             summary="A Triton server is reachable with the model ready")
    async def readyz() -> ReadyResponse:
        endpoints = await pool.readiness()
        if not any(endpoints.values()):
            raise TritonUnavailable(f"no Triton server has the `{settings.triton_model}` model ready: "
                                    + ", ".join(endpoints))
        return ReadyResponse(endpoints=endpoints)

    @app.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def prometheus() -> Response:
        content, media_type = metrics.render()
        return Response(content, media_type=media_type)

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
