"""How often the address matcher overrules a name it should keep: a ward-like name that is on no official
list (a former district, a hamlet, another hand's list), read right.

Names: for each province, two syllables taken from two different wards of that province ("Xã <first
syllable of one ward> <second syllable of another>"), kept only when the result is no official name:
plausible, close to the province's wards, and correct by construction. Each letter gets a probability
drawn from those the reader gave the letters of address fields it read exactly right on a validation
set (in-process pipeline, served models), so the names look as certain as the reader's correct readings.
The matcher is run as configured, then as it was before it weighed the reader's doubt.

    python perf/address_false_corrections.py --data data/val
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import cv2

from fvi.pipeline import addresses
from fvi.pipeline.addresses import ADDRESS_FIELDS, match_address, official_names, wards_by_province
from fvi.pipeline.runner import Pipeline
from fvi.synth.generate import load_labels


def letter_probabilities(data: Path, repo: Path) -> list[float]:
    """Reader probabilities of the letters of address fields read exactly right, matcher untouched."""
    pipeline = Pipeline(repo=repo)
    out: list[float] = []
    for label in load_labels(data):
        if label.card is None:
            continue
        image = cv2.cvtColor(cv2.imread(str(data / "images" / label.image)), cv2.COLOR_BGR2RGB)
        fields = pipeline.read(image).fields
        for key in ADDRESS_FIELDS:
            field, truth = fields.get(key), label.card.fields.get(key)
            if field is None or truth is None or field.text != truth.text or field.read_as is not None:
                continue
            for line in field.lines:
                if len(line.text.char_probs) == len(line.text.text):
                    out += [p for c, p in zip(line.text.text, line.text.char_probs) if c.isalpha()]
    return out


def unofficial_names(per_province: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    official = set(official_names())
    out = []
    for province, wards in wards_by_province().items():
        two = [w.split() for w in wards if len(w.split()) == 2]
        for _ in range(per_province):
            name = f"{rng.choice(two)[0]} {rng.choice(two)[1]}"
            if name not in official:
                out.append(f"Xã {name}, {province}")
    return out


def changed_share(texts: list[str], letter_probs: list[float], seed: int) -> int:
    rng = random.Random(seed)
    return sum(match_address(t, [rng.choice(letter_probs) if c.isalpha() else 1.0 for c in t]).text != t
               for t in texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("data/val"))
    parser.add_argument("--repo", type=Path, default=Path("model_repository"))
    parser.add_argument("--per-province", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    probs = letter_probabilities(args.data, args.repo)
    texts = unofficial_names(args.per_province, args.seed)
    print(f"{len(texts)} addresses with an unofficial ward-like name; {len(probs)} letter probabilities from {args.data}")
    configured = (addresses.DOUBT, addresses.CHARS_PER_EDIT_IN_PROVINCE)
    for label, (doubt, per_edit) in (("as configured", configured), ("before (no doubt, 1 edit per 4 chars)", (1.01, 4))):
        addresses.DOUBT, addresses.CHARS_PER_EDIT_IN_PROVINCE = doubt, per_edit
        n = changed_share(texts, probs, args.seed + 1)
        print(f"{label}: DOUBT={doubt}, CHARS_PER_EDIT_IN_PROVINCE={per_edit}: "
              f"{n} of {len(texts)} names changed ({n / len(texts):.1%})")
    addresses.DOUBT, addresses.CHARS_PER_EDIT_IN_PROVINCE = configured


if __name__ == "__main__":
    main()
