import pytest
import torch

from course_utils.augment import BatchAugment
from course_utils.loading import BatchLoader, normalize


def make(n=10):
    images = torch.arange(n, dtype=torch.uint8).view(n, 1, 1, 1).expand(n, 3, 4, 4).contiguous()
    return images, torch.arange(n)


def test_normalize_maps_0_255_to_minus1_1():
    x = torch.tensor([0, 255], dtype=torch.uint8).view(2, 1, 1, 1).expand(2, 3, 1, 1)
    out = normalize(x)
    assert out.dtype == torch.float32
    assert torch.allclose(out[:, 0, 0, 0], torch.tensor([-1.0, 1.0]))


def test_batches_cover_the_data_once_in_order_without_shuffle():
    images, labels = make(10)
    loader = BatchLoader(images, labels, batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 and [len(y) for _, y in batches] == [4, 4, 2]
    assert torch.cat([y for _, y in batches]).tolist() == list(range(10))
    inputs = batches[0][0]
    # each image's pixels encode its label, so inputs and labels stay paired
    assert torch.allclose(inputs[:, 0, 0, 0], (torch.arange(4) / 255 - 0.5) / 0.5)


def test_shuffle_is_seeded_and_keeps_pairs():
    images, labels = make(10)
    run = lambda seed: [y.tolist() for _, y in BatchLoader(images, labels, 3, shuffle=True, seed=seed, drop_last=True)]
    assert run(1) == run(1) and run(1) != run(2)
    assert len(run(1)) == 3
    for inputs, y in BatchLoader(images, labels, 3, shuffle=True):
        assert torch.allclose(inputs[:, 0, 0, 0], (y / 255 - 0.5) / 0.5)
    # a new epoch draws a new order
    loader = BatchLoader(images, labels, 10, shuffle=True)
    assert next(iter(loader))[1].tolist() != next(iter(loader))[1].tolist()


def test_augmentation_is_applied_and_channels_last():
    images = torch.randint(0, 255, (8, 3, 8, 8), dtype=torch.uint8)
    loader = BatchLoader(images, torch.zeros(8, dtype=torch.long), 8, augment=BatchAugment(2, True), channels_last=True)
    inputs, _ = next(iter(loader))
    assert not torch.equal(inputs, normalize(images))
    assert inputs.is_contiguous(memory_format=torch.channels_last)


@pytest.mark.parametrize("kwargs, message", [
    (dict(images=torch.zeros(4, 3, 8, 8)), "dtype torch.uint8"),
    (dict(images=torch.zeros(3, 8, 8, dtype=torch.uint8)), r"\(N, C, H, W\)"),
    (dict(labels=torch.zeros(5)), r"labels must have shape \(4,\)"),
    (dict(batch_size=0), "batch_size must be a positive int"),
])
def test_bad_input_is_named(kwargs, message):
    args = dict(images=torch.zeros(4, 3, 8, 8, dtype=torch.uint8), labels=torch.zeros(4))
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        BatchLoader(**args)


def test_normalize_checks_channels():
    with pytest.raises(ValueError, match="one value per channel"):
        normalize(torch.zeros(1, 3, 2, 2, dtype=torch.uint8), mean=(0.5,), std=(0.5,))
