"""Small building blocks shared by the three models."""

from __future__ import annotations

from torch import nn


def conv_bn(cin: int, cout: int, k: int = 3, stride: int | tuple[int, int] = 1, groups: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


def dsconv(cin: int, cout: int, stride: int | tuple[int, int] = 1) -> nn.Sequential:
    """Depthwise 3x3 then pointwise 1x1: ~8x cheaper than a full 3x3 convolution."""
    return nn.Sequential(conv_bn(cin, cin, 3, stride, groups=cin), conv_bn(cin, cout, 1))


class Residual(nn.Module):
    def __init__(self, body: nn.Module) -> None:
        super().__init__()
        self.body = body

    def forward(self, x):
        return x + self.body(x)
