"""The `fvi` command line: one entry point for every job FVI does."""

from __future__ import annotations

from pathlib import Path

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


class StopRequest:
    """Set by Ctrl-C or SIGTERM; ``wait`` polls it. A plain attribute on purpose: a handler that calls
    ``threading.Event.set`` can deadlock when the signal arrives while the main thread is inside that
    Event's ``wait`` (both take the same lock; seen: `fvi serve` ignoring SIGTERM)."""

    def __init__(self) -> None:
        self.requested = False

    @classmethod
    def on_signals(cls) -> StopRequest:
        import signal

        stop = cls()

        def handler(*_) -> None:
            stop.requested = True

        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, handler)
        return stop

    def wait(self, seconds: float) -> bool:
        """Up to ``seconds``, returning early (True) once a stop is requested."""
        import time

        end = time.monotonic() + seconds
        while not self.requested and time.monotonic() < end:
            time.sleep(0.05)
        return self.requested


@app.command()
def synth(
    out: Path = typer.Option(..., "--out", help="Folder to write images/, labels/, labels.jsonl, manifest.json."),
    count: int = typer.Option(100, "--count", min=1, help="Number of photos."),
    seed: int = typer.Option(0, "--seed", help="Seed: same seed and options give byte-identical output."),
    types: list[str] | None = typer.Option(None, "--types", help="Card types to draw (repeatable); default all."),
    sides: list[str] | None = typer.Option(None, "--sides", help="Sides to draw: front, back (repeatable)."),
    workers: int = typer.Option(1, "--workers", min=1, help="Processes; output does not depend on it."),
    size: str = typer.Option("1280x960", "--size", help="Photo size WIDTHxHEIGHT."),
    no_card_rate: float = typer.Option(0.06, "--no-card-rate", min=0.0, max=1.0, help="Share of photos with no card."),
    cut_corner_rate: float = typer.Option(0.06, "--cut-corner-rate", min=0.0, max=1.0,
                                          help="Share of cards with a corner outside the frame."),
    font_set: str = typer.Option("core", "--fonts",
                                 help="Font families: core, core+extra (the reader's training from v7), or "
                                      "unseen (never trained on: measures how the models read other type)."),
    layout_shift: float = typer.Option(1.0, "--layout-shift", min=0.0,
                                       help="How far printed text moves and how much its size varies, in "
                                            "multiples of the default (8 px, 5 px per field, size -10..+8 %)."),
    preview: bool = typer.Option(False, "--preview", help="Also write preview.png, a contact sheet with labels drawn."),
    preview_count: int = typer.Option(12, "--preview-count", min=1, help="Photos on the contact sheet."),
    preview_width: int = typer.Option(480, "--preview-width", min=160, help="Width of each photo on the sheet."),
) -> None:
    """Generate synthetic card photos with exact ground truth (see docs/synth-labels.md)."""
    from fvi.synth.generate import SynthConfig, generate_dataset, select_cards
    from fvi.synth.preview import contact_sheet

    try:
        config = SynthConfig(seed=seed, cards=select_cards(types, sides), size=_parse_size(size),
                             no_card_rate=no_card_rate, cut_corner_rate=cut_corner_rate, fonts=font_set,
                             layout_shift=layout_shift)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    with Progress(TextColumn("synth"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, disable=count < 20) as bar:
        task = bar.add_task("synth", total=count)
        labels = generate_dataset(out, count, config, workers=workers, progress=lambda n: bar.advance(task, n))
    console.print(f"wrote {count} photos to {out}")
    if preview:
        path = contact_sheet(out, labels, out / "preview.png", limit=preview_count, tile_w=preview_width)
        console.print(f"contact sheet: {path}")


@app.command("train")
def train_cmd(
    model: str = typer.Argument(..., help="Which model: cropper, detector or reader."),
    data: Path = typer.Option(..., "--data", help="Training set made by `fvi synth`."),
    val: Path = typer.Option(..., "--val", help="Validation set made by `fvi synth` with another seed."),
    out: Path = typer.Option(..., "--out", help="Run folder: checkpoints, best weights, history."),
    epochs: int | None = typer.Option(None, "--epochs", min=1, help="Epochs (default per model)."),
    batch_size: int | None = typer.Option(None, "--batch-size", min=1, help="Batch size (default per model)."),
    lr: float | None = typer.Option(None, "--lr", help="Peak learning rate (default per model)."),
    seed: int = typer.Option(0, "--seed", help="Seed for initialisation, augmentation and batch order."),
    threads: int = typer.Option(2, "--threads", min=1, help="Torch threads."),
    max_minutes: float = typer.Option(0.0, "--max-minutes", min=0.0,
                                      help="Stop cleanly after this long (checkpointed); 0 = no limit."),
    resume: bool = typer.Option(False, "--resume", help="Continue from OUT/last.pt."),
    init: Path | None = typer.Option(None, "--init", help="Start from published weights, e.g. weights/reader/v1.pt."),
    max_steps: int = typer.Option(0, "--max-steps", min=0,
                                  help="Stop cleanly after this many steps (checkpointed); 0 = no limit."),
    device: str = typer.Option("cpu", "--device", help="cpu, or cuda to train on a GPU."),
    workers: int = typer.Option(2, "--workers", min=1, help="Processes that cut the training crops (first run)."),
    loader_workers: int = typer.Option(0, "--loader-workers", min=0,
                                       help="Reader: processes building augmented batches beside the loop "
                                            "(0: in the loop; e.g. 6 on a GPU). Batches do not depend on it."),
    bf16: bool | None = typer.Option(None, "--bf16/--no-bf16", help="bfloat16 autocast (default per model)."),
    size: str = typer.Option("s", "--size", help="Reader size (s: the published one, m: ~1.4x the work per step)."),
) -> None:
    """Train one model on `fvi synth` data: fixed seed, progress bar, checkpoints every 500 steps, --resume."""
    from fvi.train.loop import TrainConfig
    from fvi.train.run import DEFAULTS, run

    if model not in DEFAULTS:
        raise typer.BadParameter(f"model must be one of {', '.join(DEFAULTS)}")
    for folder in (data, val):
        if not (folder / "labels.jsonl").is_file():
            raise typer.BadParameter(f"{folder} is not a data set made by `fvi synth` (no labels.jsonl)")
    from fvi.models.reader import READER_SIZES

    if size not in READER_SIZES:
        raise typer.BadParameter(f"--size must be one of {', '.join(READER_SIZES)}")
    d = DEFAULTS[model]
    config = TrainConfig(epochs=epochs or d["epochs"], batch_size=batch_size or d["batch_size"], lr=lr or d["lr"],
                         seed=seed, threads=threads, max_minutes=max_minutes, max_steps=max_steps,
                         init=str(init or ""), channels_last=d.get("channels_last", False),
                         bf16=d.get("bf16", False) if bf16 is None else bf16, device=device, size=size,
                         loader_workers=loader_workers)
    run(model, data, val, out, config, resume, workers=workers)


@app.command("export")
def export_cmd(
    model: str = typer.Argument(..., help="cropper, detector or reader."),
    weights: Path = typer.Option(..., "--weights", help="Weights from `fvi train` (best.pt) or a published .pt."),
    out: Path = typer.Option(..., "--out", help="ONNX file to write, e.g. model_repository/reader/1/model.onnx."),
    check_data: Path = typer.Option(..., "--check-data", help="`fvi synth` set whose photos verify the export."),
    fp16_weights: Path | None = typer.Option(None, "--fp16-weights", help="Also save fp16 PyTorch weights here."),
) -> None:
    """Export a trained model to ONNX (opset 17, dynamic batch), simplified and verified against PyTorch."""
    from converters.onnx_export import VerificationError, export, load_weights, save_fp16_weights
    from converters.samples import real_inputs

    net = load_weights(model, weights)
    if fp16_weights:
        # Publish what can be reproduced: the ONNX graph is exported from the fp16 weights we commit.
        console.print(f"fp16 weights: {save_fp16_weights(net, fp16_weights)}")
        net = load_weights(model, fp16_weights)
    inputs = real_inputs(model, check_data)
    try:
        report = export(model, net, inputs[0], out, inputs)
    except VerificationError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"wrote {report.path} ({report.size_bytes / 1e6:.2f} MB); max |onnx - torch| = "
                  f"{report.max_abs_diff:.2e} over {report.inputs_checked} real batches (tolerance {report.tolerance:.0e})")


@app.command("average")
def average_cmd(
    model: str = typer.Argument(..., help="cropper, detector or reader."),
    weights: list[Path] = typer.Option(..., "--weights", help="Weight files of one architecture (repeat)."),
    out: Path = typer.Option(..., "--out", help="Where to write the averaged weights (a state dict .pt)."),
    mix: list[float] | None = typer.Option(None, "--mix", help="Share of each --weights, in order (default equal)."),
) -> None:
    """Average trainings of one model in weight space, e.g. a fine-tuned run with the version it started
    from; `fvi export --weights OUT` then exports the result."""
    import torch

    from converters.onnx_export import average_weights

    try:
        net = average_weights(model, weights, mix or None)
    except (ValueError, RuntimeError, FileNotFoundError) as exc:
        raise typer.BadParameter(str(exc)) from exc
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(net.state_dict(), out)
    console.print(f"wrote {out}: the mean of {len(weights)} weight files")


@app.command("quantize")
def quantize_cmd(
    model: str = typer.Argument(..., help="cropper, detector or reader."),
    onnx_in: Path = typer.Option(..., "--onnx", help="fp32 ONNX model to quantize."),
    out: Path = typer.Option(..., "--out", help="INT8 ONNX file to write."),
    calib_data: Path = typer.Option(..., "--calib-data", help="`fvi synth` set for calibration (not the eval set)."),
) -> None:
    """Static INT8 quantization (onnxruntime QDQ) calibrated on real inputs."""
    from converters.int8 import quantize_int8
    from converters.samples import real_inputs, real_lines
    from fvi.pipeline.geometry import batch_lines

    if model == "reader":
        lines = real_lines(calib_data, 40)
        calibration = [batch_lines(lines[i:i + 16]) for i in range(0, len(lines) - 15, 16)]
    else:
        calibration = [real_inputs(model, calib_data, count=16)[-1]]
    path = quantize_int8(onnx_in, out, calibration)
    console.print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")


@app.command("eval")
def eval_cmd(
    data: Path = typer.Option(..., "--data", help="Held-out `fvi synth` set (a seed never used in training)."),
    repo: Path = typer.Option(Path("model_repository"), "--repo", help="Model repository (latest versions)."),
    report: Path | None = typer.Option(None, "--report", help="Write a markdown report here (and .json beside)."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Only the first N photos."),
    tesseract: int = typer.Option(0, "--tesseract", min=0,
                                  help="Also compare with Tesseract 5 (vie) on N lines (needs tesseract-ocr-vie)."),
    url: str | None = typer.Option(None, "--url", help="Evaluate end to end through a running Triton server "
                                      "(gRPC HOST:PORT) instead of the models in process."),
    concurrency: int = typer.Option(4, "--concurrency", min=1, help="Requests in flight with --url."),
    config_name: str = typer.Option("", "--config-name",
                                    help="Read in process as Triton serves <model>/configs/NAME.pbtxt, e.g. "
                                         "no-second-read (without --url)."),
) -> None:
    """Evaluate cropper, detector and reader alone, and the whole pipeline end to end."""
    import sys

    from fvi.evaluate import describe_data, evaluate, evaluate_served, format_report, write_json
    from fvi.pipeline.runner import Pipeline, served_second_read

    command = "fvi " + " ".join(sys.argv[1:])
    about = [f"data: {describe_data(data)}"]
    if url:
        from fvi.client import FviClient

        results = evaluate_served(data, FviClient(url), limit, concurrency)
        text = format_report(results, f"End-to-end evaluation through Triton ({url}) on {data}", command,
                             tuple(about))
    else:
        second_read = served_second_read(repo, config_name)
        pipeline = Pipeline(repo, second_read=second_read)
        about.append("models: " + ", ".join(f"{m} v{v}" for m, v in pipeline.versions.items()) + f" ({repo})"
                     + ("" if second_read else "; no second read of doubted lines"))
        results = evaluate(data, pipeline, limit)
        text = format_report(results, f"Evaluation on {data}", command, tuple(about))
    if tesseract and not url:
        from fvi.evaluate import format_baseline, tesseract_baseline

        baseline = tesseract_baseline(data, pipeline, tesseract)
        results["baseline"] = baseline
        text += format_baseline(baseline)
    print(text)
    if report:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(text, encoding="utf-8")
        write_json(results, report.with_suffix(".json"))


@app.command("serve")
def serve_cmd(
    repo: Path = typer.Option(Path("model_repository"), "--repo", envvar="FVI_MODEL_REPOSITORY",
                              help="Triton model repository."),
    http_port: int = typer.Option(8000, "--http-port", envvar="FVI_TRITON_HTTP_PORT", help="Triton HTTP port."),
    grpc_port: int = typer.Option(8001, "--grpc-port", envvar="FVI_TRITON_GRPC_PORT", help="Triton gRPC port."),
    metrics_port: int = typer.Option(8002, "--metrics-port", envvar="FVI_TRITON_METRICS_PORT",
                                     help="Triton metrics port."),
    model_control_mode: str = typer.Option("none", "--model-control-mode", envvar="FVI_MODEL_CONTROL_MODE",
                                           help="none, poll or explicit (Triton's repository API)."),
    instances: list[str] = typer.Option([], "--instances", envvar="FVI_INSTANCES",
                                        help="Instance counts overriding config.pbtxt, e.g. reader=2,detector=2 "
                                             "(repeatable; the repository itself is not edited)."),
    gateway_port: int = typer.Option(8080, "--gateway-port", envvar="FVI_GATEWAY_PORT",
                                     help="HTTP gateway port (API and web page); other gateway settings: FVI_*."),
    no_gateway: bool = typer.Option(False, "--no-gateway", help="Start Triton only, without the HTTP gateway."),
    config_name: str = typer.Option("", "--config-name", envvar="FVI_MODEL_CONFIG_NAME",
                                    help="Serve <model>/configs/NAME.pbtxt where a model has it (Triton's "
                                         "--model-config-name), e.g. no-second-read."),
) -> None:
    """Start the real Triton Inference Server (from the nvidia-pytriton wheel) and the HTTP gateway in front of it."""
    from fvi.triton.instances import InstanceCountError, parse_instance_counts
    from fvi.triton.server import ServerConfig, ServerError, TritonServer

    try:
        counts = parse_instance_counts(instances)
    except InstanceCountError as exc:
        console.print(f"[red]--instances:[/red] {exc}")
        raise typer.Exit(2) from exc
    server = TritonServer(ServerConfig(repo, http_port, grpc_port, metrics_port, model_control_mode,
                                       config_name=config_name, instances=counts))
    stop = StopRequest.on_signals()
    try:
        server.start()
    except (ServerError, InstanceCountError) as exc:
        console.print(f"[red]Triton did not start:[/red] {exc}")
        raise typer.Exit(1) from exc
    console.print(f"Triton ready: HTTP {server.http_url}, gRPC {server.grpc_url}, "
                  f"metrics 127.0.0.1:{metrics_port}/metrics (Ctrl-C to stop; log: {server.log_path})")
    gateway = None
    try:
        if not no_gateway:
            gateway = _start_gateway(triton_urls=[server.grpc_url], gateway_port=gateway_port)
        while not stop.wait(1.0):
            if server.process.poll() is not None:
                console.print(f"[red]tritonserver exited ({server.process.returncode}):[/red]\n"
                              + server.failure_summary())
                raise typer.Exit(1)
            if gateway is not None and not gateway.thread.is_alive():
                console.print("[red]the gateway stopped unexpectedly[/red]")
                raise typer.Exit(1)
    finally:
        if gateway is not None:
            gateway.stop()
            console.print("Gateway stopped.")
        server.stop()
        console.print("Triton stopped.")


def _start_gateway(**settings):
    """The HTTP gateway running in a background thread: these settings, the rest from FVI_* variables
    (or Exit saying why it did not start)."""
    from pydantic import ValidationError

    from gateway import GatewayError, GatewayServer, Settings

    try:
        gateway = GatewayServer(Settings(**settings))
    except ValidationError as exc:
        console.print(f"[red]Invalid gateway setting:[/red] {exc}")
        raise typer.Exit(2) from exc
    try:
        gateway.start()
    except GatewayError as exc:
        console.print(f"[red]The gateway did not start:[/red] {exc}")
        raise typer.Exit(1) from exc
    console.print(f"Gateway ready: {gateway.url} (web page), POST {gateway.url}/v1/ocr, {gateway.url}/metrics")
    return gateway


@app.command("gateway")
def gateway_cmd(
    triton_url: list[str] = typer.Option([], "--triton-url", help="Triton gRPC HOST:PORT (repeatable or comma "
                                                                  "separated); default FVI_TRITON_URLS or 127.0.0.1:8001."),
    port: int | None = typer.Option(None, "--port", help="Port; default FVI_GATEWAY_PORT or 8080."),
    host: str | None = typer.Option(None, "--host", help="Address; default FVI_GATEWAY_HOST or 0.0.0.0."),
) -> None:
    """Run only the HTTP gateway, in front of running Triton server(s). Settings: FVI_* variables (README)."""
    given = {"triton_urls": ",".join(triton_url), "gateway_port": port, "gateway_host": host}
    stop = StopRequest.on_signals()
    gateway = _start_gateway(**{k: v for k, v in given.items() if v})
    console.print(f"Triton: {', '.join(gateway.settings.triton_urls)} (Ctrl-C to stop)")
    try:
        while not stop.wait(1.0):
            if not gateway.thread.is_alive():
                console.print("[red]the gateway stopped unexpectedly[/red]")
                raise typer.Exit(1)
    finally:
        gateway.stop()
        console.print("Gateway stopped.")


@app.command("read")
def read_cmd(
    inputs: list[Path] = typer.Argument(..., help="Photos, or folders of photos."),
    url: str = typer.Option("127.0.0.1:8001", "--url", envvar="FVI_TRITON_GRPC_URL", help="Triton gRPC HOST:PORT."),
    as_json: bool = typer.Option(False, "--json", help="Print each result as JSON (default for one photo)."),
    table: bool = typer.Option(False, "--table", help="Print a table of fields per photo."),
    annotate_dir: Path | None = typer.Option(None, "--annotate", help="Write annotated photos to this folder."),
    concurrency: int = typer.Option(4, "--concurrency", min=1, help="Requests in flight."),
    out: Path | None = typer.Option(None, "--out", help="Write one JSON line per photo (errors included)."),
) -> None:
    """Read card photos through the Triton `fvi` model (gRPC)."""
    import json

    from rich.table import Table

    from fvi.client import FviClient, collect_images

    paths = collect_images(inputs)
    if not paths:
        raise typer.BadParameter("no JPEG, PNG or WebP photo found in the given paths")
    client = FviClient(url)
    with Progress(TextColumn("read"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, disable=len(paths) < 2) as bar:
        task = bar.add_task("read", total=len(paths))
        outcomes = client.read_many(paths, concurrency, progress=lambda n: bar.advance(task, n))
    if out:
        with open(out, "w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(o.as_record(), ensure_ascii=False) + "\n" for o in outcomes)
        console.print(f"wrote {len(outcomes)} results to {out}")
    if annotate_dir:
        import cv2

        from fvi.pipeline.annotate import annotate
        from fvi.pipeline.image import decode_image

        annotate_dir.mkdir(parents=True, exist_ok=True)
        for o in outcomes:
            if o.result is not None:
                drawn = annotate(decode_image(o.path.read_bytes()), o.result)
                cv2.imwrite(str(annotate_dir / (o.path.stem + ".png")), cv2.cvtColor(drawn, cv2.COLOR_RGB2BGR))
    for o in outcomes:
        if table and o.result is not None:
            t = Table(title=f"{o.path} — {o.result.get('card_type')}/{o.result.get('side')}")
            for col in ("field", "text", "confidence"):
                t.add_column(col)
            for key, f in o.result["fields"].items():
                t.add_row(key, f["text"] or "(unreadable)", f"{f['confidence']:.2f}")
            Console().print(t)
        elif as_json or len(outcomes) == 1 or not out:
            print(json.dumps(o.as_record(), ensure_ascii=False, indent=None if len(outcomes) > 1 else 2))
    failed = sum(o.error is not None for o in outcomes)
    if failed:
        console.print(f"{failed} of {len(outcomes)} photos failed (see their error records)")
        raise typer.Exit(1 if failed == len(outcomes) else 0)


@app.command("bench")
def bench_cmd(
    name: str = typer.Option("cpu-2core", "--name", help="Report perf/reports/NAME.md (+ .png); data in perf/out/NAME/."),
    repo: Path = typer.Option(Path("model_repository"), "--repo", help="Triton model repository to measure."),
    config_name: str = typer.Option("", "--config-name", help="Measure <model>/configs/NAME.pbtxt variants instead."),
    out: Path = typer.Option(Path("perf/out"), "--out", help="Folder for CSV files and raw perf_analyzer output."),
    reports: Path = typer.Option(Path("perf/reports"), "--reports", help="Folder for the markdown report and plot."),
    per_type: int = typer.Option(4, "--per-type", min=1, help="Photos of each of the 6 card types and sides."),
    gateway: bool = typer.Option(True, "--gateway/--no-gateway", help="Also measure the HTTP gateway."),
    quick: bool = typer.Option(False, "--quick", help="A short run (fewer photos and levels) to check the suite."),
    tune: bool = typer.Option(False, "--tune", help="Instead: the ensemble under config variants -> NAME-tuning.md."),
) -> None:
    """Measure serving: perf_analyzer on each model and the ensemble, baselines, compute floor; write a report."""
    import signal
    import sys

    from fvi.bench import report as bench_report
    from fvi.bench.suite import BenchConfig, busy_processes, machine, run_bench

    config = BenchConfig(name=name, command=" ".join(["fvi", *sys.argv[1:]]), repo=repo, config_name=config_name,
                         out=out, reports=reports, per_type=per_type, gateway=gateway)
    if quick:
        config = config.quick()
    say = lambda text: console.print(f"[bold]bench[/bold] {text}")
    # SIGTERM unwinds like Ctrl-C, so the servers the run started are stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if tune:
        from fvi.bench import tuning

        beside = busy_processes()
        results = tuning.run_tuning(config, concurrency=config.concurrency if quick else (1, 8, 16), say=say)
        path = tuning.write(config, results, machine(), sorted(set(beside) | set(busy_processes())))
    else:
        path = bench_report.write(run_bench(config, say))
    console.print(f"report: {path}")


models_app = typer.Typer(help="Model versions in production: publish, roll out, roll back, status (Triton in "
                                "EXPLICIT model-control mode).", no_args_is_help=True)
app.add_typer(models_app, name="models")
_REPO = typer.Option(Path("model_repository"), "--repo", envvar="FVI_MODEL_REPOSITORY", help="Triton model repository.")
_URLS = typer.Option(["127.0.0.1:8001"], "--url", envvar="FVI_TRITON_URLS",
                     help="Triton gRPC HOST:PORT; repeat or separate with commas for every replica.")


def _urls(values: list[str]) -> list[str]:
    return [u.strip() for v in values for u in v.split(",") if u.strip()]


def _admin(action):
    """Run one `fvi models` action; its refusals are one red line and exit code 1, not a traceback."""
    from fvi.errors import FviError
    from fvi.triton.model_config import ConfigError

    try:
        return action()
    except FviError as exc:
        console.print(f"[red]{exc.code}:[/red] {exc.message}")
        raise typer.Exit(1) from exc
    except ConfigError as exc:
        console.print(f"[red]invalid_config:[/red] {exc}")
        raise typer.Exit(1) from exc


@models_app.command("publish")
def models_publish(
    model: str = typer.Argument(..., help="cropper, cropper_cut, detector or reader."),
    onnx: Path = typer.Option(..., "--onnx", help="ONNX file to add as the next version."),
    repo: Path = _REPO,
    eval_report: Path | None = typer.Option(None, "--eval-report", help="`fvi eval` report (.json or .md) of it."),
    eval_data: Path | None = typer.Option(None, "--eval-data", help="Or evaluate it now on this `fvi synth` set."),
    eval_limit: int = typer.Option(50, "--eval-limit", min=1, help="Photos of --eval-data to use."),
) -> None:
    """Add ONNX as version N+1 (checked against config.pbtxt, figures in its README); nothing serving changes."""
    from fvi.triton import rollout

    def run():
        if eval_report:
            results, source = rollout.load_eval_report(eval_report, model), f"`{eval_report}`"
        elif eval_data:
            results = rollout.quick_evaluation(repo, model, onnx, eval_data, eval_limit)
            source = f"quick evaluation on `{eval_data}` (first {eval_limit} photos) at publish time"
        else:
            raise rollout.PublishRefused("give --eval-report FILE or --eval-data DIR: a version is published with "
                                         "its evaluation figures")
        return rollout.publish(repo, model, onnx, results, source)

    done = _admin(run)
    pinned = f"; v{done.pinned} pinned in config.pbtxt so that restarts keep serving it" if done.pinned else ""
    console.print(f"published {model} v{done.version} at {done.path}{pinned}. "
                  f"Serve it with: fvi models rollout {model} --version {done.version}")


@models_app.command("rollout")
def models_rollout(
    model: str = typer.Argument(..., help="cropper, cropper_cut, detector or reader."),
    version: int = typer.Option(..., "--version", min=1, help="Version to serve."),
    repo: Path = _REPO,
    url: list[str] = _URLS,
) -> None:
    """Serve VERSION on every replica (loaded beside the old one, then swapped), and pin it."""
    from fvi.triton import rollout

    done = _admin(lambda: rollout.rollout(_urls(url), repo, model, version))
    console.print(f"{model}: v{done.before} -> v{done.after} on " + ", ".join(
        f"{u} ({s:.1f} s)" for u, s in done.seconds.items()))


@models_app.command("rollback")
def models_rollback(
    model: str = typer.Argument(..., help="cropper, cropper_cut, detector or reader."),
    repo: Path = _REPO,
    url: list[str] = _URLS,
) -> None:
    """Serve the version that served before the last rollout (or the next lower one)."""
    from fvi.triton import rollout

    done = _admin(lambda: rollout.rollback(_urls(url), repo, model))
    console.print(f"{model}: v{done.before} -> v{done.after} on " + ", ".join(
        f"{u} ({s:.1f} s)" for u, s in done.seconds.items()))


@models_app.command("status")
def models_status(
    repo: Path = _REPO,
    url: list[str] = _URLS,
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Each model's serving version per replica, pinned version, versions on disk, last change."""
    import dataclasses
    import json

    from fvi.triton import rollout

    statuses = _admin(lambda: rollout.status(_urls(url), repo))
    print(json.dumps([dataclasses.asdict(s) for s in statuses], indent=2) if as_json else rollout.format_status(statuses))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
