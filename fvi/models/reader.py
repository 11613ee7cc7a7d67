"""Reader: a grey text line [N, 1, 32, W] -> CTC logits [N, W/4, 1 + len(alphabet)].

A CNN with a convolutional sequence head (no LSTM): every op exports to ONNX with dynamic width and
runs fast on CPU. Context along the line comes from stacked depthwise 1-D convolutions.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from fvi.models.layers import conv_bn, dsconv
from fvi.pipeline.specs import READER_ALPHABET


class SeqBlock(nn.Module):
    def __init__(self, channels: int, kernel: int = 5, dilation: int = 1) -> None:
        super().__init__()
        pad = dilation * (kernel // 2)
        self.dw = nn.Conv1d(channels, channels, kernel, padding=pad, dilation=dilation, groups=channels, bias=False)
        self.pw = nn.Conv1d(channels, channels, 1, bias=False)
        self.bn = nn.BatchNorm1d(channels)

    def forward(self, x):
        return x + torch.relu(self.bn(self.pw(self.dw(x))))


@dataclass(frozen=True)
class ReaderSize:
    """Widths of one reader size: feature channels at W/2, W/4 (8 rows), 4 rows; sequence width; dilations."""

    channels: tuple[int, int, int, int]
    hidden: int
    dilations: tuple[int, ...]


#: "s" is the published v1-v5 reader (0.33 M parameters, ~0.65 M multiply-adds per output step); "m" has
#: ~1.4x its multiply-adds per step (wider features, one more sequence block reaching 8 steps apart).
READER_SIZES: dict[str, ReaderSize] = {
    "s": ReaderSize((32, 64, 128, 160), 192, (1, 2, 4, 1)),
    "m": ReaderSize((32, 80, 144, 192), 224, (1, 2, 4, 8, 1)),
}


class Reader(nn.Module):
    def __init__(self, num_classes: int = len(READER_ALPHABET) + 1, size: str = "s") -> None:
        super().__init__()
        spec = READER_SIZES[size]
        c1, c2, c3, c4 = spec.channels
        hidden = spec.hidden
        self.size = size
        self.features = nn.Sequential(
            conv_bn(1, c1, 3, 2),                                # 16 x W/2
            dsconv(c1, c2, 2),                                   # 8 x W/4
            dsconv(c2, c3), dsconv(c3, c3), nn.MaxPool2d((2, 1)),  # 4 x W/4
            dsconv(c3, c4), dsconv(c4, c4), nn.MaxPool2d((2, 1)),  # 2 x W/4
            nn.Conv2d(c4, hidden, (2, 1), bias=False), nn.BatchNorm2d(hidden), nn.ReLU(inplace=True),
        )
        self.sequence = nn.Sequential(*(SeqBlock(hidden, 5, d) for d in spec.dilations))
        self.classifier = nn.Conv1d(hidden, num_classes, 1)

    @classmethod
    def from_state_dict(cls, state: dict) -> Reader:
        """The reader of whichever size these weights fit exactly (the weights carry no size name)."""
        for size in READER_SIZES:
            model = cls(size=size)
            try:
                model.load_state_dict({k: v.float() for k, v in state.items()})
            except RuntimeError:  # missing, unexpected or differently shaped tensors: another size
                continue
            return model
        raise ValueError("these weights fit no reader size in READER_SIZES")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = (x - 0.5) / 0.5
        f = self.features(x).squeeze(2)  # N, C, T
        f = self.sequence(f)
        return self.classifier(f).transpose(1, 2)  # N, T, classes
