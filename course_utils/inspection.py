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


