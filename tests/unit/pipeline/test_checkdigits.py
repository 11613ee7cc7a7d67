"""MRZ lines re-read so their check digits hold: the exact solver, the alignment, and the re-reading."""

import datetime as dt
import itertools

import numpy as np
import pytest

from fvi.cards.mrz import build_td1, parse_td1
from fvi.pipeline.checkdigits import Check, char_frames, forced_alignment, solve, weighted, with_check_digits
from fvi.pipeline.ctc import greedy_decode, log_softmax
from fvi.pipeline.detection import LineBox
from fvi.pipeline.steps import decode_line, read_fields
from tests.ctc_frames import frames_logits, spelled

# A fictional card: ID, birth, sex, expiry, name.
LINES = build_td1("079301004567", dt.date(2001, 5, 2), "Nữ", dt.date(2041, 5, 2), "TRẦN THỊ ĐÀO")


def decoded(logits: np.ndarray):
    return greedy_decode(logits[None])[0]


def test_solver_finds_the_cheapest_assignment_that_holds_every_check():
    rng = np.random.default_rng(0)
    costs = rng.uniform(0, 5, (5, 10))
    checks = [Check(weighted(range(3)), 3), Check(weighted((1, 2, 3), start=1), 4, offset=7)]
    found = solve(costs, checks)
    assert found is not None

    def holds(digits):
        return all((sum(digits[v] * w for v, w in c.terms) + c.offset - digits[c.check]) % 10 == 0 for c in checks)

    best = min((sum(costs[v, d] for v, d in enumerate(ds)), ds)
               for ds in itertools.product(range(10), repeat=5) if holds(ds))
    assert found[1] == pytest.approx(best[0])
    assert tuple(found[0]) == best[1]


def test_solver_gives_up_when_nothing_is_allowed():
    costs = np.full((2, 10), np.inf)
    costs[0, 1] = costs[1, 5] = 0.0  # 1 * 7 = 7, not 5
    assert solve(costs, [Check(weighted([0]), 1)]) is None


def test_each_character_is_put_on_its_frames():
    logits = frames_logits(spelled("1123"))  # two frames per character, then a blank
    assert char_frames(log_softmax(logits), "1123") == [(0, 1), (3, 4), (6, 7), (9, 10)]
    # Not what the best path reads (the last digit is a 3): forced through the frames all the same.
    assert forced_alignment(log_softmax(logits), "1123") == [(0, 1), (3, 4), (6, 7), (9, 10)]
    for frames in forced_alignment(log_softmax(logits), "1124"), char_frames(log_softmax(logits), "1124"):
        assert frames[:3] == [(0, 1), (3, 4), (6, 7)] and 9 <= frames[3][0] <= frames[3][1] <= 10
    assert char_frames(log_softmax(logits[:3]), "1123") is None  # four characters need more frames


def test_a_misread_digit_is_put_back_by_the_checks_and_the_document_number():
    # Slot 20 (an ID digit also printed in the document number) read as a 9, the true digit runner-up.
    line1 = LINES[0]
    logits = frames_logits(spelled(line1, {20: ("9", 7.0)}))
    read = decoded(logits)
    assert read.text != line1
    assert not parse_td1([read.text, *LINES[1:]]).checks["id_number"]
    fixed = with_check_digits([read], [logits])[0]
    assert fixed.text == line1
    assert fixed.confidence < read.confidence
    assert all(parse_td1([fixed.text, *LINES[1:]]).checks.values())


def test_the_date_line_uses_the_composite_check_with_line_1():
    line2 = LINES[1]
    logits = [frames_logits(spelled(LINES[0])), frames_logits(spelled(line2, {3: ("8", 7.0)}))]
    read = [decoded(x) for x in logits]
    assert read[1].text != line2
    fixed = with_check_digits(read, logits)
    assert [f.text for f in fixed] == LINES[:2]


def test_a_reading_the_reader_did_not_nearly_see_stays_as_read():
    # The true digit is nowhere near the top in its frames: forcing the checks would invent it.
    line1 = LINES[0]
    frames = spelled(line1, {20: ("9", 7.0)})
    for t in range(len(frames)):
        frames[t] = {c: v for c, v in frames[t].items() if not (t // 3 == 20 and c == line1[20])}
    logits = frames_logits(frames)
    read = decoded(logits)
    assert with_check_digits([read], [logits])[0] == read


def test_read_fields_repairs_the_mrz_field_of_a_card_back():
    logits = [frames_logits(spelled(LINES[0], {20: ("9", 7.0)})), frames_logits(spelled(LINES[1])),
              frames_logits(spelled(LINES[2]))]
    width = max(len(x) for x in logits)
    batch = np.stack([np.pad(x, ((0, width - len(x)), (0, 0)), constant_values=-8.0) for x in logits])
    batch[:, :, 0] = np.where(np.arange(width)[None, :] >= np.array([len(x) for x in logits])[:, None], 6.0, batch[:, :, 0])
    boxes = [LineBox("mrz", (40, 400 + 40 * i, 800, 430 + 40 * i), 0.9) for i in range(3)]
    fields = read_fields("cccd_chip/back", boxes, batch)
    assert fields["mrz"].text == " ".join(LINES)
    # the reader's own reading stays visible: in read_as, and line by line
    assert fields["mrz"].read_as == " ".join([greedy_decode(batch[:1])[0].text, *LINES[1:]]) != fields["mrz"].text
    assert [line.text.text for line in fields["mrz"].lines][1:] == LINES[1:]
    assert fields["mrz"].lines[0].text.text != LINES[0]


def test_a_misread_surname_in_the_name_line_becomes_the_family_name_the_reader_nearly_saw():
    # "NRAN": the T only just lost to an N; TRAN is a family name one edit away.
    name = LINES[2]
    logits = frames_logits(spelled(name, {0: ("N", 7.0)}))
    read = decoded(logits)
    assert read.text.startswith("NRAN<<")
    fixed = with_check_digits([read], [logits])[0]
    assert fixed.text == name and fixed.confidence < read.confidence


def test_a_surname_the_reader_is_sure_of_stays():
    line = "NRAN<<THI<DAO" + "<" * 17  # the N read with certainty: another hand's family name, kept
    logits = frames_logits(spelled(line))
    assert with_check_digits([decoded(logits)], [logits])[0].text == line


def test_a_name_line_read_with_marks_and_specks_becomes_letters_and_fillers():
    line = "HOÀNG<<QUANG<<<<<<I<<<<<<<<<<T"  # a mark on a letter, specks in the fillers
    logits = frames_logits(spelled(line))
    assert decode_line("cccd_chip/back", "mrz", logits).text == "HOANG<<QUANG" + "<" * 18


def test_a_given_name_no_syllable_writes_becomes_the_one_the_reader_nearly_saw():
    # "XHOA": the K only just lost to an X; KHOA is "khoa" without marks, XHOA is no syllable.
    name = "MAI<<DUC<KHOA" + "<" * 17
    logits = frames_logits(spelled(name, {9: ("X", 7.0)}))
    read = decoded(logits)
    assert read.text.startswith("MAI<<DUC<XHOA")
    assert with_check_digits([read], [logits])[0].text == name


def test_unmarked_syllables_are_how_the_mrz_writes_vietnamese_names():
    from fvi.cards.syllables import unmarked_syllables

    words = unmarked_syllables()
    assert {"nguyen", "viet", "duc", "ngoc", "thuy", "quang", "gia"} <= words
    assert not {"xhoa", "duye", "hnng", "muai"} & words
