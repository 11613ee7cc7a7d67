"""Procedural card artwork: backgrounds, emblem, portrait, chip, QR, fingerprints, stamps."""

from __future__ import annotations

import math
import zlib
from functools import lru_cache

import cv2
import numpy as np
import segno
from PIL import Image, ImageDraw

from fvi.synth.layouts import Style


@lru_cache(maxsize=64)
def background(style: Style, size: tuple[int, int], variant: int) -> np.ndarray:
    """Card background (RGB uint8): gradient plus a security pattern; cached per (style, variant)."""
    w, h = size
    # zlib.crc32, not hash(): str hashes change between processes and would break determinism.
    rng = np.random.default_rng([variant, zlib.crc32(repr(style).encode())])
    base = np.array(style.base, np.float32)
    edge = np.array(style.edge, np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h
    dist = np.sqrt(((xx - cx) / w) ** 2 + ((yy - cy) / h) ** 2)
    t = np.clip(dist / dist.max(), 0, 1)[..., None]
    img = (base * (1 - t) + edge * t).astype(np.uint8)
    color = tuple(int(c) for c in style.pattern)
    thickness = 1
    if style.pattern_kind == "guilloche":
        for k in range(14):
            r0, amp, freq = rng.uniform(60, 420), rng.uniform(10, 40), int(rng.integers(8, 30))
            ox, oy = rng.uniform(0, w), rng.uniform(0, h)
            a = np.linspace(0, 2 * math.pi, 720)
            r = r0 + amp * np.sin(freq * a + k)
            pts = np.stack([ox + r * np.cos(a), oy + r * np.sin(a)], 1).astype(np.int32)
            cv2.polylines(img, [pts], True, color, thickness, cv2.LINE_AA)
    elif style.pattern_kind == "waves":
        x = np.arange(0, w, 3, dtype=np.float32)
        for k in range(0, h + 40, 9):
            ph, amp = rng.uniform(0, 6.28), rng.uniform(4, 12)
            y = k + amp * np.sin(x / rng.uniform(30, 90) + ph)
            cv2.polylines(img, [np.stack([x, y], 1).astype(np.int32)], False, color, thickness, cv2.LINE_AA)
    elif style.pattern_kind == "rosette":
        for _ in range(6):
            ox, oy, big = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(60, 200)
            a = np.linspace(0, 2 * math.pi, 900)
            for j in range(10):
                r = big * (0.4 + 0.6 * np.abs(np.sin(6 * a + j * 0.3)))
                pts = np.stack([ox + r * np.cos(a), oy + r * np.sin(a)], 1).astype(np.int32)
                cv2.polylines(img, [pts], True, color, thickness, cv2.LINE_AA)
    else:  # fine diagonal lines
        step = int(rng.integers(6, 12))
        for k in range(-h, w, step):
            cv2.line(img, (k, 0), (k + h, h), color, thickness, cv2.LINE_AA)
    img = cv2.addWeighted(img, 0.55, (base * (1 - t) + edge * t).astype(np.uint8), 0.45, 0)
    # Faint watermark drum-like circle: every design has one.
    center = (int(rng.uniform(0.45, 0.75) * w), int(rng.uniform(0.4, 0.7) * h))
    for r in range(40, 200, 14):
        cv2.circle(img, center, r, tuple(int(c * 0.97) for c in style.base), 1, cv2.LINE_AA)
    img.setflags(write=False)
    return img


def emblem(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], rng: np.random.Generator) -> None:
    """A national-emblem-like roundel: golden ring of cogs, red disc, yellow star."""
    x, y, w, h = box
    cx, cy, r = x + w / 2, y + h / 2, min(w, h) / 2
    gold = (int(rng.integers(200, 235)), int(rng.integers(160, 190)), int(rng.integers(30, 70)))
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=gold)
    for k in range(24):
        a = 2 * math.pi * k / 24
        px, py = cx + r * 0.93 * math.cos(a), cy + r * 0.93 * math.sin(a)
        draw.ellipse((px - r * 0.09, py - r * 0.09, px + r * 0.09, py + r * 0.09), fill=(170, 120, 30))
    rr = r * 0.72
    draw.ellipse((cx - rr, cy - rr, cx + rr, cy + rr), fill=(205, 30, 40))
    star = []
    for k in range(10):
        a = -math.pi / 2 + k * math.pi / 5
        rad = rr * (0.62 if k % 2 == 0 else 0.25)
        star.append((cx + rad * math.cos(a), cy - rr * 0.12 + rad * math.sin(a)))
    draw.polygon(star, fill=(250, 215, 40))
    draw.rectangle((cx - rr * 0.55, cy + rr * 0.45, cx + rr * 0.55, cy + rr * 0.62), fill=gold)


def portrait(canvas: Image.Image, box: tuple[float, float, float, float], rng: np.random.Generator) -> None:
    """A fictional stylised head-and-shoulders: never a real face."""
    bx, by, w, h = box
    x, y = 0, 0
    tile = Image.new("RGB", (int(w), int(h)))
    draw = ImageDraw.Draw(tile)
    bg = tuple(int(v) for v in rng.integers(200, 250, 3))
    draw.rectangle((x, y, x + w, y + h), fill=bg)
    skin = (int(rng.integers(170, 235)), int(rng.integers(130, 190)), int(rng.integers(100, 160)))
    shirt = tuple(int(v) for v in rng.integers(20, 200, 3))
    hair = tuple(int(v) for v in rng.integers(10, 60, 3))
    cx = x + w * rng.uniform(0.45, 0.55)
    draw.ellipse((cx - w * 0.55, y + h * 0.72, cx + w * 0.55, y + h * 1.3), fill=shirt)
    draw.rectangle((cx - w * 0.1, y + h * 0.55, cx + w * 0.1, y + h * 0.78), fill=skin)
    hw, hh = w * rng.uniform(0.26, 0.32), h * rng.uniform(0.24, 0.29)
    hy = y + h * 0.4
    draw.ellipse((cx - hw * 1.05, hy - hh * 1.12, cx + hw * 1.05, hy + hh * 0.4), fill=hair)
    draw.ellipse((cx - hw, hy - hh, cx + hw, hy + hh), fill=skin)
    for side in (-1, 1):
        ex = cx + side * hw * 0.4
        draw.ellipse((ex - 3, hy - hh * 0.15 - 2, ex + 3, hy - hh * 0.15 + 2), fill=(30, 25, 25))
    draw.line((cx - hw * 0.3, hy + hh * 0.5, cx + hw * 0.3, hy + hh * 0.5), fill=(150, 70, 70), width=2)
    draw.rectangle((x, y, x + w - 1, y + h - 1), outline=(120, 120, 120), width=1)
    canvas.paste(tile, (int(bx), int(by)))


def chip(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], rng: np.random.Generator) -> None:
    x, y, w, h = box
    gold = (int(rng.integers(190, 225)), int(rng.integers(160, 190)), int(rng.integers(80, 120)))
    draw.rounded_rectangle((x, y, x + w, y + h), radius=12, fill=gold, outline=(140, 110, 50), width=2)
    for fx in (0.33, 0.67):
        draw.line((x + w * fx, y, x + w * fx, y + h), fill=(140, 110, 50), width=2)
    for fy in (0.33, 0.67):
        draw.line((x, y + h * fy, x + w * 0.33, y + h * fy), fill=(140, 110, 50), width=2)
        draw.line((x + w * 0.67, y + h * fy, x + w, y + h * fy), fill=(140, 110, 50), width=2)


def fingerprint(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], rng: np.random.Generator) -> None:
    x, y, w, h = box
    draw.rectangle((x, y, x + w, y + h), outline=(90, 90, 90), width=1)
    cx, cy = x + w / 2 + rng.uniform(-8, 8), y + h / 2 + rng.uniform(-8, 8)
    for k in range(3, 40, 3):
        a0 = rng.uniform(0, 60)
        draw.arc((cx - k * 1.4, cy - k * 1.8, cx + k * 1.4, cy + k * 1.8), a0, a0 + 300, fill=(70, 70, 80), width=1)


def signature(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], rng: np.random.Generator) -> None:
    x, y, w, h = box
    t = np.linspace(0, 1, 60)
    pts = [(x + w * ti, y + h / 2 + h * 0.4 * math.sin(ti * rng.uniform(8, 20) + rng.uniform(0, 6))) for ti in t]
    draw.line(pts, fill=(20, 30, 110), width=2)


def stamp(overlay: ImageDraw.ImageDraw, box: tuple[float, float, float, float], rng: np.random.Generator) -> None:
    """A red official-stamp ring (drawn on a translucent overlay)."""
    x, y, w, h = box
    red = (210, 40, 50, int(rng.integers(90, 170)))
    overlay.ellipse((x, y, x + w, y + h), outline=red, width=3)
    overlay.ellipse((x + w * 0.2, y + h * 0.2, x + w * 0.8, y + h * 0.8), outline=red, width=2)
    cx, cy = x + w / 2, y + h / 2
    for k in range(10):
        a = -math.pi / 2 + k * math.pi / 5
        rad = w * (0.18 if k % 2 == 0 else 0.07)
        overlay.point((cx + rad * math.cos(a), cy + rad * math.sin(a)), fill=red)


def qr_image(payload: str, size: int) -> Image.Image:
    """A real QR code of ``payload`` with a white quiet zone, scaled to ``size`` pixels."""
    # A fixed mask skips segno's mask scoring (13 ms); every mask is a valid QR code.
    qr = segno.make(payload, error="l", micro=False, mask=0)
    modules = np.array([list(row) for row in qr.matrix], dtype=np.uint8)
    modules = np.pad(modules, 2)
    img = np.where(modules > 0, 0, 255).astype(np.uint8)
    return Image.fromarray(img, "L").resize((size, size), Image.NEAREST).convert("RGB")
