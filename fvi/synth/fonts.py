"""Fonts with full Vietnamese coverage, installed from Debian packages by scripts/install-system-deps.sh.

Three sets of families: ``core``, which data sets are drawn in unless told otherwise (every model was
trained on them); ``extra``, added to the reader's training from v7 (`fvi synth --fonts core+extra`); and
``unseen``, which no training set uses: `fvi synth --fonts unseen` renders photos in type the models never
saw, to measure how they read cards printed or rendered by other hands.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from PIL import ImageFont

FONT_DIR = Path("/usr/share")


@dataclass(frozen=True)
class FontFamily:
    """A regular and a bold face of one family (paths relative to :data:`FONT_DIR`)."""

    name: str
    regular: str
    bold: str
    kind: str  # "sans", "serif" or "mono"


#: Every family training sets are drawn with. Each covers the whole reader charset (tested).
FAMILIES: tuple[FontFamily, ...] = (
    FontFamily("DejaVu Sans", "fonts/truetype/dejavu/DejaVuSans.ttf", "fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "sans"),
    FontFamily("DejaVu Sans Condensed", "fonts/truetype/dejavu/DejaVuSansCondensed.ttf",
               "fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf", "sans"),
    FontFamily("DejaVu Serif", "fonts/truetype/dejavu/DejaVuSerif.ttf", "fonts/truetype/dejavu/DejaVuSerif-Bold.ttf", "serif"),
    FontFamily("Liberation Sans", "fonts/truetype/liberation2/LiberationSans-Regular.ttf",
               "fonts/truetype/liberation2/LiberationSans-Bold.ttf", "sans"),
    FontFamily("Liberation Serif", "fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
               "fonts/truetype/liberation2/LiberationSerif-Bold.ttf", "serif"),
    FontFamily("Noto Sans", "fonts/truetype/noto/NotoSans-Regular.ttf", "fonts/truetype/noto/NotoSans-Bold.ttf", "sans"),
    FontFamily("Noto Serif", "fonts/truetype/noto/NotoSerif-Regular.ttf", "fonts/truetype/noto/NotoSerif-Bold.ttf", "serif"),
    FontFamily("Roboto", "fonts/truetype/roboto/unhinted/RobotoTTF/Roboto-Regular.ttf",
               "fonts/truetype/roboto/unhinted/RobotoTTF/Roboto-Bold.ttf", "sans"),
    FontFamily("Roboto Condensed", "fonts/truetype/roboto/unhinted/RobotoCondensed-Regular.ttf",
               "fonts/truetype/roboto/unhinted/RobotoCondensed-Bold.ttf", "sans"),
    FontFamily("FreeSans", "fonts/truetype/freefont/FreeSans.ttf", "fonts/truetype/freefont/FreeSansBold.ttf", "sans"),
    FontFamily("FreeSerif", "fonts/truetype/freefont/FreeSerif.ttf", "fonts/truetype/freefont/FreeSerifBold.ttf", "serif"),
    FontFamily("DejaVu Sans Mono", "fonts/truetype/dejavu/DejaVuSansMono.ttf", "fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf", "mono"),
    FontFamily("Liberation Mono", "fonts/truetype/liberation2/LiberationMono-Regular.ttf",
               "fonts/truetype/liberation2/LiberationMono-Bold.ttf", "mono"),
    FontFamily("FreeMono", "fonts/truetype/freefont/FreeMono.ttf", "fonts/truetype/freefont/FreeMonoBold.ttf", "mono"),
)


_TEX_GYRE = "texmf/fonts/opentype/public/tex-gyre"

#: Families added to training with reader v7 (`fvi synth --fonts core+extra`).
EXTRA_FAMILIES: tuple[FontFamily, ...] = (
    FontFamily("Lato", "fonts/truetype/lato/Lato-Regular.ttf", "fonts/truetype/lato/Lato-Bold.ttf", "sans"),
    FontFamily("Inter", "fonts/opentype/inter/Inter-Regular.otf", "fonts/opentype/inter/Inter-Bold.otf", "sans"),
    FontFamily("Carlito", "fonts/truetype/crosextra/Carlito-Regular.ttf",
               "fonts/truetype/crosextra/Carlito-Bold.ttf", "sans"),
    FontFamily("TeX Gyre Heros", f"{_TEX_GYRE}/texgyreheros-regular.otf", f"{_TEX_GYRE}/texgyreheros-bold.otf",
               "sans"),
    FontFamily("Linux Biolinum", "fonts/opentype/linux-libertine/LinBiolinum_R.otf",
               "fonts/opentype/linux-libertine/LinBiolinum_RB.otf", "sans"),
    FontFamily("TeX Gyre Termes", f"{_TEX_GYRE}/texgyretermes-regular.otf",
               f"{_TEX_GYRE}/texgyretermes-bold.otf", "serif"),
    FontFamily("TeX Gyre Schola", f"{_TEX_GYRE}/texgyreschola-regular.otf",
               f"{_TEX_GYRE}/texgyreschola-bold.otf", "serif"),
    FontFamily("Linux Libertine", "fonts/opentype/linux-libertine/LinLibertine_R.otf",
               "fonts/opentype/linux-libertine/LinLibertine_RB.otf", "serif"),
    FontFamily("JetBrains Mono", "fonts/truetype/jetbrains-mono/JetBrainsMono-Regular.ttf",
               "fonts/truetype/jetbrains-mono/JetBrainsMono-Bold.ttf", "mono"),
)

#: Families no training set is drawn with (`fvi synth --fonts unseen`), of the same three kinds.
UNSEEN_FAMILIES: tuple[FontFamily, ...] = (
    FontFamily("Open Sans", "fonts/truetype/open-sans/OpenSans-Regular.ttf",
               "fonts/truetype/open-sans/OpenSans-Bold.ttf", "sans"),
    FontFamily("Cantarell", "fonts/opentype/cantarell/Cantarell-Regular.otf",
               "fonts/opentype/cantarell/Cantarell-Bold.otf", "sans"),
    FontFamily("TeX Gyre Pagella", f"{_TEX_GYRE}/texgyrepagella-regular.otf",
               f"{_TEX_GYRE}/texgyrepagella-bold.otf", "serif"),
    FontFamily("TeX Gyre Bonum", f"{_TEX_GYRE}/texgyrebonum-regular.otf", f"{_TEX_GYRE}/texgyrebonum-bold.otf",
               "serif"),
    FontFamily("TeX Gyre Cursor", f"{_TEX_GYRE}/texgyrecursor-regular.otf",
               f"{_TEX_GYRE}/texgyrecursor-bold.otf", "mono"),
)

#: Named sets of families; `fvi synth --fonts` takes one or several joined by "+" ("core+extra").
FONT_SETS: dict[str, tuple[FontFamily, ...]] = {"core": FAMILIES, "extra": EXTRA_FAMILIES,
                                                 "unseen": UNSEEN_FAMILIES}
#: The sets the reader is trained on (its random-text lines draw from them too).
TRAINING_FONTS = "core+extra"

_active = "core"


def check_font_sets(spec: str) -> None:
    """Raise ValueError unless ``spec`` names known sets ("core", "core+extra" ...)."""
    unknown = [name for name in spec.split("+") if name not in FONT_SETS]
    if unknown or not spec:
        raise ValueError(f"unknown font set {spec!r}; choose from {', '.join(FONT_SETS)}, joined by '+'")


class MissingFontsError(RuntimeError):
    """No usable font is installed; the message says how to install them."""


@contextmanager
def using(spec: str) -> Iterator[None]:
    """Draw from other sets of families ("unseen", "core+extra") inside the block, in this process."""
    global _active
    check_font_sets(spec)
    before, _active = _active, spec
    try:
        yield
    finally:
        _active = before


def available(kind: str) -> tuple[FontFamily, ...]:
    """Installed families of one kind ("sans", "serif", "mono") of the set in use, in a fixed order."""
    return _installed(kind, _active)


@cache
def _installed(kind: str, spec: str) -> tuple[FontFamily, ...]:
    found = tuple(
        f for name in spec.split("+") for f in FONT_SETS[name]
        if f.kind == kind and (FONT_DIR / f.regular).is_file() and (FONT_DIR / f.bold).is_file()
    )
    if not found:
        raise MissingFontsError(
            f"no {kind} font of the {spec!r} set with Vietnamese glyphs under {FONT_DIR}: "
            "run scripts/install-system-deps.sh"
        )
    return found


@lru_cache(maxsize=4096)
def load(path: str, size: int) -> ImageFont.FreeTypeFont:
    """A FreeType font at a pixel size, cached per process (loading costs ~1 ms)."""
    return ImageFont.truetype(str(FONT_DIR / path), size)
