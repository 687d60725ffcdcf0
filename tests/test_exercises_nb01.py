"""The exercise checks of 01_cross_entropy accept the reference solutions and reject wrong answers
with a message naming the mistake."""

import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from notebook_solutions import solutions

from course_utils.checks import CheckFailed, run_check
from course_utils.exercises.nb01 import check_cross_entropy, check_cross_entropy_grad

ref = solutions("01")


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
    (lambda z, y: -torch.log_softmax(z, dim=1).gather(1, y.view(-1, 1)).flatten(), "one number"),
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


def test_reference_cross_entropy_matches_torch_and_is_stable():
    logits = torch.tensor([[1.0, 2.0, -1.0], [1000.0, 0.0, -1000.0]], dtype=torch.float64)
    targets = torch.tensor([2, 1])
    assert torch.isclose(ref.cross_entropy(logits, targets), F.cross_entropy(logits, targets))
    assert torch.isfinite(ref.softmax(logits)).all()
    assert torch.allclose(ref.softmax(logits), logits.softmax(1))


def test_reference_cross_entropy_grad_matches_autograd():
    logits = torch.randn(4, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(0)).requires_grad_()
    targets = torch.tensor([0, 4, 2, 2])
    (auto,) = torch.autograd.grad(ref.cross_entropy(logits, targets), logits)
    assert (auto - ref.cross_entropy_grad(logits.detach(), targets)).abs().max() < 1e-15


def test_reference_bce_and_its_gradient():
    z = torch.tensor([-2.0, 0.5, 3.0], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([1.0, 0.0, 1.0], dtype=torch.float64)
    loss = ref.bce(z, y)
    assert torch.isclose(loss, F.binary_cross_entropy_with_logits(z, y))
    (auto,) = torch.autograd.grad(loss, z)
    assert torch.allclose(auto, ref.bce_grad(z.detach(), y))


def test_reference_mse_on_probs_value():
    logits = torch.zeros(1, 4, dtype=torch.float64)  # p = 0.25 everywhere, target class 0
    expected = 0.5 * (0.75 ** 2 + 3 * 0.25 ** 2)
    assert ref.mse_loss(logits, torch.tensor([0])).item() == pytest.approx(expected)


def test_a_correct_answer_computed_in_float32_passes():
    def in_float32(logits, targets):
        return ref.cross_entropy(logits.float(), targets)

    def grad_in_float32(logits, targets):
        return ref.cross_entropy_grad(logits.float(), targets)

    check_cross_entropy(in_float32)
    check_cross_entropy_grad(grad_in_float32)


def test_float32_tolerance_still_catches_a_wrong_answer():
    def slightly_off(logits, targets):
        return ref.cross_entropy(logits.float(), targets) + 1e-3

    with pytest.raises(CheckFailed, match="off by up to 0.001 .*float32"):
        check_cross_entropy(slightly_off)
