"""Scan-like photos: a generated card, upright at 1.3x its render size on a plain background. The
generator's photos shrink, blur and compress the card until its QR code (under 2 px per module) can no
longer be read; a close, sharp photo like a real eKYC capture keeps it readable."""

from __future__ import annotations

import cv2
import numpy as np

from fvi.synth.generate import Generator, SynthConfig


def scan_photos(card_type: str, side: str, count: int, seed: int = 4242) -> list[tuple[np.ndarray, str]]:
    """``count`` RGB photos of one card type/side, each with the text its QR code holds."""
    gen = Generator(SynthConfig(seed=seed, no_card_rate=0.0, cards=((card_type, side),)))
    out = []
    for i in range(count):
        sample = gen.sample(i)
        card = cv2.resize(sample.card.image, None, fx=1.3, fy=1.3, interpolation=cv2.INTER_CUBIC)
        photo = np.full((960, 1280, 3), (90, 110, 100), np.uint8)
        y, x = (960 - card.shape[0]) // 2, (1280 - card.shape[1]) // 2
        photo[y:y + card.shape[0], x:x + card.shape[1]] = card
        out.append((photo, sample.card.qr_payload))
    return out
