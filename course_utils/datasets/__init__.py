"""The course's datasets, one module each, all built offline from data that ships inside installed
wheels and cached under ``data/`` with a checksum (see :mod:`course_utils.storage`).

- ``photo_digits``: handwritten digits on real photos, 32x32 RGB (00 onwards)
- ``digits``: scikit-learn's 8x8 digits and their small-data splits (01, 03)
- ``moving_digits``: the video dataset, classes that differ only in the direction of time (05)
- ``photo_patches``: which of 8 real photos a patch comes from, a real-photo task for transfer (06)
- ``digit_scenes``: one to three digits on a real photo, each with its class, box and pixel mask (00, 08, 09)
- ``cifar10``: CIFAR-10, opt-in and never downloaded unless asked
- ``photos``: the real photos and textures used as backgrounds; ``image_data``: the container

Introduced in 00_setup_and_tour.
"""

from __future__ import annotations

import os

from .cifar10 import _load_cifar10
from .image_data import ImageData
from .photo_digits import _load_photo_digits
from .photo_patches import load_photo_patches

_DATASETS: dict[str, str] = {
    "photo_digits": "handwritten digits on real photos, 32x32 RGB, 10 classes, built offline (default)",
    "photo_patches": "patches of 8 real photos, 64x64 RGB, 8 classes (which photo?), built offline",
    "cifar10": "CIFAR-10 via torchvision, 32x32 RGB, 10 classes; opt-in, needs the files or download=True",
}


def load_dataset(
    name: str = "photo_digits", root: str | os.PathLike | None = None, download: bool = False
) -> ImageData:
    """Load one of the course's image datasets by name: ``"photo_digits"``, ``"photo_patches"`` or
    ``"cifar10"`` (opt-in). Introduced in 00_setup_and_tour.

    ``photo_digits`` is built on first use (a few seconds) and cached under ``data/``; a missing,
    truncated or altered cache is detected by its sha256 and rebuilt.
    """
    if name == "photo_digits":
        return _load_photo_digits(root)
    if name == "photo_patches":
        return load_photo_patches(root=root)
    if name == "cifar10":
        return _load_cifar10(root, download=download)
    raise ValueError(f"unknown dataset {name!r}; choose one of {sorted(_DATASETS)}")
