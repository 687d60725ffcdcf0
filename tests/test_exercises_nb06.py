"""The exercises of 06_transfer_learning: reference solutions pass, wrong answers are rejected."""

import pytest
import torch.nn as nn
from notebook_solutions import solutions

from course_utils.checks import CheckFailed, run_check
from course_utils.exercises.nb06 import check_freeze_for_linear_probe, check_trainable_fraction

reference = solutions("06")
freeze_for_linear_probe, trainable_fraction = reference.freeze_for_linear_probe, reference.trainable_fraction


def test_reference_solutions_pass(capsys):
    assert run_check("freeze", lambda: check_freeze_for_linear_probe(freeze_for_linear_probe))
    assert run_check("fraction", lambda: check_trainable_fraction(trainable_fraction))
    assert "✔ freeze: correct" in capsys.readouterr().out


def test_freeze_rejects_frozen_head():
    def freeze_everything(model):
        for p in model.parameters():
            p.requires_grad = False
        return model

    with pytest.raises(CheckFailed, match="head '_fc' must stay trainable"):
        check_freeze_for_linear_probe(lambda model, head_name="_fc": freeze_everything(model))


def test_freeze_rejects_trainable_backbone():
    def freeze_only_first_conv(model, head_name="_fc"):
        model.stem.weight.requires_grad = False
        return model

    with pytest.raises(CheckFailed, match="still trainable, e.g. stem.bias"):
        check_freeze_for_linear_probe(freeze_only_first_conv)


def test_freeze_rejects_a_fixed_head_name():
    def always_fc(model, head_name="_fc"):
        for p in model.parameters():
            p.requires_grad = False
        for p in model._fc.parameters():
            p.requires_grad = True
        return model

    with pytest.raises(CheckFailed, match="getattr\\(model, head_name\\)"):
        check_freeze_for_linear_probe(always_fc)


def test_freeze_accepts_another_correct_way():
    def by_names(model, head_name="_fc"):
        for name, p in model.named_parameters():
            p.requires_grad_(name.startswith(head_name + "."))
        return model

    check_freeze_for_linear_probe(by_names)


def test_freeze_rejects_missing_return():
    with pytest.raises(CheckFailed, match="return the model"):
        check_freeze_for_linear_probe(
            lambda model, head_name="_fc": (freeze_for_linear_probe(model, head_name), None)[1])


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
    def todo(model, head_name="_fc"):
        raise NotImplementedError

    assert not run_check("freeze", lambda: check_freeze_for_linear_probe(todo))
    assert not run_check("fraction", lambda: check_trainable_fraction(todo))
    assert "not implemented yet" in capsys.readouterr().out


def test_fraction_accepts_a_numpy_float():
    import numpy as np

    check_trainable_fraction(lambda model: np.float64(trainable_fraction(model)))
