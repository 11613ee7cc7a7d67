"""The pipeline's steps between models, as plain functions: the in-process runner and Triton's
Python steps both call these (one implementation, several callers)."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from fvi.cards.charset import VIETNAMESE_LOWER, VIETNAMESE_UPPER
from fvi.cards.marks import MARK_DISTANCES, MARK_PHRASES
from fvi.cards.names import SURNAMES
from fvi.cards.streets import HOUSE_NUMBER_SHAPES, NUMBERED_AFTER
from fvi.cards.syllables import is_syllable
from fvi.cards.types import CardType
from fvi.pipeline.addresses import ADDRESS_FIELDS, join_address_with_probs, match_address
from fvi.pipeline.checkdigits import with_check_digits
from fvi.pipeline.cropping import CropResult, crop_from_probs, decode_corners
from fvi.pipeline.crossread import with_birth_year_held, with_mrz_expiry_held, with_renewal_held
from fvi.pipeline.ctc import DecodedLine, constrained_decode, greedy_decode, log_softmax
from fvi.pipeline.detection import LineBox, decode_kernels, reading_order
from fvi.pipeline.edges import complete_cut_card, near_frame
from fvi.pipeline.fields import Field, ReadLine, allowed_fields, assemble_fields
from fvi.pipeline.formats import line_format
from fvi.pipeline.geometry import (
    CANONICAL_CORNERS,
    LETTERBOX_GREY,
    Letterbox,
    batch_lines,
    crop_line,
    letterbox,
    warp_card,
)
from fvi.pipeline.marks import tidy_marks
from fvi.pipeline.specs import (
    CARD_CLASSES,
    CROPPER_INPUT,
    DETECTOR_CLASSES,
    DETECTOR_INPUT,
    LINE_HEIGHT,
    NO_CARD_CLASS,
    READER_BATCH_WIDTH_STEP,
    READER_WIDTH_STEP,
)
from fvi.pipeline.spelling import Vocabulary, spell_syllables

#: Fields whose words are Vietnamese syllables (names, places, marks): ill-formed words are re-spelled.
SPELLED_FIELDS = ("full_name", "identifying_marks", *ADDRESS_FIELDS)
#: Fields written from a small vocabulary: words outside it are re-spelled into it first.
FIELD_VOCABULARIES = {"identifying_marks": Vocabulary.of(MARK_PHRASES, MARK_DISTANCES),
                      "full_name": Vocabulary.of(SURNAMES, first_word_only=True),
                      **{key: Vocabulary.of((), HOUSE_NUMBER_SHAPES, formats_after=NUMBERED_AFTER)
                         for key in ADDRESS_FIELDS}}

#: Fields printed in letters only: a full name is Vietnamese letters and spaces (and the apostrophe of
#: some minority names, "H'Hen"); no digit or other sign.
LETTER_FIELDS = {"full_name": VIETNAMESE_UPPER + VIETNAMESE_LOWER + " '"}

#: Lines per card sent to the reader at most (the reader's max_batch_size bounds one Triton request).
MAX_LINES = 48


def to_nchw(images: list[np.ndarray]) -> np.ndarray:
    return np.ascontiguousarray(np.stack(images).transpose(0, 3, 1, 2), np.float32) / 255.0


def cropper_input(image: np.ndarray) -> tuple[np.ndarray, Letterbox]:
    """Photo (RGB) -> cropper batch [1, 3, 256, 256] and how it was letterboxed."""
    boxed, lb = letterbox(image)
    return to_nchw([boxed]), lb


@dataclass
class Located:
    """The card found in a photo: its class, corners (image px), the upright warped card, the text of its
    QR code when it has one that could be read, and the photo's size (height, width)."""

    crop: CropResult
    corners: np.ndarray | None
    card: np.ndarray | None
    qr_text: str | None = None
    photo_size: tuple[int, int] | None = None


#: Card sides that carry a QR code.
QR_SIDES = ("cccd_chip/front", "can_cuoc_2024/back")
#: The QR code is looked for when the cropper gives a QR side at least this probability (the layout
#: check may still turn the card into one).
QR_MIN_PROB = 0.01


def decode_qr(image: np.ndarray, corners: np.ndarray) -> str | None:
    """The first QR code's text inside the card's outline, read from the full-resolution photo (zxing-cpp).
    The warped card is too coarse for it: at 856 px wide a dense code has under 2 px per module."""
    import zxingcpp

    x0, y0 = np.floor(corners.min(0)).astype(int)
    x1, y1 = np.ceil(corners.max(0)).astype(int)
    region = image[max(0, y0):max(0, y1), max(0, x0):max(0, x1)]
    if region.size == 0:
        return None
    results = zxingcpp.read_barcodes(cv2.cvtColor(region, cv2.COLOR_RGB2GRAY), formats=zxingcpp.BarcodeFormat.QRCode)
    return results[0].text if results else None


#: The second look: the photo region around the card the first look found, this much of the card's
#: longer side added on each side, letterboxed to the cropper's input again (the card then fills most of
#: it, so each input pixel is a smaller part of the card).
ZOOM_MARGIN = 0.15
#: The second look (corners and type/side) replaces the first unless a corner moved more than this share
#: of the card's width (then the second look landed on something else and the first is kept). Chosen on
#: the validation set (seed 2; perf/reports/cropper-zoom.md): 8% with cropper v2, which never trained on
#: second-look views; cropper v3 did, and its second look repairs most of the first look's large misses,
#: so only a second look a whole card width away is refused (one that turned the card upside down: each
#: corner then moves a diagonal).
ZOOM_AGREE = 1.0

#: The cropper's outputs for one input: heatmaps [4,G,G], offsets [8,G,G], card logits [classes].
CropperOutputs = tuple[np.ndarray, np.ndarray, np.ndarray]


def first_look(heatmaps: np.ndarray, offsets: np.ndarray, card_logits: np.ndarray) -> CropResult:
    """Decode the cropper's outputs; a class without a card-shaped quad (e.g. a blank photo) is no card."""
    crop = decode_corners(heatmaps, offsets, card_logits)
    if crop.card_class != "none" and not plausible_quad(crop.corners, crop.corner_scores):
        none = np.zeros_like(crop.class_probs)
        none[NO_CARD_CLASS] = 1.0
        crop = crop_from_probs(none, crop.corners, crop.corner_scores)
    return crop


def zoom_view(image: np.ndarray, corners: np.ndarray, margin: float = ZOOM_MARGIN) -> tuple[np.ndarray, Letterbox] | None:
    """The photo region around ``corners`` (image px) plus ``margin`` of the quad's longer side on each
    side, letterboxed (uint8), and how it maps to the photo (a Letterbox whose offsets include the
    region's origin); None when the region is empty. The region stops at the photo's edges, unless a
    corner lies at the frame (the card may go on past it): then it reaches past them, grey as the
    letterbox's margin, so the cropper can point at corners outside the photo."""
    h, w = image.shape[:2]
    (x0, y0), (x1, y1) = corners.min(0), corners.max(0)
    m = margin * max(x1 - x0, y1 - y0)
    left, top, right, bottom = int(x0 - m), int(y0 - m), int(x1 + m), int(y1 + m)
    if not near_frame(np.float32(corners), image.shape).any():
        left, top, right, bottom = max(0, left), max(0, top), min(w, right), min(h, bottom)
    if min(right, w) - max(left, 0) < 2 or min(bottom, h) - max(top, 0) < 2:
        return None
    region = image[max(0, top):min(h, bottom), max(0, left):min(w, right)]
    if left < 0 or top < 0 or right > w or bottom > h:
        region = cv2.copyMakeBorder(region, max(0, -top), max(0, bottom - h), max(0, -left), max(0, right - w),
                                    cv2.BORDER_CONSTANT, value=(LETTERBOX_GREY,) * 3)
    boxed, region_lb = letterbox(region)
    s = region_lb.scale
    return boxed, Letterbox(s, region_lb.dx - left * s, region_lb.dy - top * s)


def zoom_input(image: np.ndarray, lb: Letterbox, first: CropperOutputs) -> tuple[np.ndarray, Letterbox]:
    """The cropper's second input: ``zoom_view`` of the card of the first look. With no card found, the
    whole photo again (an ensemble cannot skip the step; the second look then changes nothing)."""
    crop = decode_corners(*first)  # a card whose quad is not plausible gets a second look too
    # A card at_frame: the view reaches past the photo's edges.
    view = None if crop.card_class == "none" else zoom_view(image, lb.to_image(crop.corners))
    if view is None:
        return cropper_input(image)
    boxed, zoom_lb = view
    return to_nchw([boxed]), zoom_lb


def at_frame(image: np.ndarray, lb: Letterbox, crop: CropResult) -> bool:
    """Whether the first look found a card with a corner at the photo's frame or past it: its second look
    then reaches past the photo (``zoom_view``) and is taken from ``cropper_cut``."""
    return crop.card_class != "none" and bool(near_frame(lb.to_image(crop.corners), image.shape).any())


def locate_card(image: np.ndarray, lb: Letterbox, first: CropperOutputs,
                second: tuple[Letterbox, CropperOutputs],
                cut_look: Callable[[], CropperOutputs | None] | None = None) -> Located:
    """Decode the cropper's two looks (the second from ``zoom_input``: its letterbox and outputs; when the
    first look's card is ``at_frame``, ``cut_look()`` gives ``cropper_cut``'s outputs for the same input,
    used instead), put back corners the photo's frame cut off (``fvi.pipeline.edges``), and warp the
    FULL-RESOLUTION photo to the canonical card. A first look that names a card with a quad that is not
    plausible (a small or far card: ``first_look`` alone says no card) finds it when its second look's quad
    is plausible; else the photo has no card."""
    crop = decode_corners(*first)
    if crop.card_class == "none":
        return Located(crop, None, None)
    sure = plausible_quad(crop.corners, crop.corner_scores)
    zoom_lb, outputs = second
    if cut_look is not None and at_frame(image, lb, crop):
        outputs = cut_look() or outputs  # None: cropper_cut is not serving (Triton logs why)
    corners = lb.to_image(crop.corners)
    zoomed = decode_corners(*outputs)
    if not sure and (zoomed.card_class == "none" or not plausible_quad(zoomed.corners, zoomed.corner_scores)):
        return Located(first_look(*first), None, None)
    zoomed_corners = zoom_lb.to_image(zoomed.corners)
    width = max(1.0, float(np.linalg.norm(corners[1] - corners[0])))
    moved = float(np.linalg.norm(zoomed_corners - corners, axis=1).max()) / width
    if moved < ZOOM_AGREE or not sure:
        corners = np.float32(zoomed_corners)
        crop = crop_from_probs(zoomed.class_probs, lb.to_letterbox(corners), zoomed.corner_scores)
        if crop.card_class == "none":
            return Located(crop, None, None)
    corners = complete_cut_card(image, corners)
    may_have_qr = sum(float(crop.class_probs[CARD_CLASSES.index(c)]) for c in QR_SIDES) >= QR_MIN_PROB
    return Located(crop, corners, warp_card(image, corners), decode_qr(image, corners) if may_have_qr else None,
                   image.shape[:2])


def plausible_quad(corners: np.ndarray, scores: np.ndarray, min_score: float = 0.05,
                   min_area: float = 0.01) -> bool:
    """Corners (letterbox px) form a convex quad of some size, each found with some confidence."""
    if float(scores.min()) < min_score:
        return False
    quad = np.float32(corners)
    area = 0.5 * abs(float(np.dot(quad[:, 0], np.roll(quad[:, 1], 1)) - np.dot(quad[:, 1], np.roll(quad[:, 0], 1))))
    return area >= min_area * CROPPER_INPUT**2 and bool(cv2.isContourConvex(quad.reshape(-1, 1, 2)))


def detector_input(card: np.ndarray | None) -> np.ndarray:
    """Warped card -> detector batch [1, 3, 320, 512] (a blank card when there is none)."""
    if card is None:
        return np.zeros((1, 3, DETECTOR_INPUT[1], DETECTOR_INPUT[0]), np.float32)
    return to_nchw([cv2.resize(card, DETECTOR_INPUT, interpolation=cv2.INTER_AREA)])


#: How much the layout the detector sees counts against the cropper's type/side (chosen on the validation
#: set, seed 2: at 0.2, 9 of the 14 cards taken for a type with other fields were set right, none broken;
#: at 0.3, 11 right and 2 broken).
LAYOUT_WEIGHT = 0.2


def layout_probs(class_probs: np.ndarray, kernel_logits: np.ndarray) -> np.ndarray:
    """Type/side probabilities [7] re-weighted by the layout the detector sees on the warped card.

    Each type/side prints a known set of fields; with q_f the detector's highest kernel probability for
    field f (clipped to [0.02, 0.98]), p'(c) is proportional to
    p(c) * (prod over f of (q_f if c prints f else 1 - q_f)) ** LAYOUT_WEIGHT. A back read as a front,
    or an old CMND as a Căn cước, is set right when the fields found say so. The no-card probability
    is kept as it is, and probabilities that say "no card" come back unchanged (the detector then saw
    a blank input).
    """
    if crop_from_probs(class_probs).card_class == "none":
        return class_probs
    seen = 1 / (1 + np.exp(-kernel_logits.reshape(len(DETECTOR_CLASSES), -1).max(1).astype(np.float64)))
    seen = np.clip(seen, 0.02, 0.98)
    scores = []
    for c, card_class in enumerate(CARD_CLASSES):
        if c == NO_CARD_CLASS:
            continue
        printed = allowed_fields(card_class)
        fit = sum(np.log(q if f in printed else 1 - q) for f, q in zip(DETECTOR_CLASSES, seen))
        scores.append(np.log(max(float(class_probs[c]), 1e-6)) + LAYOUT_WEIGHT * fit)
    weights = np.exp(np.array(scores) - max(scores))
    out = np.array(class_probs, np.float32)
    cards = [c for c in range(len(CARD_CLASSES)) if c != NO_CARD_CLASS]
    out[cards] = weights / weights.sum() * (1 - float(class_probs[NO_CARD_CLASS]))
    return out


def find_lines(kernel_logits: np.ndarray, card_class: str) -> list[LineBox]:
    """Detector logits (one card) -> line boxes in reading order, only fields this card type prints,
    at most MAX_LINES (the most confident)."""
    probs = 1 / (1 + np.exp(-kernel_logits))
    allowed = allowed_fields(card_class)
    boxes = [b for b in decode_kernels(probs) if b.field in allowed]
    if len(boxes) > MAX_LINES:
        keep = set(sorted(range(len(boxes)), key=lambda i: -boxes[i].score)[:MAX_LINES])
        boxes = [b for i, b in enumerate(boxes) if i in keep]
    return [b for lines in reading_order(boxes).values() for b in lines]


def reader_input(card: np.ndarray | None, boxes: list[LineBox]) -> np.ndarray:
    """All lines of one card as one reader batch [N, 1, 32, W]; N >= 1 (a blank line when there are none)."""
    if card is None or not boxes:
        return batch_lines([np.full((LINE_HEIGHT, READER_WIDTH_STEP), 255, np.uint8)])
    return batch_lines([crop_line(card, b.box) for b in boxes], READER_BATCH_WIDTH_STEP)


#: A line the reader doubts (some character of its best reading below this probability) is read again
#: from a crop moved up by this share of its box's height (one crop per shift), and the reader's
#: log-probabilities of its crops are averaged (``second_read``). The moved crop varies what the box's
#: edges cut and where the text sits in the line, as the reader's training did, so the mean is steadier
#: on type and layouts it saw less. Chosen on the validation sets (seeds 2, 3, 4;
#: perf/reports/second-read.md): a crop moved up and one moved down read a few more fields than one crop,
#: at twice the cost (the reader on the doubted lines again, about 40 % of them over normal and hard photos).
SECOND_READ_DOUBT = 0.9
SECOND_READ_SHIFTS = (-0.08,)
#: At most this many lines (the least sure) are read again: their moved crops fit one request to the reader
#: (max_batch_size 64) for up to two shifts.
SECOND_READ_MAX_LINES = 32


def doubted_lines(reader_logits: np.ndarray, boxes: list[LineBox]) -> list[int]:
    """The lines (indices into ``boxes``, in order) whose best reading has a character below
    SECOND_READ_DOUBT: the SECOND_READ_MAX_LINES least sure of them."""
    sure = [line.confidence for line in greedy_decode(reader_logits[:len(boxes)])]
    doubted = sorted((i for i, p in enumerate(sure) if p < SECOND_READ_DOUBT), key=lambda i: sure[i])
    return sorted(doubted[:SECOND_READ_MAX_LINES])


def second_read_input(card: np.ndarray, boxes: list[LineBox], doubted: list[int]) -> np.ndarray:
    """One reader batch of the doubted lines' moved crops (for each of SECOND_READ_SHIFTS in turn, every
    doubted line), each at the width of the line's first crop (so the readings' time steps line up)."""
    widths = [crop_line(card, boxes[i].box).shape[1] for i in doubted]
    return batch_lines([crop_line(card, boxes[i].box, shift=shift, width=width)
                        for shift in SECOND_READ_SHIFTS for i, width in zip(doubted, widths)],
                       READER_BATCH_WIDTH_STEP)


def second_read(card: np.ndarray | None, boxes: list[LineBox], reader_logits: np.ndarray,
                read: Callable[[np.ndarray], np.ndarray | None] | None) -> np.ndarray:
    """``reader_logits`` with each doubted line's row the mean of its log-probabilities over its first crop
    and its moved crops (``read``: the reader's logits for a batch; None when it did not answer, and the
    first reading stands; None: no second read). Lines read without doubt, and cards with none, cost
    nothing."""
    doubted = doubted_lines(reader_logits, boxes) if card is not None and read is not None else []
    if not doubted:
        return reader_logits
    moved = read(second_read_input(card, boxes, doubted))
    if moved is None:
        return reader_logits
    out = log_softmax(reader_logits.astype(np.float32))
    steps_first = out.shape[1]
    for k, i in enumerate(doubted):
        rows = [out[i]]
        for j in range(len(SECOND_READ_SHIFTS)):
            row = np.array(out[i])  # padding steps past the line's width keep the first reading's
            t = min(steps_first, moved.shape[1])
            row[:t] = log_softmax(moved[j * len(doubted) + k, :t].astype(np.float32))
            rows.append(row)
        out[i] = np.mean(rows, axis=0)
    return out


def read_fields(card_class: str, boxes: list[LineBox], reader_logits: np.ndarray) -> dict[str, Field]:
    """The card's fields from its line boxes and the reader's output for them (one row per box)."""
    lines = [ReadLine(b, without_stray_end(b.field, decode_line(card_class, b.field, logits)))
             for b, logits in zip(boxes, reader_logits)]
    logits_of = {id(line): logits for line, logits in zip(lines, reader_logits)}
    lines = drop_stray_lines(card_class, lines)
    fields = assemble_fields(card_class, lines)
    if "mrz" in fields:
        mrz = [line for line in lines if line.box.field == "mrz"]
        fields["mrz"] = with_check_digits_held(card_class, fields["mrz"], mrz, [logits_of[id(line)] for line in mrz])
    fields = with_cross_reads(card_class, fields, logits_of)
    return {key: finished(key, field) for key, field in fields.items()}


def with_cross_reads(card_class: str, fields: dict[str, Field], logits_of: dict[int, np.ndarray]) -> dict[str, Field]:
    """Lines that the card's structure ties, re-read together where they break the tie
    (``fvi.pipeline.crossread``): the ID number and the birth date's year, then a CCCD front's birth date
    and expiry, then a Căn cước back's expiry and MRZ. A field changed keeps the reader's text in ``read_as``."""
    out = dict(fields)

    def single(key: str) -> ReadLine | None:
        field = out.get(key)
        return field.lines[0] if field is not None and len(field.lines) == 1 else None

    def replace(keys: tuple[str, ...], old: tuple[ReadLine, ...], new: tuple[DecodedLine, ...]) -> None:
        for key, line, text in zip(keys, old, new):
            if text.text != line.text.text:
                mended = assemble_fields(card_class, [ReadLine(line.box, text)])[key]
                out[key] = dataclasses.replace(out[key], text=mended.text, confidence=mended.confidence,
                                               read_as=fields[key].text, lines=(ReadLine(line.box, text),))
                logits_of[id(out[key].lines[0])] = logits_of[id(line)]

    def logits(key: str) -> np.ndarray:
        return logits_of[id(out[key].lines[0])]

    if (id_line := single("id_number")) and (birth := single("date_of_birth")):
        sex = out["sex"].text if "sex" in out else None
        replace(("id_number", "date_of_birth"), (id_line, birth),
                with_birth_year_held(id_line.text, birth.text, sex, logits))
    if (birth := single("date_of_birth")) and (expiry := single("date_of_expiry")):
        replace(("date_of_birth", "date_of_expiry"), (birth, expiry),
                with_renewal_held(CardType(card_class.partition("/")[0]), birth.text, expiry.text, logits))
    if (expiry := single("date_of_expiry")) and "mrz" in out:
        replace(("date_of_expiry",), (expiry,), (with_mrz_expiry_held(expiry.text, out["mrz"].text, logits("date_of_expiry")),))
    return out


def with_check_digits_held(card_class: str, field: Field, lines: list[ReadLine], logits: list[np.ndarray]) -> Field:
    """The MRZ field with its lines re-read together where their check digits fail (``fvi.pipeline.
    checkdigits``); the lines stay as the reader read them, its text in ``read_as``."""
    checked = with_check_digits([line.text for line in lines], logits)
    mended = assemble_fields(card_class, [ReadLine(line.box, text) for line, text in zip(lines, checked)]).get("mrz")
    if mended is None or mended.text == field.text:
        return field
    return dataclasses.replace(field, text=mended.text, confidence=mended.confidence, read_as=field.text)


def finished(key: str, field: Field) -> Field:
    """A field put right as its kind is written: addresses (official names, signs), marks (signs)."""
    if key in ADDRESS_FIELDS:
        return with_official_names(field)
    if key == "identifying_marks":
        return with_tidy_marks(field)
    return field


#: Each administrative name replaced by an official one halves the field's confidence: the text is
#: more often right, but no longer what the reader saw with the confidence it had.
NAME_MATCH_CONFIDENCE = 0.5


def with_official_names(field: Field) -> Field:
    """An address field with its administrative names matched to the official list; the reader's own
    text stays in ``read_as`` when anything changed."""
    text, probs = join_address_with_probs(
        [line.text.text for line in field.lines],
        [line.text.char_probs if len(line.text.char_probs) == len(line.text.text) else (0.0,) * len(line.text.text)
         for line in field.lines])
    matched = match_address(text, probs)  # text is field.text: the same lines joined the same way
    if matched.text == field.text:
        return field
    return dataclasses.replace(field, text=matched.text, read_as=field.text,
                               confidence=field.confidence * NAME_MATCH_CONFIDENCE ** matched.changed)


def with_tidy_marks(field: Field) -> Field:
    """An identifying-marks field with the format's signs and spaces (``fvi.pipeline.marks``); the reader's
    own text stays in ``read_as`` when anything changed. The confidence stays: no word was replaced."""
    text = tidy_marks(field.text)
    return field if text == field.text else dataclasses.replace(field, text=text, read_as=field.text)


#: In free text (names, addresses, marks), a line of at most STRAY_CHARS characters read with a confidence below
#: STRAY_CONFIDENCE beside other lines of its field is a stray box (a speck, a stroke of the guilloche), and
#: so is such a one-letter word ending a line: both are dropped. So is a line of at most STRAY_ROW_CHARS
#: characters below that confidence on the row of a line of its field 3 times as wide: a piece of the
#: printed label beside the value ("Pla", "NGG"). Chosen on the validation sets (seeds 2-4): STRAY_CHARS
#: 2 -> 3 and the row rule fixed 4 fields on hard photos, broke none.
STRAY_FIELDS = ("full_name", *ADDRESS_FIELDS, "identifying_marks")
STRAY_CHARS = 3
STRAY_ROW_CHARS = 6
STRAY_CONFIDENCE = 0.5


def without_stray_end(field: str, line: DecodedLine) -> DecodedLine:
    """``line`` without a one-letter word at its end that the reader was unsure of (see STRAY_FIELDS), or,
    in a name, one that is no syllable however sure the reader was: a name has no lone consonant (the
    reader adds a "T" after some blurred names), while an address line may end in "T" for "T." (Tỉnh)
    before the province on the next line. Its confidence stays the line's."""
    text = line.text
    if (field in STRAY_FIELDS and len(text) >= 3 and text[-1].isalpha() and text[-2] in " ,"
            and len(line.char_probs) == len(text)
            and (line.char_probs[-1] < STRAY_CONFIDENCE
                 or (field == "full_name" and text[-2] == " " and not is_syllable(text[-1].lower())))):
        kept = text[:-1].rstrip(" ")
        return DecodedLine(kept, line.confidence, line.char_probs[:len(kept)])
    return line


def _beside_a_wider_line(line: ReadLine, lines: list[ReadLine]) -> bool:
    """``line`` shares a row (half its height or more) with a line of its field at least 3 times as wide."""
    x0, y0, x1, y1 = line.box.box
    for other in lines:
        if other is line or other.box.field != line.box.field:
            continue
        a0, b0, a1, b1 = other.box.box
        if min(y1, b1) - max(y0, b0) > 0.5 * min(y1 - y0, b1 - b0) and a1 - a0 > 3 * (x1 - x0):
            return True
    return False


def drop_stray_lines(card_class: str, lines: list[ReadLine]) -> list[ReadLine]:
    """A field printed on a known number of lines (one for dates, ID number, sex; three for the MRZ)
    keeps that many when the detector found more (the others are stray boxes): first those that fit the
    format, then those near its length, then the most confident; in reading order. A field of free text
    loses its stray specks (see STRAY_FIELDS)."""
    per_field = Counter(line.box.field for line in lines)

    def stray(line: ReadLine) -> bool:
        chars = len(line.text.text.strip())
        return (line.box.field in STRAY_FIELDS and line.text.confidence < STRAY_CONFIDENCE
                and ((per_field[line.box.field] > 1 and chars <= STRAY_CHARS)
                     or (chars <= STRAY_ROW_CHARS and _beside_a_wider_line(line, lines))))

    lines = [line for line in lines if not stray(line)]
    by_field: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        form = line_format(card_class, line.box.field)
        if form is not None and form.max_lines is not None:
            by_field.setdefault(line.box.field, []).append(i)
    dropped: set[int] = set()
    for key, found in by_field.items():
        form = line_format(card_class, key)
        if len(found) > form.max_lines:
            def rank(i: int, form=form) -> tuple[bool, bool, float]:
                text = lines[i].text.text
                return form.fits(text), form.near(text), lines[i].text.confidence * lines[i].box.score
            dropped |= set(sorted(found, key=rank, reverse=True)[form.max_lines:])
    return [line for i, line in enumerate(lines) if i not in dropped]


def decode_line(card_class: str, field: str, logits: np.ndarray) -> DecodedLine:
    """One line's text: the reader's best reading, or, when the field has a fixed format (dates, ID
    number, sex, MRZ) that reading misses by a few characters, the best reading that fits it (with a
    confidence lowered by how much the format had to overrule the reader). A field of letters only (a
    name) loses the other characters left after re-spelling (digits, signs the reader took a speck for)."""
    free = greedy_decode(logits[None])[0]
    form = line_format(card_class, field)
    if form is None:
        line = spell_syllables(logits, free, FIELD_VOCABULARIES.get(field)) if field in SPELLED_FIELDS else free
        return only_chars(line, LETTER_FIELDS[field]) if field in LETTER_FIELDS else line
    if form.rewrite is not None and (fixed := form.rewrite(free.text)) is not None:
        return DecodedLine(fixed, free.confidence, free.char_probs)
    if form.fits(free.text):
        return free
    if form.patterns and form.near(free.text):
        decoded = constrained_decode(logits, form.candidates(free.text)) or free
        if form.rewrite is not None and (fixed := form.rewrite(decoded.text)) is not None:
            return DecodedLine(fixed, decoded.confidence, decoded.char_probs)
        return decoded
    if form.charset is not None:
        return greedy_decode(logits[None], only=form.charset)[0]
    return free


def only_chars(line: DecodedLine, chars: str) -> DecodedLine:
    """``line`` without the characters outside ``chars`` (then without doubled, leading or trailing
    spaces); the confidence and the kept characters' probabilities as read."""
    if set(line.text) <= set(chars):
        return line
    probs = line.char_probs if len(line.char_probs) == len(line.text) else (line.confidence,) * len(line.text)
    kept: list[tuple[str, float]] = []
    for c, p in zip(line.text, probs):
        if c in chars and not (c == " " and (not kept or kept[-1][0] == " ")):
            kept.append((c, p))
    while kept and kept[-1][0] == " ":
        kept.pop()
    return DecodedLine("".join(c for c, _ in kept), line.confidence, tuple(p for _, p in kept))


def card_to_image(corners: np.ndarray) -> np.ndarray:
    """Homography from canonical card pixels to image pixels."""
    return cv2.getPerspectiveTransform(CANONICAL_CORNERS, np.float32(corners))


def box_in_image(box: tuple[float, float, float, float], homography: np.ndarray) -> list[list[float]]:
    x0, y0, x1, y1 = box
    pts = np.float32([[[x0, y0], [x1, y0], [x1, y1], [x0, y1]]])
    return [[round(float(x), 1), round(float(y), 1)] for x, y in cv2.perspectiveTransform(pts, homography)[0]]


def pack_boxes(boxes: list[LineBox]) -> tuple[np.ndarray, np.ndarray]:
    """Line boxes as tensors for passing between Triton steps: [N, 5] (x0, y0, x1, y1, score), [N] field index."""
    if not boxes:
        return np.zeros((0, 5), np.float32), np.zeros((0,), np.int32)
    return (np.array([[*b.box, b.score] for b in boxes], np.float32),
            np.array([DETECTOR_CLASSES.index(b.field) for b in boxes], np.int32))


def unpack_boxes(values: np.ndarray, field_index: np.ndarray) -> list[LineBox]:
    return [LineBox(DETECTOR_CLASSES[int(f)], tuple(float(v) for v in row[:4]), float(row[4]))
            for row, f in zip(values, field_index) if f >= 0]

