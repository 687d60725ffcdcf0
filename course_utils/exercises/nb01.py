"""Automatic checks of the exercises of 01_cross_entropy.

Each check calls the learner's function on small float64 inputs, compares with a reference that
PyTorch computes (``F.cross_entropy`` and its autograd gradient, not the exercise's solution) and
raises :class:`CheckFailed` naming the likely mistake. A correct answer computed in float32 passes.
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F

from ..checks import CheckFailed, _expect_close, _tolerance_for

__all__ = ["check_cross_entropy", "check_cross_entropy_grad"]

_Fn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def _inputs() -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(1)
    logits = torch.randn(5, 4, generator=generator, dtype=torch.float64) * 2
    targets = torch.tensor([0, 3, 1, 1, 2])
    return logits, targets


def _close(a: torch.Tensor, b: torch.Tensor, atol: float = 1e-8) -> bool:
    return a.shape == b.shape and bool(torch.allclose(a.double(), b.double(), atol=_tolerance_for(a, atol), rtol=0))


def _reference_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(logits.double(), targets)


def _reference_grad(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    leaf = logits.double().clone().requires_grad_(True)
    F.cross_entropy(leaf, targets).backward()
    return leaf.grad


def _call(fn: _Fn, logits: torch.Tensor, targets: torch.Tensor, what: str) -> torch.Tensor:
    kept = logits.clone()
    out = fn(logits, targets)
    if not isinstance(out, torch.Tensor):
        raise CheckFailed(f"{what} must return a torch.Tensor, got {type(out).__name__}")
    if not torch.equal(logits, kept):
        raise CheckFailed(
            f"{what} changed its input logits in place; "
            f"compute on a copy (e.g. logits - m, not logits -= m)"
        )
    return out.detach()


def check_cross_entropy(cross_entropy: _Fn) -> None:
    """Check ``cross_entropy(logits (N, K), targets (N,)) -> scalar mean loss``. Introduced in 01_cross_entropy."""
    logits, targets = _inputs()
    expected = _reference_loss(logits, targets)
    loss = _call(cross_entropy, logits, targets, "cross_entropy")
    if loss.numel() != 1:
        raise CheckFailed(
            f"cross_entropy must return one number (the mean over the batch), "
            f"got shape {tuple(loss.shape)}"
        )
    loss = loss.reshape(())
    n = logits.shape[0]
    if _close(loss, expected * n):
        raise CheckFailed(
            f"cross_entropy returns the SUM over the batch ({loss.item():.4f}); "
            f"divide by N to get the mean ({expected.item():.4f})"
        )
    if _close(loss, -expected):
        raise CheckFailed("cross_entropy has the wrong sign: the loss is MINUS the log-probability of the true class")
    probs = torch.softmax(logits, dim=1)
    if _close(loss, -probs.gather(1, targets.view(-1, 1)).mean()):
        raise CheckFailed("cross_entropy uses the probability of the true class; take its logarithm: -log p_y")
    _expect_close(loss, expected, "cross_entropy on a small batch", atol=1e-8)
    big = torch.tensor([[1000.0, 0.0, -1000.0], [0.0, 800.0, 0.0]], dtype=torch.float64)
    big_targets = torch.tensor([1, 1])
    loss = _call(cross_entropy, big, big_targets, "cross_entropy").reshape(-1)[0]
    if not torch.isfinite(loss):
        raise CheckFailed(f"cross_entropy returns {loss.item()} for logits of size 1000: exp overflows; "
                          "subtract each row's maximum first (the log-sum-exp trick)")
    _expect_close(loss, _reference_loss(big, big_targets), "cross_entropy on large logits", atol=1e-6)


def check_cross_entropy_grad(cross_entropy_grad: _Fn) -> None:
    """Check ``cross_entropy_grad(logits, targets) -> d(mean loss)/d(logits)``, shape ``(N, K)``.
    Introduced in 01_cross_entropy.
    """
    logits, targets = _inputs()
    expected = _reference_grad(logits, targets)
    grad = _call(cross_entropy_grad, logits, targets, "cross_entropy_grad")
    if grad.shape != logits.shape:
        raise CheckFailed(
            f"cross_entropy_grad must have the shape of the logits {tuple(logits.shape)}, "
            f"got {tuple(grad.shape)}"
        )
    n = logits.shape[0]
    if _close(grad, expected * n):
        raise CheckFailed(
            "cross_entropy_grad is N times too large: "
            "the loss is a MEAN over the batch, so divide p - y by N"
        )
    if _close(grad, -expected):
        raise CheckFailed("cross_entropy_grad has the wrong sign: it is (p - y) / N, not (y - p) / N")
    if _close(grad, torch.softmax(logits, dim=1) / n):
        raise CheckFailed("cross_entropy_grad forgot to subtract the one-hot target y from p")
    if _close(grad, torch.softmax(logits, dim=1)):
        raise CheckFailed("cross_entropy_grad returns p: subtract the one-hot target y and divide by N")
    _expect_close(grad, expected, "cross_entropy_grad on a small batch", atol=1e-8)
    big = torch.tensor([[1000.0, 0.0, -1000.0]], dtype=torch.float64)
    grad = _call(cross_entropy_grad, big, torch.tensor([1]), "cross_entropy_grad")
    if not torch.isfinite(grad).all():
        raise CheckFailed(
            "cross_entropy_grad returns inf/nan for logits of size 1000: "
            "use a stable softmax (subtract the row maximum)"
        )
    _expect_close(
        grad, _reference_grad(big, torch.tensor([1])), "cross_entropy_grad on large logits", atol=1e-8
    )
