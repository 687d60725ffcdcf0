"""The weights that penalties act on and what training leaves of them: the weight matrices and kernels
of a model (biases excluded), flattened, and the share near zero. The L1 and L2 penalties themselves
are written in 03_regularization. Introduced in 03_regularization.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from . import _validate as door


def weight_parameters(model: nn.Module) -> list[torch.Tensor]:
    """The weight matrices / kernels of ``model`` (parameters named ``*weight`` with 2 or more
    dimensions): biases and normalization scales are left out. Introduced in 03_regularization.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return [p for name, p in model.named_parameters() if name.endswith("weight") and p.ndim >= 2]


def flat_weights(model: nn.Module) -> torch.Tensor:
    """All weights of ``model`` (not biases) as one detached 1-D CPU tensor. Introduced in 03_regularization."""
    door.module(model, "model")
    return torch.cat([w.detach().flatten().cpu() for w in weight_parameters(model)])


def near_zero_fraction(weights: torch.Tensor, threshold: float = 1e-3) -> float:
    """Fraction of entries with ``|w| < threshold``. Introduced in 03_regularization."""
    door.tensor(weights, "weights")
    if weights.numel() == 0:
        raise ValueError("weights must be a non-empty tensor")
    door.number(threshold, "threshold")
    if threshold <= 0:
        raise ValueError(f"threshold must be > 0, got {threshold}")
    return (weights.abs() < threshold).float().mean().item()
