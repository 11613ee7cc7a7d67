"""The `fvi` command line: one entry point for every job FVI does."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

app = typer.Typer(
    name="fvi",
    help="FVI reads photos of Vietnamese identity cards into structured, validated JSON.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)


@app.callback()
def _root() -> None:
    """FVI reads photos of Vietnamese identity cards into structured, validated JSON."""


def _parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError as exc:
        raise typer.BadParameter("expected WIDTHxHEIGHT, e.g. 1280x960") from exc
    if not (64 <= w <= 8192 and 64 <= h <= 8192):
        raise typer.BadParameter("width and height must be between 64 and 8192")
    return w, h


@app.command()
def synth(
    out: Path = typer.Option(..., "--out", help="Folder to write images/, labels/, labels.jsonl, manifest.json."),
    count: int = typer.Option(100, "--count", min=1, help="Number of photos."),
    seed: int = typer.Option(0, "--seed", help="Seed: same seed and options give byte-identical output."),
    types: Optional[list[str]] = typer.Option(None, "--types", help="Card types to draw (repeatable); default all."),
    sides: Optional[list[str]] = typer.Option(None, "--sides", help="Sides to draw: front, back (repeatable)."),
    workers: int = typer.Option(1, "--workers", min=1, help="Processes; output does not depend on it."),
    size: str = typer.Option("1280x960", "--size", help="Photo size WIDTHxHEIGHT."),
    no_card_rate: float = typer.Option(0.06, "--no-card-rate", min=0.0, max=1.0, help="Share of photos with no card."),
    cut_corner_rate: float = typer.Option(0.06, "--cut-corner-rate", min=0.0, max=1.0,
                                          help="Share of cards with a corner outside the frame."),
    preview: bool = typer.Option(False, "--preview", help="Also write preview.png, a contact sheet with labels drawn."),
    preview_count: int = typer.Option(12, "--preview-count", min=1, help="Photos on the contact sheet."),
    preview_width: int = typer.Option(480, "--preview-width", min=160, help="Width of each photo on the sheet."),
) -> None:
    """Generate synthetic card photos with exact ground truth (see docs/synth-labels.md)."""
    from fvi.synth.generate import SynthConfig, generate_dataset, select_cards
    from fvi.synth.preview import contact_sheet

    try:
        cards = select_cards(types, sides)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    config = SynthConfig(seed=seed, cards=cards, size=_parse_size(size), no_card_rate=no_card_rate,
                         cut_corner_rate=cut_corner_rate)
    with Progress(TextColumn("synth"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, disable=count < 20) as bar:
        task = bar.add_task("synth", total=count)
        labels = generate_dataset(out, count, config, workers=workers, progress=lambda n: bar.advance(task, n))
    console.print(f"wrote {count} photos to {out}")
    if preview:
        path = contact_sheet(out, labels, out / "preview.png", limit=preview_count, tile_w=preview_width)
        console.print(f"contact sheet: {path}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
