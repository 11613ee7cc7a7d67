"""Contact sheet: photos with their ground truth drawn on, beside the card warped back upright."""

from __future__ import annotations

import zlib
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

from fvi.cards.types import CANONICAL_SIZE, FIELD_KEYS
from fvi.synth import fonts
from fvi.synth.labels import ImageLabel

TILE_W = 480


def _field_color(key: str) -> tuple[int, int, int]:
    hue = (FIELD_KEYS.index(key) * 37) % 180 if key in FIELD_KEYS else zlib.crc32(key.encode()) % 180
    hsv = np.uint8([[[hue, 220, 230]]])
    return tuple(int(c) for c in cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)[0, 0])


def warp_to_card(image: np.ndarray, corners: list[tuple[float, float]]) -> np.ndarray:
    """Warp the labelled card region back to the canonical upright card (the check a model must pass)."""
    w, h = CANONICAL_SIZE
    dst = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    m = cv2.getPerspectiveTransform(np.float32(corners), dst)
    return cv2.warpPerspective(image, m, (w, h))


def tile(image: np.ndarray, label: ImageLabel, tile_w: int = TILE_W) -> np.ndarray:
    """One row of the sheet: annotated photo | upright card with field boxes and texts."""
    TILE_W = tile_w
    h, w = image.shape[:2]
    scale = TILE_W / w
    photo = cv2.resize(image, (TILE_W, int(h * scale)), interpolation=cv2.INTER_AREA)
    pil = Image.fromarray(photo)
    draw = ImageDraw.Draw(pil)
    font = fonts.load(fonts.available("sans")[0].regular, 13)
    title = f"#{label.index} " + ("NO CARD" if label.card is None else f"{label.card.type.value}/{label.card.side.value}")
    flags = [k for k, v in label.flags.model_dump().items() if v and k != "no_card"]
    if flags:
        title += " [" + ", ".join(flags) + "]"
    right = Image.new("RGB", (TILE_W, photo.shape[0]), (40, 40, 40))
    if label.card is not None:
        corners = [(x * scale, y * scale) for x, y in label.card.corners]
        draw.polygon(corners, outline=(0, 255, 0), width=3)
        draw.ellipse((corners[0][0] - 6, corners[0][1] - 6, corners[0][0] + 6, corners[0][1] + 6), fill=(255, 0, 0))
        for key, fl in label.card.fields.items():
            for line in fl.lines:
                draw.polygon([(x * scale, y * scale) for x, y in line.polygon], outline=_field_color(key), width=1)
        upright = warp_to_card(image, label.card.corners)
        card = Image.fromarray(upright)
        cdraw = ImageDraw.Draw(card)
        small = fonts.load(fonts.available("sans")[0].bold, 15)
        for key, fl in label.card.fields.items():
            for line in fl.lines:
                quad = [tuple(p) for p in line.polygon_card]
                cdraw.polygon(quad, outline=_field_color(key), width=2)
                cdraw.text((quad[3][0], quad[3][1] + 1), line.text, font=small, fill=_field_color(key),
                           stroke_width=2, stroke_fill=(0, 0, 0))
        card = card.resize((TILE_W, int(TILE_W * CANONICAL_SIZE[1] / CANONICAL_SIZE[0])))
        right.paste(card, (0, (right.height - card.height) // 2))
    draw.rectangle((0, 0, TILE_W, 18), fill=(0, 0, 0))
    draw.text((4, 2), title, font=font, fill=(255, 255, 255))
    return np.concatenate([np.asarray(pil), np.asarray(right)], 1)


def pick_diverse(labels: list[ImageLabel], limit: int) -> list[ImageLabel]:
    """The first photo of each card type/side and the first without a card, then the rest in order."""
    first: dict[str, ImageLabel] = {}
    for label in labels:
        key = "none" if label.card is None else f"{label.card.type.value}/{label.card.side.value}"
        first.setdefault(key, label)
    chosen = sorted(first.values(), key=lambda l: l.index)[:limit]
    rest = [l for l in labels if l not in chosen]
    return sorted(chosen + rest[: max(0, limit - len(chosen))], key=lambda l: l.index)


def contact_sheet(data_dir: Path, labels: list[ImageLabel], out: Path, limit: int = 12,
                  tile_w: int = TILE_W) -> Path:
    """Write a PNG (256-colour, to stay small) with up to ``limit`` samples, two per row."""
    rows = []
    for label in pick_diverse(labels, limit):
        image = cv2.cvtColor(cv2.imread(str(data_dir / "images" / label.image)), cv2.COLOR_BGR2RGB)
        rows.append(tile(image, label, tile_w))
    if len(rows) % 2:
        rows.append(np.zeros_like(rows[-1]))
    pairs = [np.concatenate(rows[i:i + 2], 1) for i in range(0, len(rows), 2)]
    sheet = Image.fromarray(np.concatenate(pairs, 0)).quantize(256, method=Image.Quantize.MEDIANCUT)
    sheet.save(out, optimize=True)
    return out
