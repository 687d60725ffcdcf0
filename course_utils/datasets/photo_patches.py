"""A real-photo task built offline: "which photo is this patch from?". Eight real photographs that
ship inside scikit-image's and scikit-learn's wheels (a person, a cup of coffee, a cat, a rocket, a
galaxy field, a stained tissue sample, a temple in China, a flower); each class is one photo, each
image a random square patch of it. Training patches come from the left half of every photo, test
patches from the right half, so a test patch never overlaps a training one. Built
deterministically, cached under ``data/`` with a checksum. Introduced in 06_transfer_learning.
"""

from __future__ import annotations

import os

import numpy as np
import torch

from ..augment import resize_images
from ..storage import _cached_arrays, data_dir
from .image_data import ImageData
from .photos import _crop_box

_PHOTO_PATCHES_VERSION = 1
# name -> where it ships: scikit-image's `skimage.data.<name>()` or scikit-learn's sample images
_PATCH_PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "immunohistochemistry",
                "china", "flower")
_TRAIN_HALF, _TEST_HALF = (0.0, 0.5), (0.5, 1.0)


def _photo(name: str) -> np.ndarray:
    if name in ("china", "flower"):
        from sklearn.datasets import load_sample_image

        return np.asarray(load_sample_image(f"{name}.jpg"), dtype=np.uint8)
    import skimage.data

    return np.asarray(getattr(skimage.data, name)(), dtype=np.uint8)


def _patches(photo: np.ndarray, count: int, size: int, region: tuple[float, float],
             rng: np.random.Generator) -> np.ndarray:
    out = np.empty((count, 3, size, size), dtype=np.uint8)
    height, width = photo.shape[:2]
    for i in range(count):
        # A side from the output size up to a third of the photo's height: close-ups and wider views.
        top, left, side = _crop_box(height, width, size, max(size, height // 3), region, rng)
        patch = torch.from_numpy(photo[top : top + side, left : left + side].copy()).permute(2, 0, 1)
        out[i] = resize_images(patch, size).numpy()
    return out


def _build_photo_patches(train_per_class: int = 60, test_per_class: int = 40, size: int = 64,
                        seed: int = 0) -> dict[str, np.ndarray]:
    """The arrays of the photo-patch task: ``train_per_class`` patches of every photo from its left
    half, ``test_per_class`` from its right half, uint8 ``(N, 3, size, size)``, labels in photo order.
    Introduced in 06_transfer_learning.
    """
    if train_per_class < 1 or test_per_class < 1 or size < 16:
        raise ValueError(f"need at least one patch per class and size >= 16, got {train_per_class}, "
                         f"{test_per_class}, {size}")
    rng = np.random.default_rng(seed)
    arrays: dict[str, list[np.ndarray]] = {"train_images": [], "train_labels": [], "test_images": [],
                                           "test_labels": []}
    with torch.no_grad():
        for label, name in enumerate(_PATCH_PHOTOS):
            photo = _photo(name)
            for split, count, region in (("train", train_per_class, _TRAIN_HALF), ("test", test_per_class, _TEST_HALF)):
                arrays[f"{split}_images"].append(_patches(photo, count, size, region, rng))
                arrays[f"{split}_labels"].append(np.full(count, label, dtype=np.int64))
    return {key: np.concatenate(parts) for key, parts in arrays.items()}


def load_photo_patches(train_per_class: int = 60, test_per_class: int = 40, size: int = 64, seed: int = 0,
                       root: str | os.PathLike | None = None) -> ImageData:
    """The photo-patch task (see the module), built on first use (a second) and cached under
    ``data/``; a missing, truncated or altered cache is detected by its sha256 and rebuilt.
    Introduced in 06_transfer_learning.
    """
    meta = {"dataset": "photo_patches", "version": _PHOTO_PATCHES_VERSION, "seed": seed, "size": size,
            "train_per_class": train_per_class, "test_per_class": test_per_class}
    name = f"photo_patches_v{_PHOTO_PATCHES_VERSION}_s{seed}_{size}px_{train_per_class}_{test_per_class}.npz"
    arrays = _cached_arrays(data_dir(root) / name, meta,
                           lambda: _build_photo_patches(train_per_class, test_per_class, size, seed))
    tensors = {key: torch.from_numpy(value) for key, value in arrays.items()}
    return ImageData(name="photo_patches", class_names=_PATCH_PHOTOS, **tensors)
