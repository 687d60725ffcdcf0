"""The exercises of 06_transfer_learning: reference solutions pass, wrong answers are rejected."""

import pytest
import torch.nn as nn

from course_utils.checks import CheckFailed, run_check
from course_utils.exercises.nb06 import check_freeze_for_linear_probe, check_trainable_fraction
from course_utils.solutions.nb06 import freeze_for_linear_probe, trainable_fraction


def test_reference_solutions_pass(capsys):
    assert run_check("freeze", lambda: check_freeze_for_linear_probe(freeze_for_linear_probe))
    assert run_check("fraction", lambda: check_trainable_fraction(trainable_fraction))
    assert "✔ freeze: correct" in capsys.readouterr().out


def test_freeze_rejects_frozen_head():
    def freeze_everything(model):
        for p in model.parameters():
            p.requires_grad = False
        return model

    with pytest.raises(CheckFailed, match="head must stay trainable"):
        check_freeze_for_linear_probe(freeze_everything)


def test_freeze_rejects_trainable_backbone():
    def freeze_only_first_conv(model):
        model.conv1.weight.requires_grad = False
        return model

    with pytest.raises(CheckFailed, match="still trainable, e.g. bn1.weight"):
        check_freeze_for_linear_probe(freeze_only_first_conv)


def test_freeze_rejects_missing_return():
    with pytest.raises(CheckFailed, match="return the model"):
        check_freeze_for_linear_probe(lambda model: (freeze_for_linear_probe(model), None)[1])


def test_fraction_rejects_counting_tensors():
    def by_tensors(model: nn.Module) -> float:
        params = list(model.parameters())
        return sum(p.requires_grad for p in params) / len(params)

    with pytest.raises(CheckFailed, match="counted parameter tensors"):
        check_trainable_fraction(by_tensors)


def test_fraction_rejects_ignoring_requires_grad():
    with pytest.raises(CheckFailed, match="only count parameters with requires_grad"):
        check_trainable_fraction(lambda model: 1.0)


def test_fraction_rejects_frozen_fraction():
    with pytest.raises(CheckFailed, match="frozen fraction"):
        check_trainable_fraction(lambda model: 1 - trainable_fraction(model))


def test_not_implemented_is_reported(capsys):
    def todo(model):
        raise NotImplementedError

    assert not run_check("freeze", lambda: check_freeze_for_linear_probe(todo))
    assert not run_check("fraction", lambda: check_trainable_fraction(todo))
    assert "not implemented yet" in capsys.readouterr().out
