"""Cropper: a letterboxed photo [N, 3, 256, 256] -> corner heatmaps, sub-cell offsets and card class.

Outputs: ``heatmaps`` [N, 4, 64, 64] (logits; corners in card-text order), ``offsets`` [N, 8, 64, 64]
(x, y within the cell, per corner) and ``card_logits`` [N, len(CARD_CLASSES)]. Which corner is the
card's top-left depends on how the card is turned, so every level sees a global-context vector.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from fvi.models.layers import conv_bn, dsconv
from fvi.pipeline.specs import CARD_CLASSES


class Cropper(nn.Module):
    def __init__(self, num_classes: int = len(CARD_CLASSES)) -> None:
        super().__init__()
        # Dense strided convolutions reach 1/4 fast (cheap to train on CPU); depthwise blocks below.
        self.stem = conv_bn(3, 16, 3, 2)                                               # 128
        self.enc2 = nn.Sequential(conv_bn(16, 32, 3, 2), dsconv(32, 32))               # 64
        self.enc3 = nn.Sequential(dsconv(32, 64, 2), dsconv(64, 64))                  # 32
        self.enc4 = nn.Sequential(dsconv(64, 96, 2), dsconv(96, 96))                  # 16
        self.enc5 = nn.Sequential(dsconv(96, 160, 2), dsconv(160, 160), dsconv(160, 160))  # 8
        self.context = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(160, 160, 1), nn.ReLU(inplace=True))
        self.classifier = nn.Linear(160, num_classes)
        self.dec4 = dsconv(160 + 96, 96)
        self.dec3 = dsconv(96 + 64, 64)
        self.dec2 = dsconv(64 + 32, 48)
        self.heatmaps = nn.Conv2d(48, 4, 1)
        self.offsets = nn.Conv2d(48, 8, 1)
        nn.init.constant_(self.heatmaps.bias, -4.0)  # start near "no corner anywhere" (focal-loss practice)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        x = (x - 0.5) / 0.25
        s1 = self.stem(x)
        s2 = self.enc2(s1)
        s3 = self.enc3(s2)
        s4 = self.enc4(s3)
        s5 = self.enc5(s4)
        ctx = self.context(s5)
        s5 = s5 + ctx
        card_logits = self.classifier(ctx.flatten(1))
        d4 = self.dec4(torch.cat([F.interpolate(s5, size=s4.shape[2:], mode="nearest"), s4], 1))
        d3 = self.dec3(torch.cat([F.interpolate(d4, size=s3.shape[2:], mode="nearest"), s3], 1))
        d2 = self.dec2(torch.cat([F.interpolate(d3, size=s2.shape[2:], mode="nearest"), s2], 1))
        return self.heatmaps(d2), self.offsets(d2), card_logits
