"""Reference solutions for 01_cross_entropy (the teacher's key; the tests check them).

The notebook writes the same functions itself; these copies let the tests run the exercise checks.
"""

from __future__ import annotations

import torch

__all__ = ["softmax", "log_softmax", "cross_entropy", "cross_entropy_grad", "bce", "bce_grad", "mse_on_probs"]


def softmax(logits: torch.Tensor) -> torch.Tensor:
    """Row-wise softmax of ``(N, K)`` logits, stable: the row maximum is subtracted first."""
    shifted = logits - logits.max(dim=1, keepdim=True).values
    exp = shifted.exp()
    return exp / exp.sum(dim=1, keepdim=True)


def log_softmax(logits: torch.Tensor) -> torch.Tensor:
    """``z - logsumexp(z)`` row-wise, computed with the maximum subtracted (never overflows)."""
    m = logits.max(dim=1, keepdim=True).values
    return logits - m - (logits - m).exp().sum(dim=1, keepdim=True).log()


def cross_entropy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of ``-log softmax(z)[y]`` (a scalar), from logits ``(N, K)`` and int labels ``(N,)``."""
    return -log_softmax(logits).gather(1, targets.view(-1, 1)).mean()


def cross_entropy_grad(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Gradient of :func:`cross_entropy` with respect to the logits: ``(softmax(z) - onehot(y)) / N``."""
    onehot = torch.nn.functional.one_hot(targets, logits.shape[1]).to(logits.dtype)
    return (softmax(logits) - onehot) / logits.shape[0]


def bce(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The seed's binary cross-entropy, mean over the batch, with ``y_hat = sigmoid(z)``."""
    y_hat = torch.sigmoid(z)
    return (-y * y_hat.log() - (1 - y) * (1 - y_hat).log()).mean()


def bce_grad(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Gradient of :func:`bce` with respect to ``z``: ``(sigmoid(z) - y) / N``."""
    return (torch.sigmoid(z) - y) / z.numel()


def mse_on_probs(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """``1/2 sum_k (p_k - y_k)^2`` averaged over the batch, ``p = softmax(logits)``, ``y`` one-hot."""
    onehot = torch.nn.functional.one_hot(targets, logits.shape[1]).to(logits.dtype)
    return 0.5 * ((softmax(logits) - onehot) ** 2).sum(dim=1).mean()
