"""Automatic checks of the exercises of 03_regularization.

Each check calls the learner's function on small inputs, compares with the reference in
:mod:`course_utils.solutions.nb03` and raises :class:`CheckFailed` naming the likely mistake.
"""

from __future__ import annotations

from typing import Callable, Sequence

import torch
import torch.nn as nn

from ..checks import CheckFailed
from ..solutions import nb03 as reference

__all__ = ["check_l1_penalty", "check_early_stopping_epochs"]


def _tiny_model() -> nn.Module:
    generator = torch.Generator().manual_seed(3)
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(8, 3))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=generator))
    return model


def check_l1_penalty(l1_penalty: Callable[[nn.Module], torch.Tensor]) -> None:
    """Check ``l1_penalty(model) -> sum |w|`` over weights only (not biases), differentiable."""
    model = _tiny_model()
    expected = reference.l1_penalty(model).item()
    out = l1_penalty(model)
    if not isinstance(out, torch.Tensor):
        raise CheckFailed(
            f"l1_penalty must return a torch.Tensor (so it can be added to the loss), "
            f"got {type(out).__name__}"
        )
    if out.numel() != 1:
        raise CheckFailed(f"l1_penalty must return one number, got shape {tuple(out.shape)}")
    value = out.item()
    everything = sum(p.abs().sum() for p in model.parameters()).item()
    squares = sum(p.pow(2).sum() for n, p in model.named_parameters() if n.endswith("weight")).item()
    count = sum(p.numel() for n, p in model.named_parameters() if n.endswith("weight"))
    if abs(value - everything) < 1e-4:
        raise CheckFailed("l1_penalty also sums the biases; penalize only the weights (parameters named '...weight')")
    if abs(value - squares) < 1e-4 or abs(value - squares / 2) < 1e-4:
        raise CheckFailed("l1_penalty sums squared weights: that is L2. L1 sums absolute values |w|")
    if abs(value - expected / count) < 1e-6:
        raise CheckFailed("l1_penalty returns the MEAN of |w|; the L1 penalty is the SUM")
    if abs(value - expected) > 1e-4 * max(1.0, abs(expected)):
        raise CheckFailed(f"l1_penalty gives {value:.4f} on a small test model, expected {expected:.4f}")
    if not out.requires_grad:
        raise CheckFailed(
            "l1_penalty is detached from the graph (no gradient); "
            "do not use .item(), .detach() or torch.no_grad()"
        )
    model.zero_grad()
    out.backward()
    weight = model[2].weight
    if not torch.allclose(weight.grad, weight.detach().sign()):
        raise CheckFailed("the gradient of l1_penalty with respect to a weight should be sign(w)")


_CASES: list[tuple[list[float], int, float]] = [
    ([1.0, 0.8, 0.9, 0.85, 0.95, 0.7], 2, 0.0),  # stops after epoch 4, best epoch 2
    ([1.0, 0.9, 0.8, 0.7], 2, 0.0),  # never stops: the last epoch
    ([1.0, 1.0, 1.0], 2, 0.0),  # equal is not an improvement
    ([1.0, 0.95, 0.94, 0.8, 0.79], 2, 0.1),  # min_delta: small gains do not count
    ([2.0, 1.5, 1.6, 1.4, 1.7, 1.8, 1.9], 3, 0.0),  # the counter resets after an improvement
]


def check_early_stopping_epochs(
    early_stopping_epochs: Callable[[Sequence[float], int, float], tuple[int, int]]
) -> None:
    """Check ``early_stopping_epochs(val_losses, patience, min_delta) -> (best_epoch, stop_epoch)``, 1-based."""
    for losses, patience, min_delta in _CASES:
        expected = reference.early_stopping_epochs(losses, patience, min_delta)
        out = early_stopping_epochs(list(losses), patience, min_delta)
        if not isinstance(out, tuple) or len(out) != 2:
            raise CheckFailed(f"early_stopping_epochs must return a tuple (best_epoch, stop_epoch), got {out!r}")
        got = tuple(int(v) for v in out)
        if got == expected:
            continue
        where = f"for val_losses={losses}, patience={patience}, min_delta={min_delta}"
        if got == (expected[0] - 1, expected[1] - 1):
            raise CheckFailed(
                f"{where} you return {got}, expected {expected}: "
                f"epochs are 1-based (enumerate(..., start=1))"
            )
        if got[0] != expected[0]:
            raise CheckFailed(
                f"{where} best_epoch is {got[0]}, expected {expected[0]} "
                f"(an improvement needs loss < best - min_delta)"
            )
        raise CheckFailed(
            f"{where} stop_epoch is {got[1]}, expected {expected[1]} "
            f"(stop after `patience` epochs in a row without improvement; reset the count when the loss improves)"
        )
