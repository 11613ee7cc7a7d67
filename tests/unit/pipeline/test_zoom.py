"""The cropper's second look: a larger view of the card the first look found, mapped back to the photo."""

import numpy as np
import pytest

from fvi.pipeline import steps
from fvi.pipeline.cropping import corner_targets
from fvi.pipeline.geometry import LETTERBOX_GREY, letterbox
from fvi.pipeline.specs import CARD_CLASSES, NO_CARD_CLASS

CARD = CARD_CLASSES.index("cccd_chip/front")


def outputs(corners_lb: np.ndarray | None, card_class: int = CARD) -> steps.CropperOutputs:
    """Cropper outputs that decode to these corners (letterbox px) and this class."""
    heat, offsets, _ = corner_targets(corners_lb)
    p = np.clip(heat, 1e-4, 1 - 1e-4)
    logits = np.full(len(CARD_CLASSES), -8.0, np.float32)
    logits[card_class] = 8.0
    return np.float32(np.log(p / (1 - p))), offsets, logits


@pytest.fixture
def photo():
    """A smooth photo (1200 x 1600) whose pixels say where they are, and a card's corners in it."""
    ys, xs = np.mgrid[0:1200, 0:1600]
    image = np.stack([xs * 255 // 1600, ys * 255 // 1200, (xs + ys) * 255 // 2800], -1).astype(np.uint8)
    corners = np.float32([[500, 400], [980, 420], [970, 720], [490, 700]])
    return image, corners


def test_the_second_input_shows_the_card_larger_and_maps_back_to_the_photo(photo):
    image, corners = photo
    _, lb = steps.cropper_input(image)
    x, zoom_lb = steps.zoom_input(image, lb, outputs(lb.to_letterbox(corners)))
    width_first = np.ptp(lb.to_letterbox(corners)[:, 0])
    width_zoomed = np.ptp(zoom_lb.to_letterbox(corners)[:, 0])
    assert width_zoomed > 2.5 * width_first
    for point in corners:  # the zoomed input's pixel at the card's corner is the photo's pixel there
        u, v = np.round(zoom_lb.to_letterbox(point[None])[0]).astype(int)
        seen = x[0, :, v, u] * 255
        back = zoom_lb.to_image(np.float32([[u, v]]))[0].round().astype(int)
        assert np.abs(seen - image[back[1], back[0]]).max() <= 3


def test_the_second_look_is_used_unless_it_moved_the_corners_a_card_width(photo):
    image, corners = photo
    _, lb = steps.cropper_input(image)
    first = outputs(lb.to_letterbox(corners))
    _, zoom_lb = steps.zoom_input(image, lb, first)
    width = float(np.linalg.norm(corners[1] - corners[0]))
    near = corners + np.float32([3, -2])  # 0.7% of the width: a finer estimate of the same corners
    located = steps.locate_card(image, lb, first, (zoom_lb, outputs(zoom_lb.to_letterbox(near), 0)))
    np.testing.assert_allclose(located.corners, near, atol=0.05)
    assert located.crop.card_class == CARD_CLASSES[0]  # the larger view's type/side too
    repaired = corners + np.float32([0, 0.2 * width])  # the first look missed by 20%: the second is used
    located = steps.locate_card(image, lb, first, (zoom_lb, outputs(zoom_lb.to_letterbox(repaired), 0)))
    np.testing.assert_allclose(located.corners, repaired, atol=0.05)
    flipped = np.roll(corners, 2, axis=0)  # the same card read upside down: every corner moves a diagonal
    assert np.linalg.norm(flipped - corners, axis=1).max() > steps.ZOOM_AGREE * width
    located = steps.locate_card(image, lb, first, (zoom_lb, outputs(zoom_lb.to_letterbox(flipped), 0)))
    np.testing.assert_allclose(located.corners, corners, atol=0.05)
    assert located.crop.card_class == CARD_CLASSES[CARD]
    assert located.card.shape[:2] == (540, 856)


def test_with_no_card_in_the_first_look_the_second_sees_the_whole_photo_and_changes_nothing(photo):
    image, corners = photo
    x, lb = steps.cropper_input(image)
    first = outputs(None, NO_CARD_CLASS)
    x2, zoom_lb = steps.zoom_input(image, lb, first)
    np.testing.assert_array_equal(x2, x)
    assert zoom_lb == lb
    located = steps.locate_card(image, lb, first, (zoom_lb, outputs(lb.to_letterbox(corners))))
    assert located.crop.card_class == "none" and located.card is None


def test_a_card_at_the_frame_is_seen_past_the_photo_edge_in_letterbox_grey(photo):
    image, _ = photo
    cut = np.float32([[-60, 300], [520, 310], [515, 650], [0, 640]])  # its left corners at or past the edge
    boxed, lb = steps.zoom_view(image, cut)
    left_of_photo = lb.to_letterbox(np.float32([[-40, 470]]))[0].round().astype(int)  # outside the photo
    inside = lb.to_letterbox(np.float32([[300, 470]]))[0].round().astype(int)
    assert (boxed[left_of_photo[1], left_of_photo[0]] == LETTERBOX_GREY).all()
    back = lb.to_image(inside[None].astype(np.float32))[0].round().astype(int)
    assert np.abs(boxed[inside[1], inside[0]].astype(int) - image[back[1], back[0]]).max() <= 3
    assert lb.to_letterbox(cut)[:, 0].min() > 0  # every corner, even the one past the edge, is in the view
    near = cut + np.float32([90, 0])  # 30 px from the edge, not at it: the view stops at the photo's edge
    boxed, _ = steps.zoom_view(image, near)
    m = int(0.15 * 580)
    expected, _ = letterbox(image[300 - m:650 + m, 0:610 + m])
    np.testing.assert_array_equal(boxed, expected)


def test_a_card_at_the_frame_takes_its_second_look_from_cropper_cut_and_others_never_ask(photo):
    image, corners = photo
    _, lb = steps.cropper_input(image)
    cut = np.float32([[-60, 300], [520, 310], [515, 650], [0, 640]])
    asked = []

    def cut_look(answer):
        def look():
            asked.append(1)
            return answer
        return look

    for quad, expect_asked in ((corners, False), (cut, True)):
        first = outputs(lb.to_letterbox(quad))
        _, zoom_lb = steps.zoom_input(image, lb, first)
        own = outputs(zoom_lb.to_letterbox(quad + np.float32([2, 0])), 0)
        other = outputs(zoom_lb.to_letterbox(quad + np.float32([0, 3])), 0)
        asked.clear()
        located = steps.locate_card(image, lb, first, (zoom_lb, own), cut_look(other))
        assert bool(asked) == expect_asked
        shift = [0, 3] if expect_asked else [2, 0]
        np.testing.assert_allclose(located.corners[1:3], (quad + np.float32(shift))[1:3], atol=0.05)
    # cropper_cut not serving (None): the cropper's own second look.
    located = steps.locate_card(image, lb, first, (zoom_lb, own), cut_look(None))
    np.testing.assert_allclose(located.corners[1:3], (cut + np.float32([2, 0]))[1:3], atol=0.05)


def test_a_card_whose_first_quad_is_not_plausible_is_found_by_a_plausible_second_look(photo):
    image, corners = photo
    _, lb = steps.cropper_input(image)
    crossed = corners[[0, 2, 1, 3]]  # the first look's corners cross: no card by the first look alone
    first = outputs(lb.to_letterbox(crossed))
    assert steps.first_look(*first).card_class == "none"
    _, zoom_lb = steps.zoom_input(image, lb, first)
    assert np.ptp(zoom_lb.to_letterbox(corners)[:, 0]) > 2.5 * np.ptp(lb.to_letterbox(corners)[:, 0])  # zoomed
    located = steps.locate_card(image, lb, first, (zoom_lb, outputs(zoom_lb.to_letterbox(corners), 0)))
    np.testing.assert_allclose(located.corners, corners, atol=0.05)
    assert located.crop.card_class == CARD_CLASSES[0] and located.card is not None
    # a second look no more plausible (or saying no card) leaves the photo without a card
    for second in (outputs(zoom_lb.to_letterbox(crossed), 0), outputs(None, NO_CARD_CLASS)):
        located = steps.locate_card(image, lb, first, (zoom_lb, second))
        assert located.crop.card_class == "none" and located.card is None and located.crop.card_present == 0
