"""The JSON document FVI returns for one photo (ARCHITECTURE.md; the gateway returns the same keys)."""

from __future__ import annotations

import numpy as np

from fvi.cards.types import fields_of
from fvi.cards.validate import UNKNOWN, Check, check_fields, normalized_value
from fvi.pipeline.fields import Field
from fvi.pipeline.specs import CARD_CLASSES
from fvi.pipeline.steps import Located, box_in_image, card_to_image

#: Card sides that carry a QR code, decoded from the warped card to cross-check the fields.
QR_SIDES = {"cccd_chip/front", "can_cuoc_2024/back"}


def decode_qr(card: np.ndarray) -> str | None:
    """The first QR code's text on the upright card, or None."""
    import zxingcpp

    results = zxingcpp.read_barcodes(card, formats=zxingcpp.BarcodeFormat.QRCode)
    return results[0].text if results else None


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
    qr_text = decode_qr(located.card) if crop.card_class in QR_SIDES else None
    checks = check_fields(card_type, {k: f.text for k, f in fields.items()}, qr_text)
    if crop.card_class in QR_SIDES and qr_text is None:
        checks.append(Check("qr_matches_fields", UNKNOWN, "QR code not decoded"))
    return {
        "card_type": card_type,
        "side": side,
        "card_confidence": round(float(crop.class_probs[CARD_CLASSES.index(crop.card_class)]), 4),
        "corners": [[round(float(x), 1), round(float(y), 1)] for x, y in located.corners],
        "fields": out_fields,
        "checks": [c.as_dict() for c in checks],
        "models": models,
        "timing_ms": timing_ms,
    }

