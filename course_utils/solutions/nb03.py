"""Reference solutions for 03_regularization (the teacher's key; the tests check them).

The notebook writes the same functions itself; these copies let the tests run the exercise checks.
"""

from __future__ import annotations

import math
from typing import Sequence

import torch
import torch.nn as nn

__all__ = ["l1_penalty", "early_stopping_epochs"]


def l1_penalty(model: nn.Module) -> torch.Tensor:
    """``sum |w|`` over the weight matrices/kernels of ``model`` (parameters named ``*weight`` with
    2+ dimensions); biases are not penalized. Differentiable (a scalar tensor)."""
    return sum(p.abs().sum() for name, p in model.named_parameters() if name.endswith("weight") and p.ndim >= 2)


def early_stopping_epochs(val_losses: Sequence[float], patience: int, min_delta: float = 0.0) -> tuple[int, int]:
    """Replay early stopping on a list of per-epoch validation losses. Returns ``(best_epoch,
    stop_epoch)``, both 1-based: the epoch whose weights are kept, and the epoch after which
    training stops (the last epoch when patience never runs out). An epoch improves when its loss
    is below ``best - min_delta``; training stops after ``patience`` epochs in a row without improvement."""
    best, best_epoch, bad = math.inf, 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best - min_delta:
            best, best_epoch, bad = loss, epoch, 0
        else:
            bad += 1
            if bad >= patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses)
