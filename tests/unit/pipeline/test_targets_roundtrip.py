"""Training targets and decoders are inverses: what the models learn is what the pipeline reads back."""

import numpy as np

from fvi.pipeline.cropping import corner_targets, decode_corners
from fvi.pipeline.ctc import DecodedLine
from fvi.pipeline.detection import LineBox, decode_kernels, kernel_targets, reading_order
from fvi.pipeline.fields import ReadLine, assemble_fields
from fvi.pipeline.specs import CARD_CLASSES, KERNEL_HEIGHT_RATIO
from fvi.train.detector_task import box_iou, match_lines


def _truth_lines(label):
    out = []
    for key, f in label.card.fields.items():
        for line in f.lines:
            pc = np.array(line.polygon_card)
            out.append((key, (pc[:, 0].min(), pc[:, 1].min(), pc[:, 0].max(), pc[:, 1].max())))
    return out


def test_kernel_targets_decode_back_to_the_same_lines_two_line_addresses_included(generator):
    multi_line = 0
    for i in range(25):
        label = generator.sample(i).label
        if label.card is None:
            continue
        truth = _truth_lines(label)
        boxes = decode_kernels(kernel_targets(truth), ratio=KERNEL_HEIGHT_RATIO)  # the exact inverse of the targets
        assert match_lines([(b.field, b.box) for b in boxes], truth, iou=0.5) == len(truth) == len(boxes)
        for key, lines in reading_order(boxes).items():
            if len(lines) > 1:
                multi_line += 1
                assert lines[0].box[1] < lines[1].box[1]
    assert multi_line > 0


def test_corner_targets_decode_back_to_the_corners():
    corners = np.float32([[40.3, 60.7], [200.1, 50.2], [210.9, 150.5], [30.2, 170.8]])
    heat, offsets, mask = corner_targets(corners)
    logits = np.where(heat >= 1, 10.0, -10.0).astype(np.float32)
    card_logits = np.zeros(len(CARD_CLASSES), np.float32)
    card_logits[2] = 5
    result = decode_corners(logits, offsets, card_logits)
    assert np.abs(result.corners - corners).max() < 1e-3
    assert result.card_class == CARD_CLASSES[2] and result.card_present > 0.9
    assert mask.sum() == 4


def test_no_card_class_wins_only_when_more_likely_than_not():
    heat = np.full((4, 64, 64), -10.0, np.float32)
    logits = np.zeros(len(CARD_CLASSES), np.float32)
    logits[-1] = 5
    assert decode_corners(heat, np.zeros((8, 64, 64), np.float32), logits).card_class == "none"


def test_assemble_fields_joins_lines_and_drops_fields_the_card_does_not_print():
    def line(field, y, text, p=0.9):
        return ReadLine(LineBox(field, (10, y, 100, y + 20), 0.8), DecodedLine(text, p, (p,)))

    fields = assemble_fields("cccd_chip/front", [
        line("place_of_residence", 400, "Số 1, Phường A,"), line("place_of_residence", 430, "Thành phố Hà Nội", 0.5),
        line("mrz", 500, "IDVNM<<<"),  # not printed on a chip-card front
    ])
    assert set(fields) == {"place_of_residence"}
    f = fields["place_of_residence"]
    assert f.text == "Số 1, Phường A, Thành phố Hà Nội"
    assert abs(f.confidence - 0.8 * 0.5) < 1e-6


def test_box_iou():
    assert box_iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert box_iou((0, 0, 10, 10), (10, 0, 20, 10)) == 0.0
    assert abs(box_iou((0, 0, 10, 10), (5, 0, 15, 10)) - 1 / 3) < 1e-9


def test_pieces_of_one_line_are_merged_but_stacked_lines_are_not():
    from fvi.pipeline.detection import merge_fragments

    left = LineBox("place_of_residence", (100, 400, 300, 420), 0.9)
    right = LineBox("place_of_residence", (320, 401, 500, 421), 0.7)
    below = LineBox("place_of_residence", (100, 430, 400, 450), 0.8)
    other = LineBox("place_of_origin", (320, 401, 500, 421), 0.8)
    merged = merge_fragments([left, right, below, other])
    assert len(merged) == 3
    joined = next(b for b in merged if b.field == "place_of_residence" and b.box[1] < 410)
    assert joined.box == (100, 400, 500, 421) and 0.7 < joined.score < 0.9
