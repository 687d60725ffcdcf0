import pytest
import torch

from course_utils.metrics import accuracy, confusion_matrix, per_class_accuracy
from course_utils.models import ConvNet, SeedConvNet, count_parameters


def test_seed_convnet_fails_on_32x32_as_the_seed_text_does():
    with pytest.raises(RuntimeError):
        SeedConvNet()(torch.zeros(2, 3, 32, 32))


def test_convnet_flatten_size_and_output():
    model = ConvNet()
    assert model.flat_features == 64 * 8 * 8
    assert model(torch.zeros(5, 3, 32, 32)).shape == (5, 10)
    assert model.features(torch.zeros(1, 3, 32, 32)).shape == (1, 64, 8, 8)
    assert ConvNet(num_classes=4, image_size=28, in_channels=1)(torch.zeros(2, 1, 28, 28)).shape == (2, 4)


def test_count_parameters_matches_the_architecture():
    model = ConvNet()
    expected = (3 * 32 * 9 + 32) + (32 * 64 * 9 + 64) + (4096 * 512 + 512) + (512 * 10 + 10)
    assert count_parameters(model) == expected
    model.conv1.weight.requires_grad_(False)
    assert count_parameters(model, trainable_only=True) == expected - 3 * 32 * 9


@pytest.mark.parametrize("kwargs, message", [(dict(image_size=30), "divisible by 4"), (dict(dropout=1.0), "dropout")])
def test_convnet_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ConvNet(**kwargs)


def test_accuracy_and_confusion_matrix():
    logits = torch.tensor([[2.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 2.0]])
    targets = torch.tensor([0, 1, 2, 2])
    assert accuracy(logits, targets) == pytest.approx(0.75)
    matrix = confusion_matrix(logits, targets, 3)
    assert matrix.tolist() == [[1, 0, 0], [0, 1, 0], [0, 1, 1]]
    assert torch.equal(confusion_matrix(logits.argmax(1), targets, 3), matrix)
    assert per_class_accuracy(logits, targets, 3).tolist() == [1.0, 1.0, 0.5]


@pytest.mark.parametrize("call, message", [
    (lambda: accuracy(torch.zeros(3), torch.zeros(3)), r"logits must have shape \(N, num_classes\)"),
    (lambda: accuracy(torch.zeros(3, 2), torch.zeros(4)), "disagree in length"),
    (lambda: confusion_matrix(torch.tensor([0, 5]), torch.tensor([0, 1]), 3), "lie in"),
    (lambda: confusion_matrix(torch.tensor([0]), torch.zeros(1, 1), 3), r"targets must have shape \(N,\)"),
])
def test_metric_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
