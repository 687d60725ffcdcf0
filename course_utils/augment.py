"""Augmentation of whole uint8 batches with one random draw per sample.

torchvision's v2 transforms applied to a batch tensor draw one parameter set per call, so every
image in the batch gets the same crop or flip. These functions draw per sample instead.
Introduced in 00_setup_and_tour.
"""

from __future__ import annotations

from typing import Callable, Sequence

import torch
import torch.nn.functional as F
from torchvision.transforms import InterpolationMode
from torchvision.transforms.v2 import functional as TF

from . import _validate as door
from .checks import _require_images

BatchTransform = Callable[[torch.Tensor, torch.Generator], torch.Tensor]


def _random_crop(images: torch.Tensor, padding: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """Zero-pad each image by ``padding`` and crop it back to its size at its own random offset,
    like ``RandomCrop(size, padding)`` per sample. Introduced in 00_setup_and_tour.
    """
    _require_images(images)
    if not isinstance(padding, int) or padding < 0:
        raise ValueError(f"padding must be a non-negative int, got {padding!r}")
    if padding == 0:
        return images
    n, _, height, width = images.shape
    padded = F.pad(images, (padding, padding, padding, padding))
    offset_y = torch.randint(0, 2 * padding + 1, (n,), generator=generator)
    offset_x = torch.randint(0, 2 * padding + 1, (n,), generator=generator)
    # Every window of every padded image as a view (no copy), then one window per sample: one copy of
    # the output, 2-3x faster than two gathers with per-pixel indices (measured on a 2-core CPU).
    windows = padded.unfold(2, height, 1).unfold(3, width, 1)  # (n, channels, 2p + 1, 2p + 1, height, width)
    return windows[torch.arange(n), :, offset_y, offset_x]


def _random_hflip(images: torch.Tensor, p: float = 0.5, generator: torch.Generator | None = None) -> torch.Tensor:
    """Flip each image left-right with probability ``p``, independently. Introduced in
    00_setup_and_tour.
    """
    _require_images(images)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be a probability in [0, 1], got {p!r}")
    flip = torch.rand(images.shape[0], generator=generator) < p
    return torch.where(flip[:, None, None, None], images.flip(-1), images)


class BatchAugment:
    """Per-sample random crop (with padding) and horizontal flip for whole batches, plus any extra
    batch transforms ``f(images, generator) -> images``. Introduced in 00_setup_and_tour.
    """

    def __init__(self, crop_padding: int = 4, hflip: bool = True, extra: Sequence[BatchTransform] = ()) -> None:
        if crop_padding < 0:
            raise ValueError(f"crop_padding must be >= 0, got {crop_padding}")
        self.crop_padding = crop_padding
        self.hflip = hflip
        self.extra = tuple(extra)

    def __call__(self, images: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        images = _random_crop(images, self.crop_padding, generator)
        if self.hflip:
            images = _random_hflip(images, 0.5, generator)
        for transform in self.extra:
            images = transform(images, generator)
        return images

    def __repr__(self) -> str:
        extra = f", extra={list(self.extra)}" if self.extra else ""
        return f"BatchAugment(crop_padding={self.crop_padding}, hflip={self.hflip}{extra})"


# --------------------------------------------------------------------------------------------------
# Per-sample geometric and colour transforms for whole batches. Introduced in 04_data_augmentation.

_PADDING_MODES = ("zeros", "border", "reflection")


def _as_range(
    value: float | Sequence[float],
    name: str,
    centre: float = 0.0,
    symmetric: bool = True,
) -> tuple[float, float]:
    """``v`` -> ``(centre - v, centre + v)``; a pair is returned as it is (checked: low <= high)."""
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(f"{name} must be >= 0 (or a (low, high) pair), got {value!r}")
        return (centre - value, centre + value) if symmetric else (float(value), float(value))
    if len(value) != 2 or value[0] > value[1]:
        raise ValueError(f"{name} must be a number or a (low, high) pair with low <= high, got {value!r}")
    return float(value[0]), float(value[1])


def _affine_theta(angles: torch.Tensor, translations: torch.Tensor, scales: torch.Tensor, height: int,
                  width: int) -> torch.Tensor:
    """The ``(N, 2, 3)`` matrices ``grid_sample`` needs, in normalized coordinates."""
    radians = torch.deg2rad(angles)
    cos, sin = torch.cos(radians), torch.sin(radians)
    # Forward map in pixel coordinates centred on the image (y points down): p_out = s R p_in + t,
    # R turning counter-clockwise on screen. grid_sample needs the inverse map
    # p_in = R^-1 (p_out - t) / s, written in normalized coordinates u = p / (W/2, H/2).
    inverse = torch.stack([torch.stack([cos, -sin], -1), torch.stack([sin, cos], -1)], -2) / scales[:, None, None]
    half = torch.tensor([width / 2, height / 2])
    linear = inverse * half[None, None, :] / half[None, :, None]  # D^-1 A^-1 D
    offset = -(inverse @ translations[:, :, None])[:, :, 0] / half  # -D^-1 A^-1 t
    return torch.cat([linear, offset[:, :, None]], dim=2)


def _affine_grid(theta: torch.Tensor, height: int, width: int, device: torch.device) -> torch.Tensor:
    """The same grid as ``F.affine_grid(theta, size, align_corners=False)``, built by broadcasting:
    twice as fast on a CPU for small images."""
    xs = (2 * torch.arange(width, device=device, dtype=torch.float32) + 1) / width - 1
    ys = (2 * torch.arange(height, device=device, dtype=torch.float32) + 1) / height - 1
    t = theta[:, :, :, None, None]
    return (t[:, :, 0] * xs + t[:, :, 1] * ys[:, None] + t[:, :, 2]).permute(0, 2, 3, 1)


def affine_batch(
    images: torch.Tensor,
    angles: torch.Tensor,
    translations: torch.Tensor,
    scales: torch.Tensor,
    padding_mode: str = "zeros",
    mode: str = "bilinear",
) -> torch.Tensor:
    """Rotate, scale and translate each image of a batch by its own parameters (one affine matrix
    per sample, applied with ``F.affine_grid`` / ``F.grid_sample``). Introduced in
    04_data_augmentation.

    ``angles`` ``(N,)`` in degrees, counter-clockwise as in ``torchvision``'s ``rotate`` and
    ``RandomRotation`` (note: ``torchvision``'s functional ``affine`` turns the other way);
    ``translations`` ``(N, 2)`` in pixels ``(dx right, dy down)``; ``scales`` ``(N,)`` (> 1 zooms in).
    The image centre is the fixed point. ``padding_mode`` fills the pixels that come from outside
    the image: ``"zeros"`` (black), ``"border"`` (repeat the edge) or ``"reflection"``. uint8 input
    gives uint8 output (rounded); float input gives float output.
    """
    _require_images(images)
    for name, value in (("angles", angles), ("translations", translations), ("scales", scales)):
        door.tensor_like(value, name)
    n, _, height, width = images.shape
    if padding_mode not in _PADDING_MODES:
        raise ValueError(f"padding_mode must be one of {_PADDING_MODES}, got {padding_mode!r}")
    angles, scales = torch.as_tensor(angles, dtype=torch.float32), torch.as_tensor(scales, dtype=torch.float32)
    translations = torch.as_tensor(translations, dtype=torch.float32)
    if angles.shape != (n,) or scales.shape != (n,) or translations.shape != (n, 2):
        raise ValueError(
            f"need one parameter set per image: angles ({n},), translations ({n}, 2), scales ({n},); got "
            f"{tuple(angles.shape)}, {tuple(translations.shape)}, {tuple(scales.shape)}"
        )
    if not bool((scales > 0).all()):
        raise ValueError("scales must all be > 0")
    theta = _affine_theta(angles, translations, scales, height, width).to(images.device)
    grid = _affine_grid(theta, height, width, images.device)
    out = F.grid_sample(images.float(), grid, mode=mode, padding_mode=padding_mode, align_corners=False)
    if images.dtype == torch.uint8:
        return out.round_().clamp_(0, 255).to(torch.uint8)
    return out.to(images.dtype)


def random_affine(
    images: torch.Tensor,
    degrees: float | Sequence[float] = 0.0,
    translate: float | Sequence[float] = 0.0,
    scale: Sequence[float] = (1.0, 1.0),
    generator: torch.Generator | None = None,
    padding_mode: str = "zeros",
) -> torch.Tensor:
    """Random rotation, translation and scaling with one draw per sample, like
    ``torchvision.transforms.v2.RandomAffine`` applied image by image. Introduced in
    04_data_augmentation.

    ``degrees``: ``d`` draws angles in ``[-d, d]`` (or a ``(low, high)`` pair); ``translate``: the
    largest shift as a fraction of the width/height (``t`` draws ``dx`` in ``[-t W, t W]``, and the
    same for ``dy``); ``scale``: ``(low, high)`` zoom factors. See :func:`affine_batch` for
    ``padding_mode``.
    """
    _require_images(images)
    low_angle, high_angle = _as_range(degrees, "degrees")
    if not isinstance(translate, (int, float)) or not 0.0 <= translate <= 1.0:
        raise ValueError(f"translate must be a fraction of the image size in [0, 1], got {translate!r}")
    low_scale, high_scale = _as_range(scale, "scale")
    if low_scale <= 0:
        raise ValueError(f"scale must be positive zoom factors, got {scale!r}")
    n, _, height, width = images.shape
    angles = low_angle + (high_angle - low_angle) * torch.rand(n, generator=generator)
    shifts = (2 * torch.rand(n, 2, generator=generator) - 1) * translate * torch.tensor([width, height])
    scales = low_scale + (high_scale - low_scale) * torch.rand(n, generator=generator)
    return affine_batch(images, angles, shifts, scales, padding_mode)


def resize_images(images: torch.Tensor, size: int) -> torch.Tensor:
    """uint8 images ``(..., C, H, W)`` resized to ``size`` x ``size`` (bilinear, antialiased, so a
    shrunk image does not alias), rounded back to uint8. Introduced in 06_transfer_learning.
    """
    door.tensor(images, "images", ndim=range(3, 9), layout="(..., C, H, W)")
    door.integer(size, "size", low=1)
    if images.dtype != torch.uint8:
        raise ValueError(f"images must be uint8 pixels, got {images.dtype}")
    flat = images.reshape(-1, *images.shape[-3:]).float()
    resized = F.interpolate(flat, size=(size, size), mode="bilinear", align_corners=False, antialias=True)
    return resized.round().clamp(0, 255).to(torch.uint8).reshape(*images.shape[:-2], size, size)

# --------------------------------------------------------------------------------------------------
# One photo under explicit settings: what the explorer of 04_data_augmentation draws


# The explorer's settings and their neutral values (the photo unchanged).
_DEFAULT_SETTINGS: dict[str, float | bool] = {
    "angle": 0.0,  # degrees, counter-clockwise
    "translate_x": 0.0,  # fraction of the width, right is positive
    "translate_y": 0.0,  # fraction of the height, down is positive
    "scale": 1.0,  # > 1 zooms in
    "flip": False,  # mirror left-right
    "brightness": 1.0,  # multiplies the pixels
    "saturation": 1.0,  # 0 is grey
    "hue": 0.0,  # turn of the colour wheel, in [-0.5, 0.5]
}


_SETTING_RANGES = {
    "angle": (-180.0, 180.0),
    "translate_x": (-0.5, 0.5),
    "translate_y": (-0.5, 0.5),
    "scale": (0.25, 3.0),
    "brightness": (0.0, 3.0),
    "saturation": (0.0, 3.0),
    "hue": (-0.5, 0.5),
}


def _require_photo(image: torch.Tensor) -> None:
    if not isinstance(image, torch.Tensor):
        raise TypeError(f"image must be a torch.Tensor (C, H, W), got {type(image).__name__}")
    if image.ndim != 3 or image.shape[0] != 3 or image.dtype != torch.uint8:
        raise ValueError(
            f"image must be one uint8 RGB photo of shape (3, H, W), "
            f"got {tuple(image.shape)} {image.dtype}"
        )


def _augment_photo(image: torch.Tensor, **settings: float | bool) -> torch.Tensor:
    """The photo after the explorer's augmentations: rotation, translation and scaling (one
    ``torchvision`` affine, bilinear, black border), then flip, brightness, saturation and hue.
    ``image`` is uint8 ``(3, H, W)``; missing settings take :data:`_DEFAULT_SETTINGS`. Returns a new
    uint8 ``(3, H, W)`` tensor. Introduced in 04_data_augmentation.
    """
    _require_photo(image)
    unknown = set(settings) - set(_DEFAULT_SETTINGS)
    if unknown:
        raise ValueError(f"unknown setting(s) {sorted(unknown)}; known: {list(_DEFAULT_SETTINGS)}")
    s = {**_DEFAULT_SETTINGS, **settings}
    for name, (low, high) in _SETTING_RANGES.items():
        if not low <= float(s[name]) <= high:
            raise ValueError(f"{name} must be in [{low}, {high}], got {s[name]!r}")
    _, height, width = image.shape
    out = image
    if (s["angle"], s["translate_x"], s["translate_y"], s["scale"]) != (0.0, 0.0, 0.0, 1.0):
        out = TF.affine(
            out, angle=-float(s["angle"]),  # TF.affine turns clockwise; the slider counter-clockwise
            translate=[round(float(s["translate_x"]) * width), round(float(s["translate_y"]) * height)],
            scale=float(s["scale"]), shear=[0.0, 0.0], interpolation=InterpolationMode.BILINEAR,
        )
    if s["flip"]:
        out = TF.horizontal_flip(out)
    if s["brightness"] != 1.0:
        out = TF.adjust_brightness(out, float(s["brightness"]))
    if s["saturation"] != 1.0:
        out = TF.adjust_saturation(out, float(s["saturation"]))
    if s["hue"] != 0.0:
        out = TF.adjust_hue(out, float(s["hue"]))
    return out.clone() if out is image else out
