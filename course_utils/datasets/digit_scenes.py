"""Scenes with known answers: real handwritten digits placed on crops of real photos, one to three
digits per 64x64 RGB scene, every digit's class, box and pixel mask known from construction. The
dataset of 08_where_features_look (where does a classifier look?) and 09_features_to_boxes (boxes
and masks from features). Train and test use disjoint digit scans and disjoint photo regions, as
``photo_digits`` does; built deterministically in seconds and cached under ``data/`` with a checksum.

Introduced in 00_setup_and_tour.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import torch

from .. import _validate as door
from ..storage import _cached_arrays, data_dir
from .photo_digits import _DIGIT_CLASSES, _ink, _resize
from .photos import TRAIN_REGION_FRACTION, _crop_box, background_photos

_SCENES_VERSION = 2  # 2: training scenes beyond the first 3,000 from a second stream
_MAX_DIGITS = 3
# A digit's ink is the part of its scaled 8x8 scan with opacity above this: the pixel mask.
_INK = 0.5
_TEST_SCANS = 400  # as photo_digits: the same 400 held-out scans, never in a training scene
# The first training scenes and then the test scenes come from one random stream; training scenes beyond
# this many come from a second stream, so a larger training set keeps the same test scenes.
_FIRST_STREAM_TRAIN = 3000


@dataclass(frozen=True)
class SceneData:
    """Scenes of one to three digits with their answers, as in-memory tensors. Introduced in
    00_setup_and_tour.

    For each split: ``images`` uint8 ``(N, 3, S, S)``; ``labels`` int64 ``(N, 3)``, the digit classes,
    -1 where a scene has fewer than three digits; ``boxes`` float32 ``(N, 3, 4)``, each digit's
    tightest box around its ink as ``(x0, y0, x1, y1)`` in pixels (x1, y1 exclusive), zeros where there
    is no digit; ``masks`` uint8 ``(N, S, S)``, 0 for background and k for the ink of digit k (1..3).
    """

    train_images: torch.Tensor
    train_labels: torch.Tensor
    train_boxes: torch.Tensor
    train_masks: torch.Tensor
    test_images: torch.Tensor
    test_labels: torch.Tensor
    test_boxes: torch.Tensor
    test_masks: torch.Tensor
    class_names: tuple[str, ...] = _DIGIT_CLASSES

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def present(self, split: str) -> torch.Tensor:
        """Which classes each scene of ``split`` ("train" or "test") shows: float ``(N, classes)``
        of 0s and 1s, the targets of a multi-label classifier."""
        labels = self._split(split)[1]
        hot = torch.zeros(len(labels), self.num_classes)
        rows, slots = torch.nonzero(labels >= 0, as_tuple=True)
        hot[rows, labels[rows, slots]] = 1.0
        return hot

    def class_masks(self, split: str) -> torch.Tensor:
        """Each pixel's class in ``split`` ("train" or "test"): int64 ``(N, S, S)``, the digit's class
        on its ink and ``num_classes`` (one more class, "background") elsewhere."""
        labels, masks = self._split(split)[1], self._split(split)[3].long()
        table = torch.cat([torch.full((len(labels), 1), self.num_classes), labels.clamp(min=0)], dim=1)
        return torch.gather(table, 1, masks.flatten(1)).view_as(masks)

    def _split(self, split: str) -> tuple[torch.Tensor, ...]:
        door.one_of(split, "split", ("train", "test"))
        return tuple(getattr(self, f"{split}_{part}") for part in ("images", "labels", "boxes", "masks"))

    def __repr__(self) -> str:
        digits = {split: int((getattr(self, f"{split}_labels") >= 0).sum()) for split in ("train", "test")}
        return (f"SceneData({len(self.train_images)} train scenes with {digits['train']} digits, "
                f"{len(self.test_images)} test scenes with {digits['test']} digits, "
                f"{tuple(self.train_images.shape[1:])}, {self.num_classes} classes)")


def _place(sizes: list[int], scene: int, rng: np.random.Generator) -> list[tuple[int, int]] | None:
    """Top-left corners for squares of ``sizes`` inside a ``scene`` x ``scene`` image, no two
    overlapping; None when 50 random tries do not fit them all."""
    corners: list[tuple[int, int]] = []
    for side in sizes:
        for _ in range(50):
            y, x = int(rng.integers(0, scene - side + 1)), int(rng.integers(0, scene - side + 1))
            if all(y + side <= oy or oy + os_ <= y or x + side <= ox or ox + os_ <= x
                   for (oy, ox), os_ in zip(corners, sizes)):
                corners.append((y, x))
                break
        else:
            return None
    return corners


def _scene(digits: np.ndarray, labels: np.ndarray, photos: list[np.ndarray], rng: np.random.Generator,
           region: tuple[float, float], size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One scene: image ``(3, S, S)``, labels ``(3,)``, boxes ``(3, 4)``, mask ``(S, S)``."""
    photo = photos[rng.integers(len(photos))]
    top, left, crop = _crop_box(*photo.shape[:2], size, 2 * size, region, rng)
    patch = torch.from_numpy(photo[top : top + crop, left : left + crop].copy()).permute(2, 0, 1)
    image = _resize(patch[None].float(), size)[0].clamp(0, 255)
    count = int(rng.integers(1, _MAX_DIGITS + 1))
    while True:  # a scene of 64 pixels always fits three digits of up to 30; a retry is rare
        sides = [int(rng.integers(size // 4, size // 2 - 1)) for _ in range(count)]
        corners = _place(sides, size, rng)
        if corners is not None:
            break
    out_labels = np.full(_MAX_DIGITS, -1, dtype=np.int64)
    out_boxes = np.zeros((_MAX_DIGITS, 4), dtype=np.float32)
    mask = torch.zeros(size, size, dtype=torch.uint8)
    for k, (side, (y, x)) in enumerate(zip(sides, corners)):
        pick = int(rng.integers(len(labels)))
        scan = torch.from_numpy(digits[pick]).float()[None, None] / 16.0
        alpha = _resize(scan, side)[0, 0].clamp(0, 1)
        window = image[:, y : y + side, x : x + side]
        colour, opacity = _ink(window, rng)  # from the background under the digit, as in photo_digits
        image[:, y : y + side, x : x + side] = window * (1 - opacity * alpha) + colour[:, None, None] * opacity * alpha
        ink = alpha > _INK
        rows, cols = torch.nonzero(ink, as_tuple=True)
        mask[y : y + side, x : x + side][ink] = k + 1
        out_labels[k] = labels[pick]
        out_boxes[k] = (x + int(cols.min()), y + int(rows.min()), x + int(cols.max()) + 1, y + int(rows.max()) + 1)
    noise = torch.from_numpy(rng.normal(0, 6, (3, size, size))).float()
    pixels = (image + noise).round().clamp(0, 255).to(torch.uint8).numpy()
    return pixels, out_labels, out_boxes, mask.numpy()


def _build_digit_scenes(train_size: int = 9000, test_size: int = 600, seed: int = 0,
                        size: int = 64) -> dict[str, np.ndarray]:
    """The arrays of :class:`SceneData` (keys ``train_images``, ``train_labels``, ... ``test_masks``).
    Same arguments, same bytes; the first 3,000 training scenes and the test scenes do not depend on
    how many more training scenes are asked for. Introduced in 00_setup_and_tour.
    """
    from sklearn.datasets import load_digits

    door.positive_int(train_size, "train_size")
    door.positive_int(test_size, "test_size")
    door.integer(seed, "seed", low=0)
    door.integer(size, "size")
    door.require(48 <= size <= 96, "size", "a side from 48 to 96 pixels", size)
    scans = load_digits()
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(scans.target))
    train_idx, test_idx = np.sort(order[:-_TEST_SCANS]), np.sort(order[-_TEST_SCANS:])
    photos = list(background_photos().values())
    arrays: dict[str, np.ndarray] = {}
    train_region, test_region = (0.0, TRAIN_REGION_FRACTION), (TRAIN_REGION_FRACTION, 1.0)

    def draw(count: int, idx: np.ndarray, region: tuple[float, float], stream: np.random.Generator) -> list:
        return [_scene(scans.images[idx], scans.target[idx], photos, stream, region, size) for _ in range(count)]

    with torch.no_grad():
        first = min(train_size, _FIRST_STREAM_TRAIN)
        splits = {"train": draw(first, train_idx, train_region, rng)}
        splits["test"] = draw(test_size, test_idx, test_region, rng)
        splits["train"] += draw(train_size - first, train_idx, train_region, np.random.default_rng([seed, 1]))
        for split, scenes in splits.items():
            for part, values in zip(("images", "labels", "boxes", "masks"), zip(*scenes)):
                arrays[f"{split}_{part}"] = np.stack(values)
    return arrays


def load_digit_scenes(train_size: int = 9000, test_size: int = 600, seed: int = 0, size: int = 64,
                      root: str | os.PathLike | None = None) -> SceneData:
    """Scenes of one to three real handwritten digits on real photos, with each digit's class, box and
    pixel mask (see :class:`SceneData`), built on first use (about 20 seconds) and cached under ``data/``;
    a missing, truncated or altered cache is detected by its sha256 and rebuilt. Introduced in
    00_setup_and_tour.
    """
    door.positive_int(train_size, "train_size")
    door.positive_int(test_size, "test_size")
    door.integer(seed, "seed", low=0)
    door.integer(size, "size")
    door.require(48 <= size <= 96, "size", "a side from 48 to 96 pixels", size)
    meta = {"dataset": "digit_scenes", "version": _SCENES_VERSION, "seed": seed, "size": size,
            "train_size": train_size, "test_size": test_size}
    name = f"digit_scenes_v{_SCENES_VERSION}_s{seed}_{size}px_{train_size}_{test_size}.npz"
    arrays = _cached_arrays(data_dir(root) / name, meta,
                            lambda: _build_digit_scenes(train_size, test_size, seed, size))
    return SceneData(**{key: torch.from_numpy(value) for key, value in arrays.items()})
