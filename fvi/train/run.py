"""Entry points behind `fvi train MODEL`: prepare data from `fvi synth` output, then run the loop."""

from __future__ import annotations

from pathlib import Path

from fvi.synth.generate import load_labels
from fvi.train.loop import TrainConfig, console, train

#: Per-model defaults (epochs, batch size, learning rate); the command line can override each.
DEFAULTS: dict[str, dict] = {
    "reader": {"epochs": 8, "batch_size": 64, "lr": 3e-3},
    "detector": {"epochs": 12, "batch_size": 16, "lr": 3e-3, "channels_last": True},
    "cropper": {"epochs": 20, "batch_size": 32, "lr": 3e-3, "channels_last": True, "bf16": True},
}


#: Bump when the way line crops are cut changes, so caches are rebuilt (v2: detector-like box jitter;
#: v3: corners jittered as far as the cropper misses them; v4: random-text lines in the core+extra fonts).
LINE_SET_VERSION = "v4"


def _cached_lines(data: Path, random_count: int, seed: int, workers: int):
    from fvi.train.lines import build_line_set, load_lines, save_lines

    cache = data / "cache" / f"reader_lines_{LINE_SET_VERSION}_seed{seed}_random{random_count}.npz"
    if cache.exists():
        return load_lines(cache)
    console.print(f"[reader] cutting line crops from {data} (cached in {cache})")
    lines = build_line_set(data, load_labels(data), random_count, seed, workers)
    save_lines(cache, lines)
    return lines


def _cached_cards(data: Path, seed: int, workers: int, limit: int | None = None):
    """Warped cards (detector input size) and their line boxes, cached as one .npy plus a .npz of boxes."""
    import numpy as np

    from fvi.train.detector_task import build_card_set

    labels = [l for l in load_labels(data) if l.card is not None][:limit]
    stem = data / "cache" / f"detector_cards_seed{seed}_n{len(labels)}"
    if not stem.with_suffix(".npy").exists():
        console.print(f"[detector] warping {len(labels)} cards from {data} (cached in {stem}.npy)")
        cards = build_card_set(data, labels, seed, workers)
        stem.parent.mkdir(parents=True, exist_ok=True)
        np.save(stem.with_suffix(".tmp.npy"), np.stack([c for c, _ in cards]))
        boxes = np.empty(len(cards), dtype=object)
        boxes[:] = [b for _, b in cards]
        np.savez(stem.with_suffix(".boxes.npz"), boxes=boxes)
        stem.with_suffix(".tmp.npy").replace(stem.with_suffix(".npy"))
    images = np.load(stem.with_suffix(".npy"), mmap_mode="r")
    boxes = np.load(stem.with_suffix(".boxes.npz"), allow_pickle=True)["boxes"]
    return [(images[i], list(boxes[i])) for i in range(len(boxes))]


def _cached_photos(data: Path, workers: int, zoom_seed: int | None = None):
    """Letterboxed photos (the cropper's first look; with ``zoom_seed``, its second look: the region
    around the card) with corners (letterbox px), class index and card width, cached."""
    import numpy as np

    from fvi.train.cropper_task import build_photo_set

    labels = load_labels(data)
    # zoom2: second looks reach past the photo's edges when the card touches them (`steps.zoom_view`).
    kind = "photos" if zoom_seed is None else f"zoom2_seed{zoom_seed}"
    stem = data / "cache" / f"cropper_{kind}_n{len(labels)}"
    if not stem.with_suffix(".npy").exists():
        console.print(f"[cropper] letterboxing {len(labels)} {kind} from {data} (cached in {stem}.npy)")
        photos = build_photo_set(data, labels, workers, zoom_seed)
        stem.parent.mkdir(parents=True, exist_ok=True)
        np.save(stem.with_suffix(".tmp.npy"), np.stack([p[0] for p in photos]))
        meta = np.empty(len(photos), dtype=object)
        meta[:] = [p[1:] for p in photos]
        np.savez(stem.with_suffix(".meta.npz"), meta=meta)
        stem.with_suffix(".tmp.npy").replace(stem.with_suffix(".npy"))
    images = np.load(stem.with_suffix(".npy"))
    meta = np.load(stem.with_suffix(".meta.npz"), allow_pickle=True)["meta"]
    return [(images[i], *meta[i]) for i in range(len(meta))]


def run(model: str, data: Path, val: Path, out: Path, config: TrainConfig, resume: bool, workers: int = 2) -> None:
    if model == "reader":
        from fvi.train.reader_task import ReaderTask

        train_lines = _cached_lines(data, random_count=30_000, seed=config.seed, workers=workers)
        val_lines = _cached_lines(val, random_count=0, seed=config.seed + 1, workers=workers)
        console.print(f"[reader] {len(train_lines)} training lines, {len(val_lines)} validation lines")
        task = ReaderTask(train_lines, val_lines, config.batch_size, config.size, config.loader_workers)
    elif model == "detector":
        from fvi.train.detector_task import DetectorTask

        task = DetectorTask(_cached_cards(data, config.seed, workers, limit=6000),
                            _cached_cards(val, config.seed + 1, workers), config.batch_size)
    elif model == "cropper":
        from fvi.train.cropper_task import CropperTask

        # Both looks: the whole photo, and the region around the card as the second look sees it.
        task = CropperTask(_cached_photos(data, workers) + _cached_photos(data, workers, config.seed),
                           _cached_photos(val, workers) + _cached_photos(val, workers, config.seed + 1),
                           config.batch_size)
    else:
        raise ValueError(f"unknown model {model!r}")
    train(task, config, out, resume=resume)
