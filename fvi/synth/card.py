"""Render one upright card (canonical size) from a layout and a fictional person, with line labels."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from fvi.cards.dates import NO_EXPIRY_TEXT, format_date
from fvi.cards.mrz import build_td1
from fvi.cards.qr import QrPayload
from fvi.cards.types import CANONICAL_SIZE, CardType, Side
from fvi.synth import fonts, graphics
from fvi.synth.layouts import LAYOUTS, FieldSlot, Layout, Text
from fvi.synth.person import Person

Quad = list[list[float]]

# Extra fields in the 2024 card's QR after the documented seven (order unsure in CARDS.md).
_BACKGROUND_VARIANTS = 6


@dataclass
class RenderedLine:
    text: str
    quad: Quad  # canonical card pixels, clockwise from top-left


@dataclass
class RenderedCard:
    """An upright card image (RGB) and what is printed where on it."""

    card_type: CardType
    side: Side
    image: np.ndarray
    fields: dict[str, list[RenderedLine]]
    mrz: list[str] | None
    qr_payload: str | None
    qr_quad: Quad | None
    person: Person


def field_texts(person: Person, rng: np.random.Generator) -> dict[str, str]:
    """The printed text of every field a person can have (one string per field)."""
    birth = format_date(person.date_of_birth)
    if person.card_type is CardType.CMND_9 and rng.random() < 0.5:
        birth = birth.replace("/", "-")
    return {
        "id_number": person.id_number,
        "full_name": person.full_name,
        "date_of_birth": birth,
        "sex": person.sex,
        "nationality": person.nationality,
        "place_of_origin": person.place_of_origin,
        "place_of_residence": person.place_of_residence,
        "place_of_birth": person.place_of_birth,
        "identifying_marks": person.identifying_marks,
        "date_of_issue": format_date(person.date_of_issue),
        "date_of_expiry": format_date(person.date_of_expiry) if person.date_of_expiry else NO_EXPIRY_TEXT,
    }


def qr_payload(person: Person) -> str:
    extra: tuple[str, ...] = ()
    if person.card_type is CardType.CAN_CUOC_2024:
        expiry = person.date_of_expiry.strftime("%d%m%Y") if person.date_of_expiry else ""
        extra = (expiry, person.place_of_birth)
    return QrPayload(
        person.id_number, person.old_id_number, person.full_name, person.date_of_birth, person.sex,
        person.place_of_residence, person.date_of_issue, extra,
    ).encode()


class _Ink:
    """Per-card print variation: font families, size scale, ink colour and fading."""

    def __init__(self, rng: np.random.Generator, layout_shift: float = 1.0) -> None:
        sans = fonts.available("sans")
        serif = fonts.available("serif")
        pool = sans + serif
        self.label_family = pool[int(rng.integers(len(pool)))]
        self.value_family = pool[int(rng.integers(len(pool)))] if rng.random() < 0.5 else self.label_family
        self.title_family = sans[int(rng.integers(len(sans)))]
        mono = fonts.available("mono")
        self.mono_family = mono[int(rng.integers(len(mono)))]
        # layout_shift widens how far text moves and how much its size varies (at 1 the scale is the value
        # drawn, untouched, so default data sets keep their bytes).
        scale = rng.uniform(0.9, 1.08)
        self.scale = scale if layout_shift == 1.0 else 1 + (scale - 1) * layout_shift
        self.fade = rng.uniform(0.0, 0.3)
        self.tint = rng.integers(-15, 25, 3)
        self.jitter = 5.0 * layout_shift
        self.shift = rng.uniform(-8, 8, 2) * layout_shift

    def font(self, role: str, size: float, bold: bool) -> ImageFont.FreeTypeFont:
        family = {"title": self.title_family, "value": self.value_family, "mono": self.mono_family}.get(
            role, self.label_family
        )
        return fonts.load(family.bold if bold else family.regular, max(8, int(round(size * self.scale))))

    def color(self, color: tuple[int, int, int], paper: np.ndarray) -> tuple[int, int, int]:
        c = np.clip(np.array(color) + self.tint, 0, 255) * (1 - self.fade) + paper * self.fade
        return tuple(int(v) for v in c)


def render_card(card_type: CardType, side: Side, person: Person, rng: np.random.Generator,
                layout_shift: float = 1.0) -> RenderedCard:
    layout = LAYOUTS[(card_type, side)]
    w, h = CANONICAL_SIZE
    bg = graphics.background(layout.style, CANONICAL_SIZE, int(rng.integers(_BACKGROUND_VARIANTS)))
    gains = rng.uniform(0.93, 1.05, 3).astype(np.float32)
    canvas = Image.fromarray(cv2.multiply(bg, (*gains.tolist(), 0.0)))
    draw = ImageDraw.Draw(canvas)
    overlay = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    overlay_draw = ImageDraw.Draw(overlay)
    ink = _Ink(rng, layout_shift)
    paper = np.array(layout.style.base, np.float32)

    payload = qr_payload(person)
    qr_quad = None
    for g in layout.graphics:
        box = (g.x + rng.uniform(-3, 3), g.y + rng.uniform(-3, 3), g.w, g.h)
        if g.kind == "qr":
            size = int(g.w)
            canvas.paste(graphics.qr_image(payload, size), (int(box[0]), int(box[1])))
            x0, y0 = int(box[0]), int(box[1])
            qr_quad = [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size]]
        elif g.kind == "photo":
            graphics.portrait(canvas, box, rng)
        elif g.kind == "stamp":
            graphics.stamp(overlay_draw, box, rng)
        else:
            getattr(graphics, g.kind)(draw, box, rng)

    label_boxes: list[tuple[float, float, float, float]] = []
    for t in layout.texts:
        label_boxes.append(_draw_text(draw, t, ink, paper, rng))

    values = field_texts(person, rng)
    fields: dict[str, list[RenderedLine]] = {}
    for slot in layout.fields:
        fields[slot.key] = _draw_field(draw, slot, values[slot.key], ink, paper, label_boxes, rng)

    mrz_lines = None
    if layout.mrz is not None:
        mrz_lines = build_td1(person.id_number, person.date_of_birth, person.sex, person.date_of_expiry,
                              person.full_name)
        fields["mrz"] = _draw_mrz(draw, layout, mrz_lines, ink, paper, rng)

    canvas = Image.alpha_composite(canvas.convert("RGBA"), overlay).convert("RGB")
    image = np.asarray(canvas)
    if rng.random() < 0.5:  # print softness
        image = cv2.GaussianBlur(image, (3, 3), rng.uniform(0.3, 0.8))
    has_qr = qr_quad is not None
    return RenderedCard(card_type, side, np.ascontiguousarray(image), fields, mrz_lines,
                        payload if has_qr else None, qr_quad, person)


def _draw_text(draw: ImageDraw.ImageDraw, t: Text, ink: _Ink, paper: np.ndarray,
               rng: np.random.Generator) -> tuple[float, float, float, float]:
    font = ink.font(t.role, t.size, t.bold)
    x = t.x + ink.shift[0] + rng.uniform(-ink.jitter, ink.jitter) * 0.5
    y = t.y + ink.shift[1] + rng.uniform(-ink.jitter, ink.jitter) * 0.3
    anchor = "ma" if t.center else "la"
    color = ink.color(t.color, paper)
    draw.text((x, y), t.text, font=font, fill=color, anchor=anchor)
    box = draw.textbbox((x, y), t.text, font=font, anchor=anchor)
    if t.underline:
        draw.line((box[0] + 30, box[3] + 4, box[2] - 30, box[3] + 4), fill=color, width=1)
    return box


def _wrap(text: str, font: ImageFont.FreeTypeFont, widths: list[float]) -> list[str] | None:
    """Greedy word wrap into at most ``len(widths)`` lines; ``None`` if it does not fit."""
    words = text.split(" ")
    lines: list[str] = []
    i = 0
    for width in widths:
        if i >= len(words):
            break
        line = words[i]
        i += 1
        while i < len(words) and font.getlength(f"{line} {words[i]}") <= width:
            line = f"{line} {words[i]}"
            i += 1
        if font.getlength(line) > width:
            return None
        lines.append(line)
    return lines if i >= len(words) else None


def _draw_field(draw: ImageDraw.ImageDraw, slot: FieldSlot, text: str, ink: _Ink, paper: np.ndarray,
                label_boxes: list[tuple[float, float, float, float]], rng: np.random.Generator) -> list[RenderedLine]:
    card_w = CANONICAL_SIZE[0]
    slots = []
    for x, y, width in slot.slots:
        x, y = x + ink.shift[0] + rng.uniform(-ink.jitter, ink.jitter), y + ink.shift[1] + rng.uniform(-2, 2)
        for lx0, ly0, lx1, ly1 in label_boxes:  # never print over a label on the same line
            if lx0 < x and lx1 > x - 8 and ly0 < y + slot.size * 0.6 < ly1:
                width -= lx1 + 10 - x
                x = lx1 + 10
        slots.append((x, y, min(width, card_w - 12 - x)))
    size = float(slot.size)
    for _ in range(12):
        font = ink.font("value", size, slot.bold)
        lines = _wrap(text, font, [s[2] for s in slots])
        if lines is not None:
            break
        size *= 0.92
    else:  # pragma: no cover - layouts leave room for the longest generated values
        raise ValueError(f"{slot.key} does not fit: {text!r}")
    color = ink.color(slot.color, paper)
    rendered = []
    for (x, y, _), line in zip(slots, lines):
        draw.text((x, y), line, font=font, fill=color, anchor="la")
        x0, y0, x1, y1 = draw.textbbox((x, y), line, font=font, anchor="la")
        if slot.leader:
            for dx in range(int(x - 20), int(min(card_w - 20, x + max(300, x1 - x + 40))), 6):
                draw.point((dx, y1 + 3), fill=(90, 90, 90))
        rendered.append(RenderedLine(line, [[x0 - 2, y0 - 2], [x1 + 2, y0 - 2], [x1 + 2, y1 + 2], [x0 - 2, y1 + 2]]))
    return rendered


def _draw_mrz(draw: ImageDraw.ImageDraw, layout: Layout, lines: list[str], ink: _Ink, paper: np.ndarray,
              rng: np.random.Generator) -> list[RenderedLine]:
    x, _, size = layout.mrz  # type: ignore[misc]
    x += rng.uniform(-6, 10)
    family = ink.mono_family
    font = fonts.load(family.regular, size)
    target = (CANONICAL_SIZE[0] - 2 * x) * rng.uniform(0.88, 1.0)
    font = fonts.load(family.regular, max(10, int(size * target / max(1.0, font.getlength(lines[0])))))
    pitch = font.size * rng.uniform(1.05, 1.2)
    y = CANONICAL_SIZE[1] - 3 * pitch - rng.uniform(4, 16)
    color = ink.color((15, 15, 20), paper)
    out = []
    for i, line in enumerate(lines):
        ly = y + i * pitch
        draw.text((x, ly), line, font=font, fill=color, anchor="la")
        x0, y0, x1, y1 = draw.textbbox((x, ly), line, font=font, anchor="la")
        out.append(RenderedLine(line, [[x0 - 2, y0 - 2], [x1 + 2, y0 - 2], [x1 + 2, y1 + 2], [x0 - 2, y1 + 2]]))
    return out
