"""Every static figure of the course: learning curves, labelled image grids, confusion matrices (drawn
in :mod:`course_utils._figures`, public here), and each notebook's own figures (one section per
notebook, in course order). Heat maps use viridis; lines that differ in colour also differ in marker
or line style.

Helpers call ``plt.show()`` themselves and return nothing, so a cell that ends with one shows
the figure once and no ``<Figure ...>`` repr leaks into stored outputs. Introduced in 00_setup_and_tour.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Callable, Iterable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

from . import _validate as door
from ._figures import (
    _LINESTYLES,
    _MARKERS,
    _SMALL_FONT,
    FIGURE_DPI,
    _to_display,
    marker_every,
)
from .augment import _DEFAULT_SETTINGS, _augment_photo
from .checks import _require_videos
from .penalties import near_zero_fraction
from .shift import ShiftSpec

if TYPE_CHECKING:
    from .ablation import AblationResult

# --------------------------------------------------------------------------------------------------
# 01_cross_entropy: loss curves and gradients


def plot_curves(
    x: torch.Tensor | Sequence[float],
    curves: Mapping[str, torch.Tensor | Sequence[float]],
    title: str,
    xlabel: str,
    ylabel: str,
    logy: bool = False,
    hline: tuple[float, str] | None = None,
    figsize: tuple[float, float] = (5.5, 3.2),
) -> None:
    """One line per ``{label: y}`` against ``x`` (log scale on y when ``logy``), with an optional
    labelled horizontal line ``(value, label)``. Calls ``plt.show()``. Introduced in 01_cross_entropy.
    """
    door.tensor_like(x, "x")
    door.mapping(curves, "curves", "a dict {label: values}")
    for name, value in (("title", title), ("xlabel", xlabel), ("ylabel", ylabel)):
        door.text(value, name)
    if not curves:
        raise ValueError("curves is empty: pass {label: values}")
    x = np.asarray(torch.as_tensor(x).detach().cpu(), dtype=float)
    fig, ax = plt.subplots(figsize=figsize, dpi=FIGURE_DPI)
    for i, (label, values) in enumerate(curves.items()):
        values = np.asarray(torch.as_tensor(values).detach().cpu(), dtype=float)
        if values.shape != x.shape:
            raise ValueError(f"curve {label!r} has shape {values.shape}, x has shape {x.shape}")
        ax.plot(x, values, label=label, linestyle=_LINESTYLES[i % len(_LINESTYLES)])  # not told apart by colour alone
    if hline is not None:
        ax.axhline(hline[0], color="grey", linestyle=":", label=hline[1])
    if logy:
        ax.set_yscale("log")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=_SMALL_FONT)
    fig.tight_layout()
    plt.show()


def plot_gradients(
    z: torch.Tensor, curves: Mapping[str, torch.Tensor], title: str = "Gradient magnitude vs logit"
) -> None:
    """``|d loss / d z|`` of each loss against the logit ``z``, on a log scale. Introduced in
    01_cross_entropy.
    """
    door.tensor_like(z, "z")
    door.require(torch.as_tensor(z).ndim == 1, "z", "a 1-D tensor of logits", z)
    door.mapping(curves, "curves", "a dict {label: gradient values}")
    return plot_curves(z, {k: torch.as_tensor(v).abs() for k, v in curves.items()}, title,
                       xlabel="logit z (true label y = 1)", ylabel="|dℓ/dz| (log scale)", logy=True)


# --------------------------------------------------------------------------------------------------
# 02_cnn_training: filters and feature maps


def plot_filters(weight: torch.Tensor, title: str = "First-layer filters", ncols: int = 8) -> None:
    """Show the filters of a first convolution layer, ``weight`` of shape ``(out, 3, k, k)``, as
    small RGB images (each filter rescaled to [0, 1] on its own). Introduced in 02_cnn_training.
    """
    if not isinstance(weight, torch.Tensor) or weight.ndim != 4 or weight.shape[1] not in (1, 3):
        shape = tuple(weight.shape) if isinstance(weight, torch.Tensor) else type(weight).__name__
        raise ValueError(f"weight must have shape (out_channels, 1 or 3, k, k) (a first layer's), got {shape}")
    w = weight.detach().cpu().float()
    low = w.amin(dim=(1, 2, 3), keepdim=True)
    high = w.amax(dim=(1, 2, 3), keepdim=True)
    w = (w - low) / (high - low).clamp_min(1e-12)
    if w.shape[1] == 1:
        w = w.expand(-1, 3, -1, -1)
    n = len(w)
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(0.85 * ncols, 0.85 * nrows + 0.5), dpi=FIGURE_DPI,
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(w[i].permute(1, 2, 0).numpy(), interpolation="nearest")
            ax.set_title(str(i), fontsize=_SMALL_FONT)
    fig.suptitle(title)
    fig.tight_layout()
    plt.show()


def plot_feature_maps(maps: dict[str, torch.Tensor], n_maps: int = 8, title: str = "Feature maps") -> None:
    """One row per layer: the first ``n_maps`` channels of the first image of each ``(N, C, H, W)``
    tensor in ``maps`` (e.g. from :func:`feature_maps`), in grey levels, with the map size in the row
    label. Introduced in 02_cnn_training.
    """
    door.mapping(maps, "maps", "a dict {layer name: (N, C, H, W) tensor}")
    door.integer(n_maps, "n_maps", low=1)
    if not maps:
        raise ValueError("maps is empty: pass {layer name: (N, C, H, W) tensor}, e.g. from feature_maps()")
    for name, tensor in maps.items():
        if tensor.ndim != 4:
            raise ValueError(f"feature map {name!r} must have shape (N, C, H, W), got {tuple(tensor.shape)}")
    ncols = min(n_maps, max(t.shape[1] for t in maps.values()))
    fig, axes = plt.subplots(len(maps), ncols, figsize=(0.95 * ncols + 1.0, 1.1 * len(maps) + 0.4),
                             dpi=FIGURE_DPI, squeeze=False)
    for row, (name, tensor) in enumerate(maps.items()):
        for col in range(ncols):
            ax = axes[row, col]
            ax.set_xticks([])
            ax.set_yticks([])
            if col < tensor.shape[1]:
                ax.imshow(tensor[0, col].numpy(), cmap="gray", interpolation="nearest")
            else:
                ax.axis("off")
            if col == 0:
                ax.set_ylabel(f"{name}\n{tensor.shape[2]}x{tensor.shape[3]}", fontsize=_SMALL_FONT)
            if row == 0:
                ax.set_title(f"ch {col}", fontsize=_SMALL_FONT)
    fig.suptitle(title)
    fig.tight_layout()
    plt.show()


# --------------------------------------------------------------------------------------------------
# 03_regularization: ablation results, weight histograms, learning curves


def _require_ablation(result: AblationResult) -> None:
    door.require(hasattr(result, "runs") and hasattr(result, "table"), "result",
                 "an AblationResult (from run_ablation)", result, TypeError)


def plot_weight_histograms(weights: Mapping[str, torch.Tensor], threshold: float = 1e-3,
                           title: str = "Weights after training (all layers, biases excluded)") -> None:
    """Histogram of the weights of each model, log-scaled counts, with the near-zero band
    ``|w| < threshold`` marked. Introduced in 03_regularization."""
    door.mapping(weights, "weights", "a dict {label: flat weight tensor}")
    door.require(all(isinstance(w, torch.Tensor) for w in weights.values()), "weights",
                 "a dict {label: flat weight tensor}", weights, TypeError)
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


def _plot_ablation_curves(result: AblationResult, names: Iterable[str], seed_index: int = 0,
                title: str = "Learning curves (train solid, validation dashed)") -> None:
    """Train and validation accuracy per epoch of the chosen configs (one seed). Introduced in
    03_regularization."""
    _require_ablation(result)
    door.iterable(names, "names", "a list of configuration names")
    door.integer(seed_index, "seed_index", low=0)
    names = list(names)
    if not names:
        raise ValueError("pick at least one configuration")
    fig, ax = plt.subplots(figsize=(7, 3.4), dpi=FIGURE_DPI)
    for i, name in enumerate(names):
        if name not in result.runs:
            raise KeyError(f"no config named {name!r}; have {list(result.runs)}")
        h = result.runs[name][seed_index].history
        epochs = range(1, h.epochs + 1)
        style = {"color": f"C{i}", "marker": _MARKERS[i % len(_MARKERS)], "markersize": 4,
                 "markevery": marker_every(h.epochs)}  # each config its own colour and marker
        ax.plot(epochs, [100 * a for a in h.train_acc], label=f"{name} train", **style)
        ax.plot(epochs, [100 * a for a in h.val_acc], linestyle="--", label=f"{name} val", **style)
        if h.best_epoch is not None:
            ax.axvline(h.best_epoch, color=f"C{i}", linestyle=":", linewidth=1)
    ax.set(xlabel="epoch", ylabel="accuracy (%)", title=title)
    ax.legend(fontsize=_SMALL_FONT, ncol=2)
    fig.tight_layout()
    plt.show()


# --------------------------------------------------------------------------------------------------
# 04_data_augmentation: parameter sweeps and accuracy against shift


def plot_sweep(
    image: torch.Tensor,
    make_transform: Callable[[float], Callable[[torch.Tensor], torch.Tensor]],
    values: Sequence[float],
    title: str,
    value_label: Callable[[float], str] = lambda v: f"{v:g}",
    size: float = 1.5,
) -> None:
    """One row: ``make_transform(v)(image)`` for each parameter value ``v`` (e.g. a
    ``torchvision.transforms.v2`` transform built with that value). ``image`` is ``(C, H, W)``
    uint8. Introduced in 04_data_augmentation.
    """
    if not isinstance(image, torch.Tensor) or image.ndim != 3:
        raise ValueError(f"image must be one (C, H, W) tensor, got {getattr(image, 'shape', type(image).__name__)}")
    door.function(make_transform, "make_transform")
    door.sequence(values, "values", "a list of parameter values")
    door.text(title, "title")
    door.function(value_label, "value_label")
    if len(values) == 0:
        raise ValueError("values is empty: give the parameter values to sweep")
    outputs = torch.stack([make_transform(v)(image) for v in values])
    pixels = _to_display(outputs)
    fig, axes = plt.subplots(1, len(values), figsize=(size * len(values), size + 0.5), dpi=FIGURE_DPI, squeeze=False)
    for ax, v, px in zip(axes[0], values, pixels):
        ax.imshow(px.numpy())
        ax.set_title(value_label(v), fontsize=_SMALL_FONT)
        ax.axis("off")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    plt.show()


def plot_accuracy_vs_shift(
    results: Mapping[str, Mapping[str, Sequence[float]]],
    levels: Sequence[int],
    spec: ShiftSpec = ShiftSpec(),
    title: str = "Accuracy under distribution shift",
) -> None:
    """One panel per shift kind, one line per model: accuracy (%) against shift level.
    ``results[model][kind]`` lists accuracies (fractions) per level. Introduced in
    04_data_augmentation.
    """
    door.mapping(results, "results", "a dict {model: {kind: [accuracy per level]}}")
    door.require(all(hasattr(r, "keys") for r in results.values()), "results",
                 "a dict {model: {kind: [accuracy per level]}}", results, TypeError)
    door.sequence(levels, "levels", "a list of shift levels")
    if not results:
        raise ValueError("results is empty: pass {model: {kind: [accuracy per level]}}")
    kinds = list(next(iter(results.values())))
    units = {
        "rotation": lambda k: f"{spec.degrees * k:g}°",
        "translation": lambda k: f"{spec.pixels * k:g}px",
        "scale": lambda k: f"±{spec.zoom * k:.2g}",
        "combined": lambda k: str(k),
    }
    fig, axes = plt.subplots(1, len(kinds), figsize=(2.6 * len(kinds), 3.0), dpi=FIGURE_DPI, sharey=True,
                             squeeze=False)
    for ax, kind in zip(axes[0], kinds):
        for i, (model_name, per_kind) in enumerate(results.items()):
            accs = per_kind[kind]
            if len(accs) != len(levels):
                raise ValueError(f"{model_name}/{kind}: {len(accs)} accuracies for {len(levels)} levels")
            ax.plot(list(levels), [100 * a for a in accs], marker=_MARKERS[i % len(_MARKERS)], color=f"C{i}",
                    label=model_name)
        ax.set_xticks(list(levels))
        ax.set_xticklabels([units.get(kind, str)(k) for k in levels], fontsize=_SMALL_FONT)
        ax.set(title=kind, xlabel="shift" if kind != "combined" else "level")
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("test accuracy (%)")
    axes[0][0].legend(fontsize=_SMALL_FONT)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    plt.show()


# --------------------------------------------------------------------------------------------------
# 04_data_augmentation: explorer settings side by side


def show_settings(
    image: torch.Tensor, settings: Sequence[Mapping[str, float | bool]], title: str = "Explorer settings"
) -> None:
    """A static row of :func:`_augment_photo` outputs, one per settings dict, captioned with the
    settings that differ from neutral: the explorer for readers of the stored notebook.
    Introduced in 04_data_augmentation.
    """
    door.sequence(settings, "settings", "a list of dicts of explorer settings")
    door.require(all(hasattr(s, "keys") for s in settings), "settings", "a list of dicts of explorer settings",
                 settings, TypeError)
    if len(settings) == 0:
        raise ValueError("settings is empty: give at least one dict of explorer settings")
    photos = [_augment_photo(image, **setting) for setting in settings]  # raises on a bad setting before drawing
    captions = [
        "\n".join(
            f"{k}={v:g}" if not isinstance(v, bool) else k for k, v in setting.items() if v != _DEFAULT_SETTINGS[k]
        )
        or "original"
        for setting in settings
    ]
    lines = max(caption.count("\n") + 1 for caption in captions)
    fig, axes = plt.subplots(
        1, len(settings), figsize=(1.8 * len(settings), 2.1 + 0.17 * lines), dpi=FIGURE_DPI, squeeze=False
    )
    for ax, photo, caption in zip(axes[0], photos, captions):
        ax.imshow(np.asarray(photo.permute(1, 2, 0)))
        ax.set_title(caption, fontsize=_SMALL_FONT)
        ax.axis("off")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    plt.show()


# --------------------------------------------------------------------------------------------------
# 05_video_lstm: frame strips


def show_frame_strips(videos: torch.Tensor, labels: Sequence[int] | torch.Tensor, class_names: Sequence[str],
                      title: str = "One clip per class, time runs left to right", size: float = 0.85):
    """One row per clip, one column per frame, the class name on the left.
    Introduced in 05_video_lstm.
    """
    import matplotlib.pyplot as plt

    _require_videos(videos)
    door.sequence(labels, "labels", "one class index per clip")
    door.sequence(class_names, "class_names", "a list of class names")
    if len(labels) != len(videos):
        raise ValueError(f"got {len(videos)} clips but {len(labels)} labels")
    n, t = videos.shape[:2]
    pixels = videos.detach().cpu()
    pixels = pixels.float() / 255 if pixels.dtype == torch.uint8 else pixels.float().clamp(0, 1)
    fig, axes = plt.subplots(n, t, figsize=(size * t + 1.0, size * n + 0.6), dpi=FIGURE_DPI, squeeze=False)
    for i in range(n):
        for j in range(t):
            ax = axes[i, j]
            frame = pixels[i, j]
            if frame.shape[0] == 1:
                ax.imshow(frame[0].numpy(), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            else:
                ax.imshow(frame.permute(1, 2, 0).numpy(), interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if i == 0:
                ax.set_title(f"t={j}", fontsize=_SMALL_FONT)
        axes[i, 0].set_ylabel(class_names[int(labels[i])], fontsize=_SMALL_FONT, rotation=0, ha="right", va="center")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    plt.show()
