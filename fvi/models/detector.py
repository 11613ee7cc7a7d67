"""Detector: the warped card [N, 3, 320, 512] -> line-kernel logits [N, 12, 160, 256], one map per field.

A small U-Net of depthwise-separable convolutions. Two coordinate channels and a global-context
vector tell each pixel where it is on the card and which card it is on, so a line is classed by
its position and its label, and classes absent from a card type stay silent.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from fvi.models.layers import conv_bn, dsconv
from fvi.pipeline.specs import DETECTOR_CLASSES


class Detector(nn.Module):
    def __init__(self, num_classes: int = len(DETECTOR_CLASSES)) -> None:
        super().__init__()
        # Dense strided convolutions bring the input to 1/4 fast; depthwise blocks work at 1/4 and below;
        # at 1/2 only 1x1 convolutions run (cheap to train and to serve on CPU).
        self.stem = conv_bn(5, 16, 3, 2)                                                # 1/2
        self.down = conv_bn(16, 32, 3, 2)                                               # 1/4
        self.enc2 = dsconv(32, 40)                                                      # 1/4
        self.enc3 = nn.Sequential(dsconv(40, 64, 2), dsconv(64, 64))                    # 1/8
        self.enc4 = nn.Sequential(dsconv(64, 96, 2), dsconv(96, 96), dsconv(96, 96))    # 1/16
        self.context = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(96, 96, 1), nn.ReLU(inplace=True))
        self.dec3 = dsconv(96 + 64, 64)
        self.dec2 = dsconv(64 + 40, 48)
        self.dec1 = conv_bn(48 + 16, 24, 1)
        self.head = nn.Conv2d(24, num_classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, _, h, w = x.shape
        ys = torch.linspace(-1, 1, h, dtype=x.dtype).view(1, 1, h, 1).expand(n, 1, h, w)
        xs = torch.linspace(-1, 1, w, dtype=x.dtype).view(1, 1, 1, w).expand(n, 1, h, w)
        x = torch.cat([(x - 0.5) / 0.25, xs, ys], 1)
        s1 = self.stem(x)
        s2 = self.enc2(self.down(s1))
        s3 = self.enc3(s2)
        s4 = self.enc4(s3)
        s4 = s4 + self.context(s4)
        d3 = self.dec3(torch.cat([F.interpolate(s4, size=s3.shape[2:], mode="nearest"), s3], 1))
        d2 = self.dec2(torch.cat([F.interpolate(d3, size=s2.shape[2:], mode="nearest"), s2], 1))
        d1 = self.dec1(torch.cat([F.interpolate(d2, size=s1.shape[2:], mode="nearest"), s1], 1))
        return self.head(d1)
