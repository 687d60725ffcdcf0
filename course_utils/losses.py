"""Plumbing for 01_cross_entropy: the digits data, minibatch order, a finite-difference gradient
checker and the notebook's line plots.

The losses and gradients the notebook teaches are written in the notebook itself; their reference
versions live in :mod:`course_utils.solutions.nb01`. Introduced in 01_cross_entropy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

from .plotting import FIGURE_DPI, SMALL_FONT

__all__ = ["DigitsSplit", "load_digits_split", "minibatches", "numerical_gradient", "plot_curves", "plot_gradients"]


@dataclass(frozen=True)
class DigitsSplit:
    """scikit-learn's 8x8 handwritten digits split into train and test. Introduced in
    01_cross_entropy.

    Images are ``uint8`` ``(N, 1, 8, 8)`` with the dataset's own pixel range 0..16; labels ``int64``.
    """

    train_images: torch.Tensor
    train_labels: torch.Tensor
    test_images: torch.Tensor
    test_labels: torch.Tensor
    class_names: tuple[str, ...] = tuple(str(d) for d in range(10))
    max_pixel: int = 16

    @property
    def num_classes(self) -> int:
        return len(self.class_names)


def load_digits_split(test_fraction: float = 0.25, seed: int = 0) -> DigitsSplit:
    """The 1,797 digits of ``sklearn.datasets.load_digits`` with a deterministic stratified
    train/test split (every class keeps its share in both parts). Introduced in 01_cross_entropy.

    Raises ValueError unless ``0 < test_fraction < 1``.
    """
    if not 0.0 < float(test_fraction) < 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1 (exclusive), got {test_fraction!r}")
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = torch.from_numpy(digits.images.astype(np.uint8)).unsqueeze(1)  # (N, 1, 8, 8), 0..16
    labels = torch.from_numpy(digits.target.astype(np.int64))
    # Stratified split by hand (no dependence on scikit-learn's shuffling internals): within each
    # class, a seeded permutation, the first round(test_fraction * n_class) go to the test set.
    generator = torch.Generator().manual_seed(seed)
    test_mask = torch.zeros(len(labels), dtype=torch.bool)
    for label in labels.unique():
        members = torch.nonzero(labels == label).flatten()
        members = members[torch.randperm(len(members), generator=generator)]
        test_mask[members[: round(test_fraction * len(members))]] = True
    return DigitsSplit(images[~test_mask], labels[~test_mask], images[test_mask], labels[test_mask])


def minibatches(n: int, batch_size: int, generator: torch.Generator) -> tuple[torch.Tensor, ...]:
    """Indices of one epoch of shuffled minibatches (the last one may be smaller). Introduced in
    01_cross_entropy.
    """
    if n < 1 or batch_size < 1:
        raise ValueError(f"n and batch_size must be positive, got n={n}, batch_size={batch_size}")
    return torch.randperm(n, generator=generator).split(batch_size)


def numerical_gradient(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """Central finite differences ``(f(x + eps e_i) - f(x - eps e_i)) / (2 eps)`` for every entry
    of ``x``; ``f`` must return a scalar. Same shape as ``x``. Introduced in 01_cross_entropy.

    ``x`` must be float64: in float32 the rounding error of ``f`` divided by ``2 eps`` swamps the
    result. Raises TypeError / ValueError naming the problem.
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
    if x.dtype != torch.float64:
        raise ValueError(f"x must be float64 for a finite-difference check, got {x.dtype}; pass x.double()")
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps!r}")
    x = x.detach().clone()
    grad = torch.zeros_like(x)
    flat, flat_grad = x.view(-1), grad.view(-1)
    with torch.no_grad():
        for i in range(flat.numel()):
            original = flat[i].item()
            flat[i] = original + eps
            plus = f(x)
            flat[i] = original - eps
            minus = f(x)
            flat[i] = original
            if torch.as_tensor(plus).numel() != 1:
                raise ValueError(f"f must return a scalar, got shape {tuple(torch.as_tensor(plus).shape)}")
            flat_grad[i] = (float(plus) - float(minus)) / (2 * eps)
    return grad


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
    if not curves:
        raise ValueError("curves is empty: pass {label: values}")
    x = np.asarray(torch.as_tensor(x).detach().cpu(), dtype=float)
    fig, ax = plt.subplots(figsize=figsize, dpi=FIGURE_DPI)
    for label, values in curves.items():
        values = np.asarray(torch.as_tensor(values).detach().cpu(), dtype=float)
        if values.shape != x.shape:
            raise ValueError(f"curve {label!r} has shape {values.shape}, x has shape {x.shape}")
        ax.plot(x, values, label=label)
    if hline is not None:
        ax.axhline(hline[0], color="grey", linestyle=":", label=hline[1])
    if logy:
        ax.set_yscale("log")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=SMALL_FONT)
    fig.tight_layout()
    plt.show()


def plot_gradients(z: torch.Tensor, curves: Mapping[str, torch.Tensor], title: str = "Gradient magnitude vs logit") -> None:
    """``|d loss / d z|`` of each loss against the logit ``z``, on a log scale. Introduced in
    01_cross_entropy.
    """
    return plot_curves(z, {k: torch.as_tensor(v).abs() for k, v in curves.items()}, title,
                       xlabel="logit z (true label y = 1)", ylabel="|dℓ/dz| (log scale)", logy=True)
