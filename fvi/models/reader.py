"""Reader: a grey text line [N, 1, 32, W] -> CTC logits [N, W/4, 1 + len(alphabet)].

A CNN with a convolutional sequence head (no LSTM): every op exports to ONNX with dynamic width and
runs fast on CPU. Context along the line comes from stacked depthwise 1-D convolutions.
"""

from __future__ import annotations

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


class Reader(nn.Module):
    def __init__(self, num_classes: int = len(READER_ALPHABET) + 1, hidden: int = 192) -> None:
        super().__init__()
        self.features = nn.Sequential(
            conv_bn(1, 32, 3, 2),                                   # 16 x W/2
            dsconv(32, 64, 2),                                      # 8 x W/4
            dsconv(64, 128), dsconv(128, 128), nn.MaxPool2d((2, 1)),  # 4 x W/4
            dsconv(128, 160), dsconv(160, 160), nn.MaxPool2d((2, 1)),  # 2 x W/4
            nn.Conv2d(160, hidden, (2, 1), bias=False), nn.BatchNorm2d(hidden), nn.ReLU(inplace=True),
        )
        self.sequence = nn.Sequential(SeqBlock(hidden, 5, 1), SeqBlock(hidden, 5, 2), SeqBlock(hidden, 5, 4),
                                      SeqBlock(hidden, 5, 1))
        self.classifier = nn.Conv1d(hidden, num_classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = (x - 0.5) / 0.5
        f = self.features(x).squeeze(2)  # N, C, T
        f = self.sequence(f)
        return self.classifier(f).transpose(1, 2)  # N, T, classes
