"""Reader outputs made by hand for decoding tests: which character each CTC frame shows."""

import numpy as np

from fvi.pipeline.ctc import encode_text
from fvi.pipeline.specs import READER_ALPHABET

BLANK = 0


def frames_logits(frames: list[dict[str, float]]) -> np.ndarray:
    """Logits [T, C]: every class at -8 except the given ones per frame ("" is the CTC blank)."""
    logits = np.full((len(frames), len(READER_ALPHABET) + 1), -8.0, np.float32)
    for t, frame in enumerate(frames):
        for char, value in frame.items():
            logits[t, BLANK if char == "" else encode_text(char)[0]] = value
    return logits


def spelled(text: str, second: dict[int, tuple[str, float]] | None = None) -> list[dict[str, float]]:
    """Each character for two frames then a blank; ``second[i]`` puts a rival at position i on top of it
    (the rival wins the free reading, the true character is runner-up)."""
    frames = []
    for i, char in enumerate(text):
        frame = {char: 6.0}
        if second and i in second:
            rival, value = second[i]
            frame[rival] = value
        frames += [frame, frame, {"": 6.0}]
    return frames
