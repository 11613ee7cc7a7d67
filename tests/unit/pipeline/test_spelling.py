"""Names and addresses: words spelled as no Vietnamese syllable can be are re-spelled from the reader's
own runner-up characters; well-formed words, place names and confident readings are left alone."""

import numpy as np
import pytest

from fvi.cards.marks import MARK_DIRECTIONS, MARK_KINDS, MARK_PHRASES, MARK_PLACES
from fvi.cards.syllables import is_syllable
from fvi.pipeline.ctc import _viterbi, best_path_scores, greedy_decode, log_softmax
from fvi.pipeline.formats import literal
from fvi.pipeline.spelling import Vocabulary, spell_syllables
from fvi.pipeline.steps import decode_line
from tests.ctc_frames import frames_logits, spelled


@pytest.mark.parametrize("word", ["Nguyễn", "NGUYỄN", "Thắng", "Quỳnh", "quyền", "giữa", "gìn", "giếng", "nghiêng",
                                  "khuya", "Huế", "thuở", "Phạm", "oanh", "Kỹ", "ke", "ghe", "Trường", "Hoà", "Hòa"])
def test_real_syllables_are_well_formed(word):
    assert is_syllable(word)


@pytest.mark.parametrize("word", ["Chiểi", "Thăi", "Nhấ", "Lnh", "Hùưng", "tráiX", "Hêa", "mũt",  # misreads
                                  "ce", "ge", "ngi", "kan",  # c/g/ng never before e ê i; k only before them
                                  "tèt", "hoàc",  # closed by p/t/c/ch: only the sắc or nặng tone
                                  "Pasteur", "Nguyẽ̃n"])
def test_misreads_and_foreign_words_are_not(word):
    assert not is_syllable(word)


def test_best_path_scores_agree_with_the_format_viterbi():
    logp = log_softmax(np.random.default_rng(0).normal(0, 3, (14, 208)).astype(np.float32))
    words = ["an", "Đà", "bb", "Nẵng", "x"]
    scores = best_path_scores(logp, words)
    for word, score in zip(words, scores):
        assert score == pytest.approx(_viterbi(logp, [literal(word)])[0], abs=1e-4)
    assert best_path_scores(logp[:2], ["abc"])[0] == -np.inf  # three characters need three frames


def test_an_ill_formed_word_takes_the_runner_up_that_makes_it_a_syllable_with_lower_confidence():
    logits = frames_logits(spelled("Thôn Chiểu", {9: ("i", 7.0)}))
    free = greedy_decode(logits[None])[0]
    assert free.text == "Thôn Chiểi"
    fixed = spell_syllables(logits, free)
    assert fixed.text == "Thôn Chiểu"
    assert fixed.confidence < free.confidence


def test_a_name_in_capitals_stays_in_capitals():
    logits = frames_logits(spelled("NGUYỄN VĂN THÁI", {13: ("Ă", 7.0)}))
    assert decode_line("cccd_chip/front", "full_name", logits).text == "NGUYỄN VĂN THÁI"


def test_a_word_the_reader_is_sure_of_is_left_as_read():
    logits = frames_logits(spelled("Thôn Chiểi"))  # no runner-up at all: the reader saw "Chiểi"
    free = greedy_decode(logits[None])[0]
    assert spell_syllables(logits, free) == free


def test_place_names_short_words_and_words_with_digits_are_left_as_read():
    for text in ("Xã Đắk Mil, Tỉnh Đắk Lắk", "Xã Ea Tul", "Sẹo C:1.9cm", "TP. Hồ Chí Minh"):
        logits = frames_logits(spelled(text, {0: (text[0], 6.0)}))
        assert decode_line("cccd_chip/front", "place_of_residence", logits).text == text


def test_fields_with_a_format_are_not_re_spelled():
    logits = frames_logits(spelled("Nữ", {1: ("ử", 7.0)}))
    assert decode_line("cccd_2016/front", "sex", logits).text == "Nữ"


MARKS = Vocabulary.of(MARK_PHRASES)


def test_the_marks_vocabulary_holds_every_word_the_generator_writes():
    for phrase in (*MARK_KINDS, *MARK_PLACES, *MARK_DIRECTIONS):
        assert set(phrase.lower().split()) <= MARKS.words
    assert ("đuôi", "mắt") in MARKS.pairs and ("vết", "bớt") in MARKS.pairs


def test_a_well_formed_word_outside_the_marks_vocabulary_takes_the_vocabulary_word_the_reader_saw_next():
    # "mát" and "trèn" are Vietnamese syllables, so only the vocabulary catches them
    text = "Sẹo chấm C:0.8cm trên đuôi mắt phải"
    logits = frames_logits(spelled(text, {19: ("è", 7.0), 28: ("á", 7.0)}))
    free = greedy_decode(logits[None])[0]
    assert free.text == "Sẹo chấm C:0.8cm trèn đuôi mát phải"
    fixed = decode_line("cccd_2016/back", "identifying_marks", logits)
    assert fixed.text == text and fixed.confidence < free.confidence
    # the same reading in a name is left alone: "mát" is a syllable
    assert spell_syllables(logits, free) == free


def test_after_a_landmark_word_the_word_that_follows_it_in_the_vocabulary_wins():
    # "mắ" is one edit from both "má" and "mắt"; the reader finds "má" more likely, but "đuôi má" is no
    # phrase of the vocabulary and "đuôi mắt" is
    frames = spelled("đuôi mắ")
    frames[-3:-1] = [{"ắ": 6.5, "á": 6.0}] * 2
    frames += [{"": 6.0, "t": 3.0}]  # the "t" the free reading lost, as the blank's runner-up
    logits = frames_logits(frames)
    free = greedy_decode(logits[None])[0]
    assert free.text == "đuôi mắ"
    assert spell_syllables(logits, free, MARKS).text == "đuôi mắt"
    assert spell_syllables(logits[3 * 5:], greedy_decode(logits[None, 3 * 5:])[0], MARKS).text == "má"


def test_a_marks_word_of_another_vocabulary_the_reader_is_sure_of_is_left_as_read():
    text = "Sẹo C:2cm trên mu bàn tay trái"  # "mu", "bàn", "tay": one edit from "má", "bên", "tai"
    logits = frames_logits(spelled(text))
    assert decode_line("cccd_2016/back", "identifying_marks", logits).text == text


def test_a_marks_distance_is_read_in_its_shape_c_digits_cm():
    text = "Sẹo chấm C:1.2cm dưới gò má trái"
    frames = spelled(text)
    dot = 3 * text.index(".")
    frames[dot:dot + 2] = [{"": 6.0, ".": 4.0}] * 2  # the reader lost the decimal point: runner-up only
    logits = frames_logits(frames)
    free = greedy_decode(logits[None])[0]
    assert free.text == "Sẹo chấm C:12cm dưới gò má trái"
    fixed = decode_line("cccd_2016/back", "identifying_marks", logits)
    assert fixed.text == text and fixed.confidence < free.confidence
    for sure in ("Sẹo C:2cm trên trán", "Sẹo C:1.5cm trên trán"):  # distances in shape are left as read
        assert decode_line("cccd_2016/back", "identifying_marks", frames_logits(spelled(sure))).text == sure


def test_a_digit_read_inside_a_word_becomes_the_runner_up_letter_that_makes_it_a_syllable():
    logits = frames_logits(spelled("Ấp Linh, Xã Sơn Động", {5: ("9", 7.0)}))
    assert greedy_decode(logits[None])[0].text == "Ấp Li9h, Xã Sơn Động"
    assert decode_line("cccd_chip/front", "place_of_residence", logits).text == "Ấp Linh, Xã Sơn Động"
    logits = frames_logits(spelled("ĐẶNG TẤN KHOA", {12: ("4", 7.0)}))
    assert decode_line("cccd_chip/front", "full_name", logits).text == "ĐẶNG TẤN KHOA"
    for sure in ("Số 12A, Ngõ 5", "Tổ C5, Khu B12", "Ấp K3A"):  # house numbers, and digits read surely
        assert decode_line("cccd_chip/front", "place_of_residence", frames_logits(spelled(sure))).text == sure


def test_a_misread_first_word_of_a_name_takes_the_family_name_the_reader_saw_next():
    logits = frames_logits(spelled("MAI HẢI NAM", {0: ("V", 7.0)}))
    assert greedy_decode(logits[None])[0].text == "VAI HẢI NAM"  # a well-formed syllable, no family name
    fixed = decode_line("cccd_chip/front", "full_name", logits)
    assert fixed.text == "MAI HẢI NAM" and fixed.confidence < 0.5
    # only the first word: "VAI" as a given name stays
    logits = frames_logits(spelled("NGUYỄN VĂN MAI", {11: ("V", 7.0)}))
    assert decode_line("cccd_chip/front", "full_name", logits).text == "NGUYỄN VĂN VAI"
    # a family name outside the list that the reader is sure of stays ("ĐÀM", one edit from "ĐÀO")
    logits = frames_logits(spelled("ĐÀM VĂN AN"))
    assert decode_line("cccd_chip/front", "full_name", logits).text == "ĐÀM VĂN AN"


@pytest.mark.parametrize(("read", "expected"), [
    ("DƯƠNG PHÚ THẢO)", "DƯƠNG PHÚ THẢO"),  # a speck read as a sign
    ("DƯƠNG ĐỨC: MAI ÁNH", "DƯƠNG ĐỨC MAI ÁNH"),
    ("LÊ DUYÊN 20/127", "LÊ DUYÊN"),  # digits from the line below
    ("H'HEN NIÊ", "H'HEN NIÊ"),  # the apostrophe of a minority name stays
])
def test_a_name_keeps_only_letters(read, expected):
    line = decode_line("cccd_chip/front", "full_name", frames_logits(spelled(read)))
    assert line.text == expected
    assert len(line.char_probs) == len(line.text)


def test_only_names_lose_signs_and_digits():
    assert decode_line("cccd_chip/front", "place_of_residence", frames_logits(spelled("Số 12, Xã An Hòa"))).text \
        == "Số 12, Xã An Hòa"


def test_a_house_number_misread_with_letters_is_read_again_as_a_number():
    # "Ngõ M8": the 3 only just lost to an M; after "Ngõ" comes a number, so the runner-up digit wins.
    text = "Số 286, Ngõ 38 Huỳnh Tấn Phát"
    logits = frames_logits(spelled(text, {text.index("38"): ("M", 7.0)}))
    assert greedy_decode(logits[None])[0].text == "Số 286, Ngõ M8 Huỳnh Tấn Phát"
    assert decode_line("cccd_chip/front", "place_of_residence", logits).text == text


def test_a_word_with_digits_elsewhere_in_an_address_is_not_a_house_number():
    text = "Xã Cát Tiên 2, Tỉnh A1 Lâm Đồng"  # not after a street kind word: left as read
    assert decode_line("cccd_chip/front", "place_of_residence", frames_logits(spelled(text))).text == text


def test_a_re_spelled_line_keeps_one_probability_per_character():
    # "Mũt" is no syllable (a closed syllable takes sắc or nặng); its "t" is nearly a blank to the reader,
    # so the re-spelling drops it. The stray-speck rules need one probability per character after that.
    frames = spelled("Xã Nậm Mũ") + [{"t": 6.0, "": 5.9}] * 2 + [{"": 6.0}]
    logits = frames_logits(frames)
    assert greedy_decode(logits[None])[0].text == "Xã Nậm Mũt"
    line = spell_syllables(logits, greedy_decode(logits[None])[0])
    assert line.text == "Xã Nậm Mũ"
    assert len(line.char_probs) == len(line.text)
