"""Datasets of the course: built offline from real photos and digits, cached under ``data/``.

Introduced in 00_setup_and_tour.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import tempfile
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

__all__ = [
    "ImageData",
    "DATASETS",
    "data_dir",
    "load_dataset",
    "build_photo_digits",
    "background_photos",
    "load_cifar10",
    "CIFAR10_CLASSES",
    "save_arrays_atomic",
    "load_arrays_checked",
    "cached_arrays",
    "atomic_write_bytes",
    "sha256_file",
    "CacheError",
]

PHOTO_DIGITS_VERSION = 2
DIGIT_CLASSES = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")
CIFAR10_CLASSES = (
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
)
# Photos that scikit-image ships inside its wheel (no download). ``cat`` is the same photo as
# ``chelsea``, so it is left out.
PHOTO_NAMES = (
    "astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "immunohistochemistry",
    "retina", "colorwheel", "brick", "grass", "gravel", "camera", "moon", "coins", "clock",
)
# Train backgrounds come from the left 70% of every photo, test backgrounds from the right 30%:
# the test set measures generalization to photo regions the model has never seen.
TRAIN_REGION_FRACTION = 0.7


class CacheError(RuntimeError):
    """A cache file is missing, truncated or altered. Introduced in 00_setup_and_tour."""


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


def data_dir(root: str | os.PathLike | None = None) -> Path:
    """The folder where datasets are built and cached. Introduced in 00_setup_and_tour.

    Order: the ``root`` argument, the ``COURSE_DATA_DIR`` environment variable, then the repository's
    ``data/`` folder.
    """
    if root is None:
        root = os.environ.get("COURSE_DATA_DIR") or Path(__file__).resolve().parent.parent / "data"
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


# --------------------------------------------------------------------------------------------------
# Cache files: a zip of .npy arrays with fixed timestamps (so equal arrays give equal bytes), written
# atomically, with its sha256 in a JSON sidecar that is checked on every load.


def sha256_file(path: str | os.PathLike) -> str:
    """The sha256 of a file, read in 1 MiB blocks. Introduced in 00_setup_and_tour."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def atomic_write_bytes(path: str | os.PathLike, payload: bytes) -> None:
    """Write ``payload`` to ``path`` atomically: a temporary file in the same folder, flushed to
    disk, then renamed over ``path``, so a reader never sees a half-written file.
    Introduced in 00_setup_and_tour.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; caches are ordinary readable files
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_arrays_atomic(path: str | os.PathLike, arrays: dict[str, np.ndarray], meta: dict) -> str:
    """Write ``arrays`` to ``path`` (a deterministic zip of .npy files) and a ``.json`` sidecar
    holding ``meta`` and the file's sha256; both are written atomically. Returns the sha256.

    Introduced in 00_setup_and_tour.
    """
    path = Path(path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for key in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(arrays[key]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            archive.writestr(info, member.getvalue())
    payload = buffer.getvalue()
    checksum = hashlib.sha256(payload).hexdigest()
    atomic_write_bytes(path, payload)
    sidecar = {**meta, "sha256": checksum, "file": path.name}
    atomic_write_bytes(path.with_suffix(".json"), json.dumps(sidecar, indent=2).encode())
    return checksum


def load_arrays_checked(path: str | os.PathLike, expected_meta: dict) -> dict[str, np.ndarray]:
    """Load arrays written by :func:`save_arrays_atomic`, verifying the sha256 and the metadata.

    Raises :class:`CacheError` naming the problem when the file or its sidecar is missing,
    truncated, altered or from another builder version. Introduced in 00_setup_and_tour.
    """
    path = Path(path)
    sidecar_path = path.with_suffix(".json")
    if not path.exists() or not sidecar_path.exists():
        raise CacheError(f"cache {path.name} or its checksum file {sidecar_path.name} is missing")
    try:
        sidecar = json.loads(sidecar_path.read_text())
    except (OSError, ValueError) as error:
        raise CacheError(f"checksum file {sidecar_path.name} is unreadable ({error})") from error
    for key, value in expected_meta.items():
        if sidecar.get(key) != value:
            raise CacheError(
                f"cache {path.name} was built with {key}={sidecar.get(key)!r}, expected {value!r}"
            )
    actual = sha256_file(path)
    if actual != sidecar.get("sha256"):
        raise CacheError(
            f"cache {path.name} is truncated or altered: sha256 {actual[:12]}... does not match "
            f"the recorded {str(sidecar.get('sha256'))[:12]}..."
        )
    with np.load(path, allow_pickle=False) as archive:
        return {key: archive[key] for key in archive.files}


def cached_arrays(path: Path, meta: dict, build: Callable[[], dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Load ``path`` if it is intact (checksum and ``meta`` match), otherwise warn, call ``build()``,
    save its arrays atomically and return them. Introduced in 00_setup_and_tour.
    """
    if path.exists() or path.with_suffix(".json").exists():
        try:
            return load_arrays_checked(path, meta)
        except CacheError as problem:
            warnings.warn(f"{problem}; rebuilding it.", stacklevel=3)
    arrays = build()
    save_arrays_atomic(path, arrays, meta)
    return arrays


# --------------------------------------------------------------------------------------------------
# The course's image dataset: "photo digits", built like MNIST-M (Ganin et al., 2016).


@functools.lru_cache(maxsize=1)
def background_photos() -> dict[str, np.ndarray]:
    """The real photos that scikit-image ships, as read-only ``uint8`` RGB arrays ``(H, W, 3)``.

    Introduced in 00_setup_and_tour.
    """
    import skimage.data

    photos = {}
    for name in PHOTO_NAMES:
        image = np.asarray(getattr(skimage.data, name)())
        if image.ndim == 2:
            image = np.repeat(image[:, :, None], 3, axis=2)
        photo = np.ascontiguousarray(image[:, :, :3]).astype(np.uint8)
        photo.flags.writeable = False  # shared by every caller of this cached function
        photos[name] = photo
    return photos


def _resize(batch: torch.Tensor, size: int) -> torch.Tensor:
    return F.interpolate(batch, size=(size, size), mode="bilinear", align_corners=False, antialias=True)


def _make_split(
    digits: np.ndarray,
    labels: np.ndarray,
    photos: list[np.ndarray],
    count: int,
    rng: np.random.Generator,
    region: tuple[float, float],
    size: int,
) -> tuple[np.ndarray, np.ndarray]:
    images = np.empty((count, 3, size, size), dtype=np.uint8)
    # Balanced classes: image i shows class i mod 10 (in shuffled order), drawn from that class's digits.
    classes = rng.permutation(np.arange(count) % 10)
    picks = np.array([rng.choice(np.flatnonzero(labels == c)) for c in classes])
    for i, pick in enumerate(picks):
        # Background: a random square crop from the allowed horizontal region of a random photo.
        photo = photos[rng.integers(len(photos))]
        height, width = photo.shape[:2]
        left_edge, right_edge = int(region[0] * width), int(region[1] * width)
        crop = int(rng.integers(size, min(2 * size, height, right_edge - left_edge) + 1))
        top = int(rng.integers(0, height - crop + 1))
        left = int(rng.integers(left_edge, right_edge - crop + 1))
        patch = torch.from_numpy(photo[top : top + crop, left : left + crop].copy()).permute(2, 0, 1)
        background = _resize(patch[None].float(), size)[0].clamp(0, 255)

        # Foreground: the 8x8 digit scaled to 14..26 pixels at a random position, in a colour
        # far from the background's mean so it stays visible, but never a fixed colour.
        digit_size = int(rng.integers(18, 29))
        digit = torch.from_numpy(digits[pick]).float()[None, None] / 16.0
        alpha = _resize(digit, digit_size)[0, 0].clamp(0, 1)
        y0 = int(rng.integers(0, size - digit_size + 1))
        x0 = int(rng.integers(0, size - digit_size + 1))
        mask = torch.zeros(size, size)
        mask[y0 : y0 + digit_size, x0 : x0 + digit_size] = alpha
        mean_colour = background.mean(dim=(1, 2))
        # Half the range away from the background in every channel (mod 256): 88..168 levels of
        # contrast, with a hue that still varies from image to image.
        shift = torch.from_numpy(rng.uniform(-40, 40, 3)).float()
        colour = torch.remainder(mean_colour + 128.0 + shift, 256.0)
        opacity = float(rng.uniform(0.85, 1.0))
        blended = background * (1 - opacity * mask) + colour[:, None, None] * opacity * mask
        noise = torch.from_numpy(rng.normal(0, 6, (3, size, size))).float()
        images[i] = (blended + noise).round().clamp(0, 255).to(torch.uint8).numpy()
    return images, labels[picks].astype(np.int64)


def build_photo_digits(
    train_size: int = 6000, test_size: int = 1000, seed: int = 0, size: int = 32
) -> dict[str, np.ndarray]:
    """Build the course's image dataset as numpy arrays. Introduced in 00_setup_and_tour.

    Real handwritten digits (scikit-learn's 1,797) are scaled, coloured and blended onto crops of
    real photographs (scikit-image's). Train and test use disjoint digit writers' samples and
    disjoint photo regions; every class has the same number of images (up to rounding). Same
    arguments, same bytes.
    """
    from sklearn.datasets import load_digits

    if train_size <= 0 or test_size <= 0:
        raise ValueError(f"train_size and test_size must be positive, got {train_size} and {test_size}")
    digits = load_digits()
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(digits.target))
    # The last 400 digits (scikit-learn orders them by writer) never appear in training.
    train_idx, test_idx = np.sort(order[:-400]), np.sort(order[-400:])
    photos = list(background_photos().values())
    with torch.no_grad():
        train_x, train_y = _make_split(
            digits.images[train_idx], digits.target[train_idx], photos, train_size, rng,
            (0.0, TRAIN_REGION_FRACTION), size,
        )
        test_x, test_y = _make_split(
            digits.images[test_idx], digits.target[test_idx], photos, test_size, rng,
            (TRAIN_REGION_FRACTION, 1.0), size,
        )
    return {"train_images": train_x, "train_labels": train_y, "test_images": test_x, "test_labels": test_y}


def _photo_digits(root: Path) -> ImageData:
    meta = {"dataset": "photo_digits", "version": PHOTO_DIGITS_VERSION, "seed": 0}
    arrays = cached_arrays(root / f"photo_digits_v{PHOTO_DIGITS_VERSION}.npz", meta, build_photo_digits)
    return ImageData(
        name="photo_digits",
        train_images=torch.from_numpy(arrays["train_images"]),
        train_labels=torch.from_numpy(arrays["train_labels"]),
        test_images=torch.from_numpy(arrays["test_images"]),
        test_labels=torch.from_numpy(arrays["test_labels"]),
        class_names=DIGIT_CLASSES,
    )


def load_cifar10(root: str | os.PathLike | None = None, download: bool = False) -> ImageData:
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


DATASETS: dict[str, str] = {
    "photo_digits": "handwritten digits on real photos, 32x32 RGB, 10 classes, built offline (default)",
    "cifar10": "CIFAR-10 via torchvision, 32x32 RGB, 10 classes; opt-in, needs the files or download=True",
}


def load_dataset(name: str = "photo_digits", root: str | os.PathLike | None = None, download: bool = False) -> ImageData:
    """Load one of the course's image datasets by name (see ``DATASETS``). Introduced in
    00_setup_and_tour.

    ``photo_digits`` is built on first use (a few seconds) and cached under ``data/``; a missing,
    truncated or altered cache is detected by its sha256 and rebuilt.
    """
    if name == "photo_digits":
        return _photo_digits(data_dir(root))
    if name == "cifar10":
        return load_cifar10(root, download=download)
    raise ValueError(f"unknown dataset {name!r}; choose one of {sorted(DATASETS)}")
