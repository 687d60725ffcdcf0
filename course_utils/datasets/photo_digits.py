"""The course's image dataset, "photo digits": real handwritten digits on crops of real photos,
32x32 RGB, 10 classes, built offline like MNIST-M (Ganin et al., 2016) and cached with a checksum;
the small-data split of 03_regularization and the source/target tasks of 06_transfer_learning.

Introduced in 00_setup_and_tour.
"""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from .. import _validate as door
from ..storage import _cached_arrays, data_dir
from .digits import DigitsSplit, _balanced_split, _require_balanced_sizes
from .image_data import ImageData
from .photos import TRAIN_REGION_FRACTION, _crop_box, background_photos

_PHOTO_DIGITS_VERSION = 2


_DIGIT_CLASSES = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")


def _resize(batch: torch.Tensor, size: int) -> torch.Tensor:
    """A float batch ``(N, C, H, W)`` resized to ``size`` x ``size`` (bilinear, antialiased)."""
    door.tensor(batch, "batch", ndim=4, layout="(N, C, H, W)", dtype="float")
    door.integer(size, "size", low=1)
    return F.interpolate(batch, size=(size, size), mode="bilinear", align_corners=False, antialias=True)


def _ink(background: torch.Tensor, rng: np.random.Generator) -> tuple[torch.Tensor, float]:
    """The colour and opacity of a digit drawn on ``background`` ``(3, H, W)``: half the range away from
    the background's mean in every channel (mod 256), 88..168 levels of contrast, with a hue that still
    varies from digit to digit."""
    shift = torch.from_numpy(rng.uniform(-40, 40, 3)).float()
    colour = torch.remainder(background.mean(dim=(1, 2)) + 128.0 + shift, 256.0)
    return colour, float(rng.uniform(0.85, 1.0))


def _make_split(
    digits: np.ndarray,
    labels: np.ndarray,
    photos: list[np.ndarray],
    count: int,
    rng: np.random.Generator,
    region: tuple[float, float],
    size: int,
) -> tuple[np.ndarray, np.ndarray]:
    images = np.empty((count, 3, size, size), dtype=np.uint8)
    # Balanced classes: image i shows class i mod 10 (in shuffled order), drawn from that class's digits.
    classes = rng.permutation(np.arange(count) % 10)
    picks = np.array([rng.choice(np.flatnonzero(labels == c)) for c in classes])
    for i, pick in enumerate(picks):
        # Background: a random square crop from the allowed horizontal region of a random photo.
        photo = photos[rng.integers(len(photos))]
        top, left, crop = _crop_box(*photo.shape[:2], size, 2 * size, region, rng)
        patch = torch.from_numpy(photo[top : top + crop, left : left + crop].copy()).permute(2, 0, 1)
        background = _resize(patch[None].float(), size)[0].clamp(0, 255)

        # Foreground: the 8x8 digit scaled to 14..26 pixels at a random position, in a colour
        # far from the background's mean so it stays visible, but never a fixed colour.
        digit_size = int(rng.integers(18, 29))
        digit = torch.from_numpy(digits[pick]).float()[None, None] / 16.0
        alpha = _resize(digit, digit_size)[0, 0].clamp(0, 1)
        y0 = int(rng.integers(0, size - digit_size + 1))
        x0 = int(rng.integers(0, size - digit_size + 1))
        mask = torch.zeros(size, size)
        mask[y0 : y0 + digit_size, x0 : x0 + digit_size] = alpha
        colour, opacity = _ink(background, rng)
        blended = background * (1 - opacity * mask) + colour[:, None, None] * opacity * mask
        noise = torch.from_numpy(rng.normal(0, 6, (3, size, size))).float()
        images[i] = (blended + noise).round().clamp(0, 255).to(torch.uint8).numpy()
    return images, labels[picks].astype(np.int64)


def _build_photo_digits(
    train_size: int = 6000, test_size: int = 1000, seed: int = 0, size: int = 32
) -> dict[str, np.ndarray]:
    """Build the course's image dataset as numpy arrays. Introduced in 00_setup_and_tour.

    Real handwritten digits (scikit-learn's 1,797) are scaled, coloured and blended onto crops of
    real photographs (scikit-image's). Train and test use disjoint digit scans (400 of the 1,797
    are held out for the test set) and disjoint photo regions; every class has the same number of
    images (up to rounding). Same arguments, same bytes.
    """
    from sklearn.datasets import load_digits

    if train_size <= 0 or test_size <= 0:
        raise ValueError(f"train_size and test_size must be positive, got {train_size} and {test_size}")
    digits = load_digits()
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(digits.target))
    # 400 digit scans, drawn at random, never appear in training (the same writers may: scikit-learn's
    # digits do not say who wrote which).
    train_idx, test_idx = np.sort(order[:-400]), np.sort(order[-400:])
    photos = list(background_photos().values())
    with torch.no_grad():
        train_x, train_y = _make_split(
            digits.images[train_idx], digits.target[train_idx], photos, train_size, rng,
            (0.0, TRAIN_REGION_FRACTION), size,
        )
        test_x, test_y = _make_split(
            digits.images[test_idx], digits.target[test_idx], photos, test_size, rng,
            (TRAIN_REGION_FRACTION, 1.0), size,
        )
    return {"train_images": train_x, "train_labels": train_y, "test_images": test_x, "test_labels": test_y}


def _load_photo_digits(root: str | os.PathLike | None = None) -> ImageData:
    """The course's image dataset (see :func:`_build_photo_digits`), built on first use (a few seconds)
    and cached under ``data/``. Introduced in 00_setup_and_tour.
    """
    meta = {"dataset": "photo_digits", "version": _PHOTO_DIGITS_VERSION, "seed": 0}
    arrays = _cached_arrays(data_dir(root) / f"photo_digits_v{_PHOTO_DIGITS_VERSION}.npz", meta, _build_photo_digits)
    tensors = {key: torch.from_numpy(value) for key, value in arrays.items()}  # train_images, train_labels, ...
    return ImageData(name="photo_digits", class_names=_DIGIT_CLASSES, **tensors)


def small_photo_digits(
    n_train: int = 500, n_val: int = 200, seed: int = 0, root: str | os.PathLike | None = None
) -> DigitsSplit:
    """A small-data split of the course's ``photo_digits`` (real handwritten digits on real photos,
    32x32 RGB): ``n_train`` training and ``n_val`` validation images, both balanced over the 10
    classes and drawn without overlap from its training pool, and its whole test split (digit scans and
    photo regions never used in training) as the test set. Introduced in 03_regularization.
    """
    _require_balanced_sizes(n_train, n_val)
    full = _load_photo_digits(root)
    per_class = torch.bincount(full.train_labels, minlength=10).min().item()
    if (n_train + n_val) // 10 > per_class:
        raise ValueError(
            f"n_train + n_val asks for {(n_train + n_val) // 10} images per class; "
            f"photo_digits has {per_class}"
        )
    train_idx, val_idx = _balanced_split(full.train_labels, n_train, n_val, seed)
    return DigitsSplit(full.train_images[train_idx], full.train_labels[train_idx].long(),
                       full.train_images[val_idx], full.train_labels[val_idx].long(),
                       full.test_images, full.test_labels.long())


_SOURCE_CLASSES = (0, 1, 2, 3, 4)


_TARGET_CLASSES = (5, 6, 7, 8, 9)


class TransferSplits:
    """Source (digits 0-4) and target (digits 5-9) images of ``photo_digits``, labels remapped to
    0..4. ``target_pool`` is where few-label training sets are drawn from; ``target_test`` is the
    test split (digit scans and photo regions never used in training). Introduced in 06_transfer_learning.
    """

    def __init__(self, data: ImageData) -> None:
        def pick(
            images: torch.Tensor, labels: torch.Tensor, classes: Sequence[int]
        ) -> tuple[torch.Tensor, torch.Tensor]:
            keep = torch.isin(labels, torch.tensor(classes))
            return images[keep], labels[keep] - min(classes)

        self.source_train = pick(data.train_images, data.train_labels, _SOURCE_CLASSES)
        self.source_test = pick(data.test_images, data.test_labels, _SOURCE_CLASSES)
        self.target_pool = pick(data.train_images, data.train_labels, _TARGET_CLASSES)
        self.target_test = pick(data.test_images, data.test_labels, _TARGET_CLASSES)
        self.source_names = tuple(str(c) for c in _SOURCE_CLASSES)
        self.target_names = tuple(str(c) for c in _TARGET_CLASSES)

    def __repr__(self) -> str:
        sizes = ", ".join(
            f"{k} {len(getattr(self, k)[1])}" for k in ("source_train", "source_test", "target_pool", "target_test")
        )
        return f"TransferSplits(source digits 0-4 -> target digits 5-9: {sizes} images)"


def transfer_splits(root: str | os.PathLike | None = None) -> TransferSplits:
    """The source and target tasks of 06_transfer_learning, built from ``photo_digits``. Introduced in
    06_transfer_learning."""
    return TransferSplits(_load_photo_digits(root))
