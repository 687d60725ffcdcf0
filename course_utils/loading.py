"""Batches from in-memory tensors, one loader for images, clips and features: shuffle, augment per
sample, normalize, move to the device.

Introduced in 00_setup_and_tour.
"""

from __future__ import annotations

from typing import Callable, Iterator, Sequence

import torch

from . import _validate as door
from .checks import _require_images, _require_videos

# The reference code's Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)), for any number of channels: pixels in
# [0, 1] become [-1, 1].
_DEFAULT_LEVEL = 0.5


def _require_pixels(pixels: torch.Tensor, name: str, dtype: torch.dtype | None = None) -> None:
    if isinstance(pixels, torch.Tensor) and pixels.ndim == 5:
        _require_videos(pixels, name, dtype)
    else:
        _require_images(pixels, name, dtype)


def normalize(
    images: torch.Tensor, mean: Sequence[float] | None = None, std: Sequence[float] | None = None
) -> torch.Tensor:
    """uint8 images ``(N, C, H, W)`` or clips ``(N, T, C, H, W)`` to normalized float32:
    ``(x / 255 - mean) / std``, one ``mean`` and ``std`` per channel ``C`` (default 0.5 each: values
    in [-1, 1]). Introduced in 02_cnn_training.
    """
    _require_pixels(images, "images", torch.uint8)
    channels = images.shape[-3]
    mean = (_DEFAULT_LEVEL,) * channels if mean is None else mean
    std = (_DEFAULT_LEVEL,) * channels if std is None else std
    if len(mean) != channels or len(std) != channels:
        raise ValueError(f"mean and std need one value per channel ({channels}), got {len(mean)} and {len(std)}")
    mean_t = torch.tensor(mean, device=images.device).view(-1, 1, 1)
    std_t = torch.tensor(std, device=images.device).view(-1, 1, 1)
    return (images.float().div_(255) - mean_t) / std_t


class BatchLoader:
    """Iterate over ``(inputs, labels)`` batches of in-memory data. Introduced in 00_setup_and_tour.

    ``data`` is uint8 images ``(N, C, H, W)`` or clips ``(N, T, C, H, W)`` (05_video_lstm),
    normalized to float32 batch by batch, or float features ``(N, ...)`` (passed through as they
    are, e.g. frame features ``(N, T, F)``); ``mean`` and ``std`` as in :func:`normalize`.
    ``labels`` are class indices ``(N,)``, or multi-hot floats ``(N, K)`` for a multi-label task
    (08_where_features_look: which digits a scene holds).
    ``augment(images, generator)`` runs on each uint8 image batch (e.g.
    :class:`~course_utils.augment.BatchAugment`). Batches are moved to ``device``.
    Shuffling and augmentation draw from the loader's own generator, seeded by ``seed``, so every
    run sees the same batches.
    """

    def __init__(
        self,
        data: torch.Tensor,
        labels: torch.Tensor,
        batch_size: int = 128,
        shuffle: bool = False,
        augment: Callable[[torch.Tensor, torch.Generator], torch.Tensor] | None = None,
        device: torch.device | str = "cpu",
        seed: int = 0,
        drop_last: bool = False,
        mean: Sequence[float] | None = None,
        std: Sequence[float] | None = None,
        channels_last: bool = False,
    ) -> None:
        if isinstance(data, torch.Tensor) and data.is_floating_point():
            if data.ndim < 2:
                raise ValueError(f"float features must have shape (N, ...), got {tuple(data.shape)}")
            if augment is not None or channels_last:
                raise ValueError("augment and channels_last apply to uint8 images, not to float features")
        else:
            _require_pixels(data, "data", torch.uint8)
            if data.ndim == 5 and (augment is not None or channels_last):
                raise ValueError("augment and channels_last apply to images (N, C, H, W), not to clips")
        multi_hot = labels.ndim == 2 and labels.is_floating_point()
        if not (labels.ndim == 1 or multi_hot) or len(labels) != len(data):
            raise ValueError(f"labels must be class indices of shape ({len(data)},) or multi-hot floats of shape "
                             f"({len(data)}, K) to match the data, got {tuple(labels.shape)} {labels.dtype}")
        door.positive_int(batch_size, "batch_size")
        self.data, self.labels = data, (labels if multi_hot else labels.long())
        self.batch_size, self.shuffle, self.augment = batch_size, shuffle, augment
        self.device = torch.device(device)
        self.drop_last, self.mean, self.std = drop_last, mean, std
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
            batch = self.data[index]
            if self.augment is not None:
                batch = self.augment(batch, self.generator)
            batch = batch.to(self.device, non_blocking=True)
            if batch.dtype == torch.uint8:
                batch = normalize(batch, self.mean, self.std)
            if self.channels_last:
                batch = batch.contiguous(memory_format=torch.channels_last)
            yield batch, self.labels[index].to(self.device, non_blocking=True)


# --------------------------------------------------------------------------------------------------
# Minibatch order by hand (01_cross_entropy)


def minibatches(n: int, batch_size: int, generator: torch.Generator) -> tuple[torch.Tensor, ...]:
    """Indices of one epoch of shuffled minibatches (the last one may be smaller). Introduced in
    01_cross_entropy.
    """
    door.integer(n, "n")
    door.integer(batch_size, "batch_size")
    door.instance(generator, "generator", torch.Generator, "a torch.Generator (e.g. torch.Generator().manual_seed(0))")
    if n < 1 or batch_size < 1:
        raise ValueError(f"n and batch_size must be positive, got n={n}, batch_size={batch_size}")
    return torch.randperm(n, generator=generator).split(batch_size)
