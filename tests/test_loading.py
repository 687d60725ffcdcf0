
import pytest  # noqa: E402
import torch  # noqa: E402

from course_utils.augment import BatchAugment
from course_utils.checks import _require_videos
from course_utils.loading import BatchLoader, minibatches, normalize
from course_utils.training import evaluate, fit


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

    def run(seed):
        return [y.tolist() for _, y in BatchLoader(images, labels, 3, shuffle=True, seed=seed, drop_last=True)]

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
    (dict(data=torch.zeros(4, 3, 8, 8, dtype=torch.int64)), "dtype torch.uint8"),
    (dict(data=torch.zeros(3, 8, 8, dtype=torch.uint8)), r"\(N, C, H, W\)"),
    (dict(data=torch.zeros(4)), r"float features must have shape \(N, ...\)"),
    (dict(labels=torch.zeros(5)), r"class indices of shape \(4,\) or multi-hot floats of shape \(4, K\)"),
    (dict(labels=torch.zeros(4, 10, dtype=torch.long)), r"multi-hot floats .* torch.int64"),
    (dict(batch_size=0), "batch_size must be a positive int"),
])
def test_bad_input_is_named(kwargs, message):
    args = dict(data=torch.zeros(4, 3, 8, 8, dtype=torch.uint8), labels=torch.zeros(4))
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        BatchLoader(**args)


def test_normalize_checks_channels():
    with pytest.raises(ValueError, match="one value per channel"):
        normalize(torch.zeros(1, 3, 2, 2, dtype=torch.uint8), mean=(0.5,), std=(0.5,))


def test_minibatches_cover_a_permutation():
    batches = minibatches(10, 4, torch.Generator().manual_seed(0))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(torch.cat(batches).tolist()) == list(range(10))


def test_minibatches_rejects_bad_sizes():
    with pytest.raises(ValueError, match="batch_size"):
        minibatches(10, 0, torch.Generator())


SMALL = dict(train_per_class=2, test_per_class=1, frames=8, size=16)


def test_one_loader_for_clips_and_features():
    with pytest.raises(ValueError, match=r"\(N, T, C, H, W\).*unsqueeze"):
        _require_videos(torch.zeros(8, 1, 16, 16, dtype=torch.uint8))
    with pytest.raises(ValueError, match="dtype"):
        normalize(torch.zeros(1, 8, 1, 16, 16))
    videos = torch.full((5, 3, 1, 4, 4), 255, dtype=torch.uint8)
    batches = list(BatchLoader(videos, torch.arange(5), batch_size=2))
    assert [len(y) for _, y in batches] == [2, 2, 1] and batches[0][0].shape == (2, 3, 1, 4, 4)
    assert batches[0][0].max().item() == 1.0 and batches[0][0].dtype == torch.float32
    assert torch.equal(normalize(videos[:1])[0, 1], normalize(videos[0])[1])  # a clip is its frames
    with pytest.raises(ValueError, match="labels must be class indices"):
        BatchLoader(videos, torch.arange(4))
    with pytest.raises(ValueError, match="not to clips"):
        BatchLoader(videos, torch.arange(5), augment=lambda x, g: x)
    features = torch.randn(5, 3, 7)
    first, labels = next(iter(BatchLoader(features, torch.arange(5), batch_size=5)))
    assert torch.equal(first, features) and torch.equal(labels, torch.arange(5))
    with pytest.raises(ValueError, match="not to float features"):
        BatchLoader(features, torch.arange(5), channels_last=True)
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        BatchLoader(torch.zeros(5, 4, dtype=torch.uint8), torch.arange(5))


def test_normalize_defaults_to_every_channel():
    one_channel = torch.tensor([0, 255], dtype=torch.uint8).view(2, 1, 1, 1)
    assert normalize(one_channel).flatten().tolist() == [-1.0, 1.0]
    with pytest.raises(ValueError, match="one value per channel"):
        normalize(one_channel, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5))


def test_multi_hot_labels_stay_float_and_fit_counts_each_answer():
    """08_where_features_look: multi-hot targets pass through, and the accuracy of fit and evaluate is
    the share of present/absent answers that are right."""
    images = torch.zeros(4, 1, 2, 2, dtype=torch.uint8)
    targets = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
    _, labels = next(iter(BatchLoader(images, targets, batch_size=4)))
    assert labels.dtype == torch.float32 and torch.equal(labels, targets)

    class Fixed(torch.nn.Module):  # says "class 0 present, class 1 absent" for every image
        def __init__(self):
            super().__init__()
            self.bias = torch.nn.Parameter(torch.tensor([2.0, -2.0]))

        def forward(self, x):
            return self.bias.expand(len(x), 2)

    loader = BatchLoader(images, targets, batch_size=2)
    loss, accuracy = evaluate(Fixed(), loader, torch.nn.BCEWithLogitsLoss())
    assert accuracy == pytest.approx(4 / 8)  # right: (1,0) both, (0,1) none, (1,1) one, (0,0) one
    model = Fixed()
    history = fit(model, loader, torch.optim.SGD(model.parameters(), lr=0.0), 1,
                  loss_fn=torch.nn.BCEWithLogitsLoss(), progress=False)
    assert history.train_acc == [pytest.approx(4 / 8)] and loss > 0


def test_fit_continues_a_history():
    """08_where_features_look trains in two cells: a second fit appends to the first one's History."""
    images, labels = torch.zeros(4, 1, 2, 2, dtype=torch.uint8), torch.tensor([0, 1, 0, 1])
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loader = BatchLoader(images, labels, batch_size=2)
    history = fit(model, loader, optimizer, 2, progress=False)
    same = fit(model, loader, optimizer, 3, progress=False, history=history)
    assert same is history and history.epochs == 5 and len(history.step_loss) == 10
    with pytest.raises(TypeError, match="History returned by an earlier fit"):
        fit(model, loader, optimizer, 1, progress=False, history=[])
