"""One training loop for all models: fixed seed, progress bar, periodic checkpoints, resume, validation."""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch
from rich.console import Console
from tqdm import tqdm

console = Console(stderr=True)


@dataclass
class TrainConfig:
    """Hyper-parameters shared by every model (each task sets its own defaults)."""

    epochs: int = 10
    batch_size: int = 64
    lr: float = 3e-3
    weight_decay: float = 1e-4
    warmup_steps: int = 300
    seed: int = 0
    threads: int = 2
    checkpoint_every: int = 500  # steps
    max_minutes: float = 0.0  # 0 = no limit; else stop cleanly (checkpointed) after this long
    max_steps: int = 0  # 0 = no limit; else stop cleanly (checkpointed) after this many steps in this run
    init: str = ""  # start from these weights (e.g. a published weights/<model>/v1.pt) instead of random
    channels_last: bool = False  # NHWC memory layout: faster convolutions on CPU for image models
    bf16: bool = False  # bfloat16 autocast (AMX/AVX-512 BF16 CPUs, GPUs); losses stay in float32
    device: str = "cpu"  # "cpu" or "cuda" (a GPU, when there is one: same loop, same seeds)
    size: str = "s"  # reader only: fvi.models.reader.READER_SIZES
    loader_workers: int = 0  # reader: processes building augmented batches beside the loop (0: in it; same batches)


class Task(Protocol):
    """What a model brings to the loop."""

    name: str

    def build_model(self) -> torch.nn.Module: ...
    def steps_per_epoch(self) -> int: ...
    def batches(self, epoch: int, rng: np.random.Generator) -> Iterator[Any]: ...
    def loss(self, model: torch.nn.Module, batch: Any) -> tuple[torch.Tensor, dict[str, float]]: ...
    def validate(self, model: torch.nn.Module) -> dict[str, float]: ...


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _lr_factor(step: int, total: int, warmup: int) -> float:
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return 0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


def to_device(batch: Any, device: torch.device) -> Any:
    """Every tensor in a batch (nested tuples, lists, dicts) moved to ``device``; other values as they are."""
    if isinstance(batch, torch.Tensor):
        return batch.to(device, non_blocking=True)
    if isinstance(batch, (tuple, list)):
        return type(batch)(to_device(b, device) for b in batch)
    if isinstance(batch, dict):
        return {k: to_device(v, device) for k, v in batch.items()}
    return batch


def train(task: Task, config: TrainConfig, out: Path, resume: bool = False,
          on_epoch: Callable[[int, dict[str, float]], None] | None = None) -> torch.nn.Module:
    """Train ``task``; writes ``out/last.pt`` (checkpoint), ``out/best.pt`` (weights), ``out/history.jsonl``."""
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(config.threads)
    seed_everything(config.seed)
    model = task.build_model()
    if config.init and not (resume and (out / "last.pt").exists()):
        weights = torch.load(config.init, map_location="cpu", weights_only=False)
        model.load_state_dict({k: v.float() for k, v in weights.items()})
        console.print(f"[{task.name}] initialised from {config.init}")
    device = torch.device(config.device)
    model = model.to(device)
    if config.channels_last:
        model = model.to(memory_format=torch.channels_last)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    steps_per_epoch = task.steps_per_epoch()
    total = steps_per_epoch * config.epochs
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: _lr_factor(s, total, config.warmup_steps))
    start_epoch, start_batch, best = 0, 0, -math.inf
    ckpt_path = out / "last.pt"
    if resume and ckpt_path.exists():
        state = torch.load(ckpt_path, map_location=device, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        start_epoch, start_batch, best = state["epoch"], state["batch"], state["best"]
        torch.set_rng_state(state["torch_rng"].cpu())
        console.print(f"[{task.name}] resumed from {ckpt_path} at epoch {start_epoch + 1}, batch {start_batch}")
    (out / "config.json").write_text(json.dumps({"task": task.name, **asdict(config)}, indent=2) + "\n")

    def save(epoch: int, batch: int) -> None:
        tmp = ckpt_path.with_suffix(".tmp")
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(), "epoch": epoch, "batch": batch, "best": best,
                    "torch_rng": torch.get_rng_state()}, tmp)
        tmp.replace(ckpt_path)

    started = time.monotonic()
    steps_this_run = 0
    for epoch in range(start_epoch, config.epochs):
        model.train()
        rng = np.random.default_rng([config.seed, epoch])  # batch order depends only on (seed, epoch)
        bar = tqdm(total=steps_per_epoch, initial=start_batch, desc=f"{task.name} {epoch + 1}/{config.epochs}",
                   dynamic_ncols=True, mininterval=5)
        running: dict[str, float] = {}
        for i, batch in enumerate(task.batches(epoch, rng)):
            if i < start_batch:
                continue
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=config.bf16):
                loss, metrics = task.loss(model, to_device(batch, device))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            scheduler.step()
            for k, v in {"loss": loss.item(), **metrics}.items():
                running[k] = 0.98 * running.get(k, v) + 0.02 * v
            bar.set_postfix({k: f"{v:.4f}" for k, v in running.items()} | {"lr": f"{scheduler.get_last_lr()[0]:.2e}"})
            bar.update(1)
            if (i + 1) % config.checkpoint_every == 0:
                save(epoch, i + 1)
            steps_this_run += 1
            out_of_time = config.max_minutes and time.monotonic() - started > 60 * config.max_minutes
            if out_of_time or (config.max_steps and steps_this_run >= config.max_steps):
                save(epoch, i + 1)
                bar.close()
                console.print(f"[{task.name}] stopping early as asked; checkpoint saved, continue with --resume")
                return model
        bar.close()
        start_batch = 0
        model.eval()
        with torch.no_grad():
            val = task.validate(model)
        score = val.get("score", -val.get("loss", 0.0))
        if score > best:
            best = score
            torch.save({k: v.cpu() for k, v in model.state_dict().items()}, out / "best.pt")
        save(epoch + 1, 0)
        record = {"epoch": epoch + 1, "elapsed_min": round((time.monotonic() - started) / 60, 2),
                  **{k: round(v, 5) for k, v in running.items()}, **{f"val_{k}": round(v, 5) for k, v in val.items()}}
        with open(out / "history.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")
        console.print(f"[{task.name}] epoch {epoch + 1}: " + ", ".join(f"{k}={v}" for k, v in record.items()))
        if on_epoch:
            on_epoch(epoch, val)
    return model
