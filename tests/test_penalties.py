"""course_utils.penalties (03_regularization)."""

import pytest
import torch
import torch.nn as nn

from course_utils.penalties import flat_weights, near_zero_fraction, weight_parameters


def test_weight_parameters_leave_out_biases(small_linear_model):
    model = small_linear_model
    assert [tuple(w.shape) for w in weight_parameters(model)] == [(3, 2), (1, 3)]
    assert flat_weights(model).tolist() == [1.0, -2.0, 0.5, 0.0, -1.0, 3.0, 2.0, -1.0, 0.5]
    assert not flat_weights(model).requires_grad
    with pytest.raises(TypeError, match="nn.Module"):
        weight_parameters(torch.zeros(3))
    assert weight_parameters(nn.ReLU()) == []


def test_near_zero_fraction():
    w = torch.tensor([0.0, 5e-4, -5e-4, 0.1, -0.2])
    assert near_zero_fraction(w, 1e-3) == pytest.approx(0.6)
    with pytest.raises(ValueError, match="non-empty"):
        near_zero_fraction(torch.tensor([]))
    with pytest.raises(ValueError, match="threshold"):
        near_zero_fraction(w, 0.0)
