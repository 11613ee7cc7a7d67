"""Two lines of a card read together where the card's structure ties them (shared/CARDS.md).

- **Birth date and expiry** (a CCCD front, "Expiry rules"): a CCCD expires on its holder's birthday at a
  renewal age (25, 40 or 60), or never (`Không thời hạn`); the issue date, printed on the back, decides
  which, so from the front the expiry is one of four given the birth date.
- **ID number and birth date** (every front with a 12-digit ID, "ID number"): the ID's 4th digit gives the
  century of birth (and the sex), its 5th and 6th the year's last two digits.
- **Expiry and MRZ** (a Căn cước back, "MRZ"): the MRZ's date line repeats the printed expiry (YYMMDD, or
  fillers for none) under a check digit; where that check holds, the printed expiry is read as the MRZ says
  if the reader nearly read it so.

When the two lines as read break the tie, they are read again together: each pair that keeps it, with one
of the two as read and the other derived from it, is priced by the reader's best path spelling it
(`checkdigits.reread`: within its margin of the path for what was read, else refused), and the likeliest
pair replaces the reading. The fields keep what the reader read in ``read_as``, and the confidence drops by
the probability ratio. Lines the reader was sure of stay as read, whatever they say.

Choosing among the reader's own near readings by the card's structure is decoding, as for the MRZ check
digits; the `expiry_matches_age_rules` and `id_number_matches_birth_year` checks of `fvi.cards.validate`
still run on the result (and still fail where the reader was sure of a pair that breaks the tie).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np

from fvi.cards.dates import NO_EXPIRY_TEXT, RENEWAL_AGES, add_years, format_date, parse_date
from fvi.cards.idnumber import century_sex_digit, parse_id12
from fvi.cards.mrz import parse_mrz_date, parse_td1
from fvi.cards.types import CardType
from fvi.pipeline.addresses import reader_doubted
from fvi.pipeline.checkdigits import reread
from fvi.pipeline.ctc import DecodedLine, best_path_scores, log_softmax

#: Card types whose front prints both the birth date and the expiry.
FRONT_WITH_EXPIRY = (CardType.CCCD_2016, CardType.CCCD_CHIP)


def renewal_expiries(card_type: CardType, birth: dt.date) -> list[str]:
    """The expiries a card of ``card_type`` can print for a holder born on ``birth``."""
    return [format_date(add_years(birth, age)) for age in RENEWAL_AGES[card_type]] + [NO_EXPIRY_TEXT]


def keeps_rule(card_type: CardType, birth_text: str, expiry_text: str) -> bool:
    birth = parse_date(birth_text)
    return birth is not None and expiry_text in renewal_expiries(card_type, birth)


def renewal_pairs(card_type: CardType, birth_text: str, expiry_text: str) -> list[tuple[str, str]]:
    """(birth, expiry) texts that keep the rule, one of the two as read and the other derived from it."""
    pairs = []
    birth, expiry = parse_date(birth_text), parse_date(expiry_text)
    if birth is not None:
        pairs += [(birth_text, e) for e in renewal_expiries(card_type, birth) if e != expiry_text]
    if expiry is not None:
        for age in RENEWAL_AGES[card_type]:
            born = add_years(expiry, -age)
            if born.year >= 1900 and born <= dt.date.today() and format_date(born) != birth_text:
                pairs.append((format_date(born), expiry_text))
    return pairs


def aligned_probs(line: DecodedLine) -> tuple[float, ...] | None:
    """The line's character probabilities, one per character of its text (None where they do not align:
    then every character counts as doubted, as for address names)."""
    return line.char_probs if len(line.char_probs) == len(line.text) else None


def likeliest_reading(lines: tuple[DecodedLine, ...], logits: tuple[np.ndarray, ...],
                      pairs: list[tuple[str, ...]]) -> tuple[DecodedLine, ...]:
    """Of ``pairs`` (texts for the lines, usually two), the one the reader's best paths make likeliest among
    those that change only doubted characters and lie within its margin of what it read
    (``checkdigits.reread``); ``lines`` as read when none does."""
    best, best_score = lines, -np.inf
    logp = [log_softmax(x.astype(np.float32)) for x in logits]
    for texts in pairs:
        if not all(line.text == text or reader_doubted(line.text, text, aligned_probs(line))
                   for line, text in zip(lines, texts)):
            continue  # it changes a character the reader was sure of
        reread_lines = tuple(reread(line, x, text) for line, x, text in zip(lines, logits, texts))
        if tuple(line.text for line in reread_lines) != texts:
            continue  # one of the two is too far from what the reader saw
        score = sum(float(best_path_scores(lp, [text])[0]) for lp, text in zip(logp, texts))
        if score > best_score:
            best, best_score = reread_lines, score
    return best


def with_renewal_held(card_type: CardType, birth: DecodedLine, expiry: DecodedLine,
                      logits: Callable[[str], np.ndarray]) -> tuple[DecodedLine, DecodedLine]:
    """The two lines (``logits(key)``: the reader's output for the line of that field) re-read together
    where they break the renewal rule; as read when they keep it, or when no pair is near enough."""
    if card_type not in FRONT_WITH_EXPIRY or keeps_rule(card_type, birth.text, expiry.text):
        return birth, expiry
    return likeliest_reading((birth, expiry), (logits("date_of_birth"), logits("date_of_expiry")),
                             renewal_pairs(card_type, birth.text, expiry.text))


def birth_year_pairs(id_text: str, birth_text: str, sex: str | None) -> list[tuple[str, str]]:
    """(ID number, birth date) texts whose century and year agree, one as read and the other derived from
    it: the birth date's year from the ID, or the ID's 4th-6th digits from the birth year (and the sex as
    read; the ID's own sex digit without one). Empty when the ID is not 12 digits, the date no date, or their
    years agree (a sex digit alone is left to the `id_number_matches_sex` check)."""
    parts, birth = parse_id12(id_text), parse_date(birth_text)
    if parts is None or birth is None or parts.birth_year == birth.year:
        return []
    pairs = []
    if parts.birth_year <= dt.date.today().year:
        pairs.append((id_text, birth_text[:-4] + f"{parts.birth_year:04d}"))
    try:
        digit = century_sex_digit(birth.year, sex if sex in ("Nam", "Nữ") else parts.sex)
    except ValueError:
        return pairs
    derived = f"{id_text[:3]}{digit}{birth.year % 100:02d}{id_text[6:]}"
    if derived != id_text:
        pairs.append((derived, birth_text))
    return pairs


def with_birth_year_held(id_number: DecodedLine, birth: DecodedLine, sex: str | None,
                         logits: Callable[[str], np.ndarray]) -> tuple[DecodedLine, DecodedLine]:
    """The ID number and birth date lines re-read together where the ID's century and year digits break
    with the birth date's year; as read when they agree, or when no pair is near enough."""
    pairs = birth_year_pairs(id_number.text, birth.text, sex)
    if not pairs:
        return id_number, birth
    return likeliest_reading((id_number, birth), (logits("id_number"), logits("date_of_birth")), pairs)


def mrz_expiry_text(mrz_text: str) -> str | None:
    """The printed expiry the MRZ (its three lines, space-separated) gives when its expiry check digit holds:
    "DD/MM/20YY", or `Không thời hạn` for fillers; None otherwise."""
    parsed = parse_td1(mrz_text.split(" "))
    if parsed is None or not parsed.checks["expiry"]:
        return None
    if parsed.expiry == "<" * 6:
        return NO_EXPIRY_TEXT
    expiry = parse_mrz_date(parsed.expiry)
    return None if expiry is None else format_date(expiry)


def with_mrz_expiry_held(expiry: DecodedLine, mrz_text: str, logits: np.ndarray) -> DecodedLine:
    """The printed expiry line re-read as the MRZ gives it (``mrz_expiry_text``), within the guards."""
    wanted = mrz_expiry_text(mrz_text)
    if wanted is None or wanted == expiry.text:
        return expiry
    return likeliest_reading((expiry,), (logits,), [(wanted,)])[0]
