"""Batches from in-memory tensors: shuffle, augment per sample, normalize, move to the device.

Introduced in 00_setup_and_tour.
"""

from __future__ import annotations

from typing import Callable, Iterator, Sequence

import torch

from .checks import require_images

__all__ = ["BatchLoader", "normalize", "MEAN", "STD"]

# The seed's Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)): pixels in [0, 1] become [-1, 1].
MEAN = (0.5, 0.5, 0.5)
STD = (0.5, 0.5, 0.5)


def normalize(images: torch.Tensor, mean: Sequence[float] = MEAN, std: Sequence[float] = STD) -> torch.Tensor:
    """uint8 images ``(N, C, H, W)`` to normalized float32: ``(x / 255 - mean) / std``.
    Introduced in 00_setup_and_tour.
    """
    require_images(images, dtype=torch.uint8)
    if len(mean) != images.shape[1] or len(std) != images.shape[1]:
        raise ValueError(f"mean and std need one value per channel ({images.shape[1]}), got {len(mean)} and {len(std)}")
    mean_t = torch.tensor(mean, device=images.device).view(1, -1, 1, 1)
    std_t = torch.tensor(std, device=images.device).view(1, -1, 1, 1)
    return (images.float().div_(255) - mean_t) / std_t


class BatchLoader:
    """Iterate over ``(inputs, labels)`` batches of in-memory uint8 images. Introduced in
    00_setup_and_tour.

    ``augment(images, generator)`` runs on each uint8 batch (e.g. :class:`~course_utils.augment.BatchAugment`),
    then images are normalized to float32 and moved to ``device``. Shuffling and augmentation draw
    from the loader's own generator, seeded by ``seed``, so every run sees the same batches.
    """

    def __init__(
        self,
        images: torch.Tensor,
        labels: torch.Tensor,
        batch_size: int = 128,
        shuffle: bool = False,
        augment: Callable[[torch.Tensor, torch.Generator], torch.Tensor] | None = None,
        device: torch.device | str = "cpu",
        seed: int = 0,
        drop_last: bool = False,
        mean: Sequence[float] = MEAN,
        std: Sequence[float] = STD,
        channels_last: bool = False,
    ) -> None:
        require_images(images, dtype=torch.uint8)
        if labels.ndim != 1 or len(labels) != len(images):
            raise ValueError(f"labels must have shape ({len(images)},) to match images, got {tuple(labels.shape)}")
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        self.images, self.labels = images, labels.long()
        self.batch_size, self.shuffle, self.augment = batch_size, shuffle, augment
        self.device = torch.device(device)
        self.drop_last, self.mean, self.std = drop_last, tuple(mean), tuple(std)
        self.channels_last = channels_last
        self.generator = torch.Generator().manual_seed(seed)

    @property
    def dataset_size(self) -> int:
        return len(self.labels)

    def __len__(self) -> int:
        full, rest = divmod(len(self.labels), self.batch_size)
        return full + (0 if self.drop_last or rest == 0 else 1)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n = len(self.labels)
        order = torch.randperm(n, generator=self.generator) if self.shuffle else torch.arange(n)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            index = order[start : start + self.batch_size]
            images = self.images[index]
            if self.augment is not None:
                images = self.augment(images, self.generator)
            inputs = normalize(images.to(self.device, non_blocking=True), self.mean, self.std)
            if self.channels_last:
                inputs = inputs.contiguous(memory_format=torch.channels_last)
            yield inputs, self.labels[index].to(self.device, non_blocking=True)
