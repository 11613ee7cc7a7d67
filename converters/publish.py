"""Write the README of a published model version: how it was trained and how it scores."""

from __future__ import annotations

import json

# Which evaluation figures describe which model (keys of fvi.evaluate summaries).
FIGURES = {
    "cropper": [("corner error mean, % of card width", "corner_error_mean_pct", "{:.2f}"),
                ("corner error p99, % of card width", "corner_error_p99_pct", "{:.2f}"),
                ("card type/side accuracy", "type_side_accuracy", "{:.4f}"),
                ("no-card precision", "no_card_precision", "{:.3f}"),
                ("no-card recall", "no_card_recall", "{:.3f}")],
    "detector": [("line recall @IoU 0.5", "detector_recall", "{:.4f}"),
                 ("line precision @IoU 0.5", "detector_precision", "{:.4f}")],
    "reader": [("character error rate", "reader_cer", "{:.4f}"),
               ("exact lines", "reader_exact_lines", "{:.4f}")],
}


def version_readme(model: str, version: int, train_command: str, history: list[dict], results: dict,
                   eval_command: str, latency: str) -> str:
    names = list(results)
    lines = [
        f"# {model} v{version}",
        "",
        f"Training: `{train_command}` (data: `fvi synth --seed 1` training set, `--seed 2` validation set).",
        f"Weights: `weights/{model}/v{version}.pt` (fp16 state_dict; continue with `fvi train {model} --init ...`).",
        f"Export: `fvi export {model} ...` (opset 17, dynamic batch, verified against PyTorch).",
        f"Latency: {latency}.",
        "",
        f"Evaluation on the held-out set (`fvi synth --seed 9001`, never trained on): `{eval_command}`",
        "",
        "| measure | " + " | ".join(f"{n} ({results[n]['photos']} photos)" for n in names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for label, key, fmt in FIGURES[model]:
        lines.append(f"| {label} | " + " | ".join(fmt.format(results[n][key]) for n in names) + " |")
    lines += ["", "Validation during training (per epoch):", "", "```"]
    lines += [json.dumps(h) for h in history]
    lines += ["```", ""]
    return "\n".join(lines)
