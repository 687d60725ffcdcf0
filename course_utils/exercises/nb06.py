"""Automatic checks of the exercises of 06_transfer_learning."""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn as nn

from ..checks import CheckFailed, _python_float

__all__ = ["check_freeze_for_linear_probe", "check_trainable_fraction"]


class _TinyNet(nn.Module):
    """A stand-in for a pretrained network: a small backbone (convolution, batch norm) and a head
    whose name is given, ``_fc`` as in EfficientNet-Lite0 or another one."""

    def __init__(self, head_name: str) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 4, 3)
        self.bn = nn.BatchNorm2d(4)
        self.block = nn.Sequential(nn.Conv2d(4, 8, 1, bias=False), nn.BatchNorm2d(8))
        self.head_name = head_name
        setattr(self, head_name, nn.Linear(8, 3))


def _freeze_case(freeze_for_linear_probe: Callable[..., nn.Module], head_name: str) -> None:
    torch.manual_seed(0)
    model = _TinyNet(head_name)
    for parameter in model.parameters():  # start from a state that is wrong on purpose
        parameter.requires_grad_(True)
    try:
        result = freeze_for_linear_probe(model, head_name)
    except AttributeError as problem:
        raise CheckFailed(f"{problem}: find the head with getattr(model, head_name), not a fixed name") from None
    if result is not model:
        raise CheckFailed("return the model you were given (freeze it in place)")
    prefix = head_name + "."
    frozen_head = [n for n, p in model.named_parameters() if n.startswith(prefix) and not p.requires_grad]
    if frozen_head:
        raise CheckFailed(f"the head {head_name!r} must stay trainable, but {', '.join(frozen_head)} is frozen "
                          "(use the head_name argument, not a fixed name)")
    still_trainable = [n for n, p in model.named_parameters() if p.requires_grad and not n.startswith(prefix)]
    if still_trainable:
        raise CheckFailed(
            f"{len(still_trainable)} backbone parameter tensors are still trainable, "
            f"e.g. {still_trainable[0]}"
        )


def check_freeze_for_linear_probe(freeze_for_linear_probe: Callable[..., nn.Module]) -> None:
    """Only the head named ``head_name`` may stay trainable, and every backbone parameter must be
    frozen; checked with the head ``_fc`` (EfficientNet-Lite0's) and with another name."""
    _freeze_case(freeze_for_linear_probe, "_fc")
    _freeze_case(freeze_for_linear_probe, "classifier")


def check_trainable_fraction(trainable_fraction: Callable[[nn.Module], float]) -> None:
    """The fraction of parameter values (not tensors) with ``requires_grad``."""
    model = nn.Sequential(nn.Linear(10, 20), nn.Linear(20, 5))  # 220 + 105 = 325 values, 4 tensors
    model[0].weight.requires_grad_(False)  # 200 values frozen, 125 trainable
    answer = _python_float(trainable_fraction(model), "trainable_fraction")
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
