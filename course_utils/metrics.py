"""Classification metrics on logits and labels. Introduced in 00_setup_and_tour."""

from __future__ import annotations

from typing import Sequence

import torch

from . import _validate as door


def _check_pair(logits_or_preds: torch.Tensor, targets: torch.Tensor) -> None:
    if targets.ndim != 1:
        raise ValueError(f"targets must have shape (N,), got {tuple(targets.shape)}")
    if len(logits_or_preds) != len(targets):
        raise ValueError(f"predictions and targets disagree in length: {len(logits_or_preds)} vs {len(targets)}")


def _accuracy(logits: torch.Tensor, targets: torch.Tensor) -> float:
    """Fraction of rows of ``logits`` ``(N, K)`` whose argmax equals ``targets`` ``(N,)``.
    Introduced in 00_setup_and_tour.
    """
    door.tensor(logits, "logits")
    door.tensor(targets, "targets")
    if logits.ndim != 2:
        raise ValueError(f"logits must have shape (N, num_classes), got {tuple(logits.shape)}")
    _check_pair(logits, targets)
    return (logits.argmax(1) == targets).float().mean().item() if len(targets) else float("nan")


def confusion_matrix(preds: torch.Tensor, targets: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Counts ``(num_classes, num_classes)``: row = true class, column = predicted class.
    ``preds`` are class indices ``(N,)`` or logits ``(N, K)``. Introduced in 02_cnn_training.
    """
    door.tensor(preds, "preds", ndim=(1, 2), layout="(N,) or (N, num_classes)")
    door.tensor(targets, "targets")
    door.integer(num_classes, "num_classes")
    if preds.ndim == 2:
        preds = preds.argmax(1)
    _check_pair(preds, targets)
    if num_classes < 1:
        raise ValueError(f"num_classes must be positive, got {num_classes}")
    if len(targets) and (
        max(preds.max().item(), targets.max().item()) >= num_classes
        or min(preds.min().item(), targets.min().item()) < 0
    ):
        raise ValueError(f"class indices must lie in [0, {num_classes}); check num_classes")
    flat = targets.long() * num_classes + preds.long()
    return torch.bincount(flat.cpu(), minlength=num_classes * num_classes).view(num_classes, num_classes)


def pair_accuracy(logits: torch.Tensor, labels: torch.Tensor, classes: Sequence[int]) -> float:
    """Accuracy on the clips whose label is in ``classes`` only (e.g. the reversed-order pairs),
    over all classes' predictions. Introduced in 05_video_lstm.
    """
    door.tensor(logits, "logits", ndim=2, layout="(N, num_classes)")
    door.tensor(labels, "labels", ndim=1, layout="(N,)", dtype="integer")
    door.integers(classes, "classes", "a non-empty list of class indices", nonempty=True)
    keep = torch.isin(labels, torch.as_tensor(list(classes)))
    if not keep.any():
        raise ValueError(f"no clip has a label in {list(classes)}")
    return _accuracy(logits[keep], labels[keep])
