
import matplotlib
import pytest
import torch
from torchvision.transforms import v2

from course_utils.augment import BatchAugment, _augment_photo, _random_crop, _random_hflip


def test_random_crop_keeps_shape_and_draws_per_sample(images):
    g = torch.Generator().manual_seed(0)
    out = _random_crop(images, padding=2, generator=g)
    assert out.shape == images.shape and out.dtype == torch.uint8
    # Each crop is a shifted window of the zero-padded image: recover each sample's offset.
    padded = torch.nn.functional.pad(images, (2, 2, 2, 2))
    offsets = []
    for i in range(len(images)):
        found = [(dy, dx) for dy in range(5) for dx in range(5)
                 if torch.equal(padded[i, :, dy : dy + 6, dx : dx + 6], out[i])]
        assert found, f"sample {i} is not a crop of its padded image"
        offsets.append(found[0])
    assert len(set(offsets)) > 3, "every sample got the same crop: parameters were drawn once per batch"


def test_random_crop_takes_its_offsets_rows_then_columns_from_the_generator(images):
    """The stored notebooks' shifted batches depend on which draw sets which offset: the row offsets of the
    whole batch first, then the column offsets (any faster implementation must keep that)."""
    out = _random_crop(images, 3, torch.Generator().manual_seed(7))
    g = torch.Generator().manual_seed(7)
    rows, cols = (torch.randint(0, 7, (len(images),), generator=g) for _ in range(2))
    padded = torch.nn.functional.pad(images, (3, 3, 3, 3))
    height, width = images.shape[-2:]
    expected = torch.stack([p[:, y : y + height, x : x + width]
                            for p, y, x in zip(padded, rows.tolist(), cols.tolist())])
    assert torch.equal(out, expected)


def test_random_crop_is_reproducible_and_zero_padding_is_identity(images):
    a = _random_crop(images, 3, torch.Generator().manual_seed(5))
    b = _random_crop(images, 3, torch.Generator().manual_seed(5))
    assert torch.equal(a, b)
    assert torch.equal(_random_crop(images, 0), images)


def test_random_hflip_flips_some_samples_independently(images):
    out = _random_hflip(images, p=0.5, generator=torch.Generator().manual_seed(1))
    flipped = [torch.equal(out[i], images[i].flip(-1)) for i in range(len(images))]
    kept = [torch.equal(out[i], images[i]) for i in range(len(images))]
    assert all(f or k for f, k in zip(flipped, kept))
    assert 0 < sum(flipped) < len(images)
    assert torch.equal(_random_hflip(images, p=1.0), images.flip(-1))
    assert torch.equal(_random_hflip(images, p=0.0), images)


def test_torchvision_v2_draws_once_per_batch_which_is_why_we_need_this(images):
    """The library fact the course builds on: v2 on a batch tensor flips all or none."""
    torch.manual_seed(0)
    outcomes = set()
    for _ in range(10):
        out = v2.RandomHorizontalFlip(p=0.5)(images)
        same = [torch.equal(out[i], images[i]) for i in range(len(images))]
        assert len(set(same)) == 1
        outcomes.add(same[0])
    assert outcomes == {True, False}


def test_batch_augment_composes_and_applies_extra(images):
    calls = []

    def extra(batch, generator):
        calls.append(batch.shape)
        return batch

    augment = BatchAugment(crop_padding=1, hflip=False, extra=[extra])
    out = augment(images, torch.Generator().manual_seed(0))
    assert out.shape == images.shape and calls == [images.shape]
    assert "crop_padding=1" in repr(augment)


@pytest.mark.parametrize("call, message", [
    (lambda x: _random_crop(x[0], 2), r"\(N, C, H, W\).*unsqueeze"),
    (lambda x: _random_crop(x, -1), "padding must be a non-negative int"),
    (lambda x: _random_hflip(x, p=1.5), r"probability in \[0, 1\]"),
    (lambda x: BatchAugment(crop_padding=-2), "crop_padding must be >= 0"),
])
def test_bad_arguments_raise_clear_errors(images, call, message):
    with pytest.raises(ValueError, match=message):
        call(images)


matplotlib.use("Agg")


def _photo(h=20, w=24):
    return torch.randint(0, 256, (3, h, w), generator=torch.Generator().manual_seed(0), dtype=torch.uint8)


def test_neutral_settings_return_an_equal_copy():
    photo = _photo()
    out = _augment_photo(photo)
    assert torch.equal(out, photo) and out is not photo


def test_flip_and_rotation_match_their_definitions():
    photo = _photo(16, 16)
    assert torch.equal(_augment_photo(photo, flip=True), photo.flip(-1))
    assert torch.equal(_augment_photo(photo, angle=90.0), torch.rot90(photo, 1, dims=(1, 2)))  # counter-clockwise


def test_translation_is_a_fraction_of_the_size_and_brightness_scales():
    photo = _photo(10, 10)
    out = _augment_photo(photo, translate_x=0.2)
    assert torch.equal(out[:, :, 2:], photo[:, :, :-2]) and out[:, :, :2].sum() == 0
    dark = _augment_photo(photo, brightness=0.0)
    assert dark.sum() == 0
    grey = _augment_photo(photo, saturation=0.0)
    assert (grey[0].int() - grey[1].int()).abs().max() <= 1


@pytest.mark.parametrize("settings,match", [
    ({"angle": 500.0}, "angle must be in"), ({"zoom": 2.0}, "unknown setting"), ({"scale": 0.0}, "scale must be in"),
])
def test_bad_settings_are_rejected(settings, match):
    with pytest.raises(ValueError, match=match):
        _augment_photo(_photo(), **settings)


def test_bad_photo_is_rejected():
    with pytest.raises(ValueError, match=r"\(3, H, W\)"):
        _augment_photo(_photo()[None])
    with pytest.raises(TypeError, match="torch.Tensor"):
        _augment_photo(_photo().numpy())


def test_resize_images_keeps_uint8_and_any_leading_dims():
    from course_utils.augment import resize_images

    clips = torch.randint(0, 256, (2, 3, 3, 20, 30), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    out = resize_images(clips, 16)
    assert out.shape == (2, 3, 3, 16, 16) and out.dtype == torch.uint8
    expected = torch.nn.functional.interpolate(clips[1].float(), size=(16, 16), mode="bilinear", antialias=True)
    assert torch.equal(out[1], expected.round().clamp(0, 255).to(torch.uint8))
    assert resize_images(clips[0, 0], 8).shape == (3, 8, 8)
    with pytest.raises(ValueError, match="uint8"):
        resize_images(clips.float(), 8)
