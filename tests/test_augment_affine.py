"""Per-sample batched affine and colour transforms (course_utils.augment, 04_data_augmentation)."""

import pytest
import torch
from torchvision.transforms import InterpolationMode
from torchvision.transforms.v2 import functional as TF

from course_utils.augment import affine_batch, random_affine


def _images(n=6, size=16, seed=0):
    return torch.randint(0, 256, (n, 3, size, size), generator=torch.Generator().manual_seed(seed), dtype=torch.uint8)


def test_affine_batch_identity_returns_same_pixels():
    x = _images()
    out = affine_batch(x, torch.zeros(6), torch.zeros(6, 2), torch.ones(6))
    assert out.dtype == torch.uint8 and torch.equal(out, x)


@pytest.mark.parametrize("angle,shift,scale", [
    (30.0, (0.0, 0.0), 1.0), (0.0, (3.0, -2.0), 1.0), (-20.0, (2.0, 1.0), 0.8), (45.0, (0.0, 0.0), 1.3),
])
def test_affine_batch_matches_torchvision_affine(angle, shift, scale):
    x = _images(1, 24)
    ours = affine_batch(x, torch.tensor([angle]), torch.tensor([shift]), torch.tensor([scale]))
    ref = TF.affine(x, angle=-angle,  # torchvision's affine turns clockwise
        translate=[int(shift[0]), int(shift[1])], scale=scale, shear=[0.0, 0.0],
        interpolation=InterpolationMode.BILINEAR)
    assert (ours.int() - ref.int()).abs().max() <= 1


def test_affine_batch_translation_moves_pixels_by_whole_steps():
    x = torch.zeros(1, 1, 8, 8, dtype=torch.uint8)
    x[0, 0, 2, 3] = 200
    out = affine_batch(x, torch.zeros(1), torch.tensor([[2.0, 1.0]]), torch.ones(1))
    assert out[0, 0, 3, 5] == 200 and out.sum() == 200


def test_affine_batch_float_input_stays_float_and_padding_modes_differ():
    x = _images(2).float()
    params = (torch.tensor([0.0, 0.0]), torch.tensor([[4.0, 0.0], [4.0, 0.0]]), torch.ones(2))
    zeros = affine_batch(x, *params, padding_mode="zeros")
    border = affine_batch(x, *params, padding_mode="border")
    assert zeros.dtype == torch.float32
    assert zeros[:, :, :, :4].abs().sum() == 0  # the uncovered left strip is black
    assert torch.allclose(border[:, :, :, 0], x[:, :, :, 0])  # border repeats the edge column


def test_random_affine_gives_each_sample_its_own_draw():
    x = _images(1, 16).expand(8, -1, -1, -1).contiguous()  # eight copies of one image
    out = random_affine(x, degrees=30, translate=0.1, scale=(0.8, 1.2), generator=torch.Generator().manual_seed(0))
    distinct = {out[i].numpy().tobytes() for i in range(8)}
    assert len(distinct) == 8


def test_random_affine_is_reproducible_and_zero_range_is_identity():
    x = _images()
    a = random_affine(x, 20, 0.1, (0.9, 1.1), torch.Generator().manual_seed(3))
    b = random_affine(x, 20, 0.1, (0.9, 1.1), torch.Generator().manual_seed(3))
    assert torch.equal(a, b)
    assert torch.equal(random_affine(x, 0, 0.0, (1.0, 1.0), torch.Generator().manual_seed(3)), x)


def test_random_affine_fixed_angle_range_equals_that_rotation():
    x = _images(3, 20)
    out = random_affine(x, degrees=(90, 90), generator=torch.Generator().manual_seed(0))
    assert torch.equal(out, torch.rot90(x, 1, dims=(2, 3)))


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"degrees": -5}, "degrees must be >= 0"),
        ({"degrees": (10, 5)}, "low <= high"),
        ({"translate": 1.5}, "translate must be a fraction"),
        ({"scale": (0.0, 1.0)}, "scale must be positive"),
        ({"padding_mode": "wrap"}, "padding_mode must be one of"),
    ],
)
def test_random_affine_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        random_affine(_images(), generator=torch.Generator().manual_seed(0), **kwargs)


def test_affine_batch_rejects_wrong_parameter_shapes_and_scales():
    with pytest.raises(ValueError, match="one parameter set per image"):
        affine_batch(_images(3), torch.zeros(2), torch.zeros(3, 2), torch.ones(3))
    with pytest.raises(ValueError, match="scales must all be > 0"):
        affine_batch(_images(2), torch.zeros(2), torch.zeros(2, 2), torch.tensor([1.0, 0.0]))
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        affine_batch(_images(1)[0], torch.zeros(1), torch.zeros(1, 2), torch.ones(1))


