"""The API's request and response bodies (OpenAPI, with examples); keys come from fvi.cards.types."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from fvi.cards.types import FIELD_KEYS, CardType, Side

FieldKey = Literal[FIELD_KEYS]  # one source of truth: the domain's field keys
Point = tuple[float, float]
Quad = list[Point]

_LINE = {"text": "046094538449", "confidence": 1.0,
         "box": [[744.1, 475.9], [514.0, 560.1], [502.6, 534.2], [733.2, 449.2]]}
#: A real answer for a generated (fictional) card, shortened to three fields.
OCR_EXAMPLE: dict[str, Any] = {
    "card_type": "cccd_chip", "side": "front", "card_confidence": 0.9191,
    "corners": [[1101.8, 546.1], [363.4, 805.9], [147.4, 345.8], [916.7, 43.5]],
    "fields": {
        "id_number": {"text": "046094538449", "confidence": 0.9834, "lines": [_LINE]},
        "full_name": {"text": "HOÀNG HẢI HƯNG", "confidence": 0.8156, "lines": [
            {"text": "HOÀNG HẢI HƯNG", "confidence": 0.8233,
             "box": [[800.5, 385.6], [575.3, 469.3], [564.0, 442.7], [789.7, 358.3]]}]},
        "date_of_expiry": {"text": "30/04/2034", "value": "2034-04-30", "confidence": 0.6976, "lines": [
            {"text": "30/04/2034", "confidence": 0.7569,
             "box": [[919.7, 115.7], [822.8, 153.3], [811.8, 124.4], [908.9, 86.5]]}]},
    },
    "checks": [{"name": "id_number_format", "status": "pass", "detail": "12 digits expected"},
               {"name": "id_number_matches_sex", "status": "pass", "detail": "ID says Nam"}],
    "models": {"cropper": "3", "cropper_cut": "1", "detector": "2", "reader": "7"},
    "timing_ms": {"triton": 88.4, "total": 89.1},
}


class LineResult(BaseModel):
    model_config = ConfigDict(extra="allow")

    text: str = Field(description="The line as read.")
    confidence: float = Field(description="The line's weakest character probability.")
    box: Quad = Field(description="The line's 4 corners in the uploaded image's pixels.")


class FieldResult(BaseModel):
    model_config = ConfigDict(extra="allow")

    text: str | None = Field(description="The field as read; null when it is on the card but unreadable.")
    value: str | dict[str, Any] | None = Field(None, description=(
        "Machine-friendly value where one exists: ISO date (null for 'no expiry'), the parsed MRZ."))
    confidence: float = Field(description="The field's weakest line.")
    read_as: str | None = Field(None, description=(
        "Present when `text` differs from it: the reader's own text, before the format put it right "
        "(addresses: names matched to the official list of provinces and wards, signs put back; marks: "
        "signs and spaces; MRZ: digits re-read under the check digits)."))
    status: Literal["unreadable"] | None = Field(None, description="Present when the field could not be read.")
    lines: list[LineResult] = Field(description="The text lines the field was read from, in reading order.")


class CheckResult(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str
    status: Literal["pass", "fail", "unknown"]
    detail: str | None = None


class OcrResponse(BaseModel):
    """One card read from one photo (ARCHITECTURE.md)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [OCR_EXAMPLE]})

    card_type: CardType
    side: Side
    card_confidence: float = Field(description="Probability of the card type/side.")
    corners: Quad = Field(description="Card corners in card-text order (top-left first), image pixels.")
    fields: dict[FieldKey, FieldResult] = Field(description="The fields printed on this card type and side.")
    checks: list[CheckResult] = Field(description="Soft consistency checks; none rewrites a field.")
    models: dict[str, str | None] = Field(description=(
        "Version of each model that served the request (null only if none was known to be ready)."))
    qr: dict[str, Any] | None = Field(None, description=(
        "The card's QR code, when one was decoded (chip-CCCD front, Căn cước back): id_number, old_id_number, "
        "full_name, date_of_birth and date_of_issue (ISO), sex, place_of_residence, extra (further fields); "
        "{\"raw\": text} when it is not the documented payload. Read from the code, not the print."))
    timing_ms: dict[str, float] = Field(description=(
        "Milliseconds: `triton` the inference call, `total` the gateway's handling of the photo (call included)."))
    annotated_image: str | None = Field(None, description="With ?annotate=true: the photo with the result drawn "
                                                          "on it, base64 PNG.")


class OcrJsonRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"image": "/9j/4AAQSkZJRgABAQAAAQABAAD..."}]})

    image: str = Field(description="The photo's bytes (JPEG, PNG or WebP), base64; a data: URL is accepted.")


class ErrorBody(BaseModel):
    code: str = Field(description="Stable, machine-readable: invalid_image, no_card, overloaded, ...")
    message: str = Field(description="What went wrong and what to do, for a person.")


class ErrorResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"error": {"code": "no_card", "message": "no identity card was found in the photo"}}]})

    error: ErrorBody


class HealthResponse(BaseModel):
    status: Literal["ok"] = "ok"


class ReadyResponse(BaseModel):
    status: Literal["ready"] = "ready"
    endpoints: dict[str, bool] = Field(description="Each Triton server and whether its model is ready.")
