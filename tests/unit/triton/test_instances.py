"""Instance counts given at launch are served from an overlay; the committed repository is untouched."""

from pathlib import Path

import pytest

from fvi.triton.instances import InstanceCountError, overlay_repository, parse_instance_counts, with_instance_count

ROOT = Path(__file__).parents[3]


def test_parse_accepts_repeated_and_comma_separated_counts():
    assert parse_instance_counts(["reader=2", "detector=1, lines=3"]) == {"reader": 2, "detector": 1, "lines": 3}


@pytest.mark.parametrize("bad", ["reader", "reader=0", "reader=two", "=2"])
def test_parse_refuses_what_is_not_model_equals_positive_count(bad):
    with pytest.raises(InstanceCountError):
        parse_instance_counts([bad])


def test_count_is_replaced_in_the_instance_group_only():
    text = 'name: "m"\nmax_batch_size: 8\ninstance_group [ { count: 1 kind: KIND_CPU } ]\n' \
           'parameters { key: "count: 9" value: { string_value: "1" } }\n'
    patched = with_instance_count(text, 3)
    assert "instance_group [ { count: 3 kind: KIND_CPU } ]" in patched and '"count: 9"' in patched
    assert "count: 4" in with_instance_count('name: "m"\n', 4)


def test_overlay_serves_the_same_models_with_new_counts(tmp_path):
    repo = ROOT / "model_repository"
    out = overlay_repository(repo, {"reader": 3}, tmp_path / "overlay")
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in repo.iterdir() if p.is_dir())
    assert "count: 3" in (out / "reader" / "config.pbtxt").read_text()
    assert "count: 1" in (repo / "reader" / "config.pbtxt").read_text()
    assert (out / "reader" / "1" / "model.onnx").resolve() == (repo / "reader" / "1" / "model.onnx").resolve()
    assert (out / "detector").resolve() == (repo / "detector").resolve()


def test_an_ensemble_or_unknown_model_is_refused_with_the_known_names(tmp_path):
    with pytest.raises(InstanceCountError, match="ensemble"):
        overlay_repository(ROOT / "model_repository", {"fvi": 2}, tmp_path / "o")
    with pytest.raises(InstanceCountError, match="reader"):
        overlay_repository(ROOT / "model_repository", {"raeder": 2}, tmp_path / "o")
