"""Checks of the exercises in 02_cnn_training."""

from __future__ import annotations

import numbers
from typing import Callable

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..checks import CheckFailed

# (size, kernel_size, stride, padding): the reference code's layers, then cases that catch the usual slips.
OUTPUT_SIZE_CASES = (
    (32, 3, 1, 1),  # conv1 of the reference code: "same" padding keeps 32
    (32, 2, 2, 0),  # pool1: halves
    (16, 2, 2, 0),  # pool2: 16 -> 8, the size the reference code got wrong
    (28, 5, 1, 0),  # LeNet's conv on MNIST: 24
    (32, 3, 2, 1),  # strided conv: 16
    (7, 3, 2, 0),   # odd size: floor, 3
    (15, 2, 2, 0),  # odd pooling: floor, 7
)


def _pytorch_output_size(size: int, kernel_size: int, stride: int, padding: int) -> int:
    """The size PyTorch itself produces: slide a convolution over a blank image of that size
    (max pooling follows the same rule)."""
    blank, kernel = torch.zeros(1, 1, size, size), torch.zeros(1, 1, kernel_size, kernel_size)
    return F.conv2d(blank, kernel, stride=stride, padding=padding).shape[-1]


def check_output_size(output_size: Callable[..., int]) -> None:
    """``output_size(size, kernel_size, stride, padding)`` must follow the formula of ``nn.Conv2d``
    and ``nn.MaxPool2d``. Introduced in 02_cnn_training.
    """
    for size, kernel_size, stride, padding in OUTPUT_SIZE_CASES:
        got = output_size(size, kernel_size, stride, padding)
        expected = _pytorch_output_size(size, kernel_size, stride, padding)
        call = f"output_size({size}, kernel_size={kernel_size}, stride={stride}, padding={padding})"
        if isinstance(got, torch.Tensor) and got.numel() == 1:
            got = got.item()
        if isinstance(got, numbers.Real) and not isinstance(got, numbers.Integral):
            raise CheckFailed(f"{call} returned the float {got}; a size is an int: use // (floor division)")
        if isinstance(got, bool) or not isinstance(got, numbers.Integral):
            raise CheckFailed(f"{call} must return an int, got {type(got).__name__} {got!r}")
        got = int(got)  # numpy's integers (np.floor_divide gives np.int64) are ints too
        if got != expected:
            span = size + 2 * padding - kernel_size
            hint = ""
            if padding and got == (size - kernel_size) // stride + 1:
                hint = " Did you forget the 2 * padding?"
            elif stride > 1 and got == span + 1:
                hint = " Did you forget to divide by the stride?"
            elif span % stride and got == -(-span // stride) + 1:
                hint = " Did you round up? Sizes round down: use // (floor division)."
            elif got == expected - 1:
                hint = " One too few: did you forget the + 1 (the window's first position counts too)?"
            elif got == expected + 1:
                hint = " One too many: add 1 once, after the floor division: (size + 2p - k) // s + 1."
            raise CheckFailed(f"{call} returned {got}, expected {expected}.{hint}")


def _reference_block(conv: nn.Conv2d, norm: nn.BatchNorm2d, x: torch.Tensor) -> torch.Tensor:
    """What a conv -> batch norm (training mode, batch statistics) -> ReLU block computes, with the
    learner's own weights: written with torch.nn.functional, not with the modules."""
    y = F.conv2d(x, conv.weight, conv.bias, padding=1)
    y = F.batch_norm(y, None, None, norm.weight, norm.bias, training=True, eps=norm.eps)
    return F.relu(y)


def check_conv_bn_relu(conv_bn_relu: Callable[[int, int], nn.Module]) -> None:
    """``conv_bn_relu(in_channels, out_channels)`` must return a block that applies a 3x3
    convolution keeping the size (no bias), ``nn.BatchNorm2d(out_channels)`` and a ReLU, in that
    order. Introduced in 02_cnn_training.
    """
    for in_channels, out_channels in ((3, 16), (8, 5)):
        call = f"conv_bn_relu({in_channels}, {out_channels})"
        torch.manual_seed(0)
        block = conv_bn_relu(in_channels, out_channels)
        if not isinstance(block, nn.Module):
            raise CheckFailed(f"{call} must return an nn.Module (e.g. nn.Sequential), got {type(block).__name__}")
        convs = [m for m in block.modules() if isinstance(m, nn.Conv2d)]
        norms = [m for m in block.modules() if isinstance(m, nn.BatchNorm2d)]
        if len(convs) != 1 or len(norms) != 1:
            raise CheckFailed(f"{call} must hold one nn.Conv2d and one nn.BatchNorm2d, "
                              f"found {len(convs)} and {len(norms)}")
        conv, norm = convs[0], norms[0]
        if (conv.in_channels, conv.out_channels) != (in_channels, out_channels):
            raise CheckFailed(f"{call}: the convolution maps {conv.in_channels} to {conv.out_channels} channels; "
                              f"use the arguments, in_channels={in_channels} to out_channels={out_channels}")
        if conv.kernel_size != (3, 3) or conv.stride != (1, 1) or conv.padding != (1, 1):
            raise CheckFailed(f"{call}: use a 3x3 kernel with stride 1 and padding=1 (the size stays the same), got "
                              f"kernel_size={conv.kernel_size}, stride={conv.stride}, padding={conv.padding}")
        if conv.bias is not None:
            raise CheckFailed(f"{call}: give the convolution bias=False: batch norm subtracts the channel mean, "
                              "which removes any bias, and adds its own learned shift")
        if norm.num_features != out_channels:
            raise CheckFailed(f"{call}: BatchNorm2d(num_features) must equal the convolution's "
                              f"out_channels ({out_channels}), got {norm.num_features}")
        x = torch.randn(4, in_channels, 12, 12)
        block.train()
        try:
            with torch.no_grad():
                got = block(x)
        except RuntimeError as error:
            raise CheckFailed(f"{call} fails on a (4, {in_channels}, 12, 12) batch: {error}") from error
        if tuple(got.shape) != (4, out_channels, 12, 12):
            raise CheckFailed(f"{call} must turn a (4, {in_channels}, 12, 12) batch into (4, {out_channels}, 12, 12), "
                              f"got {tuple(got.shape)}")
        with torch.no_grad():
            expected = _reference_block(conv, norm, x)
        if got.min() < 0:
            raise CheckFailed(f"{call} gives negative outputs: end the block with a ReLU")
        if not torch.allclose(got, expected, atol=1e-4):
            raise CheckFailed(f"{call} does not compute ReLU(BatchNorm(conv(x))): apply the three in that order "
                              "(a ReLU before the batch norm, for example, changes the result)")
