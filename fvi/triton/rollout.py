"""Model versions in production: publish a version beside the serving one, roll it out, roll it back,
and say what every Triton replica serves (Triton's repository API, EXPLICIT model-control mode).

The model's config file is the record of which version serves: a rollout loads the version in every
replica (a config override with ``version_policy { specific { versions: [N] } }``; Triton swaps
versions without refusing a request) and then pins N in config.pbtxt, so a restarted server serves
the same. ``<model>/rollouts.jsonl`` keeps the history that ``rollback`` undoes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from fvi.errors import FviError
from fvi.triton import model_config as mc
from fvi.triton.versions import configured_version as _configured_version
from fvi.triton.versions import version_numbers

HISTORY = "rollouts.jsonl"
DEFAULT_URL = "127.0.0.1:8001"


class PublishRefused(FviError):
    code = "publish_refused"


class RolloutFailed(FviError):
    code = "rollout_failed"


@dataclass
class Published:
    """A version added by ``publish``; ``pinned`` is the version pinned so that it keeps serving."""

    model: str
    version: int
    path: Path
    pinned: int | None


@dataclass
class Switch:
    """One rollout or rollback: which version served before and after, on which replicas, how long."""

    model: str
    before: int | None
    after: int
    seconds: dict[str, float] = field(default_factory=dict)  # per replica URL


@dataclass
class ModelStatus:
    """A model's versions on disk, the pinned one, and what each replica serves (None: not ready)."""

    model: str
    on_disk: list[int]
    pinned: list[int] | None
    serving: dict[str, int | None]
    last_change: dict | None


# --- publish ---------------------------------------------------------------------------------------

def interface_lines(config) -> list[str]:
    inputs, outputs = mc.tensors(config)
    return [f"{kind} `{t.name}` {t.data_type} {list(t.shape)}"
            for kind, group in (("input", inputs), ("output", outputs)) for t in group]


def load_eval_report(path: Path, model: str) -> dict:
    """Figures from `fvi eval --report X.md` (reads X.json beside it) or the .json itself."""
    from converters.publish import FIGURES, figures_of

    if figures_of(model) is None:
        raise PublishRefused(f"{model!r} has no evaluation figures: publish one of {', '.join(FIGURES)}")
    path = Path(path)
    path = path.with_suffix(".json") if path.suffix == ".md" else path
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PublishRefused(f"cannot read evaluation report {path}: {exc}") from exc
    missing = [key for _, key, _ in figures_of(model) if key not in results.get("all", {})]
    if missing:
        raise PublishRefused(f"{path} is not an `fvi eval` JSON report for {model} (missing {', '.join(missing)})")
    return {k: v for k, v in results.items() if isinstance(v, dict) and "photos" in v}


def quick_evaluation(repo: Path, model: str, onnx: Path, data: Path, limit: int) -> dict:
    """`fvi eval` figures with ``onnx`` in place of ``model``, the other models at their pinned versions."""
    from fvi.evaluate import evaluate
    from fvi.pipeline.runner import MODELS, Pipeline

    paths = {m: Path(repo) / m / str(configured_version(Path(repo) / m)) / "model.onnx" for m in MODELS}
    paths[model] = Path(onnx)
    return evaluate(Path(data), Pipeline(paths=paths), limit)


def configured_version(model_dir: Path) -> int:
    """The version a server started now would serve (`fvi.triton.versions`), or a refusal."""
    version = _configured_version(model_dir)
    if version is None:
        raise PublishRefused(f"{model_dir} has no version folder (among the pinned ones)")
    return version


def publish(repo: Path, model: str, onnx: Path, results: dict | None, eval_source: str) -> Published:
    """Add ``onnx`` as version N+1 of ``model`` after checking it against every config of the model.

    Nothing that serves changes: running servers keep their version (EXPLICIT mode loads only on
    request), and when the config had no pinned version the current one is pinned first, so that a
    restart does not pick the new version up either. The folder appears whole (an atomic rename).
    """
    mdir = mc.model_dir(repo, model)
    onnx = Path(onnx)
    if not onnx.is_file():
        raise PublishRefused(f"{onnx} does not exist")
    configs = {p: mc.read(p) for p in mc.config_files(mdir)}
    for path, config in configs.items():
        problems = mc.interface_mismatches(onnx, config)
        if problems:
            raise PublishRefused(f"{onnx} does not fit {path}: " + "; ".join(problems))
    config = configs[mdir / "config.pbtxt"]
    versions = version_numbers(mdir)
    version = versions[-1] + 1 if versions else 1
    pinned = None
    if versions and mc.pinned_versions(config) is None:
        pinned = versions[-1]
        mc.pin_versions(mdir, [pinned])
    digest = hashlib.sha256(onnx.read_bytes()).hexdigest()
    staging = mdir / f".publish-{version}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        shutil.copy2(onnx, staging / (config.default_model_filename or "model.onnx"))
        from converters.publish import published_readme

        (staging / "README.md").write_text(published_readme(model, version, str(onnx), digest, interface_lines(config),
                                                            results, eval_source), encoding="utf-8")
        try:
            staging.rename(mdir / str(version))
        except OSError as exc:
            raise PublishRefused(f"version {version} of {model} appeared meanwhile: publish again") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    record(mdir, {"action": "publish", "version": version, "sha256": digest, "source": str(onnx)})
    return Published(model, version, mdir / str(version), pinned)


# --- Triton ----------------------------------------------------------------------------------------

def record(model_dir: Path, entry: dict) -> None:
    entry = {"time": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), **entry}
    with open(model_dir / HISTORY, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry) + "\n")


def history(model_dir: Path) -> list[dict]:
    try:
        lines = (model_dir / HISTORY).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in lines if line.strip()]


def _client(url: str):
    import tritonclient.grpc as grpcclient

    return grpcclient.InferenceServerClient(url)


def _message(exc: Exception) -> str:
    message = getattr(exc, "message", None)  # tritonclient's exceptions have a message() method
    text = str(message() if callable(message) else exc)
    return text.split("\n\nAt:")[0].strip().rstrip(";")  # the Python backend appends its stack: not for users


def ready_versions(url: str) -> dict[str, list[int]]:
    """Each model's READY versions on one replica (one repository-index call)."""
    client = _client(url)
    try:
        index = client.get_model_repository_index(as_json=True).get("models", [])
    except Exception as exc:
        raise RolloutFailed(f"Triton at {url} does not answer: {_message(exc)}") from exc
    finally:
        client.close()
    ready: dict[str, list[int]] = {}
    for entry in index:
        if entry.get("state") == "READY" and entry.get("version", "").isdigit():
            ready.setdefault(entry["name"], []).append(int(entry["version"]))
    return {m: sorted(v) for m, v in ready.items()}


def serving_version(url: str, model: str) -> int | None:
    """The version a request for "latest" gets on that replica: the highest READY one."""
    versions = ready_versions(url).get(model)
    return versions[-1] if versions else None


def load_version(url: str, model: str, version: int) -> float:
    """Make ``version`` the only version of ``model`` on one replica; returns the seconds it took.

    Triton loads the new version while the old one serves, then swaps; if the load fails, the old
    version stays loaded and serving (Triton's documented EXPLICIT-mode behaviour)."""
    client = _client(url)
    try:
        started = time.perf_counter()
        config = client.get_model_config(model, as_json=True)["config"]
        config["version_policy"] = {"specific": {"versions": [version]}}
        client.load_model(model, config=json.dumps(config))
        if not client.is_model_ready(model, str(version)):
            raise RolloutFailed(f"{model} v{version} is not ready on {url} after loading")
        return time.perf_counter() - started
    except RolloutFailed:
        raise
    except Exception as exc:
        text = _message(exc)
        if "explicit model load" in text.lower() or "not allowed" in text.lower():
            text += " (start Triton with --model-control-mode=explicit, as the compose files do)"
        raise RolloutFailed(f"Triton at {url} could not load {model} v{version}: {text}") from exc
    finally:
        client.close()


def switch(urls: list[str], repo: Path, model: str, version: int, action: str = "rollout") -> Switch:
    """Serve ``version`` of ``model`` on every replica, then pin it; on any failure, replicas already
    switched go back to what they served and nothing is pinned."""
    mdir = mc.model_dir(repo, model)
    if version not in version_numbers(mdir):
        raise RolloutFailed(f"{model} has no version {version} in {repo} (versions: {version_numbers(mdir)})")
    before = {url: serving_version(url, model) for url in urls}
    done = Switch(model, next(iter(before.values()), None), version)
    for url in urls:
        try:
            done.seconds[url] = load_version(url, model, version)
        except RolloutFailed as exc:
            for back in done.seconds:
                if before[back] is not None:
                    load_version(back, model, before[back])
            still = ", ".join(f"{u}: v{before[u]}" for u in urls)
            raise RolloutFailed(f"{exc.message.rstrip('.')}. Nothing changed; still serving {still}") from exc
    mc.pin_versions(mdir, [version])
    record(mdir, {"action": action, "from": done.before, "to": version, "replicas": list(urls),
                  "seconds": {u: round(s, 3) for u, s in done.seconds.items()}})
    return done


def rollout(urls: list[str], repo: Path, model: str, version: int) -> Switch:
    return switch(urls, repo, model, version, "rollout")


def rollback_target(repo: Path, model: str, current: int | None) -> int:
    """The version that served before ``current`` (the last switch to it says), else the next lower one."""
    mdir = mc.model_dir(repo, model)
    for entry in reversed(history(mdir)):
        if entry.get("action") in ("rollout", "rollback") and entry.get("to") == current and entry.get("from"):
            return int(entry["from"])
    lower = [v for v in version_numbers(mdir) if current is None or v < current]
    if not lower:
        raise RolloutFailed(f"{model} has no earlier version to roll back to (serving v{current})")
    return lower[-1]


def rollback(urls: list[str], repo: Path, model: str) -> Switch:
    current = serving_version(urls[0], model)
    return switch(urls, repo, model, rollback_target(repo, model, current), "rollback")


def versioned_models(repo: Path) -> list[str]:
    """Models whose versions are trained artefacts (not Python steps, not ensembles)."""
    out = []
    for cfg in sorted(Path(repo).glob("*/config.pbtxt")):
        config = mc.read(cfg)
        if config.backend != "python" and config.platform != "ensemble":
            out.append(cfg.parent.name)
    return out


def status(urls: list[str], repo: Path, models: list[str] | None = None) -> list[ModelStatus]:
    ready = {url: ready_versions(url) for url in urls}
    out = []
    for model in models or versioned_models(repo):
        mdir = mc.model_dir(repo, model)
        changes = [h for h in history(mdir) if h.get("action") in ("rollout", "rollback")]
        out.append(ModelStatus(model, version_numbers(mdir), mc.pinned_versions(mc.read(mdir / "config.pbtxt")),
                               {u: (ready[u].get(model) or [None])[-1] for u in urls},
                               changes[-1] if changes else None))
    return out


def format_status(statuses: list[ModelStatus]) -> str:
    """A plain table; one serving column per replica when there are several."""
    urls = list(statuses[0].serving) if statuses else []
    head = ["model", *(["serving"] if len(urls) == 1 else [f"serving@{u}" for u in urls]), "pinned", "on disk",
            "last change"]
    rows = [head]
    for s in statuses:
        change = s.last_change
        rows.append([s.model, *[f"v{v}" if v else "not ready" for v in s.serving.values()],
                     ",".join(f"v{v}" for v in s.pinned) if s.pinned else "latest",
                     " ".join(f"v{v}" for v in s.on_disk),
                     f"{change['time']} {change['action']} v{change['from']} -> v{change['to']}" if change else "-"])
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)
