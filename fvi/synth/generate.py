"""Generate a data set of card photos with exact labels, reproducibly, in one or several processes."""

from __future__ import annotations

import json
import multiprocessing as mp
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import cv2
import numpy as np

from fvi import __version__
from fvi.cards.types import CANONICAL_SIZE, SUPPORTED_CARDS, CardType, Side
from fvi.synth import fonts
from fvi.synth.card import RenderedCard, render_card
from fvi.synth.labels import SCHEMA_VERSION, CardLabel, FieldLabel, Flags, ImageLabel, LineLabel, Photo
from fvi.synth.person import PersonFactory
from fvi.synth.scene import (
    BACKGROUNDS,
    PhotoConditions,
    add_occluders,
    degrade,
    distractor_card,
    make_background,
    paste_card,
    place_card,
)


@dataclass(frozen=True)
class SynthConfig:
    """Everything that decides the content of a data set (with the seed, it fixes every byte)."""

    seed: int = 0
    cards: tuple[tuple[CardType, Side], ...] = SUPPORTED_CARDS
    size: tuple[int, int] = (1280, 960)
    no_card_rate: float = 0.06
    cut_corner_rate: float = 0.06
    inconsistent_id_rate: float = 0.05
    jpeg_quality: tuple[int, int] = (30, 95)
    layout_shift: float = 1.0  # how far text moves and its size varies, in multiples of the default spread
    fonts: str = "core"  # sets of fvi.synth.fonts.FONT_SETS: "core+extra", or "unseen" (never trained on)

    def __post_init__(self) -> None:
        fonts.check_font_sets(self.fonts)


@dataclass
class Sample:
    """One generated photo: JPEG bytes, its label, and the upright card it shows (if any)."""

    jpeg: bytes
    label: ImageLabel
    card: RenderedCard | None = field(default=None, repr=False)


def select_cards(types: Iterable[str] | None, sides: Iterable[str] | None) -> tuple[tuple[CardType, Side], ...]:
    """The supported (type, side) pairs matching the filters; raises ValueError if none do."""
    wanted_types = {CardType(t) for t in types} if types else None
    wanted_sides = {Side(s) for s in sides} if sides else None
    cards = tuple(
        (t, s) for t, s in SUPPORTED_CARDS
        if (wanted_types is None or t in wanted_types) and (wanted_sides is None or s in wanted_sides)
    )
    if not cards:
        raise ValueError("no supported card matches these --types/--sides; supported: "
                         + ", ".join(f"{t.value}/{s.value}" for t, s in SUPPORTED_CARDS))
    return cards


class Generator:
    """Makes sample ``index`` of a configuration; holds per-process caches only (no state across samples)."""

    def __init__(self, config: SynthConfig) -> None:
        self.config = config
        self.people = PersonFactory()

    def sample(self, index: int) -> Sample:
        with fonts.using(self.config.fonts):
            return self._sample(index)

    def _sample(self, index: int) -> Sample:
        cfg = self.config
        rng = np.random.default_rng([cfg.seed, index])
        w, h = cfg.size
        conditions = PhotoConditions(background=BACKGROUNDS[int(rng.integers(len(BACKGROUNDS)))])
        scene = make_background(rng, cfg.size, conditions.background)
        no_card = rng.random() < cfg.no_card_rate
        card_label = None
        rendered = None
        cut = False
        inconsistent = False
        corners = None
        if no_card or rng.random() < 0.1:
            placement = place_card(rng, cfg.size, PhotoConditions(), cut_corner=False)
            paste_card(scene, distractor_card(rng), placement, rng)
            conditions.distractor_card = True
        if not no_card:
            card_type, side = cfg.cards[int(rng.integers(len(cfg.cards)))]
            person = self.people.make(rng, card_type, cfg.inconsistent_id_rate)
            rendered = render_card(card_type, side, person, rng, cfg.layout_shift)
            placement = place_card(rng, cfg.size, conditions, cut_corner=rng.random() < cfg.cut_corner_rate)
            paste_card(scene, rendered.image, placement, rng)
            corners = placement.corners
            cut = placement.cut_corner
            inconsistent = not person.id_consistent and "id_number" in rendered.fields
            card_label = _card_label(rendered, placement.homography, corners)
        add_occluders(scene, rng, corners, conditions)
        image = degrade(scene, rng, conditions, corners)
        lo, hi = cfg.jpeg_quality
        conditions.jpeg_quality = int(rng.integers(lo, hi + 1))
        ok, jpeg = cv2.imencode(".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR),
                                [cv2.IMWRITE_JPEG_QUALITY, conditions.jpeg_quality])
        assert ok
        label = ImageLabel(
            image=f"{index:06d}.jpg", width=w, height=h, seed=cfg.seed, index=index, card=card_label,
            flags=Flags(no_card=no_card, cut_corner=cut, inconsistent_id=inconsistent,
                        occluded=bool(conditions.occluders) and not no_card),
            photo=Photo(**asdict(conditions)),
        )
        return Sample(jpeg.tobytes(), label, rendered)


def _r(points: np.ndarray) -> list[tuple[float, float]]:
    return [(round(float(x), 2), round(float(y), 2)) for x, y in points]


def _to_image(homography: np.ndarray, quad: list[list[float]]) -> np.ndarray:
    pts = np.asarray(quad, np.float64).reshape(-1, 1, 2)
    return cv2.perspectiveTransform(pts, homography).reshape(-1, 2)


def _card_label(card: RenderedCard, homography: np.ndarray, corners: np.ndarray) -> CardLabel:
    fields = {
        key: FieldLabel(
            text=" ".join(line.text for line in lines),
            lines=[LineLabel(text=line.text, polygon=_r(_to_image(homography, line.quad)),
                             polygon_card=_r(np.asarray(line.quad))) for line in lines],
        )
        for key, lines in card.fields.items()
    }
    return CardLabel(
        type=card.card_type, side=card.side, corners=_r(corners), canonical_size=CANONICAL_SIZE,
        homography=[[round(float(v), 8) for v in row] for row in homography],
        fields=fields, mrz=card.mrz, qr_payload=card.qr_payload,
        qr_polygon=_r(_to_image(homography, card.qr_quad)) if card.qr_quad else None,
        qr_polygon_card=_r(np.asarray(card.qr_quad)) if card.qr_quad else None,
    )


# ---- data set on disk -------------------------------------------------------------------------

_worker: Generator | None = None


def _init_worker(config: SynthConfig) -> None:
    global _worker
    cv2.setNumThreads(1)
    _worker = Generator(config)


def _write_one(args: tuple[int, str]) -> str:
    index, out = args
    assert _worker is not None
    sample = _worker.sample(index)
    out_dir = Path(out)
    (out_dir / "images" / sample.label.image).write_bytes(sample.jpeg)
    text = sample.label.model_dump_json()
    (out_dir / "labels" / f"{index:06d}.json").write_text(text + "\n", encoding="utf-8")
    return text


def generate_dataset(out: Path, count: int, config: SynthConfig, workers: int = 1,
                     progress: Callable[[int], None] | None = None) -> list[ImageLabel]:
    """Write ``images/``, ``labels/``, ``labels.jsonl`` and ``manifest.json`` under ``out``.

    Sample ``i`` depends only on (config, i), so the bytes do not depend on ``workers``.
    """
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "labels").mkdir(parents=True, exist_ok=True)
    jobs = [(i, str(out)) for i in range(count)]
    texts: list[str] = []
    if workers <= 1:
        _init_worker(config)
        results: Iterable[str] = map(_write_one, jobs)
        for text in results:
            texts.append(text)
            if progress:
                progress(1)
    else:
        # spawn, not fork: forking after OpenCV/OpenMP initialised can hang (TOOLCHAIN.md).
        with mp.get_context("spawn").Pool(workers, initializer=_init_worker, initargs=(config,)) as pool:
            for text in pool.imap(_write_one, jobs, chunksize=4):
                texts.append(text)
                if progress:
                    progress(1)
    (out / "labels.jsonl").write_text("".join(t + "\n" for t in texts), encoding="utf-8")
    manifest = {
        "generator": f"fvi {__version__}",
        "schema_version": SCHEMA_VERSION,
        "count": count,
        "config": {**asdict(config), "cards": [f"{t.value}/{s.value}" for t, s in config.cards]},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return [ImageLabel.model_validate_json(t) for t in texts]


def load_labels(data_dir: Path) -> list[ImageLabel]:
    """Read a generated data set's labels (``labels.jsonl``)."""
    with open(data_dir / "labels.jsonl", encoding="utf-8") as fh:
        return [ImageLabel.model_validate_json(line) for line in fh if line.strip()]
