"""Video for 05_video_lstm: the course's synthetic video dataset, video models, frame strips, and
real video files (a folder of videos, UCF101's layout) decoded with PyAV.

Videos are ``uint8`` tensors ``(N, T, C, H, W)`` until the model's input step.

Why PyAV: torchvision 0.26 and later no longer decode video themselves (``read_video`` and
``VideoReader`` are gone) and its ``UCF101`` class decodes through TorchCodec, which needs a system
FFmpeg. PyAV's wheel carries FFmpeg, so it installs anywhere.
"""

from __future__ import annotations

import functools
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence

from .checks import require_layout
from .data import cached_arrays, data_dir
from .metrics import accuracy

__all__ = [
    "VIDEO_CLASSES",
    "REVERSED_PAIRS",
    "VideoData",
    "build_moving_digits",
    "load_moving_digits",
    "require_videos",
    "normalize_videos",
    "VideoLoader",
    "FrameEncoder",
    "RecurrentClassifier",
    "MeanPoolClassifier",
    "SingleFrameClassifier",
    "pair_accuracy",
    "show_frame_strips",
    "write_video",
    "read_video",
    "VideoFolder",
    "VIDEO_EXTENSIONS",
]

MOVING_DIGITS_VERSION = 2
# Three pairs of classes that differ only in the direction of time: each class is its partner
# played backwards.
VIDEO_CLASSES = ("right", "left", "down", "up", "grow", "shrink")
REVERSED_PAIRS = (("right", "left"), ("down", "up"), ("grow", "shrink"))
TEXTURE_NAMES = ("brick", "grass", "gravel", "camera", "moon")
TRAIN_REGION_FRACTION = 0.7  # as in data.py: test backgrounds come from texture regions never trained on
VIDEO_EXTENSIONS = (".mp4", ".avi", ".mkv", ".mov", ".webm")


# --------------------------------------------------------------------------------------------------
# Checks


def require_videos(videos: torch.Tensor, name: str = "videos", dtype: torch.dtype | None = None) -> None:
    """Raise a ``ValueError`` naming the problem unless ``videos`` is a batch ``(N, T, C, H, W)``
    (of ``dtype`` when given). Introduced in 05_video_lstm.
    """
    require_layout(videos, "N, T, C, H, W", name, dtype,
                   hint="one clip (T, C, H, W)? add a batch dimension with .unsqueeze(0)")


def _check_lengths(lengths: torch.Tensor | None, batch: int, steps: int) -> torch.Tensor | None:
    if lengths is None:
        return None
    lengths = torch.as_tensor(lengths).cpu().long()
    if lengths.shape != (batch,):
        raise ValueError(f"lengths must have shape ({batch},), one length per clip, got {tuple(lengths.shape)}")
    if batch and (lengths.min() < 1 or lengths.max() > steps):
        raise ValueError(f"lengths must lie in [1, {steps}] (the padded number of frames), got {lengths.tolist()}")
    return lengths


# --------------------------------------------------------------------------------------------------
# The course's video dataset: "moving digits" on real textures


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


@functools.lru_cache(maxsize=1)
def _textures() -> tuple[np.ndarray, ...]:
    import skimage.data

    return tuple(np.asarray(getattr(skimage.data, name)(), dtype=np.uint8) for name in TEXTURE_NAMES)


def _backgrounds(textures: Sequence[np.ndarray], count: int, size: int, rng: np.random.Generator,
                 region: tuple[float, float]) -> torch.Tensor:
    out = torch.empty(count, 1, size, size)
    for i in range(count):
        texture = textures[rng.integers(len(textures))]
        height, width = texture.shape
        left_edge, right_edge = int(region[0] * width), int(region[1] * width)
        crop = int(rng.integers(size, min(3 * size, right_edge - left_edge) + 1))
        top = int(rng.integers(0, height - crop + 1))
        left = int(rng.integers(left_edge, right_edge - crop + 1))
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
    name = np.array(VIDEO_CLASSES)[labels]
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
    cx, cy, scale, angle = (torch.from_numpy(np.ascontiguousarray(a)).float() for a in _trajectories(labels, frames, size, rng))
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


def build_moving_digits(train_per_class: int = 150, test_per_class: int = 50, frames: int = 8, size: int = 24,
                        seed: int = 0) -> dict[str, np.ndarray]:
    """Build the course's video dataset as numpy arrays. Introduced in 05_video_lstm.

    A real handwritten digit (scikit-learn's) moves over a crop of a real texture (scikit-image's
    brick, grass, gravel, camera, moon) with Gaussian noise in every frame. The class is the motion
    (``VIDEO_CLASSES``), never the digit: right/left, down/up and grow/shrink are pairs
    whose clips are each other played backwards. Speed, start, size, slant, ink and background vary.
    Train and test use disjoint digit samples and disjoint texture regions. Same arguments, same bytes.
    """
    from sklearn.datasets import load_digits

    if train_per_class < 1 or test_per_class < 1:
        raise ValueError(f"train_per_class and test_per_class must be positive, got {train_per_class} and {test_per_class}")
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
            labels = rng.permutation(np.repeat(np.arange(len(VIDEO_CLASSES)), per_class)).astype(np.int64)
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
    meta = {"dataset": "moving_digits", "version": MOVING_DIGITS_VERSION, "seed": seed, "frames": frames,
            "size": size, "train_per_class": train_per_class, "test_per_class": test_per_class}
    name = f"moving_digits_v{MOVING_DIGITS_VERSION}_s{seed}_t{frames}_{size}px_{train_per_class}_{test_per_class}.npz"
    arrays = cached_arrays(data_dir(root) / name, meta,
                     lambda: build_moving_digits(train_per_class, test_per_class, frames, size, seed))
    index = {c: i for i, c in enumerate(VIDEO_CLASSES)}
    return VideoData(
        name="moving_digits",
        train_videos=torch.from_numpy(arrays["train_videos"]),
        train_labels=torch.from_numpy(arrays["train_labels"]),
        test_videos=torch.from_numpy(arrays["test_videos"]),
        test_labels=torch.from_numpy(arrays["test_labels"]),
        class_names=VIDEO_CLASSES,
        reversed_pairs=tuple((index[a], index[b]) for a, b in REVERSED_PAIRS),
    )


# --------------------------------------------------------------------------------------------------
# Batches


def normalize_videos(videos: torch.Tensor) -> torch.Tensor:
    """uint8 videos ``(N, T, C, H, W)`` to float32 in [-1, 1] (the course's ``(x/255 - 0.5)/0.5``).
    Introduced in 05_video_lstm.
    """
    require_videos(videos, dtype=torch.uint8)
    return videos.float().div_(127.5).sub_(1.0)


class VideoLoader:
    """Iterate over ``(inputs, labels)`` batches of in-memory clips. Introduced in 05_video_lstm.

    ``videos`` are uint8 ``(N, T, C, H, W)`` (normalized to [-1, 1] batch by batch) or any float
    tensor ``(N, ...)`` such as precomputed frame features ``(N, T, F)`` (passed through as is).
    Shuffling draws from the loader's own generator seeded by ``seed``.
    """

    def __init__(self, videos: torch.Tensor, labels: torch.Tensor, batch_size: int = 64, shuffle: bool = False,
                 seed: int = 0, device: torch.device | str = "cpu") -> None:
        if videos.dtype == torch.uint8:
            require_videos(videos)
        elif not videos.is_floating_point():
            raise ValueError(f"videos must be uint8 clips or float features, got dtype {videos.dtype}")
        if labels.ndim != 1 or len(labels) != len(videos):
            raise ValueError(f"labels must have shape ({len(videos)},) to match videos, got {tuple(labels.shape)}")
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        self.videos, self.labels = videos, labels.long()
        self.batch_size, self.shuffle, self.device = batch_size, shuffle, torch.device(device)
        self.generator = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        return math.ceil(len(self.labels) / self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n = len(self.labels)
        order = torch.randperm(n, generator=self.generator) if self.shuffle else torch.arange(n)
        for start in range(0, n, self.batch_size):
            index = order[start : start + self.batch_size]
            batch = self.videos[index]
            batch = normalize_videos(batch) if batch.dtype == torch.uint8 else batch
            yield batch.to(self.device), self.labels[index].to(self.device)


# --------------------------------------------------------------------------------------------------
# Models: one CNN shared over time, then recurrence, pooling or a single frame


class FrameEncoder(nn.Module):
    """A small CNN that turns one frame ``(N, C, H, W)`` into a feature vector ``(N, feature_dim)``.
    Introduced in 05_video_lstm.
    """

    def __init__(self, in_channels: int = 1, feature_dim: int = 64, image_size: int = 24, width: int = 8) -> None:
        super().__init__()
        if image_size % 4:
            raise ValueError(f"image_size must be divisible by 4 (two stride-2 convolutions), got {image_size}")
        self.conv = nn.Sequential(
            nn.Conv2d(in_channels, width, 5, stride=2, padding=2), nn.BatchNorm2d(width), nn.ReLU(),
            nn.Conv2d(width, 2 * width, 3, stride=2, padding=1), nn.BatchNorm2d(2 * width), nn.ReLU(),
        )
        self.fc = nn.Linear(2 * width * (image_size // 4) ** 2, feature_dim)
        self.in_channels, self.feature_dim = in_channels, feature_dim

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        return F.relu(self.fc(torch.flatten(self.conv(frames), 1)))


def _encode(encoder: nn.Module | None, videos: torch.Tensor) -> torch.Tensor:
    """Run ``encoder`` on every frame of ``videos`` (B, T, C, H, W) -> features (B, T, F): the same
    weights for every time step. With ``encoder=None`` the input already is features (B, T, F)."""
    if encoder is None:
        if videos.ndim != 3:
            raise ValueError(f"without an encoder the input must be frame features (B, T, F), got {tuple(videos.shape)}")
        return videos
    require_videos(videos, "video batch")
    b, t = videos.shape[:2]
    return encoder(videos.flatten(0, 1)).unflatten(0, (b, t))


class RecurrentClassifier(nn.Module):
    """Frame features (a shared :class:`FrameEncoder`, or precomputed with ``encoder=None``) read in
    order by an LSTM or a GRU; the last hidden state is classified. Introduced in 05_video_lstm.

    ``forward(x, lengths)`` handles padded clips of different lengths with ``pack_padded_sequence``,
    so each clip's state is taken after its own last real frame. ``step_logits(x)`` gives the
    prediction after every frame, ``(B, T, num_classes)``.
    """

    def __init__(self, num_classes: int, cell: str = "lstm", encoder: nn.Module | None = None,
                 feature_dim: int = 64, hidden_size: int = 64) -> None:
        super().__init__()
        cells = {"lstm": nn.LSTM, "gru": nn.GRU}
        if cell not in cells:
            raise ValueError(f"cell must be one of {sorted(cells)}, got {cell!r}")
        self.encoder = encoder
        self.rnn = cells[cell](feature_dim, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, num_classes)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        features = _encode(self.encoder, x)
        lengths = _check_lengths(lengths, features.shape[0], features.shape[1])
        if lengths is None:
            _, state = self.rnn(features)
        else:
            packed = pack_padded_sequence(features, lengths, batch_first=True, enforce_sorted=False)
            _, state = self.rnn(packed)
        hidden = state[0] if isinstance(state, tuple) else state  # LSTM returns (h, c), GRU h
        return self.head(hidden[-1])

    def step_logits(self, x: torch.Tensor) -> torch.Tensor:
        outputs, _ = self.rnn(_encode(self.encoder, x))
        return self.head(outputs)


class MeanPoolClassifier(nn.Module):
    """Frame features averaged over time (over each clip's real frames when ``lengths`` is given),
    then classified: order-invariant by construction. Introduced in 05_video_lstm.
    """

    def __init__(self, num_classes: int, encoder: nn.Module | None = None, feature_dim: int = 64) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = nn.Sequential(nn.Linear(feature_dim, feature_dim), nn.ReLU(), nn.Linear(feature_dim, num_classes))

    def pool(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        features = _encode(self.encoder, x)
        lengths = _check_lengths(lengths, features.shape[0], features.shape[1])
        if lengths is None:
            return features.mean(1)
        mask = (torch.arange(features.shape[1])[None, :] < lengths[:, None]).to(features)
        return (features * mask[:, :, None]).sum(1) / lengths[:, None].to(features)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        return self.head(self.pool(x, lengths))


class SingleFrameClassifier(nn.Module):
    """Classify a clip from one frame (the middle one by default) with an image CNN.
    Introduced in 05_video_lstm.
    """

    def __init__(self, num_classes: int, encoder: nn.Module, frame: int | None = None, feature_dim: int = 64) -> None:
        super().__init__()
        self.encoder, self.frame = encoder, frame
        self.head = nn.Linear(feature_dim, num_classes)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        require_videos(x, "video batch")
        t = self.frame if self.frame is not None else x.shape[1] // 2
        return self.head(self.encoder(x[:, t]))


def pair_accuracy(logits: torch.Tensor, labels: torch.Tensor, classes: Sequence[int]) -> float:
    """Accuracy on the clips whose label is in ``classes`` only (e.g. the reversed-order pairs),
    over all classes' predictions. Introduced in 05_video_lstm.
    """
    keep = torch.isin(labels, torch.as_tensor(list(classes)))
    if not keep.any():
        raise ValueError(f"no clip has a label in {list(classes)}")
    return accuracy(logits[keep], labels[keep])


# --------------------------------------------------------------------------------------------------
# Figures


def show_frame_strips(videos: torch.Tensor, labels: Sequence[int] | torch.Tensor, class_names: Sequence[str],
                      title: str = "One clip per class, time runs left to right", size: float = 0.85):
    """One row per clip, one column per frame, the class name on the left.
    Introduced in 05_video_lstm.
    """
    import matplotlib.pyplot as plt

    from .plotting import FIGURE_DPI, SMALL_FONT

    require_videos(videos)
    if len(labels) != len(videos):
        raise ValueError(f"got {len(videos)} clips but {len(labels)} labels")
    n, t = videos.shape[:2]
    pixels = videos.detach().cpu()
    pixels = pixels.float() / 255 if pixels.dtype == torch.uint8 else pixels.float().clamp(0, 1)
    fig, axes = plt.subplots(n, t, figsize=(size * t + 1.0, size * n + 0.6), dpi=FIGURE_DPI, squeeze=False)
    for i in range(n):
        for j in range(t):
            ax = axes[i, j]
            frame = pixels[i, j]
            if frame.shape[0] == 1:
                ax.imshow(frame[0].numpy(), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            else:
                ax.imshow(frame.permute(1, 2, 0).numpy(), interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if i == 0:
                ax.set_title(f"t={j}", fontsize=SMALL_FONT)
        axes[i, 0].set_ylabel(class_names[int(labels[i])], fontsize=SMALL_FONT, rotation=0, ha="right", va="center")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    plt.show()


# --------------------------------------------------------------------------------------------------
# Real video files with PyAV


def write_video(path: str | os.PathLike, frames: torch.Tensor, fps: int = 8, codec: str = "mpeg4",
                bit_rate: int = 2_000_000) -> Path:
    """Write uint8 frames ``(T, C, H, W)`` (C = 1 grey or 3 RGB) to a video file with PyAV; the
    container follows the extension (.mp4, .avi, .mkv, ...). ``mpeg4`` and ``libx264`` are lossy;
    ``ffv1`` (in .mkv or .avi) is lossless. Introduced in 05_video_lstm.
    """
    import av

    path = Path(path)
    if not isinstance(frames, torch.Tensor) or frames.ndim != 4:
        shape = tuple(frames.shape) if hasattr(frames, "shape") else type(frames).__name__
        raise ValueError(f"frames must be a tensor (T, C, H, W), got {shape}")
    t, c, h, w = frames.shape
    if frames.dtype != torch.uint8:
        raise ValueError(f"frames must be uint8 pixels, got {frames.dtype}")
    if c not in (1, 3):
        raise ValueError(f"frames need 1 (grey) or 3 (RGB) channels, got C={c} in shape {tuple(frames.shape)}")
    if t < 1:
        raise ValueError("frames is empty: a video needs at least one frame")
    if h % 2 or w % 2:
        raise ValueError(f"height and width must be even for the yuv420p pixel format, got {h}x{w}")
    if path.suffix.lower() not in VIDEO_EXTENSIONS:
        raise ValueError(f"unknown video extension {path.suffix!r}; use one of {VIDEO_EXTENSIONS}")
    rgb = frames.expand(-1, 3, -1, -1) if c == 1 else frames
    rgb = rgb.permute(0, 2, 3, 1).contiguous().numpy()
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height = w, h
        stream.pix_fmt = "yuv444p" if codec == "ffv1" else "yuv420p"
        stream.bit_rate = bit_rate
        stream.codec_context.thread_count = 1  # same bytes on every machine
        for image in rgb:
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():  # flush the encoder
            container.mux(packet)
    return path


def read_video(path: str | os.PathLike, channels: int = 3) -> torch.Tensor:
    """Decode every frame of a video file with PyAV to uint8 ``(T, C, H, W)``, ``C`` = ``channels``
    (3 RGB or 1 grey). Introduced in 05_video_lstm.
    """
    import av

    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 (grey) or 3 (RGB), got {channels}")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no video file at {path}")
    with av.open(str(path)) as container:
        if not container.streams.video:
            raise ValueError(f"{path.name} has no video stream")
        stream = container.streams.video[0]
        fmt = "gray" if channels == 1 else "rgb24"
        frames = [frame.to_ndarray(format=fmt) for frame in container.decode(stream)]
    if not frames:
        raise ValueError(f"{path.name} decoded to no frames")
    video = torch.from_numpy(np.stack(frames))
    return video[:, None] if channels == 1 else video.permute(0, 3, 1, 2).contiguous()


class VideoFolder(torch.utils.data.Dataset):
    """Video files in one subfolder per class, decoded with PyAV. Introduced in 05_video_lstm.

    ``VideoFolder(root)`` takes every subfolder of ``root`` as a class (sorted names) and every
    video file inside as a clip. With ``split="train"`` or ``"test"`` it reads UCF101's layout:
    the class folders plus the official lists ``classInd.txt``, ``trainlist0{fold}.txt`` and
    ``testlist0{fold}.txt`` found in ``annotation_dir`` (default: ``root/ucfTrainTestlist`` if it
    exists, else ``root``). ``class_names`` fixes the classes; a folder outside them is an error.

    An item is ``(video, label)``: uint8 ``(T, C, H, W)``, with ``num_frames`` frames evenly spaced
    over the clip when given and each frame resized to ``size`` x ``size`` when given.
    """

    def __init__(self, root: str | os.PathLike, split: str | None = None, fold: int = 1,
                 annotation_dir: str | os.PathLike | None = None, class_names: Sequence[str] | None = None,
                 num_frames: int | None = None, size: int | None = None, channels: int = 3) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise FileNotFoundError(f"video folder {self.root} does not exist")
        if split not in (None, "train", "test"):
            raise ValueError(f"split must be None (every file), 'train' or 'test', got {split!r}")
        if num_frames is not None and num_frames < 1:
            raise ValueError(f"num_frames must be positive, got {num_frames}")
        if channels not in (1, 3):
            raise ValueError(f"channels must be 1 (grey) or 3 (RGB), got {channels}")
        self.split, self.num_frames, self.size, self.channels = split, num_frames, size, channels
        folders = sorted(p.name for p in self.root.iterdir() if p.is_dir() and p.name != "ucfTrainTestlist")
        if split is None:
            self.class_names = tuple(class_names) if class_names is not None else tuple(folders)
            self._check_folders(folders)
            index = {c: i for i, c in enumerate(self.class_names)}
            self.samples = [
                (path, index[c]) for c in folders for path in sorted((self.root / c).iterdir())
                if path.suffix.lower() in VIDEO_EXTENSIONS
            ]
        else:
            notes = Path(annotation_dir) if annotation_dir is not None else (
                self.root / "ucfTrainTestlist" if (self.root / "ucfTrainTestlist").is_dir() else self.root)
            self.class_names = self._read_class_index(notes / "classInd.txt")
            if class_names is not None and tuple(class_names) != self.class_names:
                raise ValueError("class_names disagrees with classInd.txt; leave it out in UCF101 mode")
            self._check_folders(folders)
            self.samples = self._read_split(notes / f"{split}list0{fold}.txt")
        if not self.samples:
            raise ValueError(f"no video files ({', '.join(VIDEO_EXTENSIONS)}) found under {self.root}")

    def _check_folders(self, folders: list[str]) -> None:
        unknown = sorted(set(folders) - set(self.class_names))
        if unknown:
            raise ValueError(f"unknown class folder(s) {unknown} in {self.root.name}: they are not among the "
                             f"classes {list(self.class_names)}")
        if not self.class_names:
            raise ValueError(f"{self.root} has no class subfolders")

    @staticmethod
    def _read_class_index(path: Path) -> tuple[str, ...]:
        if not path.is_file():
            raise FileNotFoundError(f"UCF101 class list {path.name} not found in {path.parent}")
        entries = {}
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if not line.strip():
                continue
            parts = line.split()
            if len(parts) != 2 or not parts[0].isdigit():
                raise ValueError(f"{path.name} line {number}: expected '<index> <ClassName>', got {line!r}")
            entries[int(parts[0])] = parts[1]
        if sorted(entries) != list(range(1, len(entries) + 1)):
            raise ValueError(f"{path.name}: class indices must run 1..{len(entries)}, got {sorted(entries)}")
        return tuple(entries[i] for i in range(1, len(entries) + 1))

    def _read_split(self, path: Path) -> list[tuple[Path, int]]:
        if not path.is_file():
            raise FileNotFoundError(f"UCF101 split list {path.name} not found in {path.parent}")
        index = {c: i for i, c in enumerate(self.class_names)}
        samples = []
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if not line.strip():
                continue
            relative = line.split()[0]  # trainlist lines end with the 1-based label, testlist lines do not
            folder = relative.split("/")[0]
            if folder not in index:
                raise ValueError(f"{path.name} line {number}: unknown class folder {folder!r} (not in classInd.txt)")
            file = self.root / relative
            if not file.is_file():
                raise FileNotFoundError(f"{path.name} line {number}: {relative} is listed but missing")
            samples.append((file, index[folder]))
        return samples

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        path, label = self.samples[i]
        video = read_video(path, self.channels)
        if self.num_frames is not None:
            picks = np.linspace(0, len(video) - 1, self.num_frames).round().astype(np.int64)
            video = video[torch.from_numpy(picks)]
        if self.size is not None:
            video = F.interpolate(video.float(), size=(self.size, self.size), mode="bilinear",
                                  align_corners=False, antialias=True).round().clamp(0, 255).to(torch.uint8)
        return video, label

    def __repr__(self) -> str:
        split = f", split={self.split!r}" if self.split else ""
        return f"VideoFolder({len(self)} clips, {len(self.class_names)} classes{split})"
