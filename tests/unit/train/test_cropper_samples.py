"""The cropper learns both of its looks: the whole photo, and the region around the card."""

import numpy as np

from fvi.synth.generate import SynthConfig, generate_dataset, load_labels
from fvi.train.cropper_task import photo_sample, zoom_sample


def test_second_look_samples_show_the_card_larger_with_its_true_corners(tmp_path):
    generate_dataset(tmp_path, 6, SynthConfig(seed=4321, no_card_rate=0.3))
    labels = load_labels(tmp_path)
    cards = [l for l in labels if l.card is not None]
    assert cards and len(cards) < len(labels)  # some photos without a card
    for label in cards:
        first, second = photo_sample(tmp_path, label), zoom_sample(tmp_path, label, seed=7)
        assert second[0].shape == first[0].shape == (256, 256, 3) and second[2] == first[2]
        assert second[3] > 1.05 * first[3]  # the card's width in input pixels
        # corners are the label's, mapped into the input: the quad keeps its shape, only larger
        ratio = np.ptp(second[1], 0) / np.ptp(first[1], 0)
        assert abs(ratio[0] - ratio[1]) < 0.01 * ratio[0]
        again = zoom_sample(tmp_path, label, seed=7)
        np.testing.assert_array_equal(again[0], second[0])  # reproducible from the seed
        assert not np.array_equal(zoom_sample(tmp_path, label, seed=8)[0], second[0])
    for label in labels:
        if label.card is None:
            boxed, corners, cls, width = zoom_sample(tmp_path, label, seed=7)
            assert corners is None and width == 0.0 and boxed.shape == (256, 256, 3)
