"""scikit-learn's 1,797 real 8x8 handwritten digits (shipped inside its wheel): the stratified
train/test split of 01_cross_entropy and the small-data splits of 03_regularization, one
:class:`DigitsSplit` for both. Introduced in 01_cross_entropy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .. import _validate as door

_DIGIT_NAMES = tuple(str(d) for d in range(10))


@dataclass(frozen=True)
class DigitsSplit:
    """Digit images as uint8 ``(N, C, H, W)`` with ``int64`` labels, split into training,
    validation and test sets. Introduced in 01_cross_entropy.

    :func:`load_digits_split` (01) keeps scikit-learn's 8x8 digits in their own pixel range
    0..16 (``max_pixel=16``) and has no validation set (empty tensors); :func:`small_digits` and
    :func:`~course_utils.datasets.photo_digits.small_photo_digits` (03) use 0..255 and carve a
    validation split from the labelled pool.
    """

    train_images: torch.Tensor
    train_labels: torch.Tensor
    val_images: torch.Tensor
    val_labels: torch.Tensor
    test_images: torch.Tensor
    test_labels: torch.Tensor
    max_pixel: int = 255
    class_names: tuple[str, ...] = _DIGIT_NAMES

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def __repr__(self) -> str:
        return (f"DigitsSplit(train={len(self.train_labels)}, val={len(self.val_labels)}, "
                f"test={len(self.test_labels)}, images {tuple(self.train_images.shape[1:])} uint8 "
                f"0..{self.max_pixel})")


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
    return DigitsSplit(images[~test_mask], labels[~test_mask], images[:0], labels[:0], images[test_mask],
                       labels[test_mask], max_pixel=16)


def _require_balanced_sizes(n_train: int, n_val: int) -> None:
    """Raise unless ``n_train`` and ``n_val`` are positive multiples of 10 (balanced over the 10 classes)."""
    door.integer(n_train, "n_train")
    door.integer(n_val, "n_val")
    if n_train < 10 or n_val < 10 or n_train % 10 or n_val % 10:
        raise ValueError(
            f"n_train and n_val must be positive multiples of 10 (balanced classes), "
            f"got {n_train} and {n_val}"
        )


def _balanced_split(labels: torch.Tensor, n_train: int, n_val: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Sorted indices of ``n_train // 10`` training and ``n_val // 10`` validation items per class,
    disjoint, drawn in a seeded random order."""
    door.tensor(labels, "labels", ndim=1, layout="(N,)", dtype="integer")
    _require_balanced_sizes(n_train, n_val)
    door.integer(seed, "seed", low=0)
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))
    train, val = [], []
    for c in range(10):
        members = order[labels[order] == c]
        train.append(members[: n_train // 10])
        val.append(members[n_train // 10 : (n_train + n_val) // 10])
    return torch.cat(train).sort().values, torch.cat(val).sort().values


def small_digits(n_train: int = 70, n_val: int = 30, seed: int = 0) -> DigitsSplit:
    """A small-data split of scikit-learn's digits (1,797 real handwritten digits): ``n_train``
    training and ``n_val`` validation images (both balanced over the 10 classes), all the other
    images as the test set. Pixels 0..16 become uint8 0..255. Introduced in 03_regularization.
    """
    from sklearn.datasets import load_digits

    _require_balanced_sizes(n_train, n_val)
    digits = load_digits()
    images = torch.from_numpy((digits.images * 255 / 16).round()).to(torch.uint8).unsqueeze(1)
    labels = torch.from_numpy(digits.target).long()
    train_idx, val_idx = _balanced_split(labels, n_train, n_val, seed)
    used = torch.zeros(len(labels), dtype=torch.bool)
    used[train_idx] = used[val_idx] = True
    test_idx = (~used).nonzero().squeeze(1)
    return DigitsSplit(images[train_idx], labels[train_idx], images[val_idx], labels[val_idx],
                       images[test_idx], labels[test_idx])
