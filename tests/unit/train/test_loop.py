"""Training is reproducible from a seed and resumes exactly where it stopped."""

import numpy as np
import torch

from fvi.train.lines import random_text_line
from fvi.train.loop import TrainConfig, train
from fvi.train.reader_task import ReaderTask


def _task():
    rng = np.random.default_rng(0)
    lines = [random_text_line(rng) for _ in range(40)]
    return ReaderTask(lines[:32], lines[32:], batch_size=8)


def _weights(model):
    return {k: v.clone() for k, v in model.state_dict().items()}


def test_same_seed_same_weights_and_resume_matches_an_uninterrupted_run(tmp_path):
    config = TrainConfig(epochs=2, batch_size=8, threads=1, warmup_steps=2, checkpoint_every=2, seed=3)
    a = _weights(train(_task(), config, tmp_path / "a"))
    b = _weights(train(_task(), config, tmp_path / "b"))
    assert all(torch.equal(a[k], b[k]) for k in a)

    interrupted = TrainConfig(**{**config.__dict__, "max_steps": 3})
    train(_task(), interrupted, tmp_path / "c")
    assert (tmp_path / "c" / "last.pt").exists() and not (tmp_path / "c" / "history.jsonl").exists()
    c = _weights(train(_task(), config, tmp_path / "c", resume=True))
    assert all(torch.allclose(a[k].float(), c[k].float(), atol=1e-6) for k in a)
    history = (tmp_path / "c" / "history.jsonl").read_text().splitlines()
    assert len(history) == 2 and "val_cer" in history[-1]

    other = _weights(train(_task(), TrainConfig(**{**config.__dict__, "seed": 4}), tmp_path / "d"))
    assert not all(torch.equal(a[k], other[k]) for k in a)


def test_a_few_steps_lower_the_loss(tmp_path):
    from fvi.train.loop import seed_everything

    task = _task()
    config = TrainConfig(epochs=3, batch_size=8, threads=1, warmup_steps=2, lr=3e-3, seed=5)
    batch = next(task.batches(0, np.random.default_rng(123)))
    seed_everything(config.seed)
    untrained = task.build_model().eval()
    trained = train(task, config, tmp_path / "run").eval()
    with torch.no_grad():
        before, _ = task.loss(untrained, batch)
        after, _ = task.loss(trained, batch)
    assert float(after) < 0.8 * float(before)
