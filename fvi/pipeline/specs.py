"""Input/output contracts of the three models: sizes, strides and class lists, defined once."""

from __future__ import annotations

from fvi.cards.charset import CHARSET
from fvi.cards.types import FIELD_KEYS, SUPPORTED_CARDS

# Cropper: a letterboxed square copy of the photo -> corner heatmaps, sub-cell offsets, card class.
CROPPER_INPUT = 256
#: Share of the letterbox kept empty on each side, so corners slightly outside the photo stay visible.
LETTERBOX_MARGIN = 0.08
CROPPER_STRIDE = 4
#: Class index -> (type, side); the last class means "no card".
CARD_CLASSES: tuple[str, ...] = tuple(f"{t.value}/{s.value}" for t, s in SUPPORTED_CARDS) + ("none",)
NO_CARD_CLASS = len(CARD_CLASSES) - 1

# Detector: the warped card resized to DETECTOR_INPUT -> one line-kernel map per field class.
DETECTOR_INPUT = (512, 320)  # width, height
DETECTOR_STRIDE = 2
DETECTOR_CLASSES: tuple[str, ...] = FIELD_KEYS
#: Line kernels are the line boxes shrunk to this share of their height (keeps stacked lines apart).
KERNEL_HEIGHT_RATIO = 0.5
#: Decoding grows a kernel back by this ratio instead: thresholded predictions are thicker than their
#: targets (about a cell at stride 2 on each side). Measured on the validation set (seed 2): the v1
#: detector's boxes, grown by 0.5, were 1.35x the true line height and the reader's exact-line rate
#: fell from 86% (true boxes) to 64%.
KERNEL_DECODE_RATIO = 0.675

# Reader: grey line crops of fixed height, variable width (a multiple of READER_WIDTH_STEP).
LINE_HEIGHT = 32
READER_WIDTH_STEP = 8
READER_MAX_WIDTH = 800
#: One card's reader batch is padded to a multiple of this width. Triton's dynamic batcher only merges
#: requests of equal shape, so coarse width buckets let the lines of concurrent cards share one reader
#: run, for about 10% of padding on a typical card (batch widths 136-552 px on generated cards).
READER_BATCH_WIDTH_STEP = 64
READER_DOWNSAMPLE = 4  # input columns per output time step
#: Output classes: 0 is the CTC blank, then CHARSET in order.
READER_ALPHABET = CHARSET


#: Models that run another model's network (architecture, inputs, outputs) with their own weights.
SAME_NETWORK_AS = {"cropper_cut": "cropper"}


def network_of(model: str) -> str:
    """The network a model runs: ``cropper_cut`` runs the cropper's, every other model its own."""
    return SAME_NETWORK_AS.get(model, model)
