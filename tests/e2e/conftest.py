"""One real tritonserver and one gateway for the whole e2e session, talked to over real HTTP."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from fvi.synth.generate import Generator, SynthConfig
from fvi.triton.server import ServerConfig, TritonServer
from gateway import GatewayServer, Settings
from tests.integration.test_triton_server import free_ports

ROOT = Path(__file__).parents[2]
#: Fixed generator seed whose first photo of each card type the cropper reads right (checked once);
#: if a retrained cropper misreads one, pick another fixed seed rather than loosening the assertions.
CARD_SEED = 505


def card_photo(card_type: str = "cccd_chip", side: str = "front", seed: int = CARD_SEED, index: int = 0):
    """A generated photo of one card (a fictional holder) and its labels."""
    return Generator(SynthConfig(seed=seed, no_card_rate=0.0, cards=((card_type, side),))).sample(index)


def no_card_photo() -> bytes:
    """A generated photo with no identity card in it (a distractor card at most)."""
    return Generator(SynthConfig(seed=CARD_SEED, no_card_rate=1.0)).sample(0).jpeg


def gateway_settings(triton_urls: list[str], **overrides) -> Settings:
    (port,) = free_ports(1)
    return Settings(triton_urls=triton_urls, gateway_host="127.0.0.1", gateway_port=port,
                    triton_probe_interval_s=0.5, **overrides)


@pytest.fixture(scope="session")
def triton(tmp_path_factory):
    http, grpc, metrics = free_ports()
    config = ServerConfig(ROOT / "model_repository", http, grpc, metrics, workdir=tmp_path_factory.mktemp("triton"))
    with TritonServer(config) as server:
        yield server


@pytest.fixture(scope="session")
def gateway(triton):
    with GatewayServer(gateway_settings([triton.grpc_url])) as server:
        yield server


@pytest.fixture(scope="session")
def client(gateway):
    with httpx.Client(base_url=gateway.url, timeout=120) as c:
        yield c


@pytest.fixture(scope="session")
def card():
    return card_photo()
