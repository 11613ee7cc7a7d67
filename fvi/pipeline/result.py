"""The JSON document FVI returns for one photo (ARCHITECTURE.md; the gateway returns the same keys)."""

from __future__ import annotations

from fvi.cards.qr import parse_payload
from fvi.cards.types import fields_of
from fvi.cards.validate import UNKNOWN, Check, check_fields, normalized_value
from fvi.pipeline.edges import card_inside_photo
from fvi.pipeline.fields import Field
from fvi.pipeline.specs import CARD_CLASSES
from fvi.pipeline.steps import QR_SIDES, Located, box_in_image, card_to_image


def build_result(located: Located, fields: dict[str, Field], models: dict[str, str],
                 timing_ms: dict[str, float]) -> dict:
    crop = located.crop
    present = round(float(crop.card_present), 4)
    if located.card is None:
        return {"card_type": None, "side": None, "card_confidence": present, "corners": None, "fields": {},
                "checks": [], "reason": {"code": "no_card", "message": "no identity card was found in the photo"},
                "models": models, "timing_ms": timing_ms}
    card_type, side = crop.card_class.split("/")
    homography = card_to_image(located.corners)
    out_fields: dict[str, dict] = {}
    for key in fields_of(card_type, side):
        f = fields.get(key)
        if f is None:
            out_fields[key] = {"text": None, "confidence": 0.0, "status": "unreadable", "lines": []}
            continue
        entry = {"text": f.text, "confidence": round(float(f.confidence), 4),
                 "lines": [{"text": l.text.text, "confidence": round(float(l.text.confidence), 4),
                            "box": box_in_image(l.box.box, homography)} for l in f.lines]}
        if f.read_as is not None:
            entry["read_as"] = f.read_as
        value = normalized_value(key, f.text)
        if value is not None:
            entry["value"] = value or None  # '' means "no expiry"
        out_fields[key] = entry
    qr_text = located.qr_text if crop.card_class in QR_SIDES else None
    checks = check_fields(card_type, {k: f.text for k, f in fields.items()}, qr_text)
    if located.photo_size is not None:
        checks.insert(0, card_inside_photo(located.corners, located.photo_size))
    if crop.card_class in QR_SIDES and qr_text is None:
        checks.append(Check("qr_matches_fields", UNKNOWN, "QR code not decoded"))
    out = {
        "card_type": card_type,
        "side": side,
        "card_confidence": round(float(crop.class_probs[CARD_CLASSES.index(crop.card_class)]), 4),
        "corners": [[round(float(x), 1), round(float(y), 1)] for x, y in located.corners],
        "fields": out_fields,
        "checks": [c.as_dict() for c in checks],
        "models": models,
        "timing_ms": timing_ms,
    }
    if qr_text is not None:
        payload = parse_payload(qr_text)
        out["qr"] = payload.as_dict() if payload is not None else {"raw": qr_text}
    return out

