"""The course's shared figures (learning curves, labelled image grids, confusion matrices, scenes with
their boxes and masks) and the look every figure shares (resolution, fonts, colour-blind-safe styles).
The names are public through :mod:`course_utils.plotting`, which adds each notebook's own figures.
Introduced in 00_setup_and_tour.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.colors import to_rgba
from matplotlib.patches import Rectangle

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
    fig, axes = _image_grid(pixels, ncols, size, title)
    for i, ax in enumerate(axes):
        if captions is not None:
            ax.set_title(captions[i], fontsize=_SMALL_FONT)
        elif labels is not None:
            label = int(labels[i])
            ax.set_title(class_names[label] if class_names else str(label), fontsize=_SMALL_FONT)
    _finish_grid(fig, title)


def _image_grid(pixels: torch.Tensor, ncols: int, size: float, title: str | None) -> tuple[plt.Figure, list]:
    """A figure of ``pixels`` (from :func:`_to_display`) in rows of ``ncols``, axes off; returns the figure
    and the axes that show an image, in order."""
    n = len(pixels)
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(size * ncols, size * nrows + (0.4 if title else 0)), dpi=FIGURE_DPI, squeeze=False
    )
    for ax in axes.flat:
        ax.axis("off")
    shown = list(axes.flat)[:n]
    for ax, image in zip(shown, pixels):
        ax.imshow(image.numpy(), interpolation="nearest")
    return fig, shown


def _finish_grid(fig: plt.Figure, title: str | None) -> None:
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


# Box edges in colours that stay apart for colour-blind readers (Okabe-Ito), one per digit of a scene.
_BOX_COLOURS = ("#E69F00", "#56B4E9", "#F0E442", "#CC79A7", "#009E73", "#D55E00")


def show_scenes(
    images: torch.Tensor,
    boxes: torch.Tensor | None = None,
    labels: torch.Tensor | None = None,
    masks: torch.Tensor | None = None,
    class_names: Sequence[str] | None = None,
    ncols: int = 6,
    title: str | None = None,
    size: float = 1.9,
) -> None:
    """A grid of scenes with their boxes ``(N, K, 4)`` as ``(x0, y0, x1, y1)`` pixels, the boxes'
    classes ``labels`` ``(N, K)`` (-1: no box) written at each box's corner, and pixel ``masks``
    ``(N, H, W)`` (0: background) tinted over the image, for the scenes of ``load_digit_scenes``.
    Introduced in 00_setup_and_tour.
    """
    pixels = _to_display(images)
    n, height, width = len(pixels), pixels.shape[1], pixels.shape[2]
    if n == 0:
        raise ValueError("no images to show")
    _require_scene_answers(n, height, width, boxes, labels, masks)
    if class_names is not None:
        door.sequence(class_names, "class_names")
    door.integer(ncols, "ncols", low=1)
    fig, axes = _image_grid(pixels, ncols, size, title)
    for i, ax in enumerate(axes):
        if masks is not None:
            ax.imshow(_mask_tint(masks[i]), interpolation="nearest")
        if boxes is not None:
            _draw_boxes(ax, boxes[i], None if labels is None else labels[i], class_names)
    _finish_grid(fig, title)


def _require_scene_answers(n: int, height: int, width: int, boxes: torch.Tensor | None, labels: torch.Tensor | None,
                           masks: torch.Tensor | None) -> None:
    """The door of :func:`show_scenes`: boxes, their classes and masks that fit ``n`` images."""
    if boxes is not None:
        door.tensor(boxes, "boxes", ndim=3, layout="(N, K, 4) as (x0, y0, x1, y1)")
        door.require(boxes.shape[0] == n and boxes.shape[2] == 4, "boxes",
                     f"one row of (x0, y0, x1, y1) boxes per image: shape ({n}, K, 4)", tuple(boxes.shape))
    if labels is not None:
        door.tensor(labels, "labels", ndim=2, layout="(N, K), -1 where there is no box", dtype="integer")
        door.require(boxes is not None and labels.shape == boxes.shape[:2], "labels",
                     "the classes of the boxes: shape (N, K), with boxes (N, K, 4)", tuple(labels.shape))
    if masks is not None:
        door.tensor(masks, "masks", ndim=3, layout="(N, H, W), 0 for background")
        door.require(tuple(masks.shape) == (n, height, width), "masks", f"shape ({n}, {height}, {width})",
                     tuple(masks.shape))


def _mask_tint(mask: torch.Tensor) -> np.ndarray:
    """An RGBA image that tints the pixels of object k (mask value k) in the colour of its box."""
    mask = mask.detach().cpu().long().numpy()
    tint = np.zeros(mask.shape + (4,))
    for k in np.unique(mask[mask > 0]):
        tint[mask == k] = to_rgba(_BOX_COLOURS[(k - 1) % len(_BOX_COLOURS)], alpha=0.75)
    return tint


def _draw_boxes(ax: plt.Axes, boxes: torch.Tensor, labels: torch.Tensor | None,
                class_names: Sequence[str] | None) -> None:
    for k, (x0, y0, x1, y1) in enumerate(boxes.detach().cpu().tolist()):
        label = None if labels is None else int(labels[k])
        if (label is not None and label < 0) or (x1 <= x0 or y1 <= y0):
            continue  # an empty slot of a scene with fewer digits
        colour = _BOX_COLOURS[k % len(_BOX_COLOURS)]
        # Pixel i covers [i - 0.5, i + 0.5] in imshow's coordinates; x1 and y1 are exclusive.
        ax.add_patch(Rectangle((x0 - 0.5, y0 - 0.5), x1 - x0, y1 - y0, fill=False, edgecolor=colour, linewidth=1.6))
        if label is not None:
            name = class_names[label] if class_names else str(label)
            ax.text(x0 - 0.5, y0 - 1.5, name, color="black", fontsize=_SMALL_FONT, va="bottom",
                    bbox={"facecolor": colour, "edgecolor": "none", "pad": 1.0})
