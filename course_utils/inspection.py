"""Look inside a CNN: output sizes of convolution and pooling, each layer's output shape, the
first layer's filters and the feature maps of every layer.

Introduced in 02_cnn_training.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch
import torch.nn as nn

from . import _validate as door

__all__ = ["conv_output_size", "LayerShape", "layer_shapes", "feature_maps"]


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
    door.module(model, "model")
    door.sequence(input_shape, "input_shape", "a tuple of positive ints such as (1, 3, 32, 32)")
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
    output = None
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
        _print_shapes(rows, input_shape, output, error)
    return rows


def _print_shapes(rows: list[LayerShape], input_shape: tuple[int, ...], output: object,
                  error: Exception | None) -> None:
    """The table of :func:`layer_shapes`: input, one row per layer, then the output or the error."""
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
    door.module(model, "model")
    door.sequence(layer_names, "layer_names", "a list of layer names such as ['conv1', 'conv2']")
    modules = dict(model.named_modules())
    missing = [name for name in layer_names if name not in modules or not name]
    if missing:
        available = [name for name in modules if name]
        raise ValueError(f"model has no layer named {missing[0]!r} (layer_names); available: {available}")
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
