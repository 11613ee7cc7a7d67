"""The second read: doubted lines read again from crops moved up and down, the readings averaged."""

import re
from pathlib import Path

import numpy as np

from fvi.pipeline import steps
from fvi.pipeline.ctc import encode_text, greedy_decode, log_softmax
from fvi.pipeline.detection import LineBox
from fvi.pipeline.geometry import crop_line
from fvi.pipeline.specs import LINE_HEIGHT, READER_ALPHABET

CLASSES = len(READER_ALPHABET) + 1
STEPS = 40


def reading(text: str, sure: float) -> np.ndarray:
    """Reader logits [STEPS, CLASSES] whose best path reads ``text``, each character at probability ``sure``
    (the rest shared by the other classes)."""
    probs = np.full((STEPS, CLASSES), 1e-6, np.float32)
    probs[:, 0] = 1.0
    for k, c in enumerate(encode_text(text)):
        probs[2 * k + 1] = (1 - sure) / (CLASSES - 1)
        probs[2 * k + 1, c] = sure
    return np.log(probs / probs.sum(-1, keepdims=True))


def card_with_lines(n: int) -> tuple[np.ndarray, list[LineBox]]:
    card = np.full((540, 856, 3), 255, np.uint8)
    boxes = []
    for i in range(n):
        y = 20 + 10 * i
        card[y + 2:y + 8, 60:300 + 5 * i] = 0
        boxes.append(LineBox("place_of_residence", (60.0, float(y), 300.0 + 5 * i, y + 10.0), 0.9))
    return card, boxes


def test_a_card_read_with_certainty_is_not_read_again():
    card, boxes = card_with_lines(2)
    logits = np.stack([reading("Xã An", 0.99), reading("Tỉnh", 0.97)])
    asked = []
    out = steps.second_read(card, boxes, logits, lambda x: asked.append(x))
    assert not asked and out is logits


def test_doubted_lines_are_read_from_moved_crops_at_their_width_and_the_readings_averaged():
    card, boxes = card_with_lines(3)
    logits = np.stack([reading("Xã An", 0.99), reading("Tinh", 0.5), reading("Sơn", 0.6)])
    asked = []

    def read(batch):
        asked.append(batch)
        # each moved crop reads the doubted line's "i" as "ỉ"
        return np.stack([reading("Tỉnh", 0.9), reading("Sơn", 0.9)] * len(steps.SECOND_READ_SHIFTS))

    out = steps.second_read(card, boxes, logits, read)
    (batch,) = asked
    assert batch.shape[:3] == (2 * len(steps.SECOND_READ_SHIFTS), 1, LINE_HEIGHT)  # lines 1 and 2, twice each
    for k, shift in enumerate(steps.SECOND_READ_SHIFTS):
        for j, i in enumerate((1, 2)):
            first = crop_line(card, boxes[i].box)
            moved = crop_line(card, boxes[i].box, shift=shift, width=first.shape[1])
            assert moved.shape == first.shape and not np.array_equal(moved, first)
            np.testing.assert_allclose(batch[2 * k + j, 0, :, :first.shape[1]], moved / 255.0)
    expected = np.mean([log_softmax(logits[1])] + [log_softmax(reading("Tỉnh", 0.9))] * len(steps.SECOND_READ_SHIFTS),
                       axis=0)
    np.testing.assert_allclose(out[1], expected, atol=1e-5)
    assert [line.text for line in greedy_decode(out)] == ["Xã An", "Tỉnh", "Sơn"]
    assert greedy_decode(out[:1])[0].char_probs == greedy_decode(logits[:1])[0].char_probs  # sure line as read


def test_when_the_reader_does_not_answer_the_first_reading_stands():
    card, boxes = card_with_lines(1)
    logits = reading("Tinh", 0.5)[None]
    assert steps.second_read(card, boxes, logits, lambda x: None) is logits


def test_at_most_the_least_sure_lines_fit_one_reader_request():
    n = steps.SECOND_READ_MAX_LINES + 4
    card, boxes = card_with_lines(n)
    sure = np.linspace(0.3, 0.8, n)[::-1]  # the last lines are the least sure
    logits = np.stack([reading("Sơn", float(p)) for p in sure])
    doubted = steps.doubted_lines(logits, boxes)
    assert doubted == list(range(4, n))
    batch = steps.second_read_input(card, boxes, doubted)
    config = (Path(__file__).parents[3] / "model_repository" / "reader" / "config.pbtxt").read_text()
    max_batch_size = int(re.search(r"max_batch_size: (\d+)", config).group(1))
    assert len(batch) == len(steps.SECOND_READ_SHIFTS) * steps.SECOND_READ_MAX_LINES <= max_batch_size
