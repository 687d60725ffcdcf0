"""Figures the notebooks share: learning curves, labelled image grids, confusion matrices.

Helpers call ``plt.show()`` themselves and return nothing, so a cell that ends with one shows
the figure once and no ``<Figure ...>`` repr leaks into stored outputs. Introduced in 00_setup_and_tour.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import torch

from .checks import require_images
from .training import History

__all__ = ["plot_history", "show_images", "plot_confusion_matrix", "to_display", "FIGURE_DPI", "SMALL_FONT"]

# Stored figures are drawn at 80 dots per inch to keep notebooks light; text is never smaller than
# SMALL_FONT points, i.e. 10 pixels at that resolution, legible at 100% zoom.
FIGURE_DPI = 80
SMALL_FONT = 9


def to_display(images: torch.Tensor) -> torch.Tensor:
    """Images ``(N, C, H, W)`` (uint8, or float in [0, 1]) to ``(N, H, W, C)`` float in [0, 1] for
    ``imshow``. Introduced in 00_setup_and_tour.
    """
    require_images(images)
    images = images.detach().cpu()
    images = images.float() / 255 if images.dtype == torch.uint8 else images.float().clamp(0, 1)
    if images.shape[1] == 1:
        images = images.expand(-1, 3, -1, -1)
    return images.permute(0, 2, 3, 1)


def plot_history(histories: History | Mapping[str, History], title: str = "Learning curves") -> None:
    """Loss and accuracy per epoch, train (solid) and validation (dashed), for one run or a
    ``{label: history}`` mapping. Introduced in 00_setup_and_tour.
    """
    if isinstance(histories, History):
        histories = {"model": histories}
    if not histories:
        raise ValueError("histories is empty: pass a History or {label: History}")
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.4), dpi=FIGURE_DPI)
    for i, (label, history) in enumerate(histories.items()):
        colour = f"C{i}"
        epochs = range(1, history.epochs + 1)
        ax_loss.plot(epochs, history.train_loss, color=colour, label=f"{label} train")
        ax_acc.plot(epochs, [100 * a for a in history.train_acc], color=colour, label=f"{label} train")
        if history.val_loss:
            ax_loss.plot(epochs, history.val_loss, color=colour, linestyle="--", label=f"{label} val")
            ax_acc.plot(epochs, [100 * a for a in history.val_acc], color=colour, linestyle="--", label=f"{label} val")
    ax_loss.set(xlabel="epoch", ylabel="loss", title="loss")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    ax_acc.legend(fontsize=SMALL_FONT)
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
    pixels = to_display(images)
    n = len(pixels)
    if n == 0:
        raise ValueError("no images to show")
    if labels is not None and len(labels) != n:
        raise ValueError(f"got {n} images but {len(labels)} labels")
    if captions is not None and len(captions) != n:
        raise ValueError(f"got {n} images but {len(captions)} captions")
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + (0.4 if title else 0)), dpi=FIGURE_DPI, squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(pixels[i].numpy(), interpolation="nearest")
        if captions is not None:
            ax.set_title(captions[i], fontsize=SMALL_FONT)
        elif labels is not None:
            label = int(labels[i])
            ax.set_title(class_names[label] if class_names else str(label), fontsize=SMALL_FONT)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    plt.show()


def plot_confusion_matrix(matrix: torch.Tensor, class_names: Sequence[str], title: str = "Confusion matrix", normalize: bool = True) -> None:
    """Heat map of a confusion matrix (rows: true class, columns: predicted), each row normalized
    to percent when ``normalize``. Introduced in 00_setup_and_tour.
    """
    k = len(class_names)
    if tuple(matrix.shape) != (k, k):
        raise ValueError(f"matrix must have shape ({k}, {k}) to match class_names, got {tuple(matrix.shape)}")
    values = matrix.double()
    if normalize:
        values = 100 * values / values.sum(1, keepdim=True).clamp_min(1)
    fig, ax = plt.subplots(figsize=(0.5 * k + 2.4, 0.5 * k + 1.8), dpi=FIGURE_DPI)
    image = ax.imshow(values.numpy(), cmap="Blues", vmin=0)
    ax.set(xticks=range(k), yticks=range(k), xlabel="predicted", ylabel="true", title=title)
    ax.set_xticklabels(class_names, rotation=90 if max(map(len, class_names)) > 2 else 0, fontsize=SMALL_FONT)
    ax.set_yticklabels(class_names, fontsize=SMALL_FONT)
    threshold = values.max().item() / 2
    for i in range(k):
        for j in range(k):
            if values[i, j] > 0:
                text = f"{values[i, j]:.0f}"
                ax.text(j, i, text, ha="center", va="center", fontsize=SMALL_FONT, color="white" if values[i, j] > threshold else "black")
    fig.colorbar(image, ax=ax, label="% of true class" if normalize else "count", fraction=0.046)
    fig.tight_layout()
    plt.show()
