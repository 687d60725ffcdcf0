"""course_utils.shift (04_data_augmentation)."""

import matplotlib
import pytest
import torch

from course_utils.shift import ShiftSpec, _shift_images, _shift_parameters, shifted_test_sets

matplotlib.use("Agg")


def _images(n=10, size=16):
    return torch.randint(0, 256, (n, 3, size, size), generator=torch.Generator().manual_seed(1), dtype=torch.uint8)


def test_shift_parameters_are_deterministic_and_well_formed():
    a, b = _shift_parameters(50, seed=3), _shift_parameters(50, seed=3)
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert set(a["rotation_sign"].tolist()) == {-1.0, 1.0}
    assert torch.allclose(a["direction"].norm(dim=1), torch.ones(50))
    assert not torch.equal(a["rotation_sign"], _shift_parameters(50, seed=4)["rotation_sign"])


def test_level_zero_is_clean_and_levels_grow():
    x = _images()
    assert torch.equal(_shift_images(x, "combined", 0), x)
    diffs = [(_shift_images(x, "rotation", k).float() - x.float()).abs().mean().item() for k in (1, 2, 3)]
    assert diffs[0] < diffs[1] < diffs[2]


def test_rotation_level_uses_the_per_image_sign():
    x = _images(8, 12)
    out = _shift_images(x, "rotation", 9, ShiftSpec(degrees=10.0))  # ±90°
    sign = _shift_parameters(8)["rotation_sign"]
    for i in range(8):
        assert torch.equal(out[i], torch.rot90(x[i], 1 if sign[i] > 0 else -1, dims=(1, 2)))


def test_translation_moves_by_level_times_pixels():
    x = torch.zeros(1, 1, 12, 12, dtype=torch.uint8)
    x[0, 0, 6, 6] = 255
    out = _shift_images(x, "translation", 2, ShiftSpec(pixels=2.0))
    direction = _shift_parameters(1)["direction"][0]
    ys, xs = torch.nonzero(out[0, 0] > 0, as_tuple=True)
    weights = out[0, 0][ys, xs].float()
    centre = torch.stack([(xs.float() * weights).sum(), (ys.float() * weights).sum()]) / weights.sum()
    assert torch.allclose(centre - 6, 4 * direction, atol=0.3)


def test_shifted_test_sets_structure():
    sets = shifted_test_sets(_images(4), levels=(0, 2), kinds=("scale", "combined"))
    assert set(sets) == {"scale", "combined"} and set(sets["scale"]) == {0, 2}
    assert sets["combined"][2].shape == (4, 3, 16, 16) and sets["combined"][2].dtype == torch.uint8


@pytest.mark.parametrize("kind,level,match", [
    ("shear", 1, "kind must be one of"), ("rotation", -1, "level must be"), ("scale", 20, "shrinks images"),
])
def test_bad_shift_arguments(kind, level, match):
    with pytest.raises(ValueError, match=match):
        _shift_images(_images(), kind, level)


def test_spec_describe():
    assert ShiftSpec().describe(2) == "±20°, 4 px, ×1±0.16"
