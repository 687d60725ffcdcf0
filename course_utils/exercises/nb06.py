"""Automatic checks of the exercises of 06_transfer_learning."""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn as nn

from ..checks import CheckFailed

__all__ = ["check_freeze_for_linear_probe", "check_trainable_fraction"]


def _tiny_resnet() -> nn.Module:
    from ..pretrained import SmallResNet

    torch.manual_seed(0)
    return SmallResNet(num_classes=3, widths=(4, 8, 8), blocks=1)


def check_freeze_for_linear_probe(freeze_for_linear_probe: Callable[[nn.Module], nn.Module]) -> None:
    """Only the head ``fc`` may stay trainable, and every backbone parameter must be frozen."""
    model = _tiny_resnet()
    for parameter in model.parameters():  # start from a state that is wrong on purpose
        parameter.requires_grad_(True)
    result = freeze_for_linear_probe(model)
    if result is not model:
        raise CheckFailed("return the model you were given (freeze it in place)")
    still_trainable = [n for n, p in model.named_parameters() if p.requires_grad and not n.startswith("fc.")]
    if still_trainable:
        raise CheckFailed(
            f"{len(still_trainable)} backbone parameter tensors are still trainable, "
            f"e.g. {still_trainable[0]}"
        )
    frozen_head = [n for n, p in model.named_parameters() if n.startswith("fc.") and not p.requires_grad]
    if frozen_head:
        raise CheckFailed(f"the head must stay trainable, but {', '.join(frozen_head)} is frozen")


def check_trainable_fraction(trainable_fraction: Callable[[nn.Module], float]) -> None:
    """The fraction of parameter values (not tensors) with ``requires_grad``."""
    model = nn.Sequential(nn.Linear(10, 20), nn.Linear(20, 5))  # 220 + 105 = 325 values, 4 tensors
    model[0].weight.requires_grad_(False)  # 200 values frozen, 125 trainable
    answer = trainable_fraction(model)
    if not isinstance(answer, (float, int)) or isinstance(answer, bool):
        raise CheckFailed(f"return a Python float, got {type(answer).__name__} (use .item() or plain sums)")
    if abs(answer - 3 / 4) < 1e-9:
        raise CheckFailed("you counted parameter tensors (3 of 4); count their values with p.numel()")
    if abs(answer - 1.0) < 1e-9:
        raise CheckFailed("got 1.0 with 200 of 325 values frozen: only count parameters with requires_grad")
    if abs(answer - 200 / 325) < 1e-9:
        raise CheckFailed("you returned the frozen fraction; return the trainable one")
    if abs(answer - 125 / 325) > 1e-9:
        raise CheckFailed(
            f"expected 125 / 325 = {125 / 325:.4f} for a model with 200 of 325 values frozen, "
            f"got {answer:.4f}"
        )
    model[0].weight.requires_grad_(True)
    if abs(trainable_fraction(model) - 1.0) > 1e-9:
        raise CheckFailed("with every parameter trainable the fraction must be 1.0")
