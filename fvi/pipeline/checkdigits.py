"""MRZ lines read so that their check digits hold (ICAO 9303 TD1, shared/CARDS.md).

The first two MRZ lines are mostly digits, and each group of digits carries a check digit (weights 7, 3,
1, sum mod 10); line 1 also prints the last nine digits of the ID number twice (the document number).
When a reading breaks these rules, it is read again: each digit of the line may take another digit,
priced by how much less likely the reader finds it in that character's frames, and the cheapest set of
digits for which every check holds is found exactly (dynamic programming over the check sums mod 10).
That reading replaces the first one only when the reader's own best path spelling it is at most
``MARGIN`` less likely (natural log) than its path for the first reading, i.e. when the reader itself
nearly read it so; the line's confidence drops by that ratio. A line too far off (a character dropped,
two lines merged) stays as read, and the `mrz_check_digits` check then fails as it should.

The name line's surname (before ``<<``) is held to the family names as the full name's first word is
(`fvi.cards.names`): one the reader read that is no family name becomes the family name one edit away
(two for 5+ letters) that its output makes most likely, within the re-spelling margin; a given name that
no Vietnamese syllable writes without its marks (`fvi.cards.syllables.unmarked_syllables`) becomes the
most likely one that does, one edit away, within the same margin.

Choosing among the reader's own near readings by the format's redundancy is decoding, like reading a date
under the date format; the checks in `fvi.cards.validate` still run on the result and still report the
cross-checks against the printed fields, which this never looks at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from string import ascii_lowercase

import numpy as np
from rapidfuzz.distance import Levenshtein

from fvi.cards.charset import strip_diacritics
from fvi.cards.mrz import (
    BIRTH,
    BIRTH_CHECK,
    COMPOSITE_CHECK,
    DOCUMENT,
    DOCUMENT_CHECK,
    EXPIRY,
    EXPIRY_CHECK,
    ID_CHECK,
    ID_DIGITS,
    LINE_LENGTH,
    WEIGHTS,
    check_digit,
    composite_check,
    weighted_sum,
)
from fvi.cards.names import SURNAMES
from fvi.cards.syllables import unmarked_syllables
from fvi.pipeline.ctc import CLASS_OF, DecodedLine, best_path_scores, log_softmax, path_runs
from fvi.pipeline.formats import MRZ_LETTERS
from fvi.pipeline.specs import READER_ALPHABET
from fvi.pipeline.spelling import MARGIN as SPELLING_MARGIN
from fvi.pipeline.spelling import one_edit

#: The most a re-reading may cost against the first reading (natural log of the reader's path
#: probability ratio). Chosen on the validation sets: 3, 6, 10 and 20 were tried (perf/reports/mrz-check-digits.md).
MARGIN = 10.0
DIGIT_CLASSES = np.array([CLASS_OF[str(d)] for d in range(10)])


@dataclass(frozen=True)
class Check:
    """sum(weight * digit over ``terms``) + ``offset`` == digit at ``check`` (mod 10); terms are
    (variable, weight) pairs, variables index the digits being solved for."""

    terms: tuple[tuple[int, int], ...]
    check: int
    offset: int = 0


def weighted(variables: Sequence[int], start: int = 0) -> tuple[tuple[int, int], ...]:
    """``variables`` weighted 7, 3, 1, ... from position ``start`` of the checked string."""
    return tuple((v, WEIGHTS[(start + i) % 3]) for i, v in enumerate(variables))


def solve(costs: np.ndarray, checks: Sequence[Check]) -> tuple[list[int], float] | None:
    """The digits (one per row of ``costs`` [V, 10], the price of each digit for that variable) of least
    total price for which every check holds, with that price; None if no assignment is finite.
    Exact: dynamic programming over the checks' running sums mod 10 (10^len(checks) states)."""
    n_checks = len(checks)
    coef = np.zeros((n_checks, len(costs)), np.int64)  # each variable's weight in each check (mod 10)
    for c, check in enumerate(checks):
        for v, w in check.terms:
            coef[c, v] = (coef[c, v] + w) % 10
        coef[c, check.check] = (coef[c, check.check] - 1) % 10
    best = np.full((10,) * n_checks, np.inf)
    best[tuple(check.offset % 10 for check in checks)] = 0.0
    choice = np.zeros((len(costs), *best.shape), np.int8)
    axes = tuple(range(n_checks))
    for v in range(len(costs)):
        options = np.stack([np.roll(best, tuple(int(coef[c, v] * d % 10) for c in axes), axis=axes) + costs[v, d]
                            for d in range(10)])
        choice[v] = options.argmin(0)
        best = options.min(0)
    state = (0,) * n_checks
    if not np.isfinite(best[state]):
        return None
    total = float(best[state])
    digits = [0] * len(costs)
    for v in range(len(costs) - 1, -1, -1):
        d = int(choice[v][state])
        digits[v] = d
        state = tuple(int((s - coef[c, v] * d) % 10) for c, s in enumerate(state))
    return digits, total


def char_frames(logp: np.ndarray, text: str) -> list[tuple[int, int]] | None:
    """First and last frame of each character of ``text`` on the reader's most likely CTC path spelling
    it over ``logp`` [T, C]; None if it cannot be spelled in T frames. The free best path's own runs when
    it reads ``text``, else a forced alignment."""
    runs = path_runs(logp.argmax(-1))
    if "".join(READER_ALPHABET[k - 1] for k, _, _ in runs) == text:
        return [(first, last) for _, first, last in runs]
    return forced_alignment(logp, text)


def forced_alignment(logp: np.ndarray, text: str) -> list[tuple[int, int]] | None:
    """First and last frame of each character of ``text`` on the most likely CTC path spelling it (Viterbi
    with back-pointers over blank, c1, blank, c2, ..., blank); None if it cannot be spelled in T frames."""
    shown = np.nonzero(logp.argmax(-1) != 0)[0]
    start = max(0, int(shown[0]) - 2) if len(shown) else 0  # the batch's blank padding left out
    stop = int(shown[-1]) + 3 if len(shown) else len(logp)
    labels = np.zeros(2 * len(text) + 1, np.int64)  # blank, c1, blank, c2, ..., blank
    labels[1::2] = [CLASS_OF[c] for c in text]
    n = len(labels)
    skip = np.zeros(n, bool)
    skip[2:] = (labels[2:] != 0) & (labels[2:] != labels[:-2])
    emit = logp[start:stop, labels]
    alpha = np.full(n, -np.inf)
    alpha[:2] = emit[0, :2]
    back = np.zeros((len(emit), n), np.int8)  # 0: stay, 1: from the state before, 2: skip a blank
    before, skipped = np.full(n, -np.inf), np.full(n, -np.inf)
    for t in range(1, len(emit)):
        before[1:] = alpha[:-1]
        skipped[2:] = np.where(skip[2:], alpha[:-2], -np.inf)
        step = (before > alpha).astype(np.int8)
        best = np.maximum(alpha, before)
        step[skipped > best] = 2
        back[t] = step
        alpha = np.maximum(best, skipped) + emit[t]
    s = n - 1 if alpha[n - 1] >= alpha[n - 2] else n - 2
    if not np.isfinite(alpha[s]):
        return None
    frames: dict[int, list[int]] = {}
    for t in range(len(emit) - 1, -1, -1):
        if s % 2:
            frames.setdefault(s // 2, []).append(start + t)
        s -= int(back[t, s])
    if len(frames) != len(text):
        return None
    return [(min(frames[i]), max(frames[i])) for i in range(len(text))]


def digit_costs(logp: np.ndarray, frames: list[tuple[int, int]], slots: Sequence[int]) -> np.ndarray:
    """[len(slots), 10]: minus the reader's best log probability of each digit within each slot's frames."""
    return np.stack([-logp[first:last + 1][:, DIGIT_CLASSES].max(0) for first, last in (frames[s] for s in slots)])


#: Digits a YYMMDD date allows in each place (month 01-12, day 01-31).
DATE_DIGITS = ("0123456789", "0123456789", "01", "0123456789", "0123", "0123456789")


def is_id_line(text: str) -> bool:
    return (len(text) == LINE_LENGTH and text.startswith("IDVNM") and text[27:29] == "<<"
            and all(text[s].isdigit() for s in (*DOCUMENT, DOCUMENT_CHECK, *ID_DIGITS, ID_CHECK)))


def is_date_line(text: str) -> bool:
    dated = text[8:14].isdigit()
    return (len(text) == LINE_LENGTH and text[:7].isdigit() and (dated or text[8:14] == "<" * 6)
            and text[14].isdigit() and text[15:29] == "VNM" + "<" * 11 and text[29].isdigit())


def id_line_digits(logp: np.ndarray, text: str) -> str | None:
    """Line 1 with its digits chosen so both checks hold and the document number is the ID's end."""
    frames = char_frames(logp, text)
    if frames is None:
        return None
    # Variables: the 12 ID digits (the last nine also priced in the document number), the two checks.
    costs = digit_costs(logp, frames, ID_DIGITS)
    costs[3:] += digit_costs(logp, frames, DOCUMENT)
    costs = np.vstack([costs, digit_costs(logp, frames, (DOCUMENT_CHECK, ID_CHECK))])
    found = solve(costs, [Check(weighted(range(3, 12)), 12), Check(weighted(range(12)), 13)])
    if found is None:
        return None
    digits = "".join(map(str, found[0]))
    return f"IDVNM{digits[3:12]}{digits[12]}{digits[:12]}<<{digits[13]}"


def date_line_digits(logp: np.ndarray, text: str, id_line: str | None) -> str | None:
    """Line 2 with its digits chosen so the birth and expiry checks hold, and the composite check too
    when line 1 is known (``id_line``, already consistent)."""
    frames = char_frames(logp, text)
    if frames is None:
        return None
    dated = text[8:14].isdigit()
    slots = [*BIRTH, BIRTH_CHECK, *(EXPIRY if dated else ()), EXPIRY_CHECK, COMPOSITE_CHECK]
    costs = digit_costs(logp, frames, slots)
    for place, allowed in enumerate(DATE_DIGITS * (2 if dated else 1)):
        row = place if place < 6 else place + 1  # the expiry digits follow the birth check
        costs[row, [d for d in range(10) if str(d) not in allowed]] = np.inf
    var = {slot: v for v, slot in enumerate(slots)}
    checks = [Check(weighted(var[s] for s in BIRTH), var[BIRTH_CHECK])]
    if dated:
        checks.append(Check(weighted(var[s] for s in EXPIRY), var[EXPIRY_CHECK]))
    else:
        costs[var[EXPIRY_CHECK], 1:] = np.inf  # the check digit of six fillers is 0
    if id_line is not None:
        # Composite string: line 1 slots 5-29 (25 characters, fixed now), then line 2 slots 0-6, 8-14.
        fixed = weighted_sum(id_line[5:30])
        line2 = [s for s in (*range(7), *range(8, 15)) if s in var]
        start = {s: 25 + (s if s < 7 else s - 1) for s in line2}
        checks.append(Check(tuple((var[s], WEIGHTS[start[s] % 3]) for s in line2), var[COMPOSITE_CHECK], fixed))
    found = solve(costs, checks)
    if found is None:
        return None
    out = list(text)
    for slot, d in zip(slots, found[0]):
        out[slot] = str(d)
    return "".join(out)


def reread(line: DecodedLine, logits: np.ndarray, text: str, margin: float = MARGIN) -> DecodedLine:
    """``line`` as ``text`` if the reader's best path spelling it is within ``margin`` of its path for what
    it read; the confidence times the probability ratio, the changed characters' probabilities lowered."""
    if text == line.text:
        return line
    logp = log_softmax(logits.astype(np.float32))
    old, new = best_path_scores(logp, [line.text, text])
    drop = float(new - old)
    if not drop >= -margin:
        return line
    ratio = float(np.exp(min(0.0, drop)))
    probs = tuple(p * ratio if a != b else p for p, a, b in zip(line.char_probs, line.text, text))
    return DecodedLine(text, line.confidence * ratio, probs if len(probs) == len(text) else line.char_probs)


def id_line_holds(text: str) -> bool:
    document, id12 = text[DOCUMENT.start:DOCUMENT.stop], text[ID_DIGITS.start:ID_DIGITS.stop]
    return check_digit(document) == text[DOCUMENT_CHECK] and check_digit(id12) == text[ID_CHECK] and id12.endswith(document)


def date_line_holds(text: str, id_line: str | None) -> bool:
    return (check_digit(text[BIRTH.start:BIRTH.stop]) == text[BIRTH_CHECK]
            and check_digit(text[EXPIRY.start:EXPIRY.stop]) == text[EXPIRY_CHECK]
            and (id_line is None or composite_check(id_line, text) == text[COMPOSITE_CHECK]))


@lru_cache(maxsize=1)
def mrz_surnames() -> frozenset[str]:
    """Family names as the MRZ writes them ("NGUYEN", "DANG")."""
    return frozenset(strip_diacritics(s).upper() for s in SURNAMES)


def is_name_line(text: str) -> bool:
    return (len(text) == LINE_LENGTH and set(text) <= set(MRZ_LETTERS + "<") and "<<" in text
            and not text.startswith("<"))


def _name_line_with(line: str, start: int, end: int, word: str) -> str | None:
    """``line`` with its characters ``start:end`` replaced by ``word``, fillers added or taken off its end
    to keep 30 characters (None when that would cut a letter)."""
    text = line[:start] + word + line[end:]
    if text[LINE_LENGTH:].strip("<"):
        return None
    return text[:LINE_LENGTH].ljust(LINE_LENGTH, "<")


def _best_of(line: DecodedLine, logits: np.ndarray, options: list[str], margin: float) -> DecodedLine:
    if not options:
        return line
    scores = best_path_scores(log_softmax(logits.astype(np.float32)), options)
    return reread(line, logits, options[int(np.argmax(scores))], margin)


#: Given names shorter than this are left as read (one or two letters: too little to go on).
MIN_NAME_LETTERS = 3


def with_name_words(line: DecodedLine, logits: np.ndarray) -> DecodedLine:
    """The name line with its surname (before ``<<``) made the family name one edit away (two for 5+
    letters) when the read one is no family name (``fvi.cards.names``), and each given name that no
    Vietnamese syllable writes without its marks ("XHOA", "DUYE") made the one such word one edit away,
    each time the option the reader's output makes most likely, taken when the reader's best path for the
    new line is within the re-spelling margin (``fvi.pipeline.spelling.MARGIN``) of its path for the line."""
    surname = line.text.partition("<<")[0]
    if surname not in mrz_surnames():
        limit = 2 if len(surname) >= 5 else 1
        options = [_name_line_with(line.text, 0, len(surname), name) for name in sorted(mrz_surnames())
                   if Levenshtein.distance(surname, name, score_cutoff=limit) <= limit]
        line = _best_of(line, logits, [o for o in options if o], SPELLING_MARGIN)
    syllables = unmarked_syllables()
    start = line.text.find("<<") + 2
    while start < LINE_LENGTH and line.text[start] != "<":
        end = line.text.find("<", start)
        end = LINE_LENGTH if end < 0 else end
        word = line.text[start:end]
        if len(word) >= MIN_NAME_LETTERS and word.lower() not in syllables:
            options = [_name_line_with(line.text, start, end, w.upper()) for w in one_edit(word.lower(), ascii_lowercase) if w in syllables]
            line = _best_of(line, logits, [o for o in options if o], SPELLING_MARGIN)
            end = line.text.find("<", start)
            end = LINE_LENGTH if end < 0 else end
        start = end + 1
    return line


def with_check_digits(lines: list[DecodedLine], logits: list[np.ndarray]) -> list[DecodedLine]:
    """The MRZ field's lines (reading order) re-read where their check digits fail, and the name line's
    surname held to the family names (see the module)."""
    out = list(lines)
    id_line = None
    for i, (line, x) in enumerate(zip(lines, logits)):
        if is_id_line(line.text):
            if not id_line_holds(line.text) and (fixed := id_line_digits(log_softmax(x.astype(np.float32)), line.text)):
                out[i] = reread(line, x, fixed)
            id_line = out[i].text if id_line_holds(out[i].text) else None
        elif (is_date_line(line.text) and not date_line_holds(line.text, id_line)
              and (fixed := date_line_digits(log_softmax(x.astype(np.float32)), line.text, id_line))):
            out[i] = reread(line, x, fixed)
        elif is_name_line(line.text):
            out[i] = with_name_words(line, x)
    return out
