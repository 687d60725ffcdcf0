"""Automatic checks of 04_data_augmentation's exercises. Each raises
:class:`~course_utils.checks.CheckFailed` naming what is wrong."""

from __future__ import annotations

from typing import Callable

import torch

from ..checks import CheckFailed

__all__ = ["check_pipeline", "check_random_vflip"]


def _test_photo() -> torch.Tensor:
    """A 128x160 crop of scikit-image's astronaut, uint8 (3, H, W): not square, so a rotation by
    90° without the right crop changes the shape."""
    import skimage.data

    photo = torch.from_numpy(skimage.data.astronaut()[::3, ::3][:128, :160].copy()).permute(2, 0, 1).contiguous()
    return photo


def _expected_output(image: torch.Tensor) -> torch.Tensor:
    """What exercise 1's pipeline must produce, by index arithmetic rather than transforms:
    reversing the columns is a left-right flip, ``torch.rot90`` turns counter-clockwise, and the
    central 96x96 is a slice."""
    turned = torch.rot90(image.flip(-1), k=1, dims=(-2, -1))
    top, left = (turned.shape[-2] - 96) // 2, (turned.shape[-1] - 96) // 2
    return turned[..., top : top + 96, left : left + 96]


def check_pipeline(make_pipeline: Callable[[], Callable[[torch.Tensor], torch.Tensor]]) -> None:
    """Exercise 1: ``make_pipeline()`` returns a transform whose output on a photo equals
    a left-right flip, then a 90° counter-clockwise turn, then the central 96x96, the same every
    call (no randomness left)."""
    image = _test_photo()
    pipeline = make_pipeline()
    if not callable(pipeline):
        raise CheckFailed(
            f"make_pipeline() must return a transform (e.g. v2.Compose([...])), "
            f"got {type(pipeline).__name__}"
        )
    out = pipeline(image)
    target = _expected_output(image)
    if not isinstance(out, torch.Tensor):
        raise CheckFailed(f"the pipeline must return a tensor, got {type(out).__name__}")
    if out.shape != target.shape:
        raise CheckFailed(
            f"output has shape {tuple(out.shape)}, the target has {tuple(target.shape)}: "
            f"did you crop the centre to 96x96?"
        )
    if out.dtype != torch.uint8:
        raise CheckFailed(f"output has dtype {out.dtype}; keep uint8 pixels (no ToDtype/Normalize in this pipeline)")
    if torch.equal(out, target):
        if not all(torch.equal(pipeline(image), target) for _ in range(5)):
            raise CheckFailed(
                "the output changes from call to call: "
                "use p=1.0 for the flip and degrees=(90, 90) for the rotation"
            )
        return
    mirrored = _expected_output(image).flip((-2, -1))  # = rotate first, then flip; or turn clockwise
    if torch.equal(out, mirrored):
        raise CheckFailed(
            "your output is the target mirrored: either you rotated before flipping (the order matters: flip, "
            "then rotate) or you rotated clockwise (a positive angle turns counter-clockwise: use +90)"
        )
    differ = (out.int() - target.int()).abs().gt(0).float().mean().item()
    raise CheckFailed(
        f"output differs from the target in {100 * differ:.0f}% of the pixels: "
        f"flip left-right, rotate +90°, then centre-crop 96"
    )


def check_random_vflip(random_vflip: Callable[..., torch.Tensor]) -> None:
    """Exercise 2: ``random_vflip(images, p, generator)`` flips each image upside down with
    probability ``p``, drawn per image, and leaves the others unchanged."""
    images = torch.randint(0, 256, (400, 3, 5, 6), generator=torch.Generator().manual_seed(4), dtype=torch.uint8)
    for p in (0.0, 1.0):
        out = random_vflip(images, p, torch.Generator().manual_seed(0))
        if not isinstance(out, torch.Tensor) or out.shape != images.shape or out.dtype != images.dtype:
            raise CheckFailed(
                f"output must be a tensor of shape {tuple(images.shape)} and dtype uint8, "
                f"got {getattr(out, 'shape', type(out).__name__)}"
            )
        expected = images.flip(-2) if p == 1.0 else images
        if not torch.equal(out, expected):
            if p == 1.0 and torch.equal(out, images.flip(-1)):
                raise CheckFailed(
                    "with p=1 the images were flipped left-right: upside down flips the rows, dimension -2"
                )
            raise CheckFailed(
                f"with p={p:g} every image should be {'flipped upside down' if p == 1.0 else 'unchanged'}"
            )
    out = random_vflip(images, 0.5, torch.Generator().manual_seed(0))
    flipped = (out == images.flip(-2)).flatten(1).all(1)
    same = (out == images).flatten(1).all(1)
    if not bool((flipped | same).all()):
        raise CheckFailed("some images are neither unchanged nor flipped upside down")
    fraction = flipped.float().mean().item()
    if fraction in (0.0, 1.0):
        raise CheckFailed(
            "with p=0.5 every image got the same draw: "
            "draw one random number per image (torch.rand(N, generator=...))"
        )
    if not 0.4 <= fraction <= 0.6:
        raise CheckFailed(f"with p=0.5, {100 * fraction:.0f}% of 400 images were flipped; expected about 50%")
    again = random_vflip(images, 0.5, torch.Generator().manual_seed(0))
    if not torch.equal(out, again):
        raise CheckFailed("the same generator seed gave different flips: draw from the generator argument")
