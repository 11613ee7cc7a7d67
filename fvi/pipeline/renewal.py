"""A CCCD front's birth date and expiry read together (shared/CARDS.md, "Expiry rules").

A CCCD expires on its holder's birthday at a renewal age (25, 40 or 60), or never (`Không thời hạn`); the
issue date, printed on the back, decides which, so from the front alone the expiry is one of four. When
the two dates as read break that rule, they are read again together: each pair that keeps it, with one of
the two dates as read and the other derived from it, is priced by the reader's best path spelling it
(`checkdigits.reread`: within its margin of the path for what was read, else refused), and the likeliest
pair replaces the reading. The dates stay as the reader read them in ``read_as``, and the confidence drops
by the probability ratio.

Choosing among the reader's own near readings by the card's structure is decoding, as for the MRZ check
digits; the `expiry_matches_age_rules` check of `fvi.cards.validate` still runs on the result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np

from fvi.cards.dates import NO_EXPIRY_TEXT, RENEWAL_AGES, add_years, format_date, parse_date
from fvi.cards.types import CardType
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


def with_renewal_held(card_type: CardType, birth: DecodedLine, expiry: DecodedLine,
                      logits: Callable[[str], np.ndarray]) -> tuple[DecodedLine, DecodedLine]:
    """The two lines (``logits(key)``: the reader's output for the line of that field) re-read together
    where they break the renewal rule; as read when they keep it, or when no pair is near enough."""
    if card_type not in FRONT_WITH_EXPIRY or keeps_rule(card_type, birth.text, expiry.text):
        return birth, expiry
    best, best_score = (birth, expiry), -np.inf
    logp = {key: log_softmax(logits(key).astype(np.float32)) for key in ("date_of_birth", "date_of_expiry")}
    for birth_text, expiry_text in renewal_pairs(card_type, birth.text, expiry.text):
        lines = (reread(birth, logits("date_of_birth"), birth_text), reread(expiry, logits("date_of_expiry"), expiry_text))
        if (lines[0].text, lines[1].text) != (birth_text, expiry_text):
            continue  # one of the two is too far from what the reader saw
        score = float(best_path_scores(logp["date_of_birth"], [birth_text])[0]
                      + best_path_scores(logp["date_of_expiry"], [expiry_text])[0])
        if score > best_score:
            best, best_score = lines, score
    return best
