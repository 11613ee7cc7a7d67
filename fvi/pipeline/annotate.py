"""Draw a result on its photo: card outline, field boxes and the text read beside them."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from fvi.cards.types import FIELD_KEYS
from fvi.synth import fonts


def _color(key: str) -> tuple[int, int, int]:
    palette = [(230, 25, 75), (60, 180, 75), (0, 130, 200), (245, 130, 48), (145, 30, 180), (70, 240, 240),
               (240, 50, 230), (210, 245, 60), (0, 128, 128), (170, 110, 40), (128, 0, 0), (0, 0, 128)]
    return palette[FIELD_KEYS.index(key) % len(palette)] if key in FIELD_KEYS else (255, 255, 0)


def annotate(image: np.ndarray, result: dict) -> np.ndarray:
    """RGB photo with the result drawn on (a copy)."""
    pil = Image.fromarray(image)
    draw = ImageDraw.Draw(pil)
    scale = max(image.shape[:2]) / 1000
    font = fonts.load(fonts.available("sans")[0].bold, max(12, int(16 * scale)))
    width = max(2, int(3 * scale))
    if result.get("corners"):
        corners = [tuple(p) for p in result["corners"]]
        draw.polygon(corners, outline=(0, 255, 0), width=width)
        x, y = corners[0]
        draw.ellipse((x - 3 * width, y - 3 * width, x + 3 * width, y + 3 * width), fill=(255, 0, 0))
        title = f"{result['card_type']}/{result['side']} ({result['card_confidence']:.2f})"
        draw.text((x, y - 30 * scale), title, font=font, fill=(0, 255, 0), stroke_width=2, stroke_fill=(0, 0, 0))
    else:
        draw.text((10, 10), "no card found", font=font, fill=(255, 80, 80), stroke_width=2, stroke_fill=(0, 0, 0))
    for key, field in result.get("fields", {}).items():
        for line in field.get("lines", []):
            box = [tuple(p) for p in line["box"]]
            draw.polygon(box, outline=_color(key), width=max(1, width // 2))
            draw.text((box[3][0], box[3][1] + 2), line["text"], font=font, fill=_color(key),
                      stroke_width=2, stroke_fill=(0, 0, 0))
    return np.asarray(pil)
