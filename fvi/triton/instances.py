"""Per-model instance counts at launch, without editing the committed model repository.

Triton reads `instance_group` only from `config.pbtxt`, so overriding counts means serving a copy:
an overlay folder whose model directories are symlinks to the originals, except for the models whose
count changes, which get their own `config.pbtxt` beside symlinks to their versions and files.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

_INSTANCE_GROUP = re.compile(r"instance_group\s*\[.*?\]", re.DOTALL)
_COUNT = re.compile(r"count:\s*\d+")


class InstanceCountError(ValueError):
    """An instance-count override names no model, an ensemble, or a count below 1."""


def parse_instance_counts(items: list[str]) -> dict[str, int]:
    """``["reader=2", "detector=1,lines=2"]`` -> ``{"reader": 2, "detector": 1, "lines": 2}``."""
    counts: dict[str, int] = {}
    for item in (part.strip() for text in items for part in text.split(",")):
        if not item:
            continue
        model, sep, value = item.partition("=")
        if not sep or not model.strip() or not value.strip().isdigit() or int(value) < 1:
            raise InstanceCountError(f"{item!r}: write MODEL=COUNT with COUNT >= 1, e.g. reader=2")
        counts[model.strip()] = int(value)
    return counts


def with_instance_count(config_text: str, count: int) -> str:
    """The same config with every instance group's count set to ``count`` (one CPU group if none)."""
    group = _INSTANCE_GROUP.search(config_text)
    if group is None:
        return config_text.rstrip() + f"\ninstance_group [ {{ count: {count} kind: KIND_CPU }} ]\n"
    old = group.group(0)
    patched = _COUNT.sub(f"count: {count}", old) if _COUNT.search(old) else old.replace("{", f"{{ count: {count}", 1)
    return config_text[: group.start()] + patched + config_text[group.end():]


def overlay_repository(repo: Path, counts: dict[str, int], out: Path) -> Path:
    """A repository at ``out`` serving the models of ``repo`` with the given instance counts."""
    repo = Path(repo).resolve()
    for model, count in counts.items():
        config = repo / model / "config.pbtxt"
        if not config.exists():
            known = sorted(p.name for p in repo.iterdir() if (p / "config.pbtxt").exists())
            raise InstanceCountError(f"no model {model!r} in {repo}; models: {', '.join(known)}")
        if 'platform: "ensemble"' in config.read_text():
            raise InstanceCountError(f"{model!r} is an ensemble: it has no instances of its own")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for model in sorted(p for p in repo.iterdir() if p.is_dir()):
        if model.name not in counts:
            (out / model.name).symlink_to(model, target_is_directory=True)
            continue
        target = out / model.name
        target.mkdir()
        for entry in model.iterdir():
            if entry.name != "config.pbtxt":
                (target / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
        config = (model / "config.pbtxt").read_text()
        (target / "config.pbtxt").write_text(with_instance_count(config, counts[model.name]))
    return out
