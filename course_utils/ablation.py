"""Ablations over seeds: named training configurations (optimizer, penalty, dropout, early stopping),
each trained on several seeds and summarized as mean ± std, and the label noise of the noisy-label
experiment. Introduced in 03_regularization.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import torch
import torch.nn as nn

from . import _validate as door
from .datasets.digits import DigitsSplit
from .loading import BatchLoader
from .models import MLP
from .penalties import flat_weights, weight_parameters
from .repro import seed_everything
from .training import EarlyStopping, History, evaluate, fit


def _channel_stats(images: torch.Tensor) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The course's normalization, (x/255 - 0.5) / 0.5, with one entry per channel."""
    return (0.5,) * images.shape[1], (0.5,) * images.shape[1]


@dataclass(frozen=True)
class Config:
    """One training recipe of the ablation. ``optimizer`` is ``"adam"`` (coupled: torch's Adam adds
    ``weight_decay * w`` to the gradient), ``"adamw"`` (decoupled) or ``"sgd"``. ``strength *
    penalty(model)`` is added to the loss (the notebook writes its L1 and L2 penalties);
    ``patience`` turns on early stopping on the validation split. Introduced in 03_regularization.
    """

    optimizer: str = "adam"
    lr: float = 1e-3
    weight_decay: float = 0.0
    penalty: Callable[[nn.Module], torch.Tensor] | None = None
    strength: float = 0.0
    dropout: float = 0.0
    patience: int | None = None

    def __post_init__(self) -> None:
        if self.optimizer not in ("adam", "adamw", "sgd"):
            raise ValueError(f"optimizer must be 'adam', 'adamw' or 'sgd', got {self.optimizer!r}")
        if min(self.lr, self.weight_decay, self.strength) < 0 or self.lr == 0:
            raise ValueError("lr must be > 0 and weight_decay, strength >= 0")
        if self.strength and self.penalty is None:
            raise ValueError("strength needs a penalty: Config(penalty=l2_penalty, strength=1e-3)")

    def loss_term(self) -> Callable[[nn.Module], torch.Tensor] | None:
        """``model -> strength * penalty(model)``, or ``None`` when there is no penalty."""
        if self.penalty is None or not self.strength:
            return None
        penalty, strength = self.penalty, self.strength
        return lambda model: strength * penalty(model)

    def make_optimizer(self, model: nn.Module) -> torch.optim.Optimizer:
        # Decay only the weights, like the penalties: biases are left alone.
        weights = weight_parameters(model)
        ids = {id(w) for w in weights}
        others = [p for p in model.parameters() if id(p) not in ids]
        groups = [{"params": weights, "weight_decay": self.weight_decay}, {"params": others, "weight_decay": 0.0}]
        cls = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "sgd": torch.optim.SGD}[self.optimizer]
        return cls(groups, lr=self.lr)


@dataclass
class Run:
    """One (config, seed) training run. Introduced in 03_regularization."""

    seed: int
    history: History
    train_acc: float
    test_acc: float
    weights: torch.Tensor

    @property
    def gap(self) -> float:
        return self.train_acc - self.test_acc


@dataclass
class AblationResult:
    """All runs of :func:`run_ablation`, by config name. Introduced in 03_regularization."""

    configs: dict[str, Config]
    runs: dict[str, list[Run]] = field(default_factory=dict)

    def table(self) -> list[dict[str, float]]:
        """One row per config: mean and std (over seeds) of test accuracy and train-test gap,
        in percentage points."""
        rows = []
        for name, runs in self.runs.items():
            test = [100 * r.test_acc for r in runs]
            gap = [100 * r.gap for r in runs]
            rows.append({
                "config": name, "seeds": len(runs),
                "test_mean": statistics.mean(test), "test_std": statistics.stdev(test) if len(test) > 1 else 0.0,
                "gap_mean": statistics.mean(gap), "gap_std": statistics.stdev(gap) if len(gap) > 1 else 0.0,
            })
        return rows

    def mean_test_acc(self, name: str) -> float:
        """Mean test accuracy (fraction) of config ``name`` over its seeds."""
        if name not in self.runs:
            raise KeyError(f"no config named {name!r}; have {list(self.runs)}")
        return statistics.mean(r.test_acc for r in self.runs[name])

    def merge(self, other: "AblationResult") -> "AblationResult":
        """A new result holding the runs of both (names must not clash)."""
        clash = set(self.runs) & set(other.runs)
        if clash:
            raise ValueError(f"config names appear in both results: {sorted(clash)}")
        return AblationResult({**self.configs, **other.configs}, {**self.runs, **other.runs})


def _train_one(config: Config, seed: int, data: DigitsSplit, epochs: int, batch_size: int,
               model_fn: Callable[[float], nn.Module]) -> Run:
    seed_everything(seed)
    mean, std = _channel_stats(data.train_images)
    channels_last = data.train_images.shape[-1] > 8  # conv nets on real-size images run faster so
    model = model_fn(config.dropout)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    optimizer = config.make_optimizer(model)

    def loader(images: torch.Tensor, labels: torch.Tensor, size: int, shuffle: bool = False) -> BatchLoader:
        return BatchLoader(images, labels, size, shuffle=shuffle, seed=seed, mean=mean, std=std,
                           channels_last=channels_last)

    stopper = EarlyStopping(patience=config.patience) if config.patience else None
    history = fit(model, loader(data.train_images, data.train_labels, batch_size, shuffle=True), optimizer, epochs,
                  val_loader=loader(data.val_images, data.val_labels, 500), early_stopping=stopper,
                  penalty=config.loss_term(), progress=False)
    _, train_acc = evaluate(model, loader(data.train_images, data.train_labels, 500))
    _, test_acc = evaluate(model, loader(data.test_images, data.test_labels, 500))
    return Run(seed, history, train_acc, test_acc, flat_weights(model))


_PARTS = ("train", "val", "test")


def run_ablation(
    configs: Mapping[str, Config],
    seeds: Sequence[int],
    data: DigitsSplit,
    epochs: int = 100,
    batch_size: int = 35,
    hidden: int = 256,
    model_fn: Callable[[float], nn.Module] | None = None,
) -> AblationResult:
    """Train every config once per seed on ``data`` and collect the runs. Introduced in
    03_regularization.

    Every run trains a fresh ``model_fn(dropout)`` (default: a two-layer
    :class:`~course_utils.models.MLP` with ``hidden`` units each, sized to ``data``'s images) on
    ``data``'s training images and reports the validation split each epoch (``history.val_*``);
    only configs with ``patience`` *act* on it (early stopping). Train and test accuracy are
    measured at the end, in eval mode (no dropout). Seeds fix the initialization, dropout masks and
    batch order, so results repeat exactly.
    """
    door.mapping(configs, "configs", "a dict {name: Config}")
    door.integers(seeds, "seeds", "a list of seeds (ints >= 0)", low=0)
    door.require(all(hasattr(data, f"{part}_{kind}") for part in _PARTS for kind in ("images", "labels")),
                 "data", "a DigitsSplit (e.g. small_photo_digits())", data, TypeError)
    door.integer(epochs, "epochs", low=1)
    door.integer(batch_size, "batch_size", low=1)
    if not configs:
        raise ValueError("configs is empty: pass {name: Config(...)}")
    if len(seeds) < 1:
        raise ValueError("seeds is empty: pass at least one seed (three or more to report a spread)")
    for name, config in configs.items():
        if not isinstance(config, Config):
            raise TypeError(f"config {name!r} must be a Config, got {type(config).__name__}")
    if model_fn is None:
        channels, size = data.train_images.shape[1], data.train_images.shape[-1]

        def model_fn(dropout: float) -> nn.Module:
            return MLP(image_size=size, in_channels=channels, hidden=(hidden, hidden), dropout=dropout)

    result = AblationResult(dict(configs))
    for name, config in configs.items():
        result.runs[name] = [_train_one(config, s, data, epochs, batch_size, model_fn) for s in seeds]
    return result


def flip_labels(labels: torch.Tensor, fraction: float, num_classes: int = 10, seed: int = 0) -> torch.Tensor:
    """A copy of ``labels`` in which exactly ``round(fraction * len(labels))`` entries, chosen at
    random, are replaced by a *different* class drawn uniformly from the other ``num_classes - 1``
    (symmetric label noise, 标签噪声). Deterministic for a given ``seed``; ``labels`` is not modified.
    Introduced in 03_regularization.

    Raises ValueError when ``labels`` is not a 1-D integer tensor of classes in ``[0, num_classes)``,
    or when ``fraction`` is outside ``[0, 1]``.
    """
    if not isinstance(labels, torch.Tensor) or labels.ndim != 1 or labels.is_floating_point():
        raise ValueError("labels must be a 1-D integer tensor of class indices, e.g. data.train_labels")
    if num_classes < 2:
        raise ValueError(f"num_classes must be >= 2 so that a wrong class exists, got {num_classes}")
    if labels.numel() and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must lie in [0, {num_classes}); pass the right num_classes")
    door.number(fraction, "fraction")
    door.integer(num_classes, "num_classes")
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must be in [0, 1] (0.3 flips 30% of the labels), got {fraction}")
    generator = torch.Generator().manual_seed(seed)
    n_flip = round(fraction * len(labels))
    idx = torch.randperm(len(labels), generator=generator)[:n_flip]
    shift = torch.randint(1, num_classes, (n_flip,), generator=generator)  # 1..C-1: never the true class
    noisy = labels.clone()
    noisy[idx] = (labels[idx] + shift) % num_classes
    return noisy
