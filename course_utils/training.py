"""A clean train/evaluate loop with per-epoch history, early stopping and a progress bar.

Introduced in 00_setup_and_tour (taught in 02_cnn_training).
"""

from __future__ import annotations

import copy
import math
import os
import sys
from dataclasses import dataclass, field
from typing import Callable, Iterable

import torch
import torch.nn as nn

__all__ = ["History", "EarlyStopping", "fit", "evaluate", "predict", "progress_enabled"]

Batches = Iterable[tuple[torch.Tensor, torch.Tensor]]


@dataclass
class History:
    """Per-epoch metrics of one :func:`fit` run. Introduced in 00_setup_and_tour."""

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    best_epoch: int | None = None  # 1-based epoch whose weights were kept by early stopping
    stopped_early: bool = False

    @property
    def epochs(self) -> int:
        return len(self.train_loss)


class EarlyStopping:
    """Stop when the validation loss has not improved by ``min_delta`` for ``patience`` epochs,
    and restore the best weights. Introduced in 00_setup_and_tour (taught in 03_regularization).
    """

    def __init__(self, patience: int = 3, min_delta: float = 0.0, restore_best: bool = True) -> None:
        if not isinstance(patience, int) or patience < 1:
            raise ValueError(f"patience must be a positive int, got {patience!r}")
        if min_delta < 0:
            raise ValueError(f"min_delta must be >= 0, got {min_delta}")
        self.patience, self.min_delta, self.restore_best = patience, min_delta, restore_best
        self.best_loss = math.inf
        self.best_epoch: int | None = None
        self.best_state: dict[str, torch.Tensor] | None = None
        self.bad_epochs = 0

    def step(self, val_loss: float, model: nn.Module, epoch: int) -> bool:
        """Record epoch ``epoch``'s validation loss; return True when training should stop."""
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.bad_epochs = val_loss, epoch, 0
            if self.restore_best:
                self.best_state = copy.deepcopy(model.state_dict())
            return False
        self.bad_epochs += 1
        return self.bad_epochs >= self.patience


def progress_enabled() -> bool:
    """Whether :func:`fit` shows a progress bar by default. Introduced in 00_setup_and_tour.

    On when running interactively (a Jupyter kernel or a terminal), off when the environment
    variable ``COURSE_PROGRESS`` is ``0``: the test configuration sets it, because a bar's timings
    would differ from run to run and break the comparison of stored outputs.
    """
    if os.environ.get("COURSE_PROGRESS", "") == "0":
        return False
    return "ipykernel" in sys.modules or sys.stderr.isatty()


def _to_device(device: torch.device | str | None, model: nn.Module) -> torch.device:
    if device is not None:
        return torch.device(device)
    parameter = next(model.parameters(), None)
    return parameter.device if parameter is not None else torch.device("cpu")


@torch.no_grad()
def predict(model: nn.Module, loader: Batches, device: torch.device | str | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """All logits and labels of ``loader``, on the CPU, with the model in eval mode.
    Introduced in 00_setup_and_tour.
    """
    device = _to_device(device, model)
    was_training = model.training
    model.eval()
    logits, labels = [], []
    for inputs, targets in loader:
        logits.append(model(inputs.to(device)).float().cpu())
        labels.append(targets.cpu())
    model.train(was_training)
    if not logits:
        raise ValueError("the loader yielded no batches")
    return torch.cat(logits), torch.cat(labels)


def evaluate(
    model: nn.Module,
    loader: Batches,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
    device: torch.device | str | None = None,
) -> tuple[float, float]:
    """Mean loss and accuracy of ``model`` on ``loader`` (eval mode, no gradients).
    Introduced in 00_setup_and_tour.
    """
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    logits, labels = predict(model, loader, device)
    return loss_fn(logits, labels).item(), (logits.argmax(1) == labels).float().mean().item()


def fit(
    model: nn.Module,
    train_loader: Batches,
    optimizer: torch.optim.Optimizer,
    epochs: int,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
    val_loader: Batches | None = None,
    early_stopping: EarlyStopping | None = None,
    penalty: Callable[[nn.Module], torch.Tensor] | None = None,
    device: torch.device | str | None = None,
    progress: bool | None = None,
    verbose: bool = False,
) -> History:
    """Train ``model`` for ``epochs`` epochs with any torch optimizer and return its
    :class:`History`. Introduced in 00_setup_and_tour (taught in 02_cnn_training).

    ``penalty(model)`` is added to the loss (e.g. an L1 or L2 term, 03_regularization).
    ``early_stopping`` needs ``val_loader``; the best weights are restored when it stops.
    ``progress`` shows a bar (default: :func:`progress_enabled`); ``verbose`` prints one line per epoch.
    """
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    if early_stopping is not None and val_loader is None:
        raise ValueError("early_stopping needs a val_loader: stop on held-out data, never on the test set")
    device = _to_device(device, model)
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    history = History()
    bar = None
    if progress if progress is not None else progress_enabled():
        from tqdm.auto import tqdm

        bar = tqdm(total=epochs, desc="epochs", unit="epoch", leave=False)
    try:
        for epoch in range(1, epochs + 1):
            model.train()
            total_loss, correct, seen = 0.0, 0, 0
            for inputs, targets in train_loader:
                inputs, targets = inputs.to(device), targets.to(device)
                optimizer.zero_grad(set_to_none=True)
                logits = model(inputs)
                loss = loss_fn(logits, targets)
                if penalty is not None:
                    loss = loss + penalty(model)
                loss.backward()
                optimizer.step()
                total_loss += loss.item() * len(targets)
                correct += (logits.argmax(1) == targets).sum().item()
                seen += len(targets)
            if seen == 0:
                raise ValueError("train_loader yielded no batches")
            history.train_loss.append(total_loss / seen)
            history.train_acc.append(correct / seen)
            if val_loader is not None:
                val_loss, val_acc = evaluate(model, val_loader, loss_fn, device)
                history.val_loss.append(val_loss)
                history.val_acc.append(val_acc)
            if verbose:
                val = f"  val loss {history.val_loss[-1]:.4f}  val acc {100 * history.val_acc[-1]:.1f}%" if val_loader is not None else ""
                print(f"epoch {epoch:>3}  train loss {history.train_loss[-1]:.4f}  train acc {100 * history.train_acc[-1]:.1f}%{val}")
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{history.train_loss[-1]:.3f}", **({"val_acc": f"{history.val_acc[-1]:.3f}"} if history.val_acc else {}))
            if early_stopping is not None and early_stopping.step(history.val_loss[-1], model, epoch):
                history.stopped_early = True
                break
    finally:
        if bar is not None:
            bar.close()
    if early_stopping is not None:
        history.best_epoch = early_stopping.best_epoch
        if early_stopping.restore_best and early_stopping.best_state is not None:
            model.load_state_dict(early_stopping.best_state)
    return history
