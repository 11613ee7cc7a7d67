"""Decoding a line under its field's format: dates, ID numbers, sex, expiry words, MRZ characters."""

import numpy as np
import pytest

from fvi.cards.dates import NO_EXPIRY_TEXT
from fvi.pipeline.ctc import constrained_decode, greedy_decode
from fvi.pipeline.formats import dates, line_format, literal
from fvi.pipeline.steps import decode_line
from tests.ctc_frames import frames_logits, spelled


def test_a_letter_read_in_a_date_is_replaced_by_the_likeliest_digit_with_lower_confidence():
    logits = frames_logits(spelled("04/06/1979", {0: ("O", 7.0)}))
    free = greedy_decode(logits[None])[0]
    assert free.text == "O4/06/1979"
    fixed = constrained_decode(logits, dates())
    assert fixed.text == "04/06/1979"
    assert fixed.confidence < free.confidence


def test_repeated_digits_need_a_blank_between_them():
    logits = frames_logits(spelled("11/11/2011"))
    assert constrained_decode(logits, dates()).text == "11/11/2011"
    # Without blanks between the frames, "11" is one "1" to CTC: the date that fits has to invent the
    # second digit of each pair, and says so with a vanishing confidence.
    merged = frames_logits([{"1": 6.0}] * 4 + [{"/": 6.0}] + [{"1": 6.0}] * 4 + [{"/": 6.0}] + [{"2": 6.0}] * 4)
    found = constrained_decode(merged, dates())
    assert found.text != "11/11/2222" and found.confidence < 1e-6
    assert sorted(found.char_probs)[:4] == pytest.approx([0.0] * 4, abs=1e-5)


def test_the_best_of_several_formats_wins():
    # "Không thờãi hạn": a stray tilde-a the free reading keeps, the expiry words do not have.
    text = NO_EXPIRY_TEXT.replace("ời", "ờãi")
    logits = frames_logits(spelled(text))
    assert greedy_decode(logits[None])[0].text == text
    fixed = constrained_decode(logits, [*dates(), literal(NO_EXPIRY_TEXT)])
    assert fixed.text == NO_EXPIRY_TEXT and fixed.confidence < 0.1


def test_nothing_fits_in_too_few_frames():
    logits = frames_logits([{"1": 6.0}, {"": 6.0}, {"2": 6.0}])
    assert constrained_decode(logits, dates()) is None


def test_pattern_outside_the_alphabet_is_refused():
    with pytest.raises(ValueError):
        constrained_decode(frames_logits(spelled("12")), [("€",)])


@pytest.mark.parametrize(("card_class", "field", "text", "fits"), [
    ("cccd_chip/front", "id_number", "001099012345", True),
    ("cccd_chip/front", "id_number", "00109901234", False),
    ("cmnd_9/front", "id_number", "123456789", True),
    ("cmnd_9/front", "id_number", "001099012345", True),
    ("cmnd_9/front", "id_number", "1234567890", False),
    ("cmnd_9/front", "date_of_birth", "02-09-1941", True),
    ("cccd_2016/front", "date_of_birth", "02-09-1941", False),
    ("cccd_2016/front", "date_of_expiry", NO_EXPIRY_TEXT, True),
    ("cccd_2016/front", "date_of_expiry", "31/12/2039", True),
    ("cccd_2016/front", "date_of_expiry", "41/12/2039", False),
    ("cccd_2016/front", "sex", "Nữ", True),
    ("cccd_2016/front", "sex", "Nu", False),
    ("cccd_chip/back", "mrz", "IDVNM0900123450001090012345<<1", True),
    ("cccd_chip/back", "mrz", "NGUYỄN<<VAN", False),
])
def test_field_formats(card_class, field, text, fits):
    assert line_format(card_class, field).fits(text) is fits


def test_fields_without_a_format_are_read_freely():
    assert line_format("cccd_chip/front", "place_of_residence") is None
    logits = frames_logits(spelled("Xã 0A", {3: ("O", 7.0)}))
    assert decode_line("cccd_chip/front", "place_of_residence", logits).text == "Xã OA"


def test_decode_line_keeps_a_reading_that_fits_and_fixes_one_that_does_not():
    good = frames_logits(spelled("Nam"))
    assert decode_line("cccd_2016/front", "sex", good) == greedy_decode(good[None])[0]
    bad = frames_logits(spelled("Nữ", {1: ("ử", 7.0)}))
    assert decode_line("cccd_2016/front", "sex", bad).text == "Nữ"


def test_mrz_lines_keep_their_length_and_only_use_mrz_characters():
    logits = frames_logits(spelled("DUONG<<HAI", {1: ("Ư", 7.0)}))
    assert greedy_decode(logits[None])[0].text == "DƯONG<<HAI"
    fixed = decode_line("cccd_chip/back", "mrz", logits)
    assert fixed.text == "DUONG<<HAI" and fixed.confidence < 0.5


def test_a_single_line_field_keeps_its_most_confident_line_and_multi_line_fields_keep_all():
    from fvi.pipeline.detection import LineBox
    from fvi.pipeline.steps import read_fields

    lines = [("date_of_birth", "hA"), ("date_of_birth", "03/06/1999"),
             ("place_of_residence", "Số 290/97, Xã Phú Xuân,"), ("place_of_residence", "Tỉnh Đắk Lắk")]
    width = max(len(text) for _, text in lines) * 3
    logits = np.stack([frames_logits(spelled(text.ljust(width // 3)[: width // 3]))[:width] for _, text in lines])
    boxes = [LineBox(field, (0.0, 10.0 * i, 100.0, 10.0 * i + 8), 0.9) for i, (field, _) in enumerate(lines)]
    fields = read_fields("cmnd_9/front", boxes, logits)
    assert fields["date_of_birth"].text == "03/06/1999" and len(fields["date_of_birth"].lines) == 1
    assert fields["place_of_residence"].text == "Số 290/97, Xã Phú Xuân, Tỉnh Đắk Lắk"


def test_an_mrz_line_that_lost_a_filler_gets_its_30_characters_back():
    line = "NGUYEN<<VAN<A" + "<" * 17
    frames = spelled(line)
    del frames[3 * 20 + 2]  # no blank between the 21st and 22nd '<': CTC reads them as one
    for t in range(3 * 20, 3 * 20 + 4):  # ... though the blank was the runner-up there
        frames[t] = {"<": 6.0, "": 3.0}
    logits = frames_logits(frames)
    free = greedy_decode(logits[None])[0]
    assert len(free.text) == 29
    assert decode_line("cccd_chip/back", "mrz", logits).text == line


def test_after_the_name_the_mrz_name_line_is_filler_whatever_was_read_there():
    line = "NGUYEN<<BUI<DUC<NHIEN" + "<" * 9
    logits = frames_logits(spelled("NGUYEN<<BUI<DUC<NHIEN<<<N<<<"))  # a stray N, two fillers lost
    assert decode_line("cccd_chip/back", "mrz", logits).text == line
    # the surname is followed by two fillers once: letters after a second '<<' are no part of the name
    line = "HOANG<<PHU<HAI<PHUC" + "<" * 11
    logits = frames_logits(spelled("HOANG<<PHU<HAI<PHUC<<CUN<<<<<<"))
    assert decode_line("cccd_chip/back", "mrz", logits).text == line
    # the ID and date lines hold digits: they are never taken for a name line
    dates = "9001011M3001019VNM" + "<" * 11 + "2"
    assert decode_line("cccd_chip/back", "mrz", frames_logits(spelled(dates))).text == dates


def test_the_mrz_expiry_is_a_date_or_six_fillers_never_a_mix():
    line = "5006144M<<<<<<0VNM" + "<" * 11 + "2"
    logits = frames_logits(spelled(line, {13: ("1", 7.0)}))
    assert greedy_decode(logits[None])[0].text == "5006144M<<<<<10VNM" + "<" * 11 + "2"
    assert decode_line("cccd_chip/back", "mrz", logits).text == line


def test_the_optional_data_of_the_mrz_date_line_is_filler_on_vietnamese_cards():
    line = "9001011M3001019VNM" + "<" * 11 + "2"
    logits = frames_logits(spelled(line, {22: ("H", 7.0)}))
    free = greedy_decode(logits[None])[0]
    assert free.text == line[:22] + "H" + line[23:]
    fixed = decode_line("cccd_chip/back", "mrz", logits)
    assert fixed.text == line and fixed.confidence < free.confidence


def test_a_field_keeps_as_many_lines_as_it_is_printed_on_the_mrz_three():
    from fvi.pipeline.detection import LineBox
    from fvi.pipeline.steps import read_fields

    mrz = ["IDVNM0900123450001090012345<<1", "9001011M3001019VNM<<<<<<<<<<<2", "PNN3",
           "NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<"]
    logits = np.stack([frames_logits(spelled(text.ljust(30)))[:90] for text in mrz])
    boxes = [LineBox("mrz", (0.0, 10.0 * i, 100.0, 10.0 * i + 8), 0.9) for i in range(len(mrz))]
    assert read_fields("cccd_chip/back", boxes, logits)["mrz"].text == " ".join(mrz[:2] + mrz[3:])


def test_nationality_is_viet_nam_on_every_card():
    logits = frames_logits(spelled("Việt Namm"))
    assert decode_line("cccd_chip/front", "nationality", logits).text == "Việt Nam"


def test_an_mrz_reading_is_decoded_under_the_line_it_resembles():
    form = line_format("cccd_chip/back", "mrz")
    assert form.candidates("IDVNM0900123450001090012345<1") == [form.patterns[0]]
    assert form.candidates("9001011M3001019VNM<<<<<<<<<<2") == [form.patterns[1]]
    assert form.candidates("5006144M<<<<<10VNM<<<<<<<<<<<2") == [form.patterns[2]]  # no expiry: fillers
    assert form.candidates("NGUYEN<<VAN<A<<<<<<<<<<<<<<<<") == [form.patterns[3]]


def test_the_layout_the_detector_sees_sets_a_mistaken_type_right_and_keeps_a_sure_one():
    from fvi.pipeline.fields import allowed_fields
    from fvi.pipeline.specs import CARD_CLASSES, DETECTOR_CLASSES, NO_CARD_CLASS
    from fvi.pipeline.steps import layout_probs

    def kernels_of(card_class: str) -> np.ndarray:
        logits = np.full((len(DETECTOR_CLASSES), 8, 8), -6.0, np.float32)
        for f in allowed_fields(card_class):
            logits[DETECTOR_CLASSES.index(f), 2:4, 2:6] = 6.0
        return logits

    back, front = CARD_CLASSES.index("cccd_chip/back"), CARD_CLASSES.index("cccd_chip/front")
    doubtful = np.full(len(CARD_CLASSES), 0.02, np.float32)
    doubtful[front], doubtful[back], doubtful[NO_CARD_CLASS] = 0.5, 0.35, 0.05
    doubtful /= doubtful.sum()
    fixed = layout_probs(doubtful, kernels_of("cccd_chip/back"))
    assert int(np.argmax(fixed)) == back
    assert np.isclose(fixed.sum(), 1.0) and np.isclose(fixed[NO_CARD_CLASS], doubtful[NO_CARD_CLASS])
    sure = np.zeros(len(CARD_CLASSES), np.float32)
    sure[front] = 1.0
    assert int(np.argmax(layout_probs(sure, kernels_of("cccd_chip/back")))) == front
    no_card = np.zeros(len(CARD_CLASSES), np.float32)
    no_card[NO_CARD_CLASS] = 1.0
    assert layout_probs(no_card, kernels_of("cccd_chip/back")) is no_card


def test_a_reading_that_is_no_calendar_date_takes_the_likeliest_one_that_is():
    logits = frames_logits(spelled("14/12/2032", {0: ("3", 7.0)}))
    assert greedy_decode(logits[None])[0].text == "34/12/2032"
    assert decode_line("cccd_chip/back", "date_of_expiry", logits).text == "14/12/2032"
    logits = frames_logits(spelled("07/11/2025", {3: ("1", 7.0), 4: ("3", 7.0)}))
    assert greedy_decode(logits[None])[0].text == "07/13/2025"
    assert decode_line("cccd_chip/front", "date_of_expiry", logits).text == "07/11/2025"
    # 2x or 19x years only
    assert not any(line_format("cccd_chip/front", "date_of_birth").fits(t) for t in ("14/11/1027", "00/10/2021"))


def test_nobody_is_born_and_no_card_issued_in_a_later_year_than_this_one():
    from fvi.pipeline.formats import THIS_YEAR, year_slots

    logits = frames_logits(spelled("08/10/2021", {8: ("6", 7.0)}))
    assert greedy_decode(logits[None])[0].text == "08/10/2061"
    assert decode_line("cccd_chip/back", "date_of_issue", logits).text == "08/10/2021"
    assert decode_line("cccd_chip/front", "date_of_expiry", logits).text == "08/10/2061"  # an expiry may be
    for card_class, field in (("cccd_chip/front", "date_of_birth"), ("can_cuoc_2024/back", "date_of_issue")):
        form = line_format(card_class, field)
        assert form.fits(f"01/01/{THIS_YEAR}") and not form.fits(f"01/01/{THIS_YEAR + 1}")
    years = {int("".join(digits)) for slots in year_slots(1976, 2026)
             for digits in __import__("itertools").product(*slots)}
    assert years == set(range(1976, 2027))


def test_an_issue_date_lies_in_the_years_its_card_generation_was_issued():
    """The chip CCCD was issued from 2021 until the Căn cước replaced it in July 2024."""
    chip, can_cuoc = line_format("cccd_chip/back", "date_of_issue"), line_format("can_cuoc_2024/back", "date_of_issue")
    assert chip.fits("15/03/2021") and chip.fits("30/06/2024")
    assert not chip.fits("15/03/2020") and not chip.fits("15/03/2025")
    assert can_cuoc.fits("01/07/2024") and not can_cuoc.fits("15/03/2023")
    logits = frames_logits(spelled("08/10/2022", {8: ("1", 7.0)}))  # the year's "2" read "1"
    assert greedy_decode(logits[None])[0].text == "08/10/2012"
    assert decode_line("cccd_chip/back", "date_of_issue", logits).text == "08/10/2022"
