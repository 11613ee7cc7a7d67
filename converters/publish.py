"""Write the README of a published model version: how it was trained and how it scores."""

from __future__ import annotations

import json

from fvi.pipeline.specs import network_of

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


def figures_of(model: str) -> list[tuple[str, str, str]] | None:
    """The figures that describe ``model`` (those of the network it runs, `specs.network_of`), or None."""
    return FIGURES.get(network_of(model))


def figures_table(model: str, results: dict) -> list[str]:
    """The markdown table of ``model``'s figures, one column per subset of an `fvi eval` summary."""
    names = list(results)
    lines = ["| measure | " + " | ".join(f"{n} ({results[n]['photos']} photos)" for n in names) + " |",
             "|---|" + "---|" * len(names)]
    for label, key, fmt in figures_of(model):
        lines.append(f"| {label} | " + " | ".join(fmt.format(results[n][key]) for n in names) + " |")
    return lines


def version_readme(model: str, version: int, train_command: str, history: list[dict], results: dict,
                   eval_command: str, latency: str) -> str:
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
        *figures_table(model, results),
    ]
    lines += ["", "Validation during training (per epoch):", "", "```"]
    lines += [json.dumps(h) for h in history]
    lines += ["```", ""]
    return "\n".join(lines)


def published_readme(model: str, version: int, source: str, sha256: str, interface: list[str],
                     results: dict | None, eval_source: str) -> str:
    """README of a version added by `fvi models publish`: where it came from, what was checked, how it scores."""
    lines = [f"# {model} v{version}", "",
             f"Published by `fvi models publish` from `{source}` (sha256 `{sha256}`).",
             "Checked before publishing: loads in onnxruntime; inputs and outputs match config.pbtxt:", ""]
    lines += [f"- {t}" for t in interface]
    lines += ["", f"Evaluation: {eval_source}", ""]
    lines += figures_table(model, results) if results else ["(no figures recorded)"]
    return "\n".join(lines) + "\n"
