"""Gateway settings: one class, read from FVI_* environment variables (each documented in the README)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BeforeValidator, Field
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from fvi.pipeline.image import DEFAULT_MAX_PIXELS


def _comma_list(value: object) -> object:
    """'a, b,c' -> ['a', 'b', 'c'], so lists read naturally from one environment variable."""
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return value


CommaList = Annotated[list[str], NoDecode, BeforeValidator(_comma_list)]


class Settings(BaseSettings):
    """Every knob of the gateway; the environment variable is FVI_ + the field name in capitals."""

    model_config = SettingsConfigDict(env_prefix="FVI_", extra="ignore")

    triton_urls: CommaList = Field(["127.0.0.1:8001"], min_length=1, description=(
        "Triton gRPC addresses HOST:PORT, comma separated; requests are spread over the healthy ones."))
    triton_model: str = Field("fvi", description="The Triton model that reads a photo (the ensemble).")
    triton_timeout_s: float = Field(30.0, gt=0, description="Deadline of one Triton call; past it the answer is 504.")
    triton_retries: int = Field(2, ge=0, description="Extra tries of a call that met an unavailable server (other "
                                                     "servers first); nothing else is retried.")
    triton_backoff_s: float = Field(0.1, ge=0, description="Wait before the first retry, doubled for each next one.")
    triton_probe_interval_s: float = Field(2.0, gt=0, description=(
        "How often a server marked unhealthy is probed again (and the longest gRPC reconnect wait)."))
    gateway_host: str = Field("0.0.0.0", description="Address the gateway listens on.")
    gateway_port: int = Field(8080, ge=1, le=65535, description="Port the gateway listens on.")
    max_body_bytes: int = Field(10 * 1024 * 1024, gt=0, description=(
        "Largest request body, counted while it is read (413 past it)."))
    body_timeout_s: float = Field(30.0, gt=0, description=(
        "Time a client has to send the whole request body (408 past it, the slot is freed)."))
    max_pixels: int = Field(DEFAULT_MAX_PIXELS, gt=0, description=(
        "Largest image in pixels, read from its header before any decoding (413 past it)."))
    max_in_flight: int = Field(64, gt=0, description="OCR requests handled at once; the next one gets 429.")
    retry_after_s: int = Field(1, ge=0, description="Retry-After (seconds) sent with 429 and 503 answers.")
    api_keys: CommaList = Field([], description=(
        "Accepted X-API-Key values, comma separated; with none here or in the file, no key is asked."))
    api_keys_file: Path | None = Field(None, description="A file of accepted keys, one per line ('#' comments).")
    cors_origins: CommaList = Field([], description="Origins allowed to call the API from a browser ('*' for any).")
    log_level: str = Field("info", description="debug, info, warning or error.")
    debug_log_content: bool = Field(False, description=(
        "Log every result's field values (personal data!). Off by default; a warning is logged when on."))

    def accepted_keys(self) -> list[str]:
        """API keys from the environment and the keys file, without blanks and comments."""
        keys = list(self.api_keys)
        if self.api_keys_file is not None:
            for line in self.api_keys_file.read_text(encoding="utf-8").splitlines():
                line = line.split("#", 1)[0].strip()
                if line:
                    keys.append(line)
        return keys
