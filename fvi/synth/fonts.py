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


#: Folders under FONT_DIR the Debian packages install into.
_TT, _OT, _TEX_GYRE = "fonts/truetype", "fonts/opentype", "texmf/fonts/opentype/public/tex-gyre"

#: The core families: what data sets are drawn in by default, and every model was trained on. Each
#: family of every set covers the whole reader charset (tested).
CORE_FAMILIES: tuple[FontFamily, ...] = (
    FontFamily("DejaVu Sans", f"{_TT}/dejavu/DejaVuSans.ttf", f"{_TT}/dejavu/DejaVuSans-Bold.ttf", "sans"),
    FontFamily("DejaVu Sans Condensed", f"{_TT}/dejavu/DejaVuSansCondensed.ttf",
               f"{_TT}/dejavu/DejaVuSansCondensed-Bold.ttf", "sans"),
    FontFamily("DejaVu Serif", f"{_TT}/dejavu/DejaVuSerif.ttf", f"{_TT}/dejavu/DejaVuSerif-Bold.ttf", "serif"),
    FontFamily("Liberation Sans", f"{_TT}/liberation2/LiberationSans-Regular.ttf",
               f"{_TT}/liberation2/LiberationSans-Bold.ttf", "sans"),
    FontFamily("Liberation Serif", f"{_TT}/liberation2/LiberationSerif-Regular.ttf",
               f"{_TT}/liberation2/LiberationSerif-Bold.ttf", "serif"),
    FontFamily("Noto Sans", f"{_TT}/noto/NotoSans-Regular.ttf", f"{_TT}/noto/NotoSans-Bold.ttf", "sans"),
    FontFamily("Noto Serif", f"{_TT}/noto/NotoSerif-Regular.ttf", f"{_TT}/noto/NotoSerif-Bold.ttf", "serif"),
    FontFamily("Roboto", f"{_TT}/roboto/unhinted/RobotoTTF/Roboto-Regular.ttf",
               f"{_TT}/roboto/unhinted/RobotoTTF/Roboto-Bold.ttf", "sans"),
    FontFamily("Roboto Condensed", f"{_TT}/roboto/unhinted/RobotoCondensed-Regular.ttf",
               f"{_TT}/roboto/unhinted/RobotoCondensed-Bold.ttf", "sans"),
    FontFamily("FreeSans", f"{_TT}/freefont/FreeSans.ttf", f"{_TT}/freefont/FreeSansBold.ttf", "sans"),
    FontFamily("FreeSerif", f"{_TT}/freefont/FreeSerif.ttf", f"{_TT}/freefont/FreeSerifBold.ttf", "serif"),
    FontFamily("DejaVu Sans Mono", f"{_TT}/dejavu/DejaVuSansMono.ttf", f"{_TT}/dejavu/DejaVuSansMono-Bold.ttf",
               "mono"),
    FontFamily("Liberation Mono", f"{_TT}/liberation2/LiberationMono-Regular.ttf",
               f"{_TT}/liberation2/LiberationMono-Bold.ttf", "mono"),
    FontFamily("FreeMono", f"{_TT}/freefont/FreeMono.ttf", f"{_TT}/freefont/FreeMonoBold.ttf", "mono"),
)

#: Families added to training with reader v7 (`fvi synth --fonts core+extra`).
EXTRA_FAMILIES: tuple[FontFamily, ...] = (
    FontFamily("Lato", f"{_TT}/lato/Lato-Regular.ttf", f"{_TT}/lato/Lato-Bold.ttf", "sans"),
    FontFamily("Inter", f"{_OT}/inter/Inter-Regular.otf", f"{_OT}/inter/Inter-Bold.otf", "sans"),
    FontFamily("Carlito", f"{_TT}/crosextra/Carlito-Regular.ttf",
               f"{_TT}/crosextra/Carlito-Bold.ttf", "sans"),
    FontFamily("TeX Gyre Heros", f"{_TEX_GYRE}/texgyreheros-regular.otf", f"{_TEX_GYRE}/texgyreheros-bold.otf",
               "sans"),
    FontFamily("Linux Biolinum", f"{_OT}/linux-libertine/LinBiolinum_R.otf",
               f"{_OT}/linux-libertine/LinBiolinum_RB.otf", "sans"),
    FontFamily("TeX Gyre Termes", f"{_TEX_GYRE}/texgyretermes-regular.otf",
               f"{_TEX_GYRE}/texgyretermes-bold.otf", "serif"),
    FontFamily("TeX Gyre Schola", f"{_TEX_GYRE}/texgyreschola-regular.otf",
               f"{_TEX_GYRE}/texgyreschola-bold.otf", "serif"),
    FontFamily("Linux Libertine", f"{_OT}/linux-libertine/LinLibertine_R.otf",
               f"{_OT}/linux-libertine/LinLibertine_RB.otf", "serif"),
    FontFamily("JetBrains Mono", f"{_TT}/jetbrains-mono/JetBrainsMono-Regular.ttf",
               f"{_TT}/jetbrains-mono/JetBrainsMono-Bold.ttf", "mono"),
)

#: Families no training set is drawn with (`fvi synth --fonts unseen`), of the same three kinds.
UNSEEN_FAMILIES: tuple[FontFamily, ...] = (
    FontFamily("Open Sans", f"{_TT}/open-sans/OpenSans-Regular.ttf",
               f"{_TT}/open-sans/OpenSans-Bold.ttf", "sans"),
    FontFamily("Cantarell", f"{_OT}/cantarell/Cantarell-Regular.otf",
               f"{_OT}/cantarell/Cantarell-Bold.otf", "sans"),
    FontFamily("TeX Gyre Pagella", f"{_TEX_GYRE}/texgyrepagella-regular.otf",
               f"{_TEX_GYRE}/texgyrepagella-bold.otf", "serif"),
    FontFamily("TeX Gyre Bonum", f"{_TEX_GYRE}/texgyrebonum-regular.otf", f"{_TEX_GYRE}/texgyrebonum-bold.otf",
               "serif"),
    FontFamily("TeX Gyre Cursor", f"{_TEX_GYRE}/texgyrecursor-regular.otf",
               f"{_TEX_GYRE}/texgyrecursor-bold.otf", "mono"),
)

#: Named sets of families; `fvi synth --fonts` takes one or several joined by "+" ("core+extra").
FONT_SETS: dict[str, tuple[FontFamily, ...]] = {"core": CORE_FAMILIES, "extra": EXTRA_FAMILIES,
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
