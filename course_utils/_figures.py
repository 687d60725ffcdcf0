"""The course's shared figures (learning curves, labelled image grids, confusion matrices) and the
look every figure shares (resolution, fonts, colour-blind-safe styles). The names are public through
:mod:`course_utils.plotting`, which adds each notebook's own figures. Introduced in 00_setup_and_tour.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import torch

from . import _validate as door
from .checks import _require_images
from .training import History

# Stored figures are drawn at 80 dots per inch to keep notebooks light; text is never smaller than
# _SMALL_FONT points, i.e. 10 pixels at that resolution, legible at 100% zoom.
FIGURE_DPI = 80
_SMALL_FONT = 9

# Figures for every eye: heat maps use a perceptually uniform, colour-blind-safe colour map, and lines
# that differ in colour also differ in marker (or line style), so no reader needs to tell hues apart.
HEATMAP = "viridis"
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
_LINESTYLES = ("-", "--", "-.", (0, (1, 1)), (0, (5, 1, 1, 1, 1, 1)))


def marker_every(n: int) -> int:
    """Draw about 10 markers on a line of ``n`` points."""
    return max(1, n // 10)


def _to_display(images: torch.Tensor) -> torch.Tensor:
    """Images ``(N, C, H, W)`` (uint8, or float in [0, 1]) to ``(N, H, W, C)`` float in [0, 1] for
    ``imshow``. Introduced in 00_setup_and_tour.
    """
    _require_images(images)
    images = images.detach().cpu()
    images = images.float() / 255 if images.dtype == torch.uint8 else images.float().clamp(0, 1)
    if images.shape[1] == 1:
        images = images.expand(-1, 3, -1, -1)
    return images.permute(0, 2, 3, 1)


def plot_history(histories: History | Mapping[str, History], title: str = "Learning curves") -> None:
    """Loss and accuracy per epoch, train (solid) and validation (dashed), for one run or a
    ``{label: history}`` mapping. Introduced in 05_video_lstm.
    """
    if isinstance(histories, History):
        histories = {"model": histories}
    door.mapping(histories, "histories", "a History or a dict {label: History}")
    door.require(all(isinstance(h, History) for h in histories.values()), "histories",
                 "a History or a dict {label: History}", histories, TypeError)
    if not histories:
        raise ValueError("histories is empty: pass a History or {label: History}")
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.4), dpi=FIGURE_DPI)
    for i, (label, history) in enumerate(histories.items()):
        epochs = range(1, history.epochs + 1)
        # one colour and one marker per run; train solid, validation dashed
        style = {"color": f"C{i}", "marker": _MARKERS[i % len(_MARKERS)], "markersize": 4,
                 "markevery": marker_every(history.epochs)}
        ax_loss.plot(epochs, history.train_loss, label=f"{label} train", **style)
        ax_acc.plot(epochs, [100 * a for a in history.train_acc], label=f"{label} train", **style)
        if history.val_loss:
            ax_loss.plot(epochs, history.val_loss, linestyle="--", label=f"{label} val", **style)
            ax_acc.plot(epochs, [100 * a for a in history.val_acc], linestyle="--", label=f"{label} val", **style)
    ax_loss.set(xlabel="epoch", ylabel="loss", title="loss")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    ax_acc.legend(fontsize=_SMALL_FONT)
    fig.suptitle(title)
    fig.tight_layout()
    plt.show()


def show_images(
    images: torch.Tensor,
    labels: Sequence[int] | torch.Tensor | None = None,
    class_names: Sequence[str] | None = None,
    ncols: int = 8,
    title: str | None = None,
    captions: Sequence[str] | None = None,
    size: float = 1.1,
) -> None:
    """A grid of images with their labels (or free ``captions``) above each.
    Introduced in 00_setup_and_tour.
    """
    pixels = _to_display(images)
    for name, value in (("labels", labels), ("class_names", class_names), ("captions", captions)):
        if value is not None:
            door.sequence(value, name)
    door.integer(ncols, "ncols", low=1)
    n = len(pixels)
    if n == 0:
        raise ValueError("no images to show")
    if labels is not None and len(labels) != n:
        raise ValueError(f"got {n} images but {len(labels)} labels")
    if captions is not None and len(captions) != n:
        raise ValueError(f"got {n} images but {len(captions)} captions")
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(size * ncols, size * nrows + (0.4 if title else 0)), dpi=FIGURE_DPI, squeeze=False
    )
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(pixels[i].numpy(), interpolation="nearest")
        if captions is not None:
            ax.set_title(captions[i], fontsize=_SMALL_FONT)
        elif labels is not None:
            label = int(labels[i])
            ax.set_title(class_names[label] if class_names else str(label), fontsize=_SMALL_FONT)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    plt.show()


def plot_confusion_matrix(
    matrix: torch.Tensor, class_names: Sequence[str], title: str = "Confusion matrix", normalize: bool = True
) -> None:
    """Heat map of a confusion matrix (rows: true class, columns: predicted), each row normalized
    to percent when ``normalize``. Introduced in 02_cnn_training.
    """
    door.tensor(matrix, "matrix", ndim=2, layout="(num_classes, num_classes)")
    door.sequence(class_names, "class_names", "a list of class names")
    k = len(class_names)
    if tuple(matrix.shape) != (k, k):
        raise ValueError(f"matrix must have shape ({k}, {k}) to match class_names, got {tuple(matrix.shape)}")
    values = matrix.double()
    if normalize:
        values = 100 * values / values.sum(1, keepdim=True).clamp_min(1)
    fig, ax = plt.subplots(figsize=(0.5 * k + 2.4, 0.5 * k + 1.8), dpi=FIGURE_DPI)
    image = ax.imshow(values.numpy(), cmap=HEATMAP, vmin=0)
    ax.set(xticks=range(k), yticks=range(k), xlabel="predicted", ylabel="true", title=title)
    ax.set_xticklabels(class_names, rotation=90 if max(map(len, class_names)) > 2 else 0, fontsize=_SMALL_FONT)
    ax.set_yticklabels(class_names, fontsize=_SMALL_FONT)
    threshold = values.max().item() / 2
    for i in range(k):
        for j in range(k):
            if values[i, j] > 0:
                text = f"{values[i, j]:.0f}"
                ax.text(
                    j, i, text, ha="center", va="center", fontsize=_SMALL_FONT,
                    color="black" if values[i, j] > threshold else "white",  # viridis: light above, dark below
                )
    fig.colorbar(image, ax=ax, label="% of true class" if normalize else "count", fraction=0.046)
    fig.tight_layout()
    plt.show()
