"""CIFAR-10 through torchvision, opt-in for learners who are online. Introduced in 00_setup_and_tour."""

from __future__ import annotations

import os

import torch

from ..storage import data_dir
from .image_data import ImageData

_CIFAR10_CLASSES = (
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
)


def _load_cifar10(root: str | os.PathLike | None = None, download: bool = False) -> ImageData:
    """CIFAR-10 through ``torchvision.datasets.CIFAR10``, as in-memory tensors. Opt-in for learners
    who are online. Introduced in 00_setup_and_tour.

    With ``download=False`` (the default) nothing touches the network: the files must already be
    in ``root/cifar-10-batches-py``; otherwise a ``FileNotFoundError`` says how to get them.
    """
    from torchvision.datasets import CIFAR10

    root = data_dir(root)
    try:
        splits = [CIFAR10(str(root), train=train, download=download) for train in (True, False)]
    except RuntimeError as error:
        raise FileNotFoundError(
            f"CIFAR-10 was not found or is corrupted in {root / 'cifar-10-batches-py'} ({error}). "
            "If you are online, call load_dataset('cifar10', download=True) once to fetch it (170 MB)."
        ) from error
    train, test = (
        (torch.from_numpy(split.data).permute(0, 3, 1, 2).contiguous(), torch.tensor(split.targets))
        for split in splits
    )
    return ImageData("cifar10", train[0], train[1], test[0], test[1], tuple(splits[0].classes))
