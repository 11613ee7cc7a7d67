"""Corners the photo's frame cut off, put back from the card's edges inside the photo."""

import cv2
import numpy as np
import pytest

from fvi.cards.types import CANONICAL_SIZE
from fvi.pipeline.edges import card_inside_photo, complete_cut_card, fit_edge, near_frame

W, H = CANONICAL_SIZE


def photo(corners: np.ndarray, size=(1280, 960), seed: int = 0) -> np.ndarray:
    """A card (light, with dark text bars near its edges, like the labels on an ID card) at ``corners``
    on a darker noisy table; parts past the frame are simply not in the photo."""
    rng = np.random.default_rng(seed)
    w, h = size
    table = rng.normal(70, 12, (h // 8, w // 8, 3)).clip(0, 255).astype(np.uint8)
    image = cv2.resize(table, (w, h), interpolation=cv2.INTER_LINEAR)
    card = np.full((H, W, 3), (225, 232, 215), np.uint8)
    for y in range(40, H - 30, 48):  # text lines starting 3% in from the left edge, up to 4% from the right
        cv2.rectangle(card, (26, y), (W - 34, y + 14), (40, 40, 60), -1)
    cv2.rectangle(card, (0, 0), (W, 24), (190, 60, 60), -1)  # a coloured band along the top edge
    m = cv2.getPerspectiveTransform(np.float32([[0, 0], [W, 0], [W, H], [0, H]]), np.float32(corners))
    warped = cv2.warpPerspective(card, m, (w, h))
    mask = cv2.warpPerspective(np.full((H, W), 255, np.uint8), m, (w, h))
    image[mask > 127] = warped[mask > 127]
    return cv2.GaussianBlur(image, (0, 0), 0.8)


def as_cropper_sees_them(corners: np.ndarray, size=(1280, 960)) -> np.ndarray:
    """Corners outside the photo come back from the cropper pulled in to the frame."""
    return np.float32(np.clip(corners, 0, np.float32(size) - 1))


def err(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.linalg.norm(np.float32(a) - np.float32(b), axis=1) / np.linalg.norm(b[1] - b[0])


def test_a_corner_past_the_frame_is_put_where_its_two_edges_cross():
    truth = np.float32([[560, 380], [1200, 400], [1260, 1010], [540, 900]])  # corner 2 is 50 px below
    seen = as_cropper_sees_them(truth)
    assert near_frame(seen, (960, 1280)).tolist() == [False, False, True, False]
    assert err(seen, truth)[2] > 0.07
    out = complete_cut_card(photo(truth), seen)
    assert err(out, truth)[2] < 0.01
    np.testing.assert_array_equal(out[[0, 1, 3]], seen[[0, 1, 3]])  # the corners the cropper saw stay


def test_a_side_past_the_frame_follows_its_edges_for_the_opposite_side_length():
    truth = np.float32([[620, 300], [1420, 330], [1400, 830], [600, 800]])  # the right side is out
    seen = as_cropper_sees_them(truth)
    assert near_frame(seen, (960, 1280)).tolist() == [False, True, True, False]
    out = complete_cut_card(photo(truth, seed=1), seen)
    assert err(seen, truth)[[1, 2]].min() > 0.15
    assert err(out, truth)[[1, 2]].max() < 0.015


def test_corners_inside_the_photo_stay_even_at_its_border():
    truth = np.float32([[400, 300], [1279, 320], [1270, 870], [390, 850]])  # corner 1 on the last column
    seen = truth.copy()
    assert near_frame(seen, (960, 1280))[1]
    out = complete_cut_card(photo(truth, seed=2), seen)
    np.testing.assert_array_equal(out, seen)


@pytest.mark.parametrize("image", [np.full((960, 1280, 3), 128, np.uint8),
                                   np.random.default_rng(3).integers(0, 256, (960, 1280, 3), dtype=np.uint8)],
                         ids=["blank", "noise"])
def test_with_no_edge_to_follow_nothing_moves(image):
    seen = np.float32([[600, 380], [1240, 420], [1279, 959], [560, 800]])
    np.testing.assert_array_equal(complete_cut_card(image, seen), seen)


def test_an_edge_is_the_card_border_not_the_text_or_band_next_to_it():
    truth = np.float32([[300, 200], [1000, 240], [980, 680], [280, 640]])
    image = photo(truth, seed=4)
    width = float(np.linalg.norm(truth[1] - truth[0]))
    for seen, towards in ((0, 1), (1, 2), (3, 0)):
        start = truth[seen] + np.float32([6, -5])  # the cropper's corner a little off
        corners = truth.copy()
        corners[seen] = start
        origin, direction = fit_edge(image, corners, seen, towards, width)
        normal = np.float32([-direction[1], direction[0]])
        for k in (seen, towards):  # both true corners of that side lie on the fitted line
            assert abs(float(np.dot(truth[k] - origin, normal))) < 1.5


def test_the_card_inside_photo_check_names_the_corners_at_or_past_the_photos_edge():
    inside = np.float32([[100, 80], [900, 100], [880, 600], [90, 580]])
    assert card_inside_photo(inside, (960, 1280)).as_dict() == {"name": "card_inside_photo", "status": "pass"}
    cut = inside.copy()
    cut[1] = [1300, 40]  # past the right edge
    cut[2] = [1278, 700]  # on the last columns
    check = card_inside_photo(cut, (960, 1280))
    assert check.status == "fail"
    assert check.detail == "card corners at or past the photo's edge: top-right, bottom-right (as the card reads)"
