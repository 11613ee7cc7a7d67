"""Scale-out as the compose `scale` profile runs it: two Triton replicas on one model repository behind
one gateway. Both serve; with one stopped, every request still succeeds."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import tritonclient.grpc as grpcclient

from fvi.synth.generate import Generator, SynthConfig
from fvi.triton.server import ServerConfig, TritonServer
from gateway import GatewayServer, Settings
from tests.integration.test_triton_server import free_ports

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def replicas(tmp_path_factory):
    servers = [TritonServer(ServerConfig(ROOT / "model_repository", *free_ports(),
                                         workdir=tmp_path_factory.mktemp(f"triton{i}"))) for i in range(2)]
    try:
        for s in servers:  # one after the other: copying a bundle while the other forks gives ETXTBSY
            s.start()
        yield servers
    finally:
        for s in servers:
            s.stop()


def served_count(server: TritonServer) -> int:
    """Requests the `fvi` ensemble answered on that replica (Triton's own statistics)."""
    client = grpcclient.InferenceServerClient(server.grpc_url)
    try:
        [stats] = client.get_inference_statistics("fvi", as_json=True)["model_stats"]
        return int(stats["inference_stats"]["success"].get("count", 0))
    finally:
        client.close()


def post_all(url: str, photos: list[bytes], concurrency: int = 4) -> list[int]:
    def one(data: bytes) -> int:
        with httpx.Client(base_url=url, timeout=60) as client:
            return client.post("/v1/ocr", files={"image": ("card.jpg", data)}).status_code

    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(one, photos))


def test_two_replicas_share_the_load_and_one_stopping_fails_no_request(replicas):
    photos = [Generator(SynthConfig(seed=404, no_card_rate=0.0)).sample(i).jpeg for i in range(4)] * 5
    (port,) = free_ports(1)
    settings = Settings(triton_urls=[s.grpc_url for s in replicas], gateway_host="127.0.0.1", gateway_port=port,
                        triton_probe_interval_s=0.5)
    with GatewayServer(settings) as gateway:
        assert post_all(gateway.url, photos) == [200] * len(photos)
        counts = [served_count(s) for s in replicas]
        assert sum(counts) == len(photos) and min(counts) >= len(photos) // 4, counts
        print(f"\nrequests served per replica: {counts}")

        replicas[1].stop()
        assert post_all(gateway.url, photos) == [200] * len(photos)
        assert served_count(replicas[0]) == counts[0] + len(photos)
        ready = httpx.get(f"{gateway.url}/readyz", timeout=10)
        assert ready.status_code == 200
