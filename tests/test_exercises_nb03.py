"""The exercise checks of 03_regularization accept the reference and reject wrong answers helpfully."""

import pytest
import torch
import torch.nn as nn
from notebook_solutions import solutions

from course_utils.checks import CheckFailed, run_check
from course_utils.exercises.nb03 import check_dropout, check_early_stopping_epochs, check_l1_penalty

reference = solutions("03")


def test_references_pass():
    check_l1_penalty(reference.l1_penalty)
    check_early_stopping_epochs(reference.early_stopping_epochs)


@pytest.mark.parametrize("wrong, message", [
    (lambda m: sum(p.abs().sum() for p in m.parameters()), "biases"),
    (lambda m: sum(p.pow(2).sum() for n, p in m.named_parameters() if n.endswith("weight")), "L2"),
    (lambda m: reference.l1_penalty(m) / sum(p.numel() for n, p in m.named_parameters() if n.endswith("weight")),
     "MEAN"),
    (lambda m: reference.l1_penalty(m).detach(), "detached"),
    (lambda m: reference.l1_penalty(m).item(), "torch.Tensor"),
    (lambda m: 2 * reference.l1_penalty(m), "expected"),
])
def test_l1_wrong_answers_are_rejected(wrong, message):
    with pytest.raises(CheckFailed, match=message):
        check_l1_penalty(wrong)


def _off_by_one(losses, patience, min_delta=0.0):
    best, stop = reference.early_stopping_epochs(losses, patience, min_delta)
    return best - 1, stop - 1


def _no_reset(losses, patience, min_delta=0.0):
    best, best_epoch, bad = float("inf"), 0, 0
    for epoch, loss in enumerate(losses, start=1):
        if loss < best - min_delta:
            best, best_epoch = loss, epoch  # forgets to reset the counter
        else:
            bad += 1
            if bad >= patience:
                return best_epoch, epoch
    return best_epoch, len(losses)


def _ignores_min_delta(losses, patience, min_delta=0.0):
    return reference.early_stopping_epochs(losses, patience, 0.0)


@pytest.mark.parametrize("wrong, message", [
    (_off_by_one, "1-based"),
    (_no_reset, "stop_epoch"),
    (_ignores_min_delta, "best_epoch"),
    (lambda losses, patience, min_delta=0.0: [1, 2], "tuple"),
])
def test_early_stopping_wrong_answers_are_rejected(wrong, message):
    with pytest.raises(CheckFailed, match=message):
        check_early_stopping_epochs(wrong)


def test_not_implemented_is_reported_not_raised(capsys):
    def todo(*args):
        raise NotImplementedError

    assert not run_check("l1_penalty", lambda: check_l1_penalty(todo))
    assert not run_check("early_stopping_epochs", lambda: check_early_stopping_epochs(todo))
    assert "not implemented yet" in capsys.readouterr().out


def test_early_stopping_returning_none_gets_a_message():
    def forgot_return(losses, patience, min_delta=0.0):
        best = min(losses)  # noqa: F841

    with pytest.raises(CheckFailed, match="returned None"):
        check_early_stopping_epochs(forgot_return)


def test_early_stopping_with_numpy_integers_passes():
    import numpy as np

    def numpy_epochs(losses, patience, min_delta=0.0):
        best, stop = reference.early_stopping_epochs(losses, patience, min_delta)
        return np.int64(best), np.int64(stop)

    check_early_stopping_epochs(numpy_epochs)


def test_the_hand_made_cases_agree_with_the_reference():
    from course_utils.exercises.nb03 import _CASES

    for losses, patience, min_delta, expected in _CASES:
        assert reference.early_stopping_epochs(losses, patience, min_delta) == expected


def test_l1_of_zero_sum_weights_is_caught():
    with pytest.raises(CheckFailed, match="sum w instead of |w|"):
        check_l1_penalty(lambda m: sum(p.sum() for n, p in m.named_parameters() if n.endswith("weight")) * 0)


def test_dropout_reference_passes():
    assert run_check("Dropout", lambda: check_dropout(solutions("03").Dropout)).passed


def _dropout(forward):
    class Layer(nn.Module):
        def __init__(self, p=0.5):
            super().__init__()
            self.p = p

        def forward(self, x):
            if not self.training or self.p == 0:
                return x
            return forward(self, x)

    return Layer


def test_dropout_wrong_answers_are_rejected_with_a_reason():
    def message(forward):
        result = run_check("Dropout", lambda: check_dropout(_dropout(forward)))
        assert not result.passed
        return result.message

    assert "scale the kept ones" in message(lambda self, x: x * (torch.rand_like(x) >= self.p))
    assert "instead of 1 - p" in message(lambda self, x: x * (torch.rand_like(x) < self.p) / (1 - self.p))
    assert "1 / (1 - p)" in message(lambda self, x: x * (torch.rand_like(x) >= self.p) / self.p)  # right for p = 0.5

    def same_mask(self, x):
        mask = torch.rand(x.shape, generator=torch.Generator().manual_seed(0)) >= self.p
        return x * mask / (1 - self.p)

    assert "new mask at every call" in message(same_mask)

    class AlwaysOn(nn.Module):
        def __init__(self, p=0.5):
            super().__init__()
            self.p = p

        def forward(self, x):
            return x * (torch.rand_like(x) >= self.p) / (1 - self.p)

    result = run_check("Dropout", lambda: check_dropout(AlwaysOn))
    assert not result.passed and "evaluation mode" in result.message


def test_dropout_missing_solution_is_reported():
    class Todo(nn.Module):
        def __init__(self, p=0.5):
            super().__init__()

        def forward(self, x):
            raise NotImplementedError

    assert "not implemented yet" in run_check("Dropout", lambda: check_dropout(Todo)).message
