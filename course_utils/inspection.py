"""Look inside a CNN: output sizes of convolution and pooling, each layer's output shape, the
first layer's filters and the feature maps of every layer.

Introduced in 02_cnn_training.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import matplotlib.pyplot as plt
import torch
import torch.nn as nn

from .plotting import FIGURE_DPI, SMALL_FONT

__all__ = [
    "conv_output_size",
    "LayerShape",
    "layer_shapes",
    "feature_maps",
    "plot_filters",
    "plot_feature_maps",
]


def conv_output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """Output height (or width) of a convolution or pooling layer with input height ``size``:
    ``floor((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1``, the formula of
    ``nn.Conv2d`` and ``nn.MaxPool2d``. Introduced in 02_cnn_training.

    Raises ValueError when an argument is out of range or the kernel does not fit in the input.
    """
    for name, value, low in (("size", size, 1), ("kernel_size", kernel_size, 1), ("stride", stride, 1),
                             ("padding", padding, 0), ("dilation", dilation, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    span = dilation * (kernel_size - 1) + 1
    if size + 2 * padding < span:
        raise ValueError(
            f"the kernel spans {span} pixels but the padded input has only {size + 2 * padding}: "
            "the feature map has shrunk to nothing; use a smaller kernel, more padding or fewer poolings"
        )
    return (size + 2 * padding - span) // stride + 1


@dataclass(frozen=True)
class LayerShape:
    """One row of :func:`layer_shapes`: a leaf layer's name, type and output shape.
    Introduced in 02_cnn_training."""

    name: str
    kind: str
    shape: tuple[int, ...]


def _leaf_modules(model: nn.Module) -> list[tuple[str, nn.Module]]:
    return [(name, module) for name, module in model.named_modules() if name and not list(module.children())]


def layer_shapes(
    model: nn.Module, input_shape: Sequence[int], on_error: str = "raise", show: bool = True
) -> list[LayerShape]:
    """Run ``model`` on zeros of ``input_shape`` and record each leaf layer's output shape with
    forward hooks, in the order the layers ran; print them as a table when ``show``.
    Introduced in 02_cnn_training.

    When the forward pass fails, ``on_error="raise"`` re-raises the error; ``on_error="report"``
    prints the layers that did run and the error (type and message), then returns those rows.
    The model's train/eval mode is restored and the hooks are removed in every case.
    """
    if on_error not in ("raise", "report"):
        raise ValueError(f"on_error must be 'raise' or 'report', got {on_error!r}")
    input_shape = tuple(input_shape)
    if not input_shape or any(isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in input_shape):
        raise ValueError(f"input_shape must be a tuple of positive ints such as (1, 3, 32, 32), got {input_shape!r}")
    rows: list[LayerShape] = []

    def hook(name: str):
        def record(module: nn.Module, inputs, output) -> None:
            if isinstance(output, torch.Tensor):
                rows.append(LayerShape(name, type(module).__name__, tuple(output.shape)))
        return record

    handles = [module.register_forward_hook(hook(name)) for name, module in _leaf_modules(model)]
    was_training = model.training
    parameter = next(model.parameters(), None)
    device = parameter.device if parameter is not None else torch.device("cpu")
    error: Exception | None = None
    try:
        model.eval()
        with torch.no_grad():
            output = model(torch.zeros(input_shape, device=device))
    except Exception as problem:  # noqa: BLE001 - reported or re-raised below
        if on_error == "raise":
            raise
        error = problem
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    if show:
        width = max([len(r.name) for r in rows] + [len("input")])
        kind_width = max([len(r.kind) for r in rows] + [5])
        print(f"{'input':<{width}}  {'':<{kind_width}}  {input_shape}")
        for row in rows:
            print(f"{row.name:<{width}}  {row.kind:<{kind_width}}  {row.shape}")
        if error is not None:
            after = f"after {rows[-1].name}" if rows else "before the first layer"
            print(f"✘ the forward pass failed {after}: {type(error).__name__}: {error}")
        elif isinstance(output, torch.Tensor):
            print(f"{'output':<{width}}  {'':<{kind_width}}  {tuple(output.shape)}")
    return rows


class _StopForward(Exception):
    """Raised by a hook to end a forward pass once the requested feature maps are captured."""


def feature_maps(model: nn.Module, images: torch.Tensor, layer_names: Sequence[str]) -> dict[str, torch.Tensor]:
    """The outputs of the named submodules of ``model`` for ``images`` ``(N, C, H, W)``, captured
    with forward hooks (eval mode, no gradients), as ``{name: tensor}`` on the CPU.
    Introduced in 02_cnn_training.

    The forward pass stops once every requested layer has run, so the layers after them never see
    the input: a network with a fixed flatten size still gives the feature maps of a larger image.

    Raises ValueError naming the missing layer and the available names when a name is unknown.
    """
    modules = dict(model.named_modules())
    missing = [name for name in layer_names if name not in modules or not name]
    if missing:
        available = [name for name in modules if name]
        raise ValueError(f"model has no layer named {missing[0]!r}; available: {available}")
    if not isinstance(images, torch.Tensor) or images.ndim != 4:
        shape = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
        raise ValueError(f"images must be a float batch (N, C, H, W), got {shape}")
    captured: dict[str, torch.Tensor] = {}
    wanted = set(layer_names)

    def capture(module: nn.Module, inputs, output, name: str) -> None:
        captured[name] = output.detach().cpu()
        if wanted <= captured.keys():
            raise _StopForward  # every requested map is in hand: skip the rest of the network

    handles = [
        modules[name].register_forward_hook(lambda m, i, o, name=name: capture(m, i, o, name)) for name in layer_names
    ]
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(images)
    except _StopForward:
        pass
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    return {name: captured[name] for name in layer_names if name in captured}


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
            ax.set_title(str(i), fontsize=SMALL_FONT)
    fig.suptitle(title)
    fig.tight_layout()
    plt.show()


def plot_feature_maps(maps: dict[str, torch.Tensor], n_maps: int = 8, title: str = "Feature maps") -> None:
    """One row per layer: the first ``n_maps`` channels of the first image of each ``(N, C, H, W)``
    tensor in ``maps`` (e.g. from :func:`feature_maps`), in grey levels, with the map size in the row
    label. Introduced in 02_cnn_training.
    """
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
                ax.set_ylabel(f"{name}\n{tensor.shape[2]}x{tensor.shape[3]}", fontsize=SMALL_FONT)
            if row == 0:
                ax.set_title(f"ch {col}", fontsize=SMALL_FONT)
    fig.suptitle(title)
    fig.tight_layout()
    plt.show()
