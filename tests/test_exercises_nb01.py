"""The exercise checks of 01_cross_entropy accept the reference solutions and reject wrong answers
with a message naming the mistake."""

import pytest
import torch.nn.functional as F

from course_utils.checks import CheckFailed, run_check
from course_utils.exercises.nb01 import check_cross_entropy, check_cross_entropy_grad
from course_utils.solutions import nb01 as ref


def test_reference_solutions_pass(capsys):
    assert run_check("cross_entropy", lambda: check_cross_entropy(ref.cross_entropy))
    assert run_check("cross_entropy_grad", lambda: check_cross_entropy_grad(ref.cross_entropy_grad))
    assert capsys.readouterr().out.count("correct") == 2


def test_torch_builtins_pass_too():
    check_cross_entropy(F.cross_entropy)
    check_cross_entropy_grad(lambda z, y: (z.softmax(1) - F.one_hot(y, z.shape[1])) / len(z))


def _naive_ce(logits, targets):
    p = logits.exp() / logits.exp().sum(1, keepdim=True)
    return -p.gather(1, targets.view(-1, 1)).log().mean()


def _in_place_ce(logits, targets):
    logits -= logits.max(1, keepdim=True).values
    return ref.cross_entropy(logits, targets)


@pytest.mark.parametrize("wrong, message", [
    (lambda z, y: ref.cross_entropy(z, y) * len(z), "SUM over the batch"),
    (lambda z, y: -ref.cross_entropy(z, y), "wrong sign"),
    (lambda z, y: -ref.softmax(z).gather(1, y.view(-1, 1)).mean(), "take its logarithm"),
    (lambda z, y: -ref.log_softmax(z).gather(1, y.view(-1, 1)).flatten(), "one number"),
    (_naive_ce, "log-sum-exp"),
    (_in_place_ce, "in place"),
    (lambda z, y: ref.cross_entropy(z, y) + 0.1, "off by"),
    (lambda z, y: 1.0, "must return a torch.Tensor"),
])
def test_wrong_cross_entropy_is_rejected(wrong, message):
    with pytest.raises(CheckFailed, match=message):
        check_cross_entropy(wrong)


def _naive_grad(logits, targets):
    p = logits.exp() / logits.exp().sum(1, keepdim=True)
    return (p - F.one_hot(targets, logits.shape[1])) / len(logits)


@pytest.mark.parametrize("wrong, message", [
    (lambda z, y: ref.cross_entropy_grad(z, y) * len(z), "N times too large"),
    (lambda z, y: -ref.cross_entropy_grad(z, y), "wrong sign"),
    (lambda z, y: ref.softmax(z) / len(z), "forgot to subtract the one-hot"),
    (lambda z, y: ref.softmax(z), "returns p"),
    (lambda z, y: ref.cross_entropy_grad(z, y).sum(0), "shape of the logits"),
    (_naive_grad, "stable softmax"),
    (lambda z, y: ref.cross_entropy_grad(z, y) + 0.01, "off by"),
])
def test_wrong_cross_entropy_grad_is_rejected(wrong, message):
    with pytest.raises(CheckFailed, match=message):
        check_cross_entropy_grad(wrong)


@pytest.mark.parametrize("check", [check_cross_entropy, check_cross_entropy_grad])
def test_not_implemented_is_reported_not_raised(check, capsys):
    def todo(logits, targets):
        raise NotImplementedError

    result = run_check("exercise", lambda: check(todo))
    assert not result.passed and "not implemented" in result.message
    assert "✘ exercise: not implemented" in capsys.readouterr().out


def test_wrong_answer_message_is_printed(capsys):
    result = run_check("cross_entropy", lambda: check_cross_entropy(lambda z, y: -ref.cross_entropy(z, y)))
    assert not result and "wrong sign" in capsys.readouterr().out
