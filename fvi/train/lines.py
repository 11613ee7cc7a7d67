"""Text-line crops for the reader: cut from generated photos (warped back) and rendered from random text."""

from __future__ import annotations

import multiprocessing as mp
import os
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

from fvi.cards.types import CANONICAL_SIZE
from fvi.pipeline.geometry import crop_line, resize_line, warp_card
from fvi.synth import fonts, graphics
from fvi.synth.labels import ImageLabel
from fvi.synth.layouts import LAYOUTS
from fvi.synth.text import random_line

Line = tuple[np.ndarray, str]


#: Spread of the corners the reader's training crops are warped with, in card widths (2 std): the served
#: cropper's worst corner is off by 1.4 % of the width at the median on the validation set (v2), so the
#: reader must read cards warped that far off.
READER_CORNER_JITTER = 0.012


def jitter_corners(corners: np.ndarray, rng: np.random.Generator, amount: float = 0.006) -> np.ndarray:
    """Move each corner by about ``amount`` of the card width (2 std): what a cropper gets wrong."""
    width = np.linalg.norm(corners[1] - corners[0])
    return corners + rng.normal(0, amount * width / 2, corners.shape)


#: Per-side spread of detected line boxes around the true ones, in line heights (x0, y0, x1, y1), and how
#: far inward a side may move: measured on the validation set against the v1 detector (std 0.15, 0.12,
#: 0.16, 0.12 after decoding with KERNEL_DECODE_RATIO), so the reader learns the crops it will be given.
BOX_JITTER = (0.15, 0.12, 0.15, 0.12)
BOX_MAX_INWARD = (0.1, 0.15, 0.1, 0.15)


def jitter_box(box: tuple[float, float, float, float], height: float,
               rng: np.random.Generator) -> tuple[float, float, float, float]:
    """A true line box moved side by side like the detector's boxes, never cutting far into the text."""
    out = []
    for side, (value, spread, inward) in enumerate(zip(box, BOX_JITTER, BOX_MAX_INWARD)):
        move = rng.normal(0, spread * height)
        sign = 1 if side < 2 else -1  # +x/+y moves the left/top side inward, the right/bottom outward
        out.append(value + sign * min(sign * move, inward * height))
    return tuple(out)


def lines_from_photo(data_dir: Path, label: ImageLabel, rng: np.random.Generator) -> list[Line]:
    """Every readable labelled line of one photo, cropped from the card warped back upright."""
    card = label.card
    if card is None or label.flags.occluded:
        return []
    image = cv2.cvtColor(cv2.imread(str(data_dir / "images" / label.image)), cv2.COLOR_BGR2RGB)
    upright = warp_card(image, jitter_corners(np.float32(card.corners), rng, READER_CORNER_JITTER))
    out = []
    for field in card.fields.values():
        for line in field.lines:
            poly = np.array(line.polygon)
            if (poly < 0).any() or (poly[:, 0] >= label.width).any() or (poly[:, 1] >= label.height).any():
                continue
            pc = np.array(line.polygon_card)
            h = pc[:, 1].max() - pc[:, 1].min()
            box = jitter_box((pc[:, 0].min(), pc[:, 1].min(), pc[:, 0].max(), pc[:, 1].max()), h, rng)
            out.append((crop_line(upright, box, pad=rng.uniform(0.05, 0.25)), line.text))
    return out


def random_text_line(rng: np.random.Generator) -> Line:
    """Random text printed on a card background, then blurred, noised and JPEG-compressed."""
    text = random_line(rng)
    with fonts.using(fonts.TRAINING_FONTS):
        families = fonts.available("sans") + fonts.available("serif")
        if not any(c.islower() for c in text) and rng.random() < 0.3:
            families = families + fonts.available("mono")
    family = families[int(rng.integers(len(families)))]
    font = fonts.load(family.bold if rng.random() < 0.4 else family.regular, int(rng.integers(18, 44)))
    layout = list(LAYOUTS.values())[int(rng.integers(len(LAYOUTS)))]
    bg = graphics.background(layout.style, CANONICAL_SIZE, int(rng.integers(6)))
    x0, y0, x1, y1 = font.getbbox(text)
    tw, th = x1 - x0 + 24, y1 - y0 + 24
    ox = int(rng.integers(0, max(1, CANONICAL_SIZE[0] - tw)))
    oy = int(rng.integers(0, max(1, CANONICAL_SIZE[1] - th)))
    patch = Image.fromarray(np.ascontiguousarray(bg[oy:oy + th, ox:ox + tw]))
    if patch.size != (tw, th):
        patch = patch.resize((tw, th))
    color = (200, 30, 35) if rng.random() < 0.15 else tuple(int(v) for v in rng.integers(0, 70, 3))
    ImageDraw.Draw(patch).text((12 - x0, 12 - y0), text, font=font, fill=color)
    img = np.asarray(patch)
    if rng.random() < 0.5:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.3, 1.5))
    if rng.random() < 0.3:
        f = rng.uniform(0.35, 0.8)
        small = cv2.resize(img, (max(4, int(img.shape[1] * f)), max(4, int(img.shape[0] * f))), interpolation=cv2.INTER_AREA)
        img = cv2.resize(small, (img.shape[1], img.shape[0]))
    img = np.clip(img + rng.normal(0, rng.uniform(0, 10), img.shape), 0, 255).astype(np.uint8)
    ok, enc = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(30, 96))])
    img = cv2.imdecode(enc, cv2.IMREAD_GRAYSCALE)
    pad = rng.uniform(-1, 8, 4)
    crop = img[int(max(0, 12 - pad[1])):int(min(th, th - 12 + pad[3])), int(max(0, 12 - pad[0])):int(min(tw, tw - 12 + pad[2]))]
    return resize_line(crop), text


def _photo_job(args: tuple[str, str, int]) -> list[Line]:
    data_dir, label_json, seed = args
    label = ImageLabel.model_validate_json(label_json)
    return lines_from_photo(Path(data_dir), label, np.random.default_rng([seed, label.index]))


def _random_job(args: tuple[int, int]) -> Line:
    seed, index = args
    return random_text_line(np.random.default_rng([seed, 7, index]))


def build_line_set(data_dir: Path, labels: list[ImageLabel], random_count: int, seed: int,
                   workers: int = 2) -> list[Line]:
    """All photo lines then ``random_count`` random-text lines; deterministic for a seed."""
    photo_jobs = [(str(data_dir), label.model_dump_json(), seed) for label in labels if label.card is not None]
    random_jobs = [(seed, i) for i in range(random_count)]
    with mp.get_context("spawn").Pool(workers, initializer=cv2.setNumThreads, initargs=(1,)) as pool:
        lines = [line for chunk in pool.imap(_photo_job, photo_jobs, chunksize=16) for line in chunk]
        lines += pool.map(_random_job, random_jobs, chunksize=64)
    return lines


def save_lines(path: Path, lines: list[Line]) -> None:
    widths = np.array([img.shape[1] for img, _ in lines], np.int32)
    pixels = np.concatenate([img.reshape(-1) for img, _ in lines]) if lines else np.zeros(0, np.uint8)
    texts = np.array([text for _, text in lines], dtype=object)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written whole under a name of this process, then renamed: a run started beside it (two sizes trained
    # at once) never reads half a file, and two runs cutting the same crops do not trip over each other.
    tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
    np.savez(tmp, widths=widths, pixels=pixels, texts=texts)
    tmp.replace(path)


def load_lines(path: Path) -> list[Line]:
    data = np.load(path, allow_pickle=True)
    pixels = data["pixels"]  # NpzFile re-reads an array on every item access: fetch once
    out, offset = [], 0
    for w, text in zip(data["widths"], data["texts"]):
        size = 32 * int(w)
        out.append((pixels[offset:offset + size].reshape(32, int(w)), str(text)))
        offset += size
    return out
