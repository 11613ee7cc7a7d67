import numpy as np

from fvi.pipeline.ctc import encode_text, greedy_decode
from fvi.pipeline.geometry import batch_lines, crop_line, letterbox, warp_card
from fvi.pipeline.specs import CROPPER_INPUT, LINE_HEIGHT, READER_ALPHABET, READER_WIDTH_STEP


def test_letterbox_maps_points_both_ways_and_keeps_a_margin():
    image = np.zeros((960, 1280, 3), np.uint8)
    boxed, lb = letterbox(image)
    assert boxed.shape == (CROPPER_INPUT, CROPPER_INPUT, 3)
    pts = np.float32([[0, 0], [1280, 960], [640, 480]])
    assert np.allclose(lb.to_image(lb.to_letterbox(pts)), pts, atol=1e-3)
    lx, ly = lb.to_letterbox(np.float32([[0, 0]]))[0]
    assert lx > 10 and ly > 10  # a corner slightly outside the photo still lands inside the input


def test_warp_card_puts_the_labelled_corner_top_left():
    image = np.zeros((400, 600, 3), np.uint8)
    image[100:110, 400:410] = 255  # a mark at the photo's top-right
    corners = np.float32([[410, 300], [100, 300], [100, 105], [410, 105]])  # card upside down in the photo
    card = warp_card(image, corners, (310, 195))
    ys, xs = np.nonzero(card[..., 0] > 128)
    assert xs.mean() < 15 and ys.mean() > 180  # read upright, that mark is at the card's bottom-left


def test_crop_and_batch_lines():
    card = np.full((540, 856, 3), 255, np.uint8)
    card[100:130, 50:300] = 0
    line = crop_line(card, (50, 100, 300, 130))
    assert line.shape[0] == LINE_HEIGHT and line.shape[1] > 200
    batch = batch_lines([line, line[:, :40]])
    assert batch.shape[:3] == (2, 1, LINE_HEIGHT) and batch.shape[3] % READER_WIDTH_STEP == 0
    assert batch[1, 0, :, 48:].min() == 1.0  # padded with white


def test_greedy_decode_collapses_repeats_and_blanks():
    text = "Hà Nội 00"
    ids = encode_text(text)
    # frames: each char twice, blank between (needed for the double zero)
    frames = []
    for i in ids:
        frames += [i, i, 0]
    logits = np.full((1, len(frames), len(READER_ALPHABET) + 1), -10.0, np.float32)
    for t, k in enumerate(frames):
        logits[0, t, k] = 10.0
    decoded = greedy_decode(logits)[0]
    assert decoded.text == text
    assert len(decoded.char_probs) == len(text) and decoded.confidence > 0.99


def test_greedy_decode_gives_one_probability_per_character_of_the_stripped_text():
    from tests.ctc_frames import frames_logits, spelled

    line = greedy_decode(frames_logits(spelled(" 12 "))[None])[0]
    assert line.text == "12" and len(line.char_probs) == 2
