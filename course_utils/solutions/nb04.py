"""Reference solutions of 04_data_augmentation's exercises (the same code as the notebook's
solution cells)."""

from __future__ import annotations

import torch
from torchvision.transforms import v2


def make_pipeline() -> v2.Compose:
    """Exercise 1: flip left-right, then rotate 90° counter-clockwise, then keep the central 96x96."""
    return v2.Compose([v2.RandomHorizontalFlip(p=1.0), v2.RandomRotation(degrees=(90, 90)), v2.CenterCrop(96)])


def random_vflip(images: torch.Tensor, p: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """Exercise 2: flip each image of a batch upside down with probability p, one draw per image."""
    flip = torch.rand(images.shape[0], generator=generator) < p
    return torch.where(flip[:, None, None, None], images.flip(-2), images)
