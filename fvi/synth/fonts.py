"""Fonts with full Vietnamese coverage, installed from Debian packages by scripts/install-system-deps.sh."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from PIL import ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype")


@dataclass(frozen=True)
class FontFamily:
    """A regular and a bold face of one family (paths relative to :data:`FONT_DIR`)."""

    name: str
    regular: str
    bold: str
    kind: str  # "sans", "serif" or "mono"


#: Every family the generator may draw with. Each covers the whole reader charset (tested).
FAMILIES: tuple[FontFamily, ...] = (
    FontFamily("DejaVu Sans", "dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf", "sans"),
    FontFamily("DejaVu Sans Condensed", "dejavu/DejaVuSansCondensed.ttf",
               "dejavu/DejaVuSansCondensed-Bold.ttf", "sans"),
    FontFamily("DejaVu Serif", "dejavu/DejaVuSerif.ttf", "dejavu/DejaVuSerif-Bold.ttf", "serif"),
    FontFamily("Liberation Sans", "liberation2/LiberationSans-Regular.ttf",
               "liberation2/LiberationSans-Bold.ttf", "sans"),
    FontFamily("Liberation Serif", "liberation2/LiberationSerif-Regular.ttf",
               "liberation2/LiberationSerif-Bold.ttf", "serif"),
    FontFamily("Noto Sans", "noto/NotoSans-Regular.ttf", "noto/NotoSans-Bold.ttf", "sans"),
    FontFamily("Noto Serif", "noto/NotoSerif-Regular.ttf", "noto/NotoSerif-Bold.ttf", "serif"),
    FontFamily("Roboto", "roboto/unhinted/RobotoTTF/Roboto-Regular.ttf",
               "roboto/unhinted/RobotoTTF/Roboto-Bold.ttf", "sans"),
    FontFamily("Roboto Condensed", "roboto/unhinted/RobotoCondensed-Regular.ttf",
               "roboto/unhinted/RobotoCondensed-Bold.ttf", "sans"),
    FontFamily("FreeSans", "freefont/FreeSans.ttf", "freefont/FreeSansBold.ttf", "sans"),
    FontFamily("FreeSerif", "freefont/FreeSerif.ttf", "freefont/FreeSerifBold.ttf", "serif"),
    FontFamily("DejaVu Sans Mono", "dejavu/DejaVuSansMono.ttf", "dejavu/DejaVuSansMono-Bold.ttf", "mono"),
    FontFamily("Liberation Mono", "liberation2/LiberationMono-Regular.ttf",
               "liberation2/LiberationMono-Bold.ttf", "mono"),
    FontFamily("FreeMono", "freefont/FreeMono.ttf", "freefont/FreeMonoBold.ttf", "mono"),
)


class MissingFontsError(RuntimeError):
    """No usable font is installed; the message says how to install them."""


@cache
def available(kind: str) -> tuple[FontFamily, ...]:
    """Installed families of one kind ("sans", "serif", "mono"), in a fixed order."""
    found = tuple(
        f for f in FAMILIES
        if f.kind == kind and (FONT_DIR / f.regular).is_file() and (FONT_DIR / f.bold).is_file()
    )
    if not found:
        raise MissingFontsError(
            f"no {kind} font with Vietnamese glyphs under {FONT_DIR}: run scripts/install-system-deps.sh"
        )
    return found


@lru_cache(maxsize=4096)
def load(path: str, size: int) -> ImageFont.FreeTypeFont:
    """A FreeType font at a pixel size, cached per process (loading costs ~1 ms)."""
    return ImageFont.truetype(str(FONT_DIR / path), size)
