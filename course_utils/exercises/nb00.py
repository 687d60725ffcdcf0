"""Checks of the exercises in 00_setup_and_tour."""

from __future__ import annotations

from typing import Callable

import torch

from ..checks import CheckFailed


def check_class_counts(class_counts: Callable[[torch.Tensor, int], torch.Tensor]) -> None:
    """``class_counts(labels, num_classes)`` must return how many labels fall in each class.
    Introduced in 00_setup_and_tour.
    """
    labels = torch.tensor([2, 0, 2, 2, 1, 0])  # class 3 and 4 are empty
    result = class_counts(labels, 5)
    if not isinstance(result, torch.Tensor):
        raise CheckFailed(f"return a torch.Tensor, got {type(result).__name__}")
    if tuple(result.shape) != (5,):
        raise CheckFailed(
            f"expected one count per class, shape (5,), got {tuple(result.shape)}: "
            f"did you forget classes with no images?"
        )
    if result.tolist() != [2, 1, 3, 0, 0]:
        raise CheckFailed(f"for labels {labels.tolist()} the counts are [2, 1, 3, 0, 0], got {result.tolist()}")
