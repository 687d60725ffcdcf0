"""Distribution-shift test sets: test images rotated, translated and scaled by increasing amounts,
the same draw for every model (the figures are in :mod:`course_utils.plotting`).

Introduced in 04_data_augmentation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch

from . import _validate as door
from .augment import affine_batch
from .checks import _require_images

SHIFT_KINDS = ("rotation", "translation", "scale", "combined")


@dataclass(frozen=True)
class ShiftSpec:
    """How strong one step of shift is: ``degrees`` of rotation, ``pixels`` of translation and a
    ``zoom`` change of the scale factor. Level ``k`` applies ``k`` steps. Introduced in
    04_data_augmentation.
    """

    degrees: float = 10.0
    pixels: float = 2.0
    zoom: float = 0.08

    def describe(self, level: int) -> str:
        """``"±20°, 4 px, ×1±0.16"`` for level 2."""
        return f"±{self.degrees * level:g}°, {self.pixels * level:g} px, ×1±{self.zoom * level:.2g}"


def _shift_parameters(n: int, seed: int = 0) -> dict[str, torch.Tensor]:
    """The fixed random part of every shifted test set: for each of ``n`` test images a rotation
    sign (±1), a translation direction (unit vector) and a zoom sign (±1). Same ``seed``, same
    values, so every level shifts image ``i`` the same way, only further. Introduced in
    04_data_augmentation.
    """
    door.positive_int(n, "n")
    generator = torch.Generator().manual_seed(seed)
    rotation_sign = torch.where(torch.rand(n, generator=generator) < 0.5, -1.0, 1.0)
    angle = torch.rand(n, generator=generator) * 2 * torch.pi
    zoom_sign = torch.where(torch.rand(n, generator=generator) < 0.5, -1.0, 1.0)
    return {
        "rotation_sign": rotation_sign,
        "direction": torch.stack([torch.cos(angle), torch.sin(angle)], 1),
        "zoom_sign": zoom_sign,
    }


def _shift_images(
    images: torch.Tensor,
    kind: str,
    level: int,
    spec: ShiftSpec = ShiftSpec(),
    seed: int = 0,
    padding_mode: str = "zeros",
) -> torch.Tensor:
    """Shift every image by ``level`` steps of ``spec`` (deterministic): ``"rotation"`` by
    ``±level·degrees``, ``"translation"`` by ``level·pixels`` in a per-image direction, ``"scale"``
    by ``1 ± level·zoom``, or ``"combined"`` (all three at once). Level 0 returns the images
    unchanged. Introduced in 04_data_augmentation.
    """
    _require_images(images, dtype=torch.uint8)
    if kind not in SHIFT_KINDS:
        raise ValueError(f"kind must be one of {SHIFT_KINDS}, got {kind!r}")
    if not isinstance(level, int) or level < 0:
        raise ValueError(f"level must be a non-negative int, got {level!r}")
    if level == 0:
        return images.clone()
    n = images.shape[0]
    params = _shift_parameters(n, seed)
    angles = torch.zeros(n)
    shifts = torch.zeros(n, 2)
    scales = torch.ones(n)
    if kind in ("rotation", "combined"):
        angles = params["rotation_sign"] * spec.degrees * level
    if kind in ("translation", "combined"):
        shifts = params["direction"] * spec.pixels * level
    if kind in ("scale", "combined"):
        scales = 1 + params["zoom_sign"] * spec.zoom * level
        if not bool((scales > 0).all()):
            raise ValueError(f"level {level} with zoom {spec.zoom} shrinks images to nothing; use a lower level")
    return affine_batch(images, angles, shifts, scales, padding_mode)


def shifted_test_sets(
    images: torch.Tensor,
    levels: Sequence[int] = (0, 1, 2, 3, 4),
    kinds: Sequence[str] = SHIFT_KINDS,
    spec: ShiftSpec = ShiftSpec(),
    seed: int = 0,
) -> dict[str, dict[int, torch.Tensor]]:
    """``{kind: {level: shifted images}}`` for every kind and level. Introduced in
    04_data_augmentation.
    """
    _require_images(images, dtype=torch.uint8)
    door.integers(levels, "levels", "a list of shift levels (ints >= 0)", nonempty=True, low=0)
    door.sequence(kinds, "kinds", f"a list of shift kinds among {SHIFT_KINDS}", nonempty=True)
    return {kind: {level: _shift_images(images, kind, level, spec, seed) for level in levels} for kind in kinds}
