"""Words of names and addresses spelled as Vietnamese syllables: a freely read word that no syllable
can be spelled like ("Chiểi", "Thăi", "mũt", "Nhấ") is replaced by the most likely well-formed syllable
one edit away, when the reader's own output gives it nearly as much probability.

The spelling rules of the language decide what is well-formed (`fvi.cards.syllables`), not a list of
people's names, so unusual but real names pass and nothing is tuned to our generator's names. Words of
the official place names that are no Vietnamese syllable (minority-language names such as "Đắk",
"Krông", "Tẻh"; the `vietnam-provinces` list) count as well-formed too. Words with digits or other
signs, words of one or two letters (abbreviations such as "TP", "Ea") and words the reader is sure of
(foreign names such as "Pasteur") are left as read.

A field written from a small vocabulary (identifying marks: `fvi.cards.marks`) is held to it first: a word
outside the vocabulary ("mát", "trèn", "ruồ", also well-formed ones) is replaced by a word of the
vocabulary one edit away (two for words of 5+ letters) under the same ``MARGIN`` (the margin for it
was tried at 3, 6 and 10 on the validation set: the same fields came out exact): among those within it,
the most likely one that follows the word before it in some phrase of the vocabulary ("đuôi" -> "mắt",
not "má"), else the most likely. Only failing that is it re-spelled as a syllable. A word of another
hand's vocabulary that the reader is sure of stays.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import numpy as np
from rapidfuzz.distance import Levenshtein

from fvi.cards.charset import VIETNAMESE_LOWER
from fvi.cards.syllables import is_syllable
from fvi.pipeline.addresses import official_names
from fvi.pipeline.ctc import (
    CLASS_OF,
    DecodedLine,
    Pattern,
    best_fitting_path,
    best_path_scores,
    fits,
    log_softmax,
    path_runs,
)
from fvi.pipeline.specs import READER_ALPHABET

#: A replacement is taken when the reader's best path spelling it is at most this much less likely
#: (natural log) than its free reading of the word, i.e. >= e^-MARGIN of it. Chosen on the validation set
#: (seed 2; see perf/reports/spelling.md).
MARGIN = 6.0
#: Shorter words are left as read (abbreviations, initials); in a field with a vocabulary, one-letter ones.
MIN_LETTERS = 3
MIN_LEXICON_LETTERS = 2
LETTERS = frozenset(VIETNAMESE_LOWER)
TRAILING = ",.;:"


@dataclass(frozen=True)
class _Char:
    char: str
    first: int  # first and last frame of its run in the best path
    last: int


def _best_path(logp: np.ndarray) -> list[_Char]:
    """The characters of the free reading with their frames (the same path `greedy_decode` reads)."""
    return [_Char(READER_ALPHABET[k - 1], first, last) for k, first, last in path_runs(logp.argmax(-1))]


@dataclass(frozen=True)
class Vocabulary:
    """The words of a field's phrases (lower case), which word follows which in them, and the shapes its
    words with digits take (e.g. a distance "C:1.5cm")."""

    words: frozenset[str]
    pairs: frozenset[tuple[str, str]]
    formats: tuple[Pattern, ...] = ()
    first_word_only: bool = False  # held to the vocabulary: only a line's first word (a family name)
    #: The shapes hold only after one of these words (lower case; None: anywhere), e.g. a house number
    #: after "Số".
    formats_after: frozenset[str] | None = None

    @classmethod
    def of(cls, phrases: tuple[str, ...], formats: tuple[Pattern, ...] = (), first_word_only: bool = False,
           formats_after: tuple[str, ...] | None = None) -> Vocabulary:
        split = [phrase.lower().split() for phrase in phrases]
        return cls(frozenset(w for words in split for w in words),
                   frozenset(pair for words in split for pair in pairwise(words)), formats, first_word_only,
                   None if formats_after is None else frozenset(w.lower() for w in formats_after))


@lru_cache(maxsize=1)
def place_words() -> frozenset[str]:
    """Lower-case words of official place names that are no Vietnamese syllable ("đắk", "krông")."""
    return frozenset(w for name in official_names() for w in name.lower().split()
                     if set(w) <= LETTERS and not is_syllable(w))


def well_formed(word: str) -> bool:
    return is_syllable(word) or word.lower() in place_words()


def _in_case_of(word: str, found: list[str]) -> list[str]:
    """Lower-case ``found`` in the case of ``word`` (all capitals, capitalised or lower)."""
    if word.isupper():
        found = [e.upper() for e in found]
    elif word[0].isupper():
        found = [e[0].upper() + e[1:] for e in found]
    return [e for e in found if all(c in CLASS_OF for c in e)]


def one_edit(word: str, letters: Iterable[str]) -> set[str]:
    """Words one deletion, or one insertion or substitution of one of ``letters``, from ``word``."""
    edits = {word[:i] + word[i + 1:] for i in range(len(word))}
    for i in range(len(word) + 1):
        for c in letters:
            edits.add(word[:i] + c + word[i:])
            if i < len(word):
                edits.add(word[:i] + c + word[i + 1:])
    edits.discard(word)
    return edits


def candidates(word: str, letters: set[str]) -> list[str]:
    """Well-formed words one edit (substitution, insertion, deletion) from ``word`` with one of
    ``letters`` (lower case), in the word's case."""
    return _in_case_of(word, sorted(e for e in one_edit(word.lower(), letters) if well_formed(e)))


def lexicon_candidates(word: str, lexicon: frozenset[str]) -> list[str]:
    """Words of ``lexicon`` (lower case) one edit from ``word``, two when it has 5+ letters, in its case."""
    lower = word.lower()
    limit = 2 if len(lower) >= 5 else 1
    return _in_case_of(word, sorted(w for w in lexicon if Levenshtein.distance(lower, w, score_cutoff=limit) <= limit))


#: The letters an edit may bring in: those among the reader's RUNNER_UP best classes in some frame of
#: the word (a letter it never considered could not pass the MARGIN anyway).
RUNNER_UP = 5


def _letters_considered(segment: np.ndarray) -> set[str]:
    top = np.argpartition(-segment, RUNNER_UP, axis=-1)[:, :RUNNER_UP]
    chars = {READER_ALPHABET[k - 1].lower() for k in np.unique(top) if k}
    return chars & LETTERS


def _best_option(segment: np.ndarray, options: list[str], margin: float,
                 preferred: frozenset[str] = frozenset()) -> tuple[str, float] | None:
    """The option whose best path over ``segment`` is most likely, with its log ratio to the free reading,
    among those whose ratio is at least e^-``margin``; the most likely of the ``preferred`` (lower case)
    among them if there is one."""
    if not options or not len(segment):
        return None
    drops = best_path_scores(segment, options) - segment.max(-1).sum()
    within = [k for k in np.argsort(-drops) if drops[k] >= -margin]
    if not within:
        return None
    k = next((k for k in within if options[k].lower() in preferred), within[0])
    return options[k], float(drops[k])


def _respelled(word: str, segment: np.ndarray, vocabulary: Vocabulary | None, before: str) -> tuple[str, float] | None:
    """The replacement of one freely read ``word`` (over its frames ``segment``) with its log probability
    ratio to the free reading, or None to keep it: in a field with a vocabulary, a word with digits out of
    the vocabulary's shapes is decoded under them, a word of letters outside it takes a vocabulary word
    (preferring one that follows ``before``); failing that, an ill-formed word takes a syllable."""
    if not len(segment):
        return None
    letters_only = set(word.lower()) <= LETTERS
    digits = [k for k, c in enumerate(word) if c.isdigit()]
    if (len(digits) == 1 and len(word) >= MIN_LETTERS and digits[0] > 0
            and set((word[:digits[0]] + word[digits[0] + 1:]).lower()) <= LETTERS
            and not (vocabulary is not None and fits(word, vocabulary.formats))):
        return _letter_for_digit(word, digits[0], segment, vocabulary)
    if (vocabulary is not None and vocabulary.formats and any(c.isdigit() for c in word)
            and (vocabulary.formats_after is None or before in vocabulary.formats_after)):
        if fits(word, vocabulary.formats) or (found := best_fitting_path(segment, list(vocabulary.formats))) is None:
            return None
        drop = float(found[0] - segment.max(-1).sum())
        return (found[1], drop) if drop >= -MARGIN else None
    if (vocabulary is not None and vocabulary.words and letters_only and len(word) >= MIN_LEXICON_LETTERS
            and word.lower() not in vocabulary.words):
        follows = frozenset(b for a, b in vocabulary.pairs if a == before)
        if best := _best_option(segment, lexicon_candidates(word, vocabulary.words), MARGIN, follows):
            return best
    if letters_only and len(word) >= MIN_LETTERS and not well_formed(word):
        return _best_option(segment, candidates(word, _letters_considered(segment)), MARGIN)
    return None


def _letter_for_digit(word: str, k: int, segment: np.ndarray, vocabulary: Vocabulary | None) -> tuple[str, float] | None:
    """A word of letters with one digit read among them ("Li9h", "KHO4"): the digit becomes the letter
    among the reader's runner-ups that makes the most likely well-formed word (or vocabulary word)."""
    lower = word.lower()
    options = [lower[:k] + c + lower[k + 1:] for c in sorted(_letters_considered(segment))]
    options = [o for o in options if well_formed(o) or (vocabulary is not None and o in vocabulary.words)]
    return _best_option(segment, _in_case_of(word, options), MARGIN)


def spell_syllables(logits: np.ndarray, line: DecodedLine, vocabulary: Vocabulary | None = None) -> DecodedLine:
    """``line`` (the free reading of ``logits`` [T, C]) with each ill-formed word (or, given the field's
    ``vocabulary``, each word outside it) replaced as described above; its confidence times the
    probability ratio of each replacement."""
    logp = log_softmax(logits.astype(np.float32))
    chars = _best_path(logp)
    out = [c.char for c in chars]
    # each character's probability, kept aligned with the text (a replacement's characters: the weakest
    # of the word it replaced, times its ratio)
    aligned = len(line.char_probs) == len(chars)
    out_probs = [[p] for p in line.char_probs] if aligned else [[line.confidence] for _ in chars]
    confidence = line.confidence
    before = ""  # the word before, as it stands now (lower case)
    i = 0
    while i < len(chars):
        if chars[i].char == " ":
            i += 1
            continue
        j = i
        while j < len(chars) and chars[j].char != " ":
            j += 1
        end = j
        while end > i and chars[end - 1].char in TRAILING:
            end -= 1
        word = "".join(c.char for c in chars[i:end])
        first = chars[i - 1].last + 1 if i else 0
        last = chars[end].first - 1 if end < len(chars) else len(logp) - 1
        held = vocabulary if vocabulary is not None and (i == 0 or not vocabulary.first_word_only) else None
        best = _respelled(word, logp[first:last + 1], held, before)
        if best is not None:
            ratio = float(np.exp(min(0.0, best[1])))
            weakest = min(p for ps in out_probs[i:end] for p in ps)
            out[i:end] = [best[0]] + [""] * (end - i - 1)
            out_probs[i:end] = [[weakest * ratio] * len(best[0])] + [[] for _ in range(end - i - 1)]
            confidence *= ratio
        before = "".join(out[i:end]).lower()
        i = j
    text = "".join(out)
    if text.strip() == line.text:
        return line
    probs = [p for ps in out_probs for p in ps]
    lead = len(text) - len(text.lstrip())
    probs = probs[lead:lead + len(text.strip())]
    return DecodedLine(text.strip(), confidence, tuple(probs) if aligned else line.char_probs)
