"""A few seconds of the perf suite against a real tritonserver: perf_analyzer runs over gRPC with real
photos and writes a CSV with the columns the report reads. Speed is not asserted."""

import csv
from pathlib import Path

import pytest

from fvi.bench import analyzer, inputs
from fvi.bench.monitor import TreeMonitor
from tests.integration.test_ensemble import server


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("photos")
    return folder, inputs.make_photos(folder, per_type=1, seed=5)


def _check_csv(path: Path) -> dict:
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 1
    assert set(analyzer.CSV_COLUMNS) <= set(rows[0])
    return rows[0]


def test_perf_analyzer_measures_the_ensemble_on_real_photos_and_writes_a_csv(server, photos, tmp_path):
    _, paths = photos
    assert len(paths) == 6  # one photo of every card type and side
    data = inputs.write_input_data(tmp_path / "fvi.json", inputs.ensemble_entries(paths))
    with TreeMonitor(server.process.pid) as monitor:
        m = analyzer.run("fvi", server.grpc_url, data, tmp_path / "fvi.csv", concurrency=2, window_requests=4)
    row = _check_csv(tmp_path / "fvi.csv")
    assert float(row["Inferences/Second"]) > 0 and m.throughput > 0
    assert 0 < m.ms("p50 latency") <= m.ms("p99 latency")
    assert {s.model for s in m.steps} == {"preprocess", "cropper", "zoom", "warp", "detector", "lines", "reader", "assemble"}
    assert monitor.usage.cpu_cores > 0 and monitor.usage.memory_mb > 0 and monitor.usage.processes >= 8


def test_perf_analyzer_measures_a_model_alone_at_a_batch_size(server, photos, tmp_path):
    folder, _ = photos
    entries = inputs.model_entries(folder)["reader"]
    data = inputs.write_input_data(tmp_path / "reader.json", entries)
    m = analyzer.run("reader", server.grpc_url, data, tmp_path / "reader.csv", batch=8, window_requests=4)
    _check_csv(tmp_path / "reader.csv")
    assert m.batch == 8 and m.throughput > 0
