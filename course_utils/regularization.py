"""Regularization ablations: penalties, a small-data digits task, a multi-seed runner and its plots.

Introduced in 03_regularization.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Sequence

import matplotlib.pyplot as plt
import torch
import torch.nn as nn

from .claims import measured
from .loading import BatchLoader
from .plotting import FIGURE_DPI, SMALL_FONT
from .repro import seed_everything
from .training import EarlyStopping, History, evaluate, fit

__all__ = [
    "weight_parameters", "l1_penalty", "l2_penalty", "near_zero_fraction", "flat_weights",
    "DigitsSplit", "small_digits", "small_photo_digits", "flip_labels", "make_mlp", "make_cnn", "Config", "Run", "AblationResult", "run_ablation",
    "format_table", "plot_results", "plot_weight_histograms", "plot_curves", "curve_explorer",
]


def _channel_stats(images: torch.Tensor) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The course's normalization, (x/255 - 0.5) / 0.5, with one entry per channel."""
    return (0.5,) * images.shape[1], (0.5,) * images.shape[1]


# ----------------------------------------------------------------------------- penalties
def weight_parameters(model: nn.Module) -> list[torch.Tensor]:
    """The weight matrices / kernels of ``model`` (parameters named ``*weight`` with 2 or more
    dimensions): biases and normalization scales are left out. Introduced in 03_regularization.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return [p for name, p in model.named_parameters() if name.endswith("weight") and p.ndim >= 2]


def l1_penalty(model: nn.Module) -> torch.Tensor:
    """``sum |w|`` over the weights of ``model`` (not the biases); multiply by a strength
    before adding it to the loss. Introduced in 03_regularization.
    """
    weights = weight_parameters(model)
    if not weights:
        raise ValueError("model has no weight matrices to penalize")
    return sum(w.abs().sum() for w in weights)


def l2_penalty(model: nn.Module) -> torch.Tensor:
    """``(1/2) sum w^2`` over the weights of ``model`` (not the biases). The 1/2 makes its
    gradient exactly ``w``, so ``lam * l2_penalty`` matches SGD weight decay ``lam``.
    Introduced in 03_regularization.
    """
    weights = weight_parameters(model)
    if not weights:
        raise ValueError("model has no weight matrices to penalize")
    return 0.5 * sum(w.pow(2).sum() for w in weights)


def flat_weights(model: nn.Module) -> torch.Tensor:
    """All weights of ``model`` (not biases) as one detached 1-D CPU tensor. Introduced in 03_regularization."""
    return torch.cat([w.detach().flatten().cpu() for w in weight_parameters(model)])


def near_zero_fraction(weights: torch.Tensor, threshold: float = 1e-3) -> float:
    """Fraction of entries with ``|w| < threshold``. Introduced in 03_regularization."""
    if not isinstance(weights, torch.Tensor) or weights.numel() == 0:
        raise ValueError("weights must be a non-empty tensor")
    if threshold <= 0:
        raise ValueError(f"threshold must be > 0, got {threshold}")
    return (weights.abs() < threshold).float().mean().item()


# ----------------------------------------------------------------------------- data and model
@dataclass(frozen=True)
class DigitsSplit:
    """Digit images as uint8 ``(N, C, H, W)`` (scikit-learn's 8x8 digits from :func:`small_digits`,
    or the course's 32x32 photo digits from :func:`small_photo_digits`), split into a small
    training set, a validation split carved from the labelled pool, and a large test set.
    Introduced in 03_regularization.
    """

    train_images: torch.Tensor
    train_labels: torch.Tensor
    val_images: torch.Tensor
    val_labels: torch.Tensor
    test_images: torch.Tensor
    test_labels: torch.Tensor

    def __repr__(self) -> str:
        return (f"DigitsSplit(train={len(self.train_labels)}, val={len(self.val_labels)}, "
                f"test={len(self.test_labels)}, images {tuple(self.train_images.shape[1:])} uint8)")


def _require_balanced_sizes(n_train: int, n_val: int) -> None:
    if n_train < 10 or n_val < 10 or n_train % 10 or n_val % 10:
        raise ValueError(f"n_train and n_val must be positive multiples of 10 (balanced classes), got {n_train} and {n_val}")


def _balanced_split(labels: torch.Tensor, n_train: int, n_val: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Sorted indices of ``n_train // 10`` training and ``n_val // 10`` validation items per class,
    disjoint, drawn in a seeded random order."""
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))
    train, val = [], []
    for c in range(10):
        members = order[labels[order] == c]
        train.append(members[: n_train // 10])
        val.append(members[n_train // 10 : (n_train + n_val) // 10])
    return torch.cat(train).sort().values, torch.cat(val).sort().values


def small_digits(n_train: int = 70, n_val: int = 30, seed: int = 0) -> DigitsSplit:
    """A small-data split of scikit-learn's digits (1,797 real handwritten digits): ``n_train``
    training and ``n_val`` validation images (both balanced over the 10 classes), all the other
    images as the test set. Pixels 0..16 become uint8 0..255. Introduced in 03_regularization.
    """
    from sklearn.datasets import load_digits

    _require_balanced_sizes(n_train, n_val)
    digits = load_digits()
    images = torch.from_numpy((digits.images * 255 / 16).round()).to(torch.uint8).unsqueeze(1)
    labels = torch.from_numpy(digits.target).long()
    train_idx, val_idx = _balanced_split(labels, n_train, n_val, seed)
    used = torch.zeros(len(labels), dtype=torch.bool)
    used[train_idx] = used[val_idx] = True
    test_idx = (~used).nonzero().squeeze(1)
    return DigitsSplit(images[train_idx], labels[train_idx], images[val_idx], labels[val_idx],
                       images[test_idx], labels[test_idx])


def small_photo_digits(n_train: int = 500, n_val: int = 200, seed: int = 0, root=None) -> DigitsSplit:
    """A small-data split of the course's ``photo_digits`` (real handwritten digits on real photos,
    32x32 RGB): ``n_train`` training and ``n_val`` validation images, both balanced over the 10
    classes and drawn without overlap from its training pool, and its whole test split (new writers,
    new photo regions) as the test set. Introduced in 03_regularization.
    """
    from .data import load_dataset

    _require_balanced_sizes(n_train, n_val)
    full = load_dataset("photo_digits", root=root)
    per_class = torch.bincount(full.train_labels, minlength=10).min().item()
    if (n_train + n_val) // 10 > per_class:
        raise ValueError(f"n_train + n_val asks for {(n_train + n_val) // 10} images per class; photo_digits has {per_class}")
    train_idx, val_idx = _balanced_split(full.train_labels, n_train, n_val, seed)
    return DigitsSplit(full.train_images[train_idx], full.train_labels[train_idx].long(),
                       full.train_images[val_idx], full.train_labels[val_idx].long(),
                       full.test_images, full.test_labels.long())


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
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must be in [0, 1] (0.3 flips 30% of the labels), got {fraction}")
    generator = torch.Generator().manual_seed(seed)
    n_flip = round(fraction * len(labels))
    idx = torch.randperm(len(labels), generator=generator)[:n_flip]
    shift = torch.randint(1, num_classes, (n_flip,), generator=generator)  # 1..C-1: never the true class
    noisy = labels.clone()
    noisy[idx] = (labels[idx] + shift) % num_classes
    return noisy


def make_mlp(hidden: int = 256, dropout: float = 0.0, in_features: int = 64, num_classes: int = 10) -> nn.Sequential:
    """A two-hidden-layer MLP (big for 70 images, so it overfits) with optional dropout after
    each hidden layer. Introduced in 03_regularization.
    """
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(in_features, hidden), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(hidden, num_classes),
    )


def make_cnn(width: int = 16, hidden: int = 128, dropout: float = 0.0, in_channels: int = 3,
             image_size: int = 32, num_classes: int = 10) -> nn.Sequential:
    """A compact CNN for 32x32 images: two conv-ReLU-maxpool blocks (``width`` and ``2 * width``
    channels) extract features, then a fully connected head (``hidden`` units) classifies them.
    Dropout (probability ``dropout``) acts on the flattened features and on the hidden units: the
    head holds most of the weights, so that is where a small training set is memorized.
    Introduced in 03_regularization.
    """
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    if image_size % 4:
        raise ValueError(f"image_size must be divisible by 4 (two 2x2 poolings), got {image_size}")
    if width < 1 or hidden < 1:
        raise ValueError(f"width and hidden must be positive, got {width} and {hidden}")
    return nn.Sequential(
        nn.Conv2d(in_channels, width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(width, 2 * width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(dropout),
        nn.Linear(2 * width * (image_size // 4) ** 2, hidden), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(hidden, num_classes),
    )


# ----------------------------------------------------------------------------- ablation runner
@dataclass(frozen=True)
class Config:
    """One training recipe of the ablation. ``optimizer`` is ``"adam"`` (coupled: torch's Adam adds
    ``weight_decay * w`` to the gradient) or ``"adamw"`` (decoupled). ``l1``/``l2`` scale
    :func:`l1_penalty` / :func:`l2_penalty`; ``patience`` turns on early stopping on the validation
    split. Introduced in 03_regularization.
    """

    optimizer: str = "adam"
    lr: float = 1e-3
    weight_decay: float = 0.0
    l1: float = 0.0
    l2: float = 0.0
    dropout: float = 0.0
    patience: int | None = None

    def __post_init__(self) -> None:
        if self.optimizer not in ("adam", "adamw", "sgd"):
            raise ValueError(f"optimizer must be 'adam', 'adamw' or 'sgd', got {self.optimizer!r}")
        if min(self.lr, self.weight_decay, self.l1, self.l2) < 0 or self.lr == 0:
            raise ValueError("lr must be > 0 and weight_decay, l1, l2 >= 0")

    def penalty(self) -> Callable[[nn.Module], torch.Tensor] | None:
        if not self.l1 and not self.l2:
            return None
        l1, l2 = self.l1, self.l2
        return lambda model: (l1 * l1_penalty(model) if l1 else 0.0) + (l2 * l2_penalty(model) if l2 else 0.0)

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
        return BatchLoader(images, labels, size, shuffle=shuffle, seed=seed, mean=mean, std=std, channels_last=channels_last)

    stopper = EarlyStopping(patience=config.patience) if config.patience else None
    history = fit(model, loader(data.train_images, data.train_labels, batch_size, shuffle=True), optimizer, epochs,
                  val_loader=loader(data.val_images, data.val_labels, 500), early_stopping=stopper,
                  penalty=config.penalty(), progress=False)
    _, train_acc = evaluate(model, loader(data.train_images, data.train_labels, 500))
    _, test_acc = evaluate(model, loader(data.test_images, data.test_labels, 500))
    return Run(seed, history, train_acc, test_acc, flat_weights(model))


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

    Every run trains a fresh ``model_fn(dropout)`` (default: :func:`make_mlp` with ``hidden``
    units, sized to ``data``'s images) on ``data``'s training images and reports the
    validation split each epoch (``history.val_*``); only configs with ``patience`` *act* on it
    (early stopping). Train and test accuracy are measured at the end, in eval mode (no dropout).
    Seeds fix the initialization, dropout masks and batch order, so results repeat exactly.
    """
    if not configs:
        raise ValueError("configs is empty: pass {name: Config(...)}")
    if len(seeds) < 1:
        raise ValueError("seeds is empty: pass at least one seed (three or more to report a spread)")
    for name, config in configs.items():
        if not isinstance(config, Config):
            raise TypeError(f"config {name!r} must be a Config, got {type(config).__name__}")
    if model_fn is None:
        in_features = data.train_images[0].numel()

        def model_fn(dropout: float) -> nn.Module:
            return make_mlp(hidden=hidden, dropout=dropout, in_features=in_features)

    result = AblationResult(dict(configs))
    for name, config in configs.items():
        result.runs[name] = [_train_one(config, s, data, epochs, batch_size, model_fn) for s in seeds]
    return result


# ----------------------------------------------------------------------------- reporting
def format_table(result: AblationResult) -> str:
    """The results table as text: mean ± std of test accuracy and of the train-test gap
    (percentage points). Every number is a float32 training result, so it is printed as a
    measured value (``≈``, see :func:`course_utils.claims.measured`). Introduced in 03_regularization."""
    rows = result.table()
    width = max(len("config"), *(len(r["config"]) for r in rows))
    lines = [f"{'config':<{width}}  seeds  test acc (%)  train-test gap (pts)"]
    for r in rows:
        lines.append(f"{r['config']:<{width}}  {r['seeds']:>5}  {measured(r['test_mean'])} ± {measured(r['test_std'])}  "
                     f"{measured(r['gap_mean'])} ± {measured(r['gap_std'])}")
    return "\n".join(lines)


def plot_results(result: AblationResult, title: str = "Regularization ablation (mean ± std over seeds)") -> None:
    """Error bars of test accuracy and train-test gap per config. Introduced in 03_regularization."""
    rows = result.table()
    names = [r["config"] for r in rows]
    y = list(range(len(rows)))
    fig, (ax_acc, ax_gap) = plt.subplots(1, 2, figsize=(8.5, 0.35 * len(rows) + 1.6), dpi=FIGURE_DPI, sharey=True)
    ax_acc.errorbar([r["test_mean"] for r in rows], y, xerr=[r["test_std"] for r in rows], fmt="o", capsize=3)
    ax_gap.errorbar([r["gap_mean"] for r in rows], y, xerr=[r["gap_std"] for r in rows], fmt="o", color="C3", capsize=3)
    ax_acc.axvline(rows[0]["test_mean"], color="grey", linestyle=":", linewidth=1)
    ax_gap.axvline(rows[0]["gap_mean"], color="grey", linestyle=":", linewidth=1)
    ax_acc.set_yticks(y, names)
    ax_acc.invert_yaxis()
    ax_acc.set(xlabel="test accuracy (%)", title="test accuracy (higher is better)")
    ax_gap.set(xlabel="train - test accuracy (points)", title="generalization gap (lower is better)")
    fig.suptitle(title)
    fig.tight_layout()
    plt.show()


def plot_weight_histograms(weights: Mapping[str, torch.Tensor], threshold: float = 1e-3,
                           title: str = "Weights after training (all layers, biases excluded)") -> None:
    """Histogram of the weights of each model, log-scaled counts, with the near-zero band
    ``|w| < threshold`` marked. Introduced in 03_regularization."""
    if not weights:
        raise ValueError("weights is empty: pass {label: flat weight tensor}")
    fig, axes = plt.subplots(1, len(weights), figsize=(2.9 * len(weights), 2.8), dpi=FIGURE_DPI, sharey=True)
    axes = [axes] if len(weights) == 1 else list(axes)
    for ax, (label, w) in zip(axes, weights.items()):
        ax.hist(w.numpy(), bins=101, range=(-0.3, 0.3), color="C0")
        ax.axvspan(-threshold, threshold, color="C3", alpha=0.3)
        ax.set_yscale("log")
        ax.set(title=f"{label}: {100 * near_zero_fraction(w, threshold):.0f}% near 0", xlabel="weight value")
    axes[0].set_ylabel("count (log scale)")
    fig.suptitle(title)
    fig.tight_layout()
    plt.show()


def plot_curves(result: AblationResult, names: Iterable[str], seed_index: int = 0,
                title: str = "Learning curves (train solid, validation dashed)") -> None:
    """Train and validation accuracy per epoch of the chosen configs (one seed). Introduced in
    03_regularization."""
    names = list(names)
    if not names:
        raise ValueError("pick at least one configuration")
    fig, ax = plt.subplots(figsize=(7, 3.4), dpi=FIGURE_DPI)
    for i, name in enumerate(names):
        if name not in result.runs:
            raise KeyError(f"no config named {name!r}; have {list(result.runs)}")
        h = result.runs[name][seed_index].history
        epochs = range(1, h.epochs + 1)
        ax.plot(epochs, [100 * a for a in h.train_acc], color=f"C{i}", label=f"{name} train")
        ax.plot(epochs, [100 * a for a in h.val_acc], color=f"C{i}", linestyle="--", label=f"{name} val")
        if h.best_epoch is not None:
            ax.axvline(h.best_epoch, color=f"C{i}", linestyle=":", linewidth=1)
    ax.set(xlabel="epoch", ylabel="accuracy (%)", title=title)
    ax.legend(fontsize=SMALL_FONT, ncol=2)
    fig.tight_layout()
    plt.show()


def curve_explorer(result: AblationResult, initial: Sequence[str] = ()):
    """An ipywidgets control: pick configurations (ctrl/shift-click) and a seed, see their learning
    curves. Returns the widget; :func:`plot_curves` draws the same figure statically.
    Introduced in 03_regularization.
    """
    import ipywidgets as widgets

    names = list(result.runs)
    initial = tuple(initial) or tuple(names[:2])
    n_seeds = min(len(r) for r in result.runs.values())
    picker = widgets.SelectMultiple(options=names, value=initial, rows=min(len(names), 10), description="configs")
    seed = widgets.IntSlider(value=0, min=0, max=n_seeds - 1, description="seed #")
    out = widgets.Output()

    def redraw(_change=None) -> None:
        # Drawn on interaction only: an eager first draw would leak a figure into the stored outputs
        # when the notebook runs headless (nbval does not route Output-widget captures).
        with out:
            out.clear_output(wait=True)
            if picker.value:
                plot_curves(result, picker.value, seed.value)

    picker.observe(redraw, names="value")
    seed.observe(redraw, names="value")
    hint = widgets.Label("change the selection or the seed to draw the curves")
    return widgets.VBox([widgets.HBox([picker, seed]), hint, out])
