"""Reference solutions of the exercises of 06_transfer_learning."""

from __future__ import annotations

import torch.nn as nn

__all__ = ["freeze_for_linear_probe", "trainable_fraction"]


def freeze_for_linear_probe(model: nn.Module) -> nn.Module:
    """Freeze every parameter of ``model`` except those of its head ``model.fc``; return ``model``."""
    for parameter in model.parameters():
        parameter.requires_grad = False
    for parameter in model.fc.parameters():
        parameter.requires_grad = True
    return model


def trainable_fraction(model: nn.Module) -> float:
    """Number of trainable parameter *values* (elements) divided by the number of all of them."""
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    return trainable / total
