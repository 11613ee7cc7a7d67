"""The embedded server's command line for each model-control mode."""

from pathlib import Path

from fvi.triton.server import ServerConfig, TritonServer


def command(**config) -> list[str]:
    return TritonServer(ServerConfig(Path("/repo"), workdir=Path("/tmp/unused"), **config)).command(Path("/b"))


def test_explicit_mode_loads_every_model_unless_told_which():
    assert [a for a in command(model_control_mode="explicit") if a.startswith("--load-model")] == ["--load-model=*"]
    assert [a for a in command(model_control_mode="explicit", load_models=["fvi"])
            if a.startswith("--load-model")] == ["--load-model=fvi"]
    assert not [a for a in command() if a.startswith("--load-model")]
    assert "--model-control-mode=explicit" in command(model_control_mode="explicit")
