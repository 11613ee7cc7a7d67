"""Decoding changes judged in seconds: the models' outputs on validation photos cached once, then
`steps.read_fields` scored on them as `fvi eval` scores fields (exact text), for the pipeline's own
reading and for the reading from the true corners and true line boxes.

    python perf/decoding_ab.py cache --data data/val --out /tmp/val.pkl        # ~1 min per 500 photos
    python perf/decoding_ab.py score /tmp/val.pkl /tmp/val-extra.pkl --rows /tmp/after.json
    python perf/decoding_ab.py score /tmp/val.pkl --rows /tmp/b.json --compare /tmp/after.json

`score` imports the decoding as it stands in the working tree, so edit a rule, score again, and
`--compare` lists every field a change fixed or broke. Use validation sets only (never the held-out
seed): this is where decoding rules and thresholds are chosen.
"""

from __future__ import annotations

import argparse
import json
import pickle
from collections import Counter
from pathlib import Path

import cv2
import numpy as np


def cache(data: Path, out: Path, repo: Path) -> None:
    """Per photo with a card: its class, boxes and reader logits as the pipeline reads it (``p``), and the
    same from its true corners, type/side and line boxes (``t``), with the true field texts."""
    from fvi.evaluate import is_hard, true_lines
    from fvi.pipeline import steps
    from fvi.pipeline.geometry import warp_card
    from fvi.pipeline.runner import Pipeline
    from fvi.synth.generate import load_labels

    pipeline = Pipeline(repo=repo)
    records = []
    for label in load_labels(data):
        if label.card is None:
            continue
        image = cv2.cvtColor(cv2.imread(str(data / "images" / label.image)), cv2.COLOR_BGR2RGB)
        record = {"image": label.image, "hard": is_hard(label),
                  "truth": {k: f.text for k, f in label.card.fields.items()}}
        reading = pipeline.read(image)
        if reading.reader_logits is not None:
            record["p"] = (reading.crop.card_class, reading.boxes, reading.reader_logits.astype(np.float16))
        card = warp_card(image, np.float32(label.card.corners))
        true_boxes, _ = true_lines(label.card)
        logits = pipeline.run_model("reader", steps.reader_input(card, true_boxes))[0]
        record["t"] = (f"{label.card.type.value}/{label.card.side.value}", true_boxes, logits.astype(np.float16))
        records.append(record)
    with open(out, "wb") as fh:
        pickle.dump(records, fh)
    print(f"{len(records)} photos with a card from {data} -> {out}")


def score(caches: list[Path], rows_out: Path | None, compare: Path | None) -> None:
    from fvi.pipeline import steps

    counts: Counter = Counter()
    rows = []
    for path in caches:
        with open(path, "rb") as fh:
            records = pickle.load(fh)
        for record in records:
            subset = "hard" if record["hard"] else "normal"
            for source in ("p", "t"):
                fields = {}
                if source in record and record[source][1]:
                    card_class, boxes, logits = record[source]
                    fields = steps.read_fields(card_class, boxes, logits.astype(np.float32))
                for key, truth in record["truth"].items():
                    got = fields.get(key)
                    ok = got is not None and got.text == truth
                    counts[(source, subset, "n")] += 1
                    counts[(source, subset, "ok")] += ok
                    rows.append([path.name, record["image"], source, key, ok, got.text if got else None, truth])
    for source, name in (("p", "the pipeline"), ("t", "true corners and lines")):
        figures = [f"{subset} {counts[(source, subset, 'ok')]}/{counts[(source, subset, 'n')]} "
                   f"({counts[(source, subset, 'ok')] / max(1, counts[(source, subset, 'n')]):.4f})"
                   for subset in ("normal", "hard")]
        print(f"fields exact, {name}: " + ", ".join(figures))
    if rows_out is not None:
        rows_out.write_text(json.dumps(rows, ensure_ascii=False))
    if compare is not None:
        before = {tuple(r[:4]): r for r in json.loads(compare.read_text())}
        fixed = broken = 0
        for row in rows:
            old = before.get(tuple(row[:4]))
            if old is None or old[4] == row[4]:
                continue
            fixed += row[4]
            broken += not row[4]
            print(("fixed " if row[4] else "BROKE ") + f"{row[0]} {row[1]} {row[2]} {row[3]}: {old[5]!r} -> {row[5]!r}")
        print(f"against {compare}: {fixed} fixed, {broken} broken")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("cache", help="run the models on a validation set once")
    c.add_argument("--data", type=Path, required=True)
    c.add_argument("--out", type=Path, required=True)
    c.add_argument("--repo", type=Path, default=Path("model_repository"))
    s = sub.add_parser("score", help="score the working tree's decoding on cached outputs")
    s.add_argument("caches", type=Path, nargs="+")
    s.add_argument("--rows", type=Path, help="write every field's reading here (JSON)")
    s.add_argument("--compare", type=Path, help="rows of an earlier run: list what changed")
    args = parser.parse_args()
    if args.command == "cache":
        cache(args.data, args.out, args.repo)
    else:
        score(args.caches, args.rows, args.compare)


if __name__ == "__main__":
    main()
