"""Reader batches: augmented on the fly, the same whichever number of loader processes builds them;
reader sizes load from their weights alone."""

import numpy as np
import pytest
import torch

from fvi.models.reader import READER_SIZES, Reader
from fvi.pipeline.specs import LINE_HEIGHT
from fvi.train.lines import random_text_line
from fvi.train.reader_task import ReaderTask, augment_line


def _lines(n=24):
    rng = np.random.default_rng(1)
    return [random_text_line(rng) for _ in range(n)]


def test_batches_do_not_depend_on_loader_processes():
    lines = _lines()
    inline = list(ReaderTask(lines, [], batch_size=8, loader_workers=0).batches(0, np.random.default_rng([7, 0])))
    loaded = list(ReaderTask(lines, [], batch_size=8, loader_workers=2).batches(0, np.random.default_rng([7, 0])))
    assert len(inline) == len(loaded) == 3
    for (a, ta), (b, tb) in zip(inline, loaded):
        assert ta == tb and torch.equal(a, b)
    again = list(ReaderTask(lines, [], batch_size=8).batches(1, np.random.default_rng([7, 1])))
    assert not all(torch.equal(a, b) for (a, _), (b, _) in zip(inline, again))


def test_augmented_line_keeps_the_height_and_roughly_the_width():
    img, _ = _lines(1)[0]
    rng = np.random.default_rng(0)
    views = [augment_line(img, rng) for _ in range(50)]
    assert all(v.shape[0] == LINE_HEIGHT and v.dtype == np.uint8 for v in views)
    widths = np.array([v.shape[1] for v in views]) / img.shape[1]
    assert widths.min() >= 0.8 and widths.max() <= 1.2
    assert len({v.tobytes() for v in views}) == len(views)  # every view differs


@pytest.mark.parametrize("size", sorted(READER_SIZES))
def test_reader_size_is_read_back_from_its_weights(size):
    model = Reader(size=size).eval()
    again = Reader.from_state_dict(model.state_dict()).eval()
    assert again.size == size
    x = torch.rand(2, 1, LINE_HEIGHT, 96)
    with torch.no_grad():
        assert torch.equal(model(x), again(x))


def test_weights_of_no_known_size_are_refused():
    state = Reader().state_dict()
    state["classifier.weight"] = torch.zeros(10, 7, 1)
    with pytest.raises(ValueError, match="no reader size"):
        Reader.from_state_dict(state)
