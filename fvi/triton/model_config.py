"""A model's Triton config read as Triton reads it (protobuf text format), the ONNX interface checked
against it, and the pinned version written back into it with every comment kept."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

#: ONNX element types (onnxruntime's names) of the Triton data types our models use.
ONNX_TYPES = {"TYPE_FP32": "tensor(float)", "TYPE_FP16": "tensor(float16)", "TYPE_INT8": "tensor(int8)",
              "TYPE_UINT8": "tensor(uint8)", "TYPE_INT32": "tensor(int32)", "TYPE_INT64": "tensor(int64)",
              "TYPE_BOOL": "tensor(bool)", "TYPE_STRING": "tensor(string)"}

PIN_COMMENT = "# the serving version, set by `fvi models`"


class ConfigError(ValueError):
    """A config.pbtxt that Triton would not accept, or an edit that would change more than asked."""


@dataclass(frozen=True)
class TensorSpec:
    """One input or output as Triton sees it: ``shape`` includes the batch axis (-1) when batched."""

    name: str
    data_type: str  # Triton's name, e.g. TYPE_FP32
    shape: tuple[int, ...]


def parse(text: str):
    """The config as Triton's own protobuf message (``inference.ModelConfig``)."""
    from google.protobuf import text_format
    from tritonclient.grpc import model_config_pb2

    try:
        return text_format.Parse(text, model_config_pb2.ModelConfig())
    except text_format.ParseError as exc:
        raise ConfigError(f"not a valid Triton model config: {exc}") from exc


def read(path: Path):
    return parse(Path(path).read_text(encoding="utf-8"))


def served_config(model_dir: Path, config_name: str = "") -> Path:
    """The config Triton reads for a model under ``--model-config-name=config_name``: configs/NAME.pbtxt when
    the model has it, else config.pbtxt."""
    variant = Path(model_dir) / "configs" / f"{config_name}.pbtxt"
    return variant if config_name and variant.is_file() else Path(model_dir) / "config.pbtxt"


def config_files(model_dir: Path) -> list[Path]:
    """config.pbtxt and every variant under configs/ (chosen with --model-config-name)."""
    return [p for p in [model_dir / "config.pbtxt", *sorted((model_dir / "configs").glob("*.pbtxt"))] if p.is_file()]


def tensors(config) -> tuple[list[TensorSpec], list[TensorSpec]]:
    """Inputs and outputs with the batch axis made explicit, as the ONNX graph must have them."""
    from tritonclient.grpc import model_config_pb2

    batch = (-1,) if config.max_batch_size > 0 else ()

    def spec(t) -> TensorSpec:
        return TensorSpec(t.name, model_config_pb2.DataType.Name(t.data_type), batch + tuple(int(d) for d in t.dims))

    return [spec(t) for t in config.input], [spec(t) for t in config.output]


def pinned_versions(config) -> list[int] | None:
    """The versions a `specific` version policy names, or None for latest/all."""
    policy = config.version_policy
    if policy.WhichOneof("policy_choice") != "specific":
        return None
    return sorted(int(v) for v in policy.specific.versions)


def interface_mismatches(onnx_path: Path, config) -> list[str]:
    """What differs between an ONNX file and the config (empty when it fits). Loads it in onnxruntime."""
    import onnxruntime as ort

    try:
        session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises several types for unreadable or invalid graphs
        return [f"onnxruntime cannot load {onnx_path}: {str(exc).strip().splitlines()[0][:300]}"]
    inputs, outputs = tensors(config)
    problems = []
    for kind, wanted, actual in (("input", inputs, session.get_inputs()), ("output", outputs, session.get_outputs())):
        have = {a.name: a for a in actual}
        if set(have) != {w.name for w in wanted}:
            problems.append(f"{kind}s are {sorted(have)}, config.pbtxt says {sorted(w.name for w in wanted)}")
            continue
        for w in wanted:
            a = have[w.name]
            if ONNX_TYPES.get(w.data_type) != a.type:
                problems.append(f"{kind} {w.name}: type {a.type}, config.pbtxt says {w.data_type}")
            if not shapes_fit(w.shape, a.shape):
                problems.append(f"{kind} {w.name}: shape {list(a.shape)}, config.pbtxt says {list(w.shape)}")
    return problems


def shapes_fit(config_shape: tuple[int, ...], onnx_shape: list) -> bool:
    """Same rank; a fixed config dim needs that size or a free ONNX dim; a free config dim (-1) needs a
    free ONNX dim (a fixed one would refuse sizes the config promises to accept)."""
    if len(config_shape) != len(onnx_shape):
        return False
    for c, o in zip(config_shape, onnx_shape):
        fixed = isinstance(o, int) and o > 0
        if (c == -1 and fixed) or (c != -1 and fixed and o != c):
            return False
    return True


def _policy_span(text: str) -> tuple[int, int] | None:
    """Start and end of the top-level ``version_policy ... { ... }`` in ``text`` (comments and strings
    skipped), with its trailing pin comment; None when there is none."""
    depth, i, start = 0, 0, None
    while i < len(text):
        ch = text[i]
        if ch == "#":
            i = text.find("\n", i)
            i = len(text) if i < 0 else i
            continue
        if ch in "\"'":
            end = text.find(ch, i + 1)
            i = len(text) if end < 0 else end + 1
            continue
        if depth == 0 and start is None and text.startswith("version_policy", i):
            start = i
        if ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0 and start is not None:
                end = i + 1
                rest = text[end:].split("\n", 1)[0]
                if rest.strip() == PIN_COMMENT:
                    end += len(rest)
                return start, end
        i += 1
    return None


def with_pinned_versions(text: str, versions: list[int]) -> str:
    """``text`` with its version policy set to exactly ``versions``; everything else as it was."""
    before = parse(text)
    line = f"version_policy: {{ specific: {{ versions: [ {', '.join(map(str, versions))} ] }} }}  {PIN_COMMENT}"
    span = _policy_span(text)
    if span:
        new = text[:span[0]] + line + text[span[1]:]
    else:
        new = text.rstrip("\n") + "\n" + line + "\n"
    after = parse(new)
    if pinned_versions(after) != sorted(versions):
        raise ConfigError("could not set the version policy of this config (edit it by hand)")
    before.ClearField("version_policy")
    after.ClearField("version_policy")
    if before != after:
        raise ConfigError("setting the version policy would change other settings (edit it by hand)")
    return new


def pin_versions(model_dir: Path, versions: list[int]) -> list[Path]:
    """Write the pinned versions into every config file of the model; returns the files changed."""
    changed = []
    for path in config_files(model_dir):
        text = path.read_text(encoding="utf-8")
        new = with_pinned_versions(text, versions)
        if new != text:
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(new, encoding="utf-8")
            tmp.replace(path)  # atomic: Triton never reads a half-written config
            changed.append(path)
    return changed


_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def model_dir(repo: Path, model: str) -> Path:
    """The folder of one model, refusing names that would point elsewhere."""
    if not _NAME.match(model) or model.startswith("."):
        raise ConfigError(f"invalid model name {model!r}")
    path = Path(repo) / model
    if not (path / "config.pbtxt").is_file():
        raise ConfigError(f"{path} has no config.pbtxt: is {model!r} a model of repository {repo}?")
    return path
