"""Shared fixtures: small, deterministic data made by the project's own generator."""

from __future__ import annotations

import pytest

from fvi.synth.generate import Generator, SynthConfig


@pytest.fixture(scope="session")
def generator() -> Generator:
    return Generator(SynthConfig(seed=1234))
