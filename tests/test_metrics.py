"""course_utils.metrics."""

import pytest
import torch

from course_utils.metrics import _accuracy, confusion_matrix, pair_accuracy

SMALL = dict(train_per_class=2, test_per_class=1, frames=8, size=16)


def test_pair_accuracy():
    logits = torch.eye(3)[[0, 1, 1, 2]]
    assert pair_accuracy(logits, torch.tensor([0, 0, 1, 2]), [0, 1]) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="no clip"):
        pair_accuracy(logits, torch.tensor([2, 2, 2, 2]), [0, 1])


def test_accuracy_and_confusion_matrix():
    logits = torch.tensor([[2.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 2.0]])
    targets = torch.tensor([0, 1, 2, 2])
    assert _accuracy(logits, targets) == pytest.approx(0.75)
    matrix = confusion_matrix(logits, targets, 3)
    assert matrix.tolist() == [[1, 0, 0], [0, 1, 0], [0, 1, 1]]
    assert torch.equal(confusion_matrix(logits.argmax(1), targets, 3), matrix)


@pytest.mark.parametrize("call, message", [
    (lambda: _accuracy(torch.zeros(3), torch.zeros(3)), r"logits must have shape \(N, num_classes\)"),
    (lambda: _accuracy(torch.zeros(3, 2), torch.zeros(4)), "disagree in length"),
    (lambda: confusion_matrix(torch.tensor([0, 5]), torch.tensor([0, 1]), 3), "lie in"),
    (lambda: confusion_matrix(torch.tensor([0]), torch.zeros(1, 1), 3), r"targets must have shape \(N,\)"),
])
def test_metric_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
