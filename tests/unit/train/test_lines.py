"""Reader training crops are cut like the detector will cut them."""

import numpy as np

from fvi.train.lines import BOX_JITTER, BOX_MAX_INWARD, jitter_box


def test_box_jitter_spreads_like_detected_boxes_but_never_cuts_far_into_the_text():
    rng = np.random.default_rng(0)
    true = np.array([100.0, 50.0, 300.0, 70.0])
    moved = (np.array([jitter_box(tuple(true), 20.0, rng) for _ in range(4000)]) - true) / 20.0
    inward = moved * [1, 1, -1, -1]
    assert (inward <= np.array(BOX_MAX_INWARD) + 1e-9).all()
    assert np.allclose(moved.std(0), BOX_JITTER, atol=0.05)
