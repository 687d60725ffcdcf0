"""The course's video dataset, "moving digits": a real handwritten digit moving over a real texture,
where the class is the motion (right/left, down/up, grow/shrink: each pair the other played
backwards), built offline and cached with a checksum. Introduced in 05_video_lstm.

Videos are ``uint8`` tensors ``(N, T, C, H, W)``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from ..storage import _cached_arrays, data_dir
from .photos import TRAIN_REGION_FRACTION, _crop_box, _textures

_MOVING_DIGITS_VERSION = 2


# Three pairs of classes that differ only in the direction of time: each class is its partner
# played backwards.
_VIDEO_CLASSES = ("right", "left", "down", "up", "grow", "shrink")


_REVERSED_PAIRS = (("right", "left"), ("down", "up"), ("grow", "shrink"))


@dataclass(frozen=True)
class VideoData:
    """A video-classification dataset held as in-memory tensors. Introduced in 05_video_lstm.

    Videos are ``uint8`` ``(N, T, C, H, W)``; labels ``int64`` ``(N,)``. ``reversed_pairs`` lists
    the pairs of class indices whose clips are each other's played backwards.
    """

    name: str
    train_videos: torch.Tensor
    train_labels: torch.Tensor
    test_videos: torch.Tensor
    test_labels: torch.Tensor
    class_names: tuple[str, ...]
    reversed_pairs: tuple[tuple[int, int], ...]

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def paired_classes(self) -> tuple[int, ...]:
        return tuple(sorted(c for pair in self.reversed_pairs for c in pair))

    def __repr__(self) -> str:
        return (
            f"VideoData({self.name!r}: {len(self.train_labels)} train and {len(self.test_labels)} test clips "
            f"of shape {tuple(self.train_videos.shape[1:])} (T, C, H, W), {self.num_classes} classes)"
        )


def _backgrounds(textures: Sequence[np.ndarray], count: int, size: int, rng: np.random.Generator,
                 region: tuple[float, float]) -> torch.Tensor:
    out = torch.empty(count, 1, size, size)
    for i in range(count):
        texture = textures[rng.integers(len(textures))]
        top, left, crop = _crop_box(*texture.shape, size, 3 * size, region, rng)
        patch = torch.from_numpy(texture[top : top + crop, left : left + crop].astype(np.float32))
        out[i, 0] = F.interpolate(patch[None, None], size=(size, size), mode="bilinear",
                                  align_corners=False, antialias=True)[0, 0]
    return out


def _trajectories(labels: np.ndarray, frames: int, size: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Centre x, y, digit size and angle of every frame, shape (N, T) each. Paired classes are
    drawn as the "forward" member and played backwards for its partner."""
    n = len(labels)
    t = np.arange(frames)[None, :]
    unit = size / 32  # motions are designed for 32x32 frames and scaled to ``size``
    scale = np.repeat(rng.uniform(12, 16, (n, 1)) * unit, frames, 1)
    angle = np.repeat(rng.uniform(-20, 20, (n, 1)), frames, 1)
    cx = np.repeat(rng.uniform(0.4, 0.6, (n, 1)) * size, frames, 1)
    cy = np.repeat(rng.uniform(0.3, 0.7, (n, 1)) * size, frames, 1)
    name = np.array(_VIDEO_CLASSES)[labels]
    # Moving right or down (left, up = played backwards): 1.5 to 2.5 pixels (of 32) per frame,
    # the whole path inside the frame.
    speed = rng.uniform(1.5, 2.5, (n, 1)) * unit * 7 / (frames - 1)
    travel = speed * (frames - 1)
    margin = 0.35 * scale[:, :1]
    start = margin + rng.uniform(0, 1, (n, 1)) * np.maximum(size - 2 * margin - travel, 0)
    horizontal, vertical = np.isin(name, ("right", "left")), np.isin(name, ("down", "up"))
    cx = np.where(horizontal[:, None], start + speed * t, cx)
    cy = np.where(vertical[:, None], start + speed * t, cy)
    cx = np.where(vertical[:, None], rng.uniform(0.3, 0.7, (n, 1)) * size, cx)
    # Growing (shrink = backwards): size x1.6 to x2.2 over the clip, geometric steps.
    grow = np.isin(name, ("grow", "shrink"))
    s0 = rng.uniform(7.5, 10.5, (n, 1)) * unit
    ratio = rng.uniform(1.6, 2.2, (n, 1))
    scale = np.where(grow[:, None], s0 * ratio ** (t / (frames - 1)), scale)
    # Every clip: a little camera jitter.
    cx = cx + rng.normal(0, 0.3 * unit, (n, frames))
    cy = cy + rng.normal(0, 0.3 * unit, (n, frames))
    backwards = np.isin(name, ("left", "up", "shrink"))
    cx, cy, scale, angle = (np.where(backwards[:, None], a[:, ::-1], a) for a in (cx, cy, scale, angle))
    return cx, cy, scale, angle


def _render(digits: np.ndarray, labels: np.ndarray, textures: Sequence[np.ndarray], frames: int, size: int,
            rng: np.random.Generator, region: tuple[float, float]) -> np.ndarray:
    n = len(labels)
    cx, cy, scale, angle = (
        torch.from_numpy(np.ascontiguousarray(a)).float() for a in _trajectories(labels, frames, size, rng)
    )
    background = _backgrounds(textures, n, size, rng, region)  # (N, 1, H, W)
    # Textures at half their contrast, so that the digit stays visible on busy ones.
    level = background.mean(dim=(1, 2, 3), keepdim=True)
    background = level + 0.5 * (background - level)
    # Sampling grid: for every output pixel, where it falls in the 8x8 digit (normalized [-1, 1]).
    pixel = torch.arange(size, dtype=torch.float32) + 0.5
    dx = pixel[None, None, None, :] - cx[:, :, None, None]  # (N, T, 1, W)
    dy = pixel[None, None, :, None] - cy[:, :, None, None]  # (N, T, H, 1)
    theta = torch.deg2rad(angle)[:, :, None, None]
    factor = (2.0 / scale)[:, :, None, None]
    u = (dx * torch.cos(theta) + dy * torch.sin(theta)) * factor
    v = (-dx * torch.sin(theta) + dy * torch.cos(theta)) * factor
    grid = torch.stack(torch.broadcast_tensors(u, v), dim=-1).reshape(n * frames, size, size, 2)
    digit = torch.from_numpy(digits.astype(np.float32) / 16.0)[:, None]  # (N, 1, 8, 8)
    digit = digit[:, None].expand(n, frames, 1, 8, 8).reshape(n * frames, 1, 8, 8)
    alpha = F.grid_sample(digit, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    alpha = alpha.reshape(n, frames, 1, size, size).clamp(0, 1)
    # Ink: half the grey range away from the background's mean, with a random shift and opacity.
    mean = background.mean(dim=(1, 2, 3))
    colour = torch.remainder(mean + 128.0 + torch.from_numpy(rng.uniform(-40, 40, n)).float(), 256.0)
    opacity = torch.from_numpy(rng.uniform(0.85, 1.0, n)).float()[:, None, None, None, None]
    back = background[:, None]
    video = back * (1 - opacity * alpha) + colour[:, None, None, None, None] * opacity * alpha
    video = video + 6.0 * torch.from_numpy(rng.standard_normal((n, frames, 1, size, size), dtype=np.float32))
    return video.round().clamp(0, 255).to(torch.uint8).numpy()


def _build_moving_digits(train_per_class: int = 150, test_per_class: int = 50, frames: int = 8, size: int = 24,
                        seed: int = 0) -> dict[str, np.ndarray]:
    """Build the course's video dataset as numpy arrays. Introduced in 05_video_lstm.

    A real handwritten digit (scikit-learn's) moves over a crop of a real texture (scikit-image's
    brick, grass, gravel, camera, moon) with Gaussian noise in every frame. The class is the motion
    (``_VIDEO_CLASSES``), never the digit: right/left, down/up and grow/shrink are pairs
    whose clips are each other played backwards. Speed, start, size, slant, ink and background vary.
    Train and test use disjoint digit samples and disjoint texture regions. Same arguments, same bytes.
    """
    from sklearn.datasets import load_digits

    if train_per_class < 1 or test_per_class < 1:
        raise ValueError(
            f"train_per_class and test_per_class must be positive, "
            f"got {train_per_class} and {test_per_class}"
        )
    if frames < 2:
        raise ValueError(f"a clip needs at least 2 frames to show motion, got frames={frames}")
    if size < 16 or size % 4:
        raise ValueError(f"size must be a multiple of 4 and at least 16, got {size}")
    digits = load_digits()
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(digits.target))
    train_idx, test_idx = np.sort(order[:-400]), np.sort(order[-400:])
    textures = _textures()
    arrays = {}
    with torch.no_grad():
        for split, per_class, idx, region in (
            ("train", train_per_class, train_idx, (0.0, TRAIN_REGION_FRACTION)),
            ("test", test_per_class, test_idx, (TRAIN_REGION_FRACTION, 1.0)),
        ):
            labels = rng.permutation(np.repeat(np.arange(len(_VIDEO_CLASSES)), per_class)).astype(np.int64)
            picks = rng.choice(idx, size=len(labels))
            arrays[f"{split}_videos"] = _render(digits.images[picks], labels, textures, frames, size, rng, region)
            arrays[f"{split}_labels"] = labels
    return arrays


def load_moving_digits(root: str | os.PathLike | None = None, train_per_class: int = 150, test_per_class: int = 50,
                       frames: int = 8, size: int = 24, seed: int = 0) -> VideoData:
    """The course's video dataset, built on first use (a second or two) and cached under ``data/``;
    a missing, truncated or altered cache is detected by its sha256 and rebuilt.
    Introduced in 05_video_lstm.
    """
    meta = {"dataset": "moving_digits", "version": _MOVING_DIGITS_VERSION, "seed": seed, "frames": frames,
            "size": size, "train_per_class": train_per_class, "test_per_class": test_per_class}
    name = f"moving_digits_v{_MOVING_DIGITS_VERSION}_s{seed}_t{frames}_{size}px_{train_per_class}_{test_per_class}.npz"
    arrays = _cached_arrays(data_dir(root) / name, meta,
                           lambda: _build_moving_digits(train_per_class, test_per_class, frames, size, seed))
    index = {c: i for i, c in enumerate(_VIDEO_CLASSES)}
    pairs = tuple((index[a], index[b]) for a, b in _REVERSED_PAIRS)
    tensors = {key: torch.from_numpy(value) for key, value in arrays.items()}  # train_videos, train_labels, ...
    return VideoData(name="moving_digits", class_names=_VIDEO_CLASSES, reversed_pairs=pairs, **tensors)
