"""Which version of each model serves right now: version folders on disk and Triton's readiness.

An ensemble step asks for version -1, and Triton answers it with the highest version that is READY
at that moment (core `ModelLifeCycle::GetModel`). So the highest ready version on disk *is* the one
that served, also during a rollout, when the old and the new version are briefly both loaded.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def version_numbers(model_dir: Path) -> list[int]:
    """Version folders of one model, ascending; the names Triton accepts (digits, no leading zero)."""
    try:
        entries = os.scandir(model_dir)
    except FileNotFoundError:
        return []
    with entries:
        return sorted(int(e.name) for e in entries
                      if e.is_dir() and e.name.isdigit() and (e.name == "0" or not e.name.startswith("0")))


def configured_version(model_dir: Path) -> int | None:
    """The version a server started now would serve: the highest version on disk among those that
    config.pbtxt pins (`fvi models rollout` pins), else the highest on disk; None when there is none."""
    from fvi.triton.model_config import pinned_versions, read

    pinned = pinned_versions(read(Path(model_dir) / "config.pbtxt"))
    versions = [v for v in version_numbers(Path(model_dir)) if pinned is None or v in pinned]
    return versions[-1] if versions else None


class ServingVersions:
    """Maps each model to the version that Triton serves for "latest" now, probing from the highest.

    ``is_ready(model, version)`` is Triton's readiness check: in a Python step,
    ``triton_python_backend_utils.is_model_ready`` (about 12 us a call, a directory listing 3 us: both
    are done per request so that a rollout shows in the next response).
    """

    def __init__(self, repo: Path, models: tuple[str, ...], is_ready: Callable[[str, str], bool]) -> None:
        self.repo, self.models, self.is_ready = Path(repo), models, is_ready
        self.last: dict[str, str] = {}

    def serving(self, model: str) -> str | None:
        """The highest ready version; while a rollout reloads the model and no version answers ready for
        an instant (seen under load in tests/integration/test_rollout.py), the last one seen serving."""
        for version in reversed(version_numbers(self.repo / model)):
            if self.is_ready(model, str(version)):
                self.last[model] = str(version)
                return str(version)
        return self.last.get(model)

    def __call__(self) -> dict[str, str | None]:
        return {m: self.serving(m) for m in self.models}
