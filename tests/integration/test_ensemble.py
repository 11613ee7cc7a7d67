"""The `fvi` ensemble in the real tritonserver: same answer as the in-process pipeline, no card is a
normal result, bad bytes are a clear error."""

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import tritonclient.grpc as grpcclient

from fvi.cards.types import SUPPORTED_CARDS
from fvi.pipeline.image import decode_image
from fvi.pipeline.runner import Pipeline
from fvi.synth.generate import Generator, SynthConfig
from fvi.triton.server import ServerConfig, TritonServer
from tests.integration.test_triton_server import free_ports

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("triton")
    http, grpc, metrics = free_ports()
    with TritonServer(ServerConfig(ROOT / "model_repository", http, grpc, metrics, workdir=work)) as s:
        yield s


def infer(server, data: bytes) -> dict:
    client = grpcclient.InferenceServerClient(server.grpc_url)
    arr = np.frombuffer(data, np.uint8)
    tensor = grpcclient.InferInput("image", [len(arr)], "UINT8")
    tensor.set_data_from_numpy(arr)
    result = client.infer("fvi", [tensor])
    return json.loads(result.as_numpy("result")[0].decode("utf-8"))


def without_timing(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "timing_ms"}


def test_ensemble_answers_exactly_like_the_in_process_pipeline_for_every_card_type(server):
    """Same bytes in, the same JSON out (all but timings): one implementation of every step, and the
    Python steps pass tensors losslessly (letterbox in FP64, corners in FP32 on both sides)."""
    pipeline = Pipeline(ROOT / "model_repository")
    for card_type, side in SUPPORTED_CARDS:
        gen = Generator(SynthConfig(seed=8080, no_card_rate=0.0, cards=((card_type, side),)))
        for i in range(2):
            sample = gen.sample(i)
            served = infer(server, sample.jpeg)
            local = pipeline.read_json(decode_image(sample.jpeg))
            assert without_timing(served) == without_timing(local), (card_type, side, i)
            assert served["models"] == pipeline.versions  # the pinned (or highest) version of each model


def test_a_card_cut_by_the_photos_edge_fails_the_card_inside_photo_check_in_both_pipelines(server):
    """The corner past the frame is put back from the card's edges in both (one implementation), and the
    answer says the card is not wholly in the photo; a card inside the photo passes."""
    pipeline = Pipeline(ROOT / "model_repository")
    for rate, status in ((1.0, "fail"), (0.0, "pass")):
        sample = Generator(SynthConfig(seed=9090, no_card_rate=0.0, cut_corner_rate=rate)).sample(0)
        assert sample.label.flags.cut_corner == (rate == 1.0)
        served = infer(server, sample.jpeg)
        assert without_timing(served) == without_timing(pipeline.read_json(decode_image(sample.jpeg)))
        check = next(c for c in served["checks"] if c["name"] == "card_inside_photo")
        assert check["status"] == status, served["corners"]


def test_without_cropper_cut_loaded_a_card_at_the_frame_is_read_with_the_croppers_own_second_look(server, tmp_path):
    """cropper_cut is called from the warp step (BLS), not an ensemble step, so `--load-model=fvi` alone
    does not load it: such a card is still a normal result, read as the cropper's second look reads it, the
    answer says cropper_cut served nothing, and the server log says why."""
    from fvi.pipeline import steps

    sample = Generator(SynthConfig(seed=9090, no_card_rate=0.0, cut_corner_rate=1.0)).sample(0)
    image = decode_image(sample.jpeg)
    x, lb = steps.cropper_input(image)
    first = tuple(out[0] for out in Pipeline(ROOT / "model_repository").run_model("cropper", x))
    assert steps.at_frame(image, lb, steps.first_look(*first))
    http, grpc, metrics = free_ports()
    config = ServerConfig(ROOT / "model_repository", http, grpc, metrics, model_control_mode="explicit",
                          load_models=["fvi"], workdir=tmp_path)
    with TritonServer(config) as alone:
        served = infer(alone, sample.jpeg)
        log = alone.log_path.read_text(errors="replace")
    assert served["models"]["cropper_cut"] is None and served["fields"]
    assert "cropper_cut did not answer, the cropper's second look is used" in log
    assert served["corners"] != infer(server, sample.jpeg)["corners"]  # the full server used cropper_cut


def test_the_served_second_read_of_doubted_lines_equals_the_in_process_one_and_its_config_turns_it_off(
        server, tmp_path):
    """The assemble step reads the doubted lines again through the reader (BLS), as the in-process pipeline
    does: the same answer, one the second read changed; served with `--model-config-name=no-second-read`
    it answers as the pipeline without the second read."""
    sample = Generator(SynthConfig(seed=7070, no_card_rate=0.0)).sample(0)
    image = decode_image(sample.jpeg)
    local = Pipeline(ROOT / "model_repository").read_json(image)
    first_only = Pipeline(ROOT / "model_repository", second_read=False).read_json(image)
    assert {k: f["text"] for k, f in first_only["fields"].items()} != {k: f["text"] for k, f in local["fields"].items()}
    assert without_timing(infer(server, sample.jpeg)) == without_timing(local)
    http, grpc, metrics = free_ports()
    config = ServerConfig(ROOT / "model_repository", http, grpc, metrics, config_name="no-second-read", workdir=tmp_path)
    with TritonServer(config) as without:
        assert without_timing(infer(without, sample.jpeg)) == without_timing(first_only)


def test_the_served_qr_code_equals_the_in_process_one(server):
    from tests.scans import scan_photos

    pipeline = Pipeline(ROOT / "model_repository")
    read = 0
    for photo, payload in scan_photos("cccd_chip", "front", 3):
        data = cv2.imencode(".png", cv2.cvtColor(photo, cv2.COLOR_RGB2BGR))[1].tobytes()
        served, local = infer(server, data), pipeline.read_json(decode_image(data))
        assert without_timing(served) == without_timing(local)
        read += "qr" in served and served["qr"]["id_number"] == payload.split("|")[0]
    assert read >= 2


def test_photo_without_a_card_is_a_normal_result_with_a_reason(server):
    blank = cv2.imencode(".jpg", np.full((480, 640, 3), 127, np.uint8))[1].tobytes()
    doc = infer(server, blank)
    assert doc["card_type"] is None and doc["fields"] == {} and doc["reason"]["code"] == "no_card"


@pytest.mark.parametrize("data,code", [(b"hello, not an image", "unsupported_media_type"),
                                       (b"\xff\xd8\xff\xe0" + b"\0" * 64, "invalid_image")])
def test_bad_bytes_fail_with_an_error_code(server, data, code):
    with pytest.raises(Exception) as err:
        infer(server, data)
    assert code in str(err.value)


def test_fvi_read_folder_writes_one_line_per_photo_errors_included(server, tmp_path):
    import subprocess
    import sys

    folder = tmp_path / "in"
    folder.mkdir()
    gen = Generator(SynthConfig(seed=99, no_card_rate=0.0))
    for i in range(3):
        (folder / f"card{i}.jpg").write_bytes(gen.sample(i).jpeg)
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 30)
    out = tmp_path / "results.jsonl"
    proc = subprocess.run([sys.executable, "-m", "fvi", "read", str(folder), "--url", server.grpc_url,
                           "--out", str(out), "--annotate", str(tmp_path / "ann"), "--concurrency", "3"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [Path(r["file"]).name for r in records] == ["broken.png", "card0.jpg", "card1.jpg", "card2.jpg"]
    assert records[0]["error"]["code"] == "invalid_image"
    assert all("result" in r for r in records[1:])
    assert sorted(p.name for p in (tmp_path / "ann").iterdir()) == ["card0.png", "card1.png", "card2.png"]


def _huge_jpeg() -> bytes:
    """A real 50-megapixel JPEG (8192 x 6104): refused from its header, never decoded."""
    return cv2.imencode(".jpg", np.zeros((6104, 8192, 3), np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 30])[1].tobytes()


@pytest.mark.parametrize("name", ["empty", "huge"])
def test_empty_and_50_megapixel_images_are_clear_errors_and_the_server_stays_healthy(server, name):
    data, code = {"empty": (b"", "invalid_image"), "huge": (_huge_jpeg(), "image_too_large")}[name]
    with pytest.raises(Exception) as err:
        infer(server, data)
    assert code in str(err.value)
    client = grpcclient.InferenceServerClient(server.grpc_url)
    assert client.is_server_ready() and client.is_model_ready("fvi")


def test_sixteen_concurrent_requests_all_succeed(server):
    from concurrent.futures import ThreadPoolExecutor

    gen = Generator(SynthConfig(seed=1616))
    photos = [gen.sample(i).jpeg for i in range(16)]
    with ThreadPoolExecutor(16) as pool:
        docs = list(pool.map(lambda data: infer(server, data), photos))
    assert len(docs) == 16 and all("fields" in d and "checks" in d for d in docs)


def tensor(name: str, x: np.ndarray) -> grpcclient.InferInput:
    kind = {np.dtype(np.float32): "FP32", np.dtype(np.uint8): "UINT8", np.dtype(np.int32): "INT32",
            np.dtype(np.object_): "BYTES"}[x.dtype]
    t = grpcclient.InferInput(name, list(x.shape), kind)
    t.set_data_from_numpy(x)
    return t


def kernel_map(lines_per_field: int, fields: tuple[str, ...]) -> np.ndarray:
    """Detector logits [1, C, 160, 256] with ``lines_per_field`` separate line kernels for each field."""
    from fvi.pipeline.specs import DETECTOR_CLASSES

    logits = np.full((1, len(DETECTOR_CLASSES), 160, 256), -10, np.float32)
    for f in fields:
        c = DETECTOR_CLASSES.index(f)
        for k in range(lines_per_field):
            logits[0, c, 4 + 8 * k: 7 + 8 * k, 10 + 12 * c: 40 + 12 * c] = 10
    return logits


def served_steps(server, kernels: np.ndarray) -> tuple[dict, np.ndarray]:
    """lines -> reader -> assemble through the server, for a card of class cccd_chip/front."""
    from fvi.pipeline.specs import CARD_CLASSES

    client = grpcclient.InferenceServerClient(server.grpc_url)
    card = np.full((540, 856, 3), 200, np.uint8)
    probs = np.zeros(len(CARD_CLASSES), np.float32)
    probs[CARD_CLASSES.index("cccd_chip/front")] = 1
    lines = client.infer("lines", [tensor("card", card), tensor("kernels", kernels),
                                   tensor("cropper_card_probs", probs)])
    batch = lines.as_numpy("reader_input")
    logits = client.infer("reader", [tensor("image", batch)]).as_numpy("logits")
    corners = np.float32([[0, 0], [856, 0], [856, 540], [0, 540]])
    doc = client.infer("assemble", [
        tensor("logits", logits), tensor("line_boxes", lines.as_numpy("line_boxes")),
        tensor("line_fields", lines.as_numpy("line_fields")), tensor("card", card), tensor("corners", corners),
        tensor("card_probs", lines.as_numpy("card_probs")),
        tensor("qr_text", np.array([b""], dtype=np.object_)),
        tensor("photo_size", np.int32([540, 856]))]).as_numpy("result")[0]
    return json.loads(doc), batch


def test_a_card_with_no_line_is_a_normal_result_with_every_field_unreadable(server):
    doc, batch = served_steps(server, kernel_map(0, ()))
    assert batch.shape[0] == 1  # one blank line: the reader never sees an empty batch
    assert doc["card_type"] == "cccd_chip" and doc["fields"]
    assert all(f["text"] is None and f["status"] == "unreadable" for f in doc["fields"].values())


def test_more_lines_than_the_reader_batch_are_bounded_not_an_error(server):
    from fvi.pipeline.steps import MAX_LINES

    doc, batch = served_steps(server, kernel_map(19, ("full_name", "place_of_origin", "place_of_residence")))
    assert batch.shape[0] == MAX_LINES  # 57 kernels found, the 48 most confident kept
    assert doc["card_type"] == "cccd_chip" and "full_name" in doc["fields"]


def test_reader_batcher_merges_the_lines_of_concurrent_cards(server):
    """Cards whose batches fall in the same width bucket have equal shapes, so Triton's dynamic batcher
    runs them together: fewer reader executions than requests."""
    from concurrent.futures import ThreadPoolExecutor

    from fvi.pipeline.geometry import batch_lines
    from fvi.pipeline.specs import READER_BATCH_WIDTH_STEP

    batches = [batch_lines([np.full((32, w), 255, np.uint8)] * 6, READER_BATCH_WIDTH_STEP) for w in range(200, 248, 3)]
    assert len({b.shape for b in batches}) == 1  # 16 cards of different widths, one bucket
    client = grpcclient.InferenceServerClient(server.grpc_url)

    def stats() -> tuple[int, int]:
        s = client.get_inference_statistics("reader").model_stats[0]
        return s.inference_stats.success.count, s.execution_count

    before = stats()
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda b: grpcclient.InferenceServerClient(server.grpc_url).infer("reader", [tensor("image", b)]),
                      batches))
    after = stats()
    requests, executions = after[0] - before[0], after[1] - before[1]
    assert requests == 16 and executions < requests


def test_evaluation_through_triton_counts_exactly_what_the_in_process_evaluation_counts(server, tmp_path):
    """`fvi eval --url`: per-field exact match measured through the server on a fresh generated set."""
    from fvi.client import FviClient
    from fvi.evaluate import SERVED_KEYS, evaluate, evaluate_served
    from fvi.synth.generate import generate_dataset

    generate_dataset(tmp_path, 12, SynthConfig(seed=4242))
    served = evaluate_served(tmp_path, FviClient(server.grpc_url), concurrency=4)
    local = evaluate(tmp_path, Pipeline(ROOT / "model_repository"))
    assert served["all"]["photos"] == 12 and served["all"]["e2e_exact_per_field"]
    for subset in ("all", "normal", "hard"):
        assert served[subset] == {k: local[subset][k] for k in SERVED_KEYS}
