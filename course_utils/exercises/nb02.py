"""Checks of the exercises in 02_cnn_training."""

from __future__ import annotations

import numbers
from typing import Callable

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..checks import CheckFailed

# (size, kernel_size, stride, padding): the seed's layers, then cases that catch the usual slips.
OUTPUT_SIZE_CASES = (
    (32, 3, 1, 1),  # conv1 of the seed: "same" padding keeps 32
    (32, 2, 2, 0),  # pool1: halves
    (16, 2, 2, 0),  # pool2: 16 -> 8, the size the seed got wrong
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


def check_bn_convnet(make_model: Callable[[], nn.Module]) -> None:
    """``make_model()`` must return the seed's ConvNet with an ``nn.BatchNorm2d`` after each
    convolution (32 then 64 channels), mapping ``(N, 3, 32, 32)`` to ``(N, 10)`` logits.
    Introduced in 02_cnn_training.
    """
    torch.manual_seed(0)
    model = make_model()
    if not isinstance(model, nn.Module):
        raise CheckFailed(f"make_bn_convnet() must return an nn.Module, got {type(model).__name__}")
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    if [c.out_channels for c in convs] != [32, 64]:
        raise CheckFailed(
            f"keep the seed's two convolutions with 32 and 64 filters, "
            f"got out_channels {[c.out_channels for c in convs]}"
        )
    if len(norms) != 2:
        raise CheckFailed(f"add one nn.BatchNorm2d after each convolution: found {len(norms)}")
    if [n.num_features for n in norms] != [32, 64]:
        raise CheckFailed(
            f"BatchNorm2d(num_features) must equal the channels of the convolution before it (32, then 64), "
            f"got {[n.num_features for n in norms]}"
        )
    x = torch.randn(4, 3, 32, 32)
    try:
        model.eval()
        logits = model(x)
    except RuntimeError as error:
        raise CheckFailed(f"the forward pass on a (4, 3, 32, 32) batch failed: {error}") from error
    if tuple(logits.shape) != (4, 10):
        raise CheckFailed(f"a (4, 3, 32, 32) batch must give (4, 10) logits, got {tuple(logits.shape)}")
    # Each BatchNorm2d must be called in forward(), on the output of the convolution before it.
    calls: dict[int, int] = {0: 0, 1: 0}
    handles = [norm.register_forward_hook(lambda m, i, o, k=k: calls.__setitem__(k, calls[k] + 1))
               for k, norm in enumerate(norms)]
    try:
        model.train()
        model(x)
    finally:
        for handle in handles:
            handle.remove()
        model.eval()
    for k, conv_name in enumerate(("conv1", "conv2")):
        if not calls[k]:
            raise CheckFailed(f"the BatchNorm2d({norms[k].num_features}) is defined but never called in forward(): "
                              f"apply it to the output of {conv_name}, before the ReLU")
