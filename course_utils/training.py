"""One training loop for the whole course (epochs, penalties, early stopping, a scheduler, a progress
bar) and evaluation on a loader.

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

from . import _validate as door
from .loading import BatchLoader

Batches = Iterable[tuple[torch.Tensor, torch.Tensor]]
_BATCHES = "an iterable of (inputs, labels) batches, e.g. a BatchLoader"


@dataclass
class History:
    """Per-epoch metrics of one :func:`fit` run. Introduced in 00_setup_and_tour."""

    train_loss: list[float] = field(default_factory=list)  # per epoch (a partial last one in steps mode)
    step_loss: list[float] = field(default_factory=list)  # per optimizer step
    train_acc: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    best_epoch: int | None = None  # 1-based epoch whose weights were kept by early stopping
    stopped_early: bool = False

    @property
    def epochs(self) -> int:
        return len(self.train_loss)


class EarlyStopping:
    """Stop when the monitored validation metric has not improved by ``min_delta`` for ``patience``
    epochs, and restore the best weights. ``monitor`` is ``"val_loss"`` (lower is better) or
    ``"val_acc"`` (higher is better: what a practitioner usually watches).
    Introduced in 00_setup_and_tour (taught in 03_regularization).
    """

    MONITORS = ("val_loss", "val_acc")

    def __init__(self, patience: int = 3, min_delta: float = 0.0, restore_best: bool = True,
                 monitor: str = "val_loss") -> None:
        door.positive_int(patience, "patience")
        if min_delta < 0:
            raise ValueError(f"min_delta must be >= 0, got {min_delta}")
        if monitor not in self.MONITORS:
            raise ValueError(f"monitor must be one of {self.MONITORS}, got {monitor!r}")
        self.patience, self.min_delta, self.restore_best, self.monitor = patience, min_delta, restore_best, monitor
        self.best_score = math.inf  # the monitored value, signed so that lower is better
        self.best_epoch: int | None = None
        self.best_state: dict[str, torch.Tensor] | None = None
        self.bad_epochs = 0

    def step(self, value: float, model: nn.Module, epoch: int) -> bool:
        """Record epoch ``epoch``'s monitored value; return True when training should stop."""
        score = -value if self.monitor == "val_acc" else value
        if score < self.best_score - self.min_delta:
            self.best_score, self.best_epoch, self.bad_epochs = score, epoch, 0
            if self.restore_best:
                self.best_state = copy.deepcopy(model.state_dict())
            return False
        self.bad_epochs += 1
        return self.bad_epochs >= self.patience


def _progress_enabled() -> bool:
    """Whether :func:`fit` shows a progress bar by default. Introduced in 00_setup_and_tour.

    On when running interactively (a Jupyter kernel or a terminal), off when the environment
    variable ``COURSE_PROGRESS`` is ``0``: the test configuration sets it, because a bar's timings
    would differ from run to run and break the comparison of stored outputs.
    """
    if os.environ.get("COURSE_PROGRESS", "") == "0":
        return False
    return "ipykernel" in sys.modules or sys.stderr.isatty()


def _model_device(device: torch.device | str | None, model: nn.Module) -> torch.device:
    if device is not None:
        return torch.device(device)
    parameter = next(model.parameters(), None)
    return parameter.device if parameter is not None else torch.device("cpu")


def _require_on(device: torch.device, inputs: torch.Tensor) -> None:
    # Loaders put batches on the device (BatchLoader(..., device=device)); fit does not move them again.
    if inputs.device.type != device.type:
        raise ValueError(f"the loader gives batches on {inputs.device} but the model is on {device}: "
                         f"build the loader with device={device.type!r}, e.g. BatchLoader(..., device=device)")


def set_batchnorm_eval(model: nn.Module) -> None:
    """Put every batch-norm layer of ``model`` in eval mode: its running statistics stay as they are
    (the pretrained ones) while the rest trains. Introduced in 06_transfer_learning.
    """
    door.module(model, "model")
    for module in model.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            module.eval()


@torch.no_grad()
def predict(
    model: nn.Module, loader: Batches, device: torch.device | str | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """All logits and labels of ``loader``, on the CPU, with the model in eval mode.
    Introduced in 02_cnn_training.
    """
    door.module(model, "model")
    door.iterable(loader, "loader", _BATCHES)
    device = _model_device(device, model)
    was_training = model.training
    model.eval()
    logits, labels = [], []
    for inputs, targets in loader:
        _require_on(device, inputs)
        logits.append(model(inputs).float().cpu())
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
    Introduced in 02_cnn_training. With multi-hot labels ``(N, K)`` (08_where_features_look) the
    accuracy is the share of the ``N x K`` present/absent answers that are right.
    """
    door.module(model, "model")
    door.iterable(loader, "loader", _BATCHES)
    if loss_fn is not None:
        door.function(loss_fn, "loss_fn")
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    logits, labels = predict(model, loader, device)
    return loss_fn(logits, labels).item(), _correct(logits, labels) / len(labels)


@torch.no_grad()
def image_accuracy(
    model: nn.Module, images: torch.Tensor, labels: torch.Tensor, batch_size: int = 500, channels_last: bool = False
) -> float:
    """Accuracy of ``model`` (eval mode) on uint8 ``images`` ``(N, C, H, W)`` normalized as the course
    does, in batches on the model's device. Introduced in 04_data_augmentation.
    """
    door.module(model, "model")
    door.tensor(images, "images", ndim=4, layout="(N, C, H, W)", dtype=torch.uint8)
    door.tensor(labels, "labels", ndim=1, layout="(N,)")
    device = _model_device(None, model)
    loader = BatchLoader(images, labels, batch_size, device=device, channels_last=channels_last)
    return evaluate(model, loader)[1]


def warmup_cosine(
    optimizer: torch.optim.Optimizer, total_steps: int, warmup_fraction: float = 0.25
) -> torch.optim.lr_scheduler.LambdaLR:
    """The course's learning-rate schedule, stepped once per optimizer step: a linear warm-up from
    almost 0 to the optimizer's rate over the first ``warmup_fraction`` of ``total_steps``, then a
    cosine decay to 0. Introduced in 02_cnn_training (written there; 03 onwards import it).
    """
    door.instance(optimizer, "optimizer", torch.optim.Optimizer, "a torch.optim optimizer")
    door.positive_int(total_steps, "total_steps")
    if not 0.0 <= warmup_fraction < 1.0:
        raise ValueError(f"warmup_fraction must be in [0, 1), got {warmup_fraction!r}")
    warmup = max(1, round(warmup_fraction * total_steps))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = min(1.0, (step - warmup) / max(1, total_steps - warmup))
        return 0.5 * (1.0 + math.cos(math.pi * progress))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _correct(logits: torch.Tensor, targets: torch.Tensor) -> float:
    """How many of ``targets`` the ``logits`` get right: class labels ``(N,)`` count a sample when its
    largest logit is its label; multi-hot targets ``(N, K)`` (08_where_features_look) count the share of
    the ``K`` yes/no answers (logit above 0 for "present") that are right, per sample."""
    if targets.ndim == 2:
        return ((logits > 0) == (targets > 0.5)).float().mean(1).sum().item()
    return (logits.argmax(1) == targets).sum().item()


def _train_one_epoch(model: nn.Module, loader: Batches, optimizer: torch.optim.Optimizer, loss_fn: Callable,
                     device: torch.device, history: History, penalty: Callable | None = None,
                     scheduler: torch.optim.lr_scheduler.LRScheduler | None = None) -> None:
    """One pass over ``loader`` in train mode; appends every step's loss and the epoch's train loss and
    accuracy to ``history``."""
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    for inputs, targets in loader:
        _require_on(device, inputs)
        optimizer.zero_grad(set_to_none=True)
        logits = model(inputs)
        loss = loss_fn(logits, targets)
        if penalty is not None:
            loss = loss + penalty(model)
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        step_loss = loss.item()
        history.step_loss.append(step_loss)
        total_loss += step_loss * len(targets)
        correct += _correct(logits.detach(), targets)
        seen += len(targets)
    if seen == 0:
        raise ValueError("train_loader yielded no batches")
    history.train_loss.append(total_loss / seen)
    history.train_acc.append(correct / seen)


def _progress_bar(progress: bool | None, epochs: int):
    """A tqdm bar over epochs when ``progress`` (default: :func:`_progress_enabled`), else None."""
    if not (progress if progress is not None else _progress_enabled()):
        return None
    from tqdm.auto import tqdm

    return tqdm(total=epochs, desc="epochs", unit="epoch", leave=False)


def _end_epoch(bar, history: History) -> None:
    """Tick the bar once and show the last losses on it."""
    if bar is None:
        return
    bar.update(1)
    extra = {"val_acc": f"{history.val_acc[-1]:.3f}"} if history.val_acc else {}
    bar.set_postfix(loss=f"{history.train_loss[-1]:.3f}", **extra)


def _should_stop(early_stopping: EarlyStopping | None, history: History, model: nn.Module, epoch: int) -> bool:
    if early_stopping is None:
        return False
    monitored = history.val_acc if early_stopping.monitor == "val_acc" else history.val_loss
    return early_stopping.step(monitored[-1], model, epoch)


def _restore_best(early_stopping: EarlyStopping | None, model: nn.Module, history: History) -> None:
    if early_stopping is not None:
        history.best_epoch = early_stopping.best_epoch
        if early_stopping.restore_best and early_stopping.best_state is not None:
            model.load_state_dict(early_stopping.best_state)


def _check_fit(model: nn.Module, train_loader: Batches, optimizer: torch.optim.Optimizer, epochs: int,
               val_loader: Batches | None, early_stopping: EarlyStopping | None,
               loss_fn: Callable | None, penalty: Callable | None) -> None:
    door.module(model, "model")
    door.iterable(train_loader, "train_loader", _BATCHES)
    door.require(hasattr(optimizer, "step") and hasattr(optimizer, "zero_grad"), "optimizer",
                 "a torch optimizer (e.g. torch.optim.AdamW(model.parameters()))", optimizer, TypeError)
    door.positive_int(epochs, "epochs")
    for name, value in (("loss_fn", loss_fn), ("penalty", penalty)):
        if value is not None:
            door.function(value, name)
    if val_loader is not None:
        door.iterable(val_loader, "val_loader", _BATCHES)
    if early_stopping is not None:
        door.instance(early_stopping, "early_stopping", EarlyStopping, "an EarlyStopping")
        if val_loader is None:
            raise ValueError("early_stopping needs a val_loader: stop on held-out data, never on the test set")


def fit(
    model: nn.Module, train_loader: Batches, optimizer: torch.optim.Optimizer, epochs: int,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None, val_loader: Batches | None = None,
    early_stopping: EarlyStopping | None = None, penalty: Callable[[nn.Module], torch.Tensor] | None = None,
    device: torch.device | str | None = None, progress: bool | None = None, verbose: bool = False,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None, history: History | None = None,
) -> History:
    """Train ``model`` with any torch optimizer for ``epochs`` passes over ``train_loader`` and return
    its :class:`History`. Introduced in 02_cnn_training.

    ``penalty(model)`` is added to the loss (e.g. an L1 or L2 term, 03_regularization).
    ``early_stopping`` needs ``val_loader``; the best weights are restored when it stops.
    ``scheduler`` is stepped after every optimizer step. Batches must already be on the model's
    device (the loader puts them there). ``progress`` shows a bar (default: on, unless
    ``COURSE_PROGRESS=0``); ``verbose`` prints one line per epoch. ``history``: the History of an
    earlier call to continue, so that one training can run in two cells (08_where_features_look).
    """
    _check_fit(model, train_loader, optimizer, epochs, val_loader, early_stopping, loss_fn, penalty)
    if history is not None:
        door.instance(history, "history", History, "the History returned by an earlier fit of the same model")
    device = _model_device(device, model)
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    history = history if history is not None else History()
    bar = _progress_bar(progress, epochs)
    try:
        for epoch in range(1, epochs + 1):
            _train_one_epoch(model, train_loader, optimizer, loss_fn, device, history, penalty, scheduler)
            if val_loader is not None:
                val_loss, val_acc = evaluate(model, val_loader, loss_fn, device)
                history.val_loss.append(val_loss)
                history.val_acc.append(val_acc)
            if verbose:
                _print_epoch(epoch, history)
            _end_epoch(bar, history)
            if _should_stop(early_stopping, history, model, epoch):
                history.stopped_early = True
                break
    finally:
        if bar is not None:
            bar.close()
    _restore_best(early_stopping, model, history)
    return history


def _print_epoch(epoch: int, history: History) -> None:
    line = f"epoch {epoch:>3}  train loss {history.train_loss[-1]:.4f}  train acc {100 * history.train_acc[-1]:.1f}%"
    if history.val_loss:
        line += f"  val loss {history.val_loss[-1]:.4f}  val acc {100 * history.val_acc[-1]:.1f}%"
    print(line)
