"""Automatic checks of the exercises of 03_regularization.

Each check calls the learner's function on small hand-made cases whose answers were worked out
by hand (written below), and raises :class:`CheckFailed` naming the likely mistake.
"""

from __future__ import annotations

import numbers
from typing import Callable, Sequence

import torch
import torch.nn as nn

from ..checks import CheckFailed

__all__ = ["check_l1_penalty", "check_dropout", "check_early_stopping_epochs"]


def _tiny_model() -> nn.Module:
    """A convolution and a linear layer with hand-picked values: weights 1, -2, 0.5, -0.5 and 3, -1
    (sum of |w| = 8, sum of w^2 = 15.5, 6 weights), biases 7 and -4 (with them, sum of |p| = 19)."""
    model = nn.Sequential(nn.Conv2d(1, 1, 2), nn.Flatten(), nn.Linear(2, 1))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[[[1.0, -2.0], [0.5, -0.5]]]]))
        model[0].bias.fill_(7.0)
        model[2].weight.copy_(torch.tensor([[3.0, -1.0]]))
        model[2].bias.fill_(-4.0)
    return model


L1_OF_WEIGHTS, L1_WITH_BIASES, SQUARES, WEIGHT_COUNT = 8.0, 19.0, 15.5, 6


def check_l1_penalty(l1_penalty: Callable[[nn.Module], torch.Tensor]) -> None:
    """Check ``l1_penalty(model) -> sum |w|`` over weights only (not biases), differentiable."""
    model = _tiny_model()
    expected = L1_OF_WEIGHTS
    out = l1_penalty(model)
    if not isinstance(out, torch.Tensor):
        raise CheckFailed(
            f"l1_penalty must return a torch.Tensor (so it can be added to the loss), "
            f"got {type(out).__name__}"
        )
    if out.numel() != 1:
        raise CheckFailed(f"l1_penalty must return one number, got shape {tuple(out.shape)}")
    value = out.item()
    if abs(value - L1_WITH_BIASES) < 1e-4:
        raise CheckFailed("l1_penalty also sums the biases; penalize only the weights (parameters named '...weight')")
    if abs(value - SQUARES) < 1e-4 or abs(value - SQUARES / 2) < 1e-4:
        raise CheckFailed("l1_penalty sums squared weights: that is L2. L1 sums absolute values |w|")
    if abs(value - expected / WEIGHT_COUNT) < 1e-6:
        raise CheckFailed("l1_penalty returns the MEAN of |w|; the L1 penalty is the SUM")
    if abs(value) < 1e-6:
        raise CheckFailed("l1_penalty gives 0 on a model whose weights are not zero: did you sum w instead of |w|?")
    if abs(value - expected) > 1e-4 * max(1.0, abs(expected)):
        raise CheckFailed(f"l1_penalty gives {value:.4f} on a small test model, expected {expected:.4f}")
    if not out.requires_grad:
        raise CheckFailed(
            "l1_penalty is detached from the graph (no gradient); "
            "do not use .item(), .detach() or torch.no_grad()"
        )
    model.zero_grad()
    out.backward()
    weight = model[2].weight
    if not torch.allclose(weight.grad, weight.detach().sign()):
        raise CheckFailed("the gradient of l1_penalty with respect to a weight should be sign(w)")


# (val_losses, patience, min_delta) -> (best_epoch, stop_epoch), worked out by hand, 1-based.
_CASES: list[tuple[list[float], int, float, tuple[int, int]]] = [
    ([1.0, 0.8, 0.9, 0.85, 0.95, 0.7], 2, 0.0, (2, 4)),  # epochs 3 and 4 do not improve: stop after 4
    ([1.0, 0.9, 0.8, 0.7], 2, 0.0, (4, 4)),  # never stops: the last epoch
    ([1.0, 1.0, 1.0], 2, 0.0, (1, 3)),  # equal is not an improvement
    ([1.0, 0.95, 0.94, 0.8, 0.79], 2, 0.1, (1, 3)),  # min_delta: gains of 0.05 and 0.01 do not count
    ([2.0, 1.5, 1.6, 1.4, 1.7, 1.8, 1.9], 3, 0.0, (4, 7)),  # the counter resets after an improvement
]


def check_early_stopping_epochs(
    early_stopping_epochs: Callable[[Sequence[float], int, float], tuple[int, int]]
) -> None:
    """Check ``early_stopping_epochs(val_losses, patience, min_delta) -> (best_epoch, stop_epoch)``, 1-based."""
    for losses, patience, min_delta, expected in _CASES:
        out = early_stopping_epochs(list(losses), patience, min_delta)
        if out is None:
            raise CheckFailed("early_stopping_epochs returned None: end it with `return best_epoch, stop_epoch` "
                              "(also after the loop, when patience never runs out)")
        if not isinstance(out, tuple) or len(out) != 2:
            raise CheckFailed(f"early_stopping_epochs must return a tuple (best_epoch, stop_epoch), got {out!r}")
        if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in out):
            raise CheckFailed(f"best_epoch and stop_epoch are epoch numbers (ints), got {out!r}")
        got = (int(out[0]), int(out[1]))
        if got == expected:
            continue
        where = f"for val_losses={losses}, patience={patience}, min_delta={min_delta}"
        if got == (expected[0] - 1, expected[1] - 1):
            raise CheckFailed(
                f"{where} you return {got}, expected {expected}: "
                f"epochs are 1-based (enumerate(..., start=1))"
            )
        if got[0] != expected[0]:
            raise CheckFailed(
                f"{where} best_epoch is {got[0]}, expected {expected[0]} "
                f"(an improvement needs loss < best - min_delta)"
            )
        raise CheckFailed(
            f"{where} stop_epoch is {got[1]}, expected {expected[1]} "
            f"(stop after `patience` epochs in a row without improvement; reset the count when the loss improves)"
        )


def check_dropout(dropout_class: Callable[[float], nn.Module]) -> None:
    """``dropout_class(p)`` must be inverted dropout: in training mode it zeroes each activation with
    probability ``p`` (a new draw at every call) and multiplies the others by ``1 / (1 - p)``; in
    evaluation mode, or with ``p = 0``, it returns its input unchanged. Introduced in 03_regularization.
    """
    x = torch.full((4, 50_000), 3.0)
    for p in (0.5, 0.2):
        layer = dropout_class(p)
        if not isinstance(layer, nn.Module):
            raise CheckFailed(f"Dropout({p}) must be an nn.Module, got {type(layer).__name__}")
        layer.train()
        torch.manual_seed(0)
        with torch.no_grad():
            out = layer(x)
        if not isinstance(out, torch.Tensor) or out.shape != x.shape:
            raise CheckFailed(f"Dropout({p}) must return a tensor of the input's shape {tuple(x.shape)}")
        zeroed = (out == 0).float().mean().item()
        if abs(zeroed - p) > 0.01:
            hint = " (did you keep with probability p instead of 1 - p?)" if abs(zeroed - (1 - p)) < 0.01 else ""
            raise CheckFailed(f"in training mode Dropout({p}) should zero about {p:.0%} of the activations, "
                              f"it zeroed {zeroed:.1%}{hint}")
        kept = out[out != 0]
        if torch.allclose(kept, x[out != 0]):
            raise CheckFailed(f"Dropout({p}) keeps activations unchanged: scale the kept ones by 1 / (1 - p), so that "
                              "the expected activation stays the same (inverted dropout)")
        if not torch.allclose(kept, torch.full_like(kept, 3.0 / (1 - p))):
            raise CheckFailed(f"Dropout({p}) should multiply the kept activations by 1 / (1 - p) = {1 / (1 - p):g}; "
                              f"an input of 3 became {kept[0].item():g}")
        with torch.no_grad():
            again = layer(x)
        if torch.equal(again, out):
            raise CheckFailed("two calls in training mode dropped the same activations: draw a new mask at every call")
        layer.eval()
        with torch.no_grad():
            if not torch.equal(layer(x), x):
                raise CheckFailed("in evaluation mode (model.eval(), self.training is False) dropout must return its "
                                  "input unchanged")
    layer = dropout_class(0.0)
    layer.train()
    with torch.no_grad():
        if not torch.equal(layer(x), x):
            raise CheckFailed("Dropout(0) must return its input unchanged")

