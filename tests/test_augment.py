import pytest
import torch
from torchvision.transforms import v2

from course_utils.augment import BatchAugment, random_crop, random_hflip


def test_random_crop_keeps_shape_and_draws_per_sample(images):
    g = torch.Generator().manual_seed(0)
    out = random_crop(images, padding=2, generator=g)
    assert out.shape == images.shape and out.dtype == torch.uint8
    # Each crop is a shifted window of the zero-padded image: recover each sample's offset.
    padded = torch.nn.functional.pad(images, (2, 2, 2, 2))
    offsets = []
    for i in range(len(images)):
        found = [(dy, dx) for dy in range(5) for dx in range(5) if torch.equal(padded[i, :, dy : dy + 6, dx : dx + 6], out[i])]
        assert found, f"sample {i} is not a crop of its padded image"
        offsets.append(found[0])
    assert len(set(offsets)) > 3, "every sample got the same crop: parameters were drawn once per batch"


def test_random_crop_is_reproducible_and_zero_padding_is_identity(images):
    a = random_crop(images, 3, torch.Generator().manual_seed(5))
    b = random_crop(images, 3, torch.Generator().manual_seed(5))
    assert torch.equal(a, b)
    assert torch.equal(random_crop(images, 0), images)


def test_random_hflip_flips_some_samples_independently(images):
    out = random_hflip(images, p=0.5, generator=torch.Generator().manual_seed(1))
    flipped = [torch.equal(out[i], images[i].flip(-1)) for i in range(len(images))]
    kept = [torch.equal(out[i], images[i]) for i in range(len(images))]
    assert all(f or k for f, k in zip(flipped, kept))
    assert 0 < sum(flipped) < len(images)
    assert torch.equal(random_hflip(images, p=1.0), images.flip(-1))
    assert torch.equal(random_hflip(images, p=0.0), images)


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
    (lambda x: random_crop(x[0], 2), r"\(N, C, H, W\).*unsqueeze"),
    (lambda x: random_crop(x, -1), "padding must be a non-negative int"),
    (lambda x: random_hflip(x, p=1.5), r"probability in \[0, 1\]"),
    (lambda x: BatchAugment(crop_padding=-2), "crop_padding must be >= 0"),
])
def test_bad_arguments_raise_clear_errors(images, call, message):
    with pytest.raises(ValueError, match=message):
        call(images)
