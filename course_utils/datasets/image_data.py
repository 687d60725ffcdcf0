"""The container every image dataset of the course is loaded into. Introduced in 00_setup_and_tour.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class ImageData:
    """An image-classification dataset held as in-memory tensors. Introduced in 00_setup_and_tour.

    Images are ``uint8`` of shape ``(N, 3, H, W)``; labels are ``int64`` of shape ``(N,)``.
    """

    name: str
    train_images: torch.Tensor
    train_labels: torch.Tensor
    test_images: torch.Tensor
    test_labels: torch.Tensor
    class_names: tuple[str, ...]

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def __repr__(self) -> str:
        return (
            f"ImageData({self.name!r}: {len(self.train_labels)} train and {len(self.test_labels)} test "
            f"images of shape {tuple(self.train_images.shape[1:])}, {self.num_classes} classes)"
        )
