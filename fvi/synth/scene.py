"""Photo simulation: put a rendered card into a scene and degrade it like a phone photo would."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw

from fvi.cards.types import CANONICAL_SIZE
from fvi.synth import fonts

BACKGROUNDS = ("wood", "paper", "fabric", "desk", "document", "dark", "tiles")
_WORDS = (
    "Hóa đơn", "Tổng cộng", "Số lượng", "Đơn giá", "Thành tiền", "Khách hàng", "Địa chỉ", "Điện thoại",
    "Ngày", "tháng", "năm", "Hợp đồng", "Ngân hàng", "Tài khoản", "Giấy xác nhận", "Công ty", "TNHH",
    "Mã số thuế", "Ghi chú", "Người nhận", "Bên A", "Bên B", "HÀ NỘI", "VIỆT NAM", "0912 345 678",
    "12/05/2023", "1.250.000", "Quận", "Phường", "Số", "Lớp", "Trường", "Học sinh", "Thẻ thành viên",
)


@dataclass
class PhotoConditions:
    """What was done to one photo: recorded in the label so hard subsets can be selected."""

    background: str = "desk"
    rotation_deg: float = 0.0
    tilt_deg: float = 0.0
    card_area_fraction: float = 0.0
    blur: str = "none"
    blur_amount: float = 0.0
    noise_sigma: float = 0.0
    jpeg_quality: int = 90
    low_res_factor: float = 1.0
    glare_spots: int = 0
    shadow: bool = False
    light_gradient: float = 0.0
    color_cast: list[float] = field(default_factory=lambda: [1.0, 1.0, 1.0])
    occluders: list[str] = field(default_factory=list)
    distractor_card: bool = False


@dataclass
class Placement:
    """Where the card went: homography from canonical card pixels to image pixels."""

    homography: np.ndarray
    corners: np.ndarray  # (4, 2) image pixels, card-text order
    cut_corner: bool


def _rounded_mask(size: tuple[int, int]) -> np.ndarray:
    w, h = size
    mask = np.zeros((h, w), np.uint8)
    r = int(0.04 * w)
    cv2.rectangle(mask, (r, 0), (w - 1 - r, h - 1), 255, -1)
    cv2.rectangle(mask, (0, r), (w - 1, h - 1 - r), 255, -1)
    for cx, cy in ((r, r), (w - 1 - r, r), (w - 1 - r, h - 1 - r), (r, h - 1 - r)):
        cv2.circle(mask, (cx, cy), r, 255, -1, cv2.LINE_AA)
    return mask


_CARD_MASK = _rounded_mask(CANONICAL_SIZE)


@lru_cache(maxsize=4)
def _noise_bank(height: int, width: int) -> np.ndarray:
    """Fixed-seed Gaussian noise (uint8 centred on 128), sliced at random offsets per photo."""
    rng = np.random.default_rng(20260101)
    bank = rng.normal(128, 32, (height + 64, width + 64, 3)).clip(0, 255).astype(np.uint8)
    bank.setflags(write=False)
    return bank


def _smooth_field(rng: np.random.Generator, size: tuple[int, int], cells: int = 6) -> np.ndarray:
    w, h = size
    coarse = rng.random((cells, cells)).astype(np.float32)
    return cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC)


def _random_color(rng: np.random.Generator, lo: int = 0, hi: int = 256) -> np.ndarray:
    return rng.integers(lo, hi, 3).astype(np.float32)


def make_background(rng: np.random.Generator, size: tuple[int, int], kind: str) -> np.ndarray:
    """A scene background (RGB uint8) of one kind, built at low resolution where texture allows."""
    w, h = size
    sw, sh = w // 4, h // 4
    if kind == "wood":
        base = np.array([rng.uniform(90, 200), rng.uniform(55, 130), rng.uniform(20, 80)], np.float32)
        yy = np.arange(sh, dtype=np.float32)[:, None]
        warp = _smooth_field(rng, (sw, sh), 5) * rng.uniform(10, 40)
        rings = np.sin((yy + warp) * rng.uniform(0.15, 0.6)) * 0.5 + 0.5
        grain = rng.random((sh, 1)).astype(np.float32)
        shade = 0.7 + 0.3 * rings * (0.6 + 0.4 * grain)
        small = shade[..., None] * base
        if rng.random() < 0.5:
            small = np.rot90(cv2.resize(small, (sh, sw)), 1)
    elif kind == "fabric":
        base = _random_color(rng, 30, 230)
        period = int(rng.integers(3, 8))
        tile = np.fromfunction(lambda y, x: ((x // period + y // period) % 2), (period * 8, period * 8))
        weave = 0.85 + 0.15 * tile.astype(np.float32)
        reps = (h // weave.shape[0] + 1, w // weave.shape[1] + 1)
        full = np.tile(weave, reps)[:h, :w]
        light = cv2.resize(_smooth_field(rng, (32, 24), 4), (w, h)) * 0.3 + 0.8
        return (full[..., None] * light[..., None] * base).clip(0, 255).astype(np.uint8)
    elif kind in ("paper", "document"):
        base = _random_color(rng, 200, 256)
        small = (0.9 + 0.1 * _smooth_field(rng, (sw, sh), 8))[..., None] * base
    elif kind == "dark":
        base = _random_color(rng, 5, 60)
        small = (0.7 + 0.3 * _smooth_field(rng, (sw, sh), 4))[..., None] * base
    elif kind == "tiles":
        base = _random_color(rng, 120, 240)
        step = int(rng.integers(20, 60))
        small = np.ones((sh, sw, 1), np.float32) * base
        small[::step, :, :] *= 0.6
        small[:, ::step, :] *= 0.6
    else:  # desk: plain surface with a gradient
        c0, c1 = _random_color(rng, 40, 240), _random_color(rng, 40, 240)
        t = _smooth_field(rng, (sw, sh), 2)[..., None]
        small = c0 * (1 - t) + c1 * t
    img = cv2.resize(small.clip(0, 255).astype(np.uint8), (w, h), interpolation=cv2.INTER_LINEAR)
    if kind == "document" or rng.random() < 0.25:
        img = _draw_distracting_text(img, rng, dense=kind == "document")
    return img


def _draw_distracting_text(img: np.ndarray, rng: np.random.Generator, dense: bool) -> np.ndarray:
    """Printed words elsewhere in the photo, so models learn to ignore text that is not on the card."""
    pil = Image.fromarray(img)
    draw = ImageDraw.Draw(pil)
    families = fonts.available("sans") + fonts.available("serif")
    h = img.shape[0]
    lines = int(rng.integers(12, 30)) if dense else int(rng.integers(2, 8))
    y = rng.uniform(0, 40)
    for _ in range(lines):
        fam = families[int(rng.integers(len(families)))]
        font = fonts.load(fam.regular, int(rng.integers(14, 34)))
        text = " ".join(_WORDS[int(i)] for i in rng.integers(0, len(_WORDS), int(rng.integers(2, 7))))
        x = rng.uniform(-50, img.shape[1] * 0.7)
        if not dense:
            y = rng.uniform(0, h)
        draw.text((x, y), text, font=font, fill=tuple(int(v) for v in rng.integers(0, 90, 3)))
        y += rng.uniform(28, 50)
    return np.asarray(pil).copy()


def _project_card(rng: np.random.Generator, size: tuple[int, int], card_px: float, rotation: float,
                  tilt: float) -> np.ndarray:
    """Corners of a card (long side ``card_px``) rotated in-plane and tilted, centred at the origin."""
    cw, ch = card_px, card_px / (CANONICAL_SIZE[0] / CANONICAL_SIZE[1])
    pts = np.array([[-cw / 2, -ch / 2], [cw / 2, -ch / 2], [cw / 2, ch / 2], [-cw / 2, ch / 2]], np.float64)
    a = math.radians(rotation)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    pts = pts @ rot.T
    # Tilt: rotate the card plane about an axis in the image plane, then a pinhole projection.
    axis = rng.uniform(0, math.pi)
    t = math.radians(tilt)
    u = np.array([math.cos(axis), math.sin(axis)])
    along = pts @ u
    across = pts - along[:, None] * u
    depth = along * math.sin(t)
    along = along * math.cos(t)
    focal = max(size) * rng.uniform(0.8, 1.5)
    scale = focal / (focal + depth)
    return (along[:, None] * u + across) * scale[:, None]


def place_card(rng: np.random.Generator, size: tuple[int, int], conditions: PhotoConditions,
               cut_corner: bool) -> Placement:
    w, h = size
    r = rng.random()
    if r < 0.5:
        rotation = rng.normal(0, 4)
    elif r < 0.8:
        rotation = float(rng.choice([90, 180, 270])) + rng.normal(0, 5)
    else:
        rotation = rng.uniform(0, 360)
    tilt = min(35.0, abs(rng.normal(0, 14)))
    fraction = float(np.clip(rng.beta(3.0, 2.2) * 0.75 + 0.15, 0.2, 0.9))
    card_px = fraction * w
    for _ in range(40):
        quad = _project_card(rng, size, card_px, rotation, tilt)
        span = quad.max(0) - quad.min(0)
        if span[0] <= w * 0.98 and span[1] <= h * 0.98:
            break
        card_px *= 0.93
    lo, hi = -quad.min(0), np.array([w, h]) - quad.max(0)
    center = rng.uniform(lo, np.maximum(lo, hi))
    if cut_corner:  # push the card past one or two frame edges so a corner falls outside
        axes = [[0], [1], [0, 1]][int(rng.integers(3))]
        for axis in axes:
            overshoot = rng.uniform(0.04, 0.2) * card_px
            center[axis] = hi[axis] + overshoot if rng.random() < 0.5 else lo[axis] - overshoot
    corners = quad + center
    src = np.array([[0, 0], [CANONICAL_SIZE[0], 0], [CANONICAL_SIZE[0], CANONICAL_SIZE[1]], [0, CANONICAL_SIZE[1]]],
                   np.float32)
    homography = cv2.getPerspectiveTransform(src, corners.astype(np.float32))
    outside = ((corners < 0) | (corners > np.array([w - 1, h - 1]))).any()
    conditions.rotation_deg = float(rotation % 360)
    conditions.tilt_deg = float(tilt)
    poly_area = 0.5 * abs(np.dot(corners[:, 0], np.roll(corners[:, 1], 1)) - np.dot(corners[:, 1], np.roll(corners[:, 0], 1)))
    conditions.card_area_fraction = float(poly_area / (w * h))
    return Placement(homography, corners, bool(outside))


def paste_card(scene: np.ndarray, card: np.ndarray, placement: Placement, rng: np.random.Generator) -> None:
    """Warp the card onto the scene in place, only over the card's bounding box, with a soft shadow."""
    h, w = scene.shape[:2]
    x0, y0 = np.floor(placement.corners.min(0)).astype(int)
    x1, y1 = np.ceil(placement.corners.max(0)).astype(int)
    x0, y0, x1, y1 = max(0, x0 - 12), max(0, y0 - 12), min(w, x1 + 13), min(h, y1 + 13)
    if x1 <= x0 or y1 <= y0:
        return
    shift = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]], np.float64)
    hom = shift @ placement.homography
    roi = scene[y0:y1, x0:x1]
    size = (x1 - x0, y1 - y0)
    mask = cv2.warpPerspective(_CARD_MASK, hom, size, flags=cv2.INTER_LINEAR)
    if rng.random() < 0.6:  # drop shadow under the card
        offset = rng.uniform(-6, 6, 2)
        m = np.float32([[1, 0, offset[0]], [0, 1, offset[1]]])
        shadow = cv2.blur(cv2.warpAffine(mask, m, size), (9, 9))
        darkness = rng.uniform(0.2, 0.5)
        keep = cv2.convertScaleAbs(shadow, alpha=-darkness, beta=255)  # 255 - darkness * shadow
        roi[:] = cv2.multiply(roi, cv2.merge([keep, keep, keep]), scale=1 / 255)
    warped = cv2.warpPerspective(card, hom, size, flags=cv2.INTER_LINEAR)
    cv2.copyTo(warped, (mask > 127).astype(np.uint8), roi)


def add_occluders(img: np.ndarray, rng: np.random.Generator, corners: np.ndarray | None,
                  conditions: PhotoConditions) -> None:
    """Fingers holding the card edge, or a pen or coin lying across it."""
    h, w = img.shape[:2]
    count = int(rng.choice([0, 0, 0, 0, 0, 0, 1, 1, 2]))
    for _ in range(count):
        if corners is not None:
            i = int(rng.integers(4))
            a, b = corners[i], corners[(i + 1) % 4]
            edge_point = a + (b - a) * rng.uniform(0.15, 0.85)
            center = corners.mean(0)
            inward = (center - edge_point) / (np.linalg.norm(center - edge_point) + 1e-6)
            card_w = np.linalg.norm(corners[1] - corners[0])
        else:
            edge_point = rng.uniform([0, 0], [w, h])
            inward = np.array([math.cos(rng.uniform(0, 6.28)), math.sin(rng.uniform(0, 6.28))])
            card_w = w * 0.4
        kind = "finger" if rng.random() < 0.7 else ("pen" if rng.random() < 0.6 else "coin")
        if kind == "finger":
            thickness = max(6, int(card_w * rng.uniform(0.07, 0.11)))
            tip = edge_point + inward * card_w * rng.uniform(0.02, 0.08)
            base = edge_point - inward * card_w * 0.6
            skin = tuple(int(v) for v in (rng.uniform(170, 240), rng.uniform(120, 180), rng.uniform(90, 150)))
            cv2.line(img, tuple(base.astype(int)), tuple(tip.astype(int)), skin, thickness, cv2.LINE_AA)
            cv2.circle(img, tuple(tip.astype(int)), thickness // 2, skin, -1, cv2.LINE_AA)
            nail = tuple(int(min(255, c + 25)) for c in skin)
            cv2.circle(img, tuple((tip - inward * thickness * 0.25).astype(int)), max(2, thickness // 4), nail, -1)
        elif kind == "pen":
            direction = np.array([-inward[1], inward[0]])
            p0 = edge_point - direction * card_w * 0.4
            p1 = edge_point + direction * card_w * 0.4
            color = tuple(int(v) for v in rng.integers(0, 200, 3))
            cv2.line(img, tuple(p0.astype(int)), tuple(p1.astype(int)), color, max(4, int(card_w * 0.03)), cv2.LINE_AA)
        else:
            radius = max(6, int(card_w * rng.uniform(0.05, 0.09)))
            color = tuple(int(v) for v in (rng.uniform(150, 210), rng.uniform(140, 190), rng.uniform(90, 140)))
            cv2.circle(img, tuple(edge_point.astype(int)), radius, color, -1, cv2.LINE_AA)
        conditions.occluders.append(kind)


def distractor_card(rng: np.random.Generator) -> np.ndarray:
    """A card-shaped object that is not an ID card (business or loyalty card): teaches 'no card'."""
    w, h = CANONICAL_SIZE
    color = tuple(int(v) for v in rng.integers(60, 255, 3))
    pil = Image.new("RGB", (w, h), color)
    draw = ImageDraw.Draw(pil)
    families = fonts.available("sans") + fonts.available("serif")
    for i in range(int(rng.integers(2, 6))):
        fam = families[int(rng.integers(len(families)))]
        font = fonts.load(fam.bold if i == 0 else fam.regular, int(rng.integers(24, 56)))
        text = " ".join(_WORDS[int(k)] for k in rng.integers(0, len(_WORDS), int(rng.integers(1, 4))))
        draw.text((rng.uniform(20, 300), rng.uniform(20, h - 60)), text, font=font,
                  fill=tuple(int(v) for v in rng.integers(0, 256, 3)))
    if rng.random() < 0.5:
        draw.rectangle((0, h * 0.7, w, h), fill=tuple(int(v) for v in rng.integers(0, 256, 3)))
    return np.asarray(pil).copy()


def degrade(img: np.ndarray, rng: np.random.Generator, conditions: PhotoConditions,
            corners: np.ndarray | None) -> np.ndarray:
    """Light, glare, blur, low resolution and sensor noise, all in uint8 for speed."""
    h, w = img.shape[:2]
    sw, sh = max(8, w // 8), max(8, h // 8)
    # Uneven light, shadows and colour cast: one multiplicative low-resolution map.
    gx, gy = rng.normal(0, 1, 2)
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    strength = rng.uniform(0, 0.45) if rng.random() < 0.7 else 0.0
    light = 1 + strength * ((xx / sw - 0.5) * gx + (yy / sh - 0.5) * gy)
    light *= rng.uniform(0.6, 1.15)
    conditions.light_gradient = float(strength)
    if rng.random() < 0.3:
        shadow = np.zeros((sh, sw), np.float32)
        pts = (rng.uniform(0, 1, (int(rng.integers(3, 6)), 2)) * [sw, sh]).astype(np.int32)
        cv2.fillPoly(shadow, [cv2.convexHull(pts)], 1.0)
        shadow = cv2.GaussianBlur(shadow, (0, 0), rng.uniform(1, 4))
        light *= 1 - rng.uniform(0.25, 0.55) * shadow
        conditions.shadow = True
    cast = rng.normal(1, 0.07, 3).clip(0.8, 1.2) if rng.random() < 0.6 else np.ones(3)
    conditions.color_cast = [round(float(c), 3) for c in cast]
    gain = (light[..., None] * cast * 128).clip(0, 255).astype(np.uint8)
    img = cv2.multiply(img, cv2.resize(gain, (w, h), interpolation=cv2.INTER_LINEAR), scale=1 / 128)

    # Glare: bright additive spots, mostly on the card (laminate reflections).
    spots = int(rng.choice([0, 0, 0, 1, 1, 2]))
    if spots:
        gw, gh = w // 4, h // 4
        glare = np.zeros((gh, gw), np.float32)
        for _ in range(spots):
            c = (corners.mean(0) + rng.normal(0, 0.15, 2) * np.ptp(corners, 0)) if corners is not None \
                else rng.uniform([0, 0], [w, h])
            cx, cy = c[0] / 4, c[1] / 4
            span = float(np.ptp(corners, 0).max()) if corners is not None else w / 2
            sx, sy = rng.uniform(0.04, 0.2, 2) * span / 4
            yy, xx = np.mgrid[0:gh, 0:gw].astype(np.float32)
            glare += rng.uniform(120, 255) * np.exp(-(((xx - cx) / sx) ** 2 + ((yy - cy) / sy) ** 2))
        glare8 = cv2.resize(glare.clip(0, 255).astype(np.uint8), (w, h), interpolation=cv2.INTER_LINEAR)
        img = cv2.add(img, cv2.merge([glare8, glare8, glare8]))
        conditions.glare_spots = spots

    r = rng.random()
    if r < 0.3:
        sigma = rng.uniform(0.6, 2.5) if rng.random() < 0.85 else rng.uniform(2.5, 4.0)
        img = cv2.GaussianBlur(img, (0, 0), sigma)
        conditions.blur, conditions.blur_amount = "defocus", round(float(sigma), 2)
    elif r < 0.45:
        length = int(rng.integers(3, 14))
        kernel = np.zeros((length, length), np.float32)
        kernel[length // 2, :] = 1.0 / length
        rot = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), rng.uniform(0, 180), 1.0)
        kernel = cv2.warpAffine(kernel, rot, (length, length))
        img = cv2.filter2D(img, -1, kernel / max(kernel.sum(), 1e-6))
        conditions.blur, conditions.blur_amount = "motion", float(length)

    if rng.random() < 0.2:
        factor = rng.uniform(0.3, 0.7)
        small = cv2.resize(img, (int(w * factor), int(h * factor)), interpolation=cv2.INTER_AREA)
        img = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
        conditions.low_res_factor = round(float(factor), 3)

    sigma = rng.uniform(0, 12) if rng.random() < 0.8 else 0.0
    if sigma > 0:
        bank = _noise_bank(h, w)
        oy, ox = rng.integers(0, 64, 2)
        k = sigma / 32
        img = cv2.addWeighted(img, 1.0, bank[oy:oy + h, ox:ox + w], k, -128 * k)
        conditions.noise_sigma = round(float(sigma), 2)
    return img
