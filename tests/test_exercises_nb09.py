"""The exercises of 09_features_to_boxes: reference solutions pass, wrong answers are rejected."""

import pytest
import torch
from notebook_solutions import solutions

from course_utils.checks import CheckFailed, run_check
from course_utils.exercises.nb09 import check_centre_heatmap, check_dice

dice, centre_heatmap = solutions("09").dice, solutions("09").centre_heatmap


def test_reference_solutions_pass(capsys):
    assert run_check("dice", lambda: check_dice(dice))
    assert run_check("centre_heatmap", lambda: check_centre_heatmap(centre_heatmap))
    assert "✔ dice: correct" in capsys.readouterr().out


def _dice_like(numerator, empty):
    def answer(p, t):
        total = p.sum() + t.sum()
        if total == 0:
            return empty()
        return (numerator(p, t) / (total if numerator is not _iou else (p | t).sum())).item()
    return answer


def _iou(p, t):
    return (p & t).sum()


@pytest.mark.parametrize("answer, message", [
    (_dice_like(_iou, lambda: 1.0), "returned the IoU"),
    (_dice_like(lambda p, t: (p & t).sum(), lambda: 1.0), "twice the overlap"),
    (_dice_like(lambda p, t: 2 * (p & t).sum(), lambda: 0.0), "two empty masks must score 1.0"),
    (lambda p, t: (2 * (p & t).sum() / (p.sum() + t.sum())).item(), "two empty masks must score 1.0"),
    (lambda p, t: 2 * (p & t).sum() / (p.sum() + t.sum()), "Python float"),
    (lambda p, t: 2 * int((p & t).sum()) / (int(p.sum()) + int(t.sum())), "divide 0 by 0"),
])
def test_dice_rejects_common_mistakes(answer, message):
    with pytest.raises(CheckFailed, match=message):
        check_dice(answer)


def _heatmap(swap=False, denominator=lambda s: 2 * s ** 2):
    def answer(col, row, sigma, size):
        ys, xs = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
        if swap:
            xs, ys = ys, xs
        return torch.exp(-((xs - col) ** 2 + (ys - row) ** 2) / denominator(sigma))
    return answer


@pytest.mark.parametrize("answer, message", [
    (_heatmap(swap=True), "swapped"),
    (_heatmap(denominator=lambda s: s ** 2), "not sigma"),
    (_heatmap(denominator=lambda s: 2 * s), "square sigma"),
    (lambda col, row, sigma, size: torch.zeros(size, size, dtype=torch.long), "float tensor"),
    (lambda col, row, sigma, size: torch.zeros(size), "shape"),
    (lambda col, row, sigma, size: 1.0, "return a tensor"),
])
def test_centre_heatmap_rejects_common_mistakes(answer, message):
    with pytest.raises(CheckFailed, match=message):
        check_centre_heatmap(answer)


def test_centre_heatmap_rejects_a_wrong_spread():
    def too_wide(col, row, sigma, size):
        return _heatmap()(col, row, 2 * sigma, size)
    with pytest.raises(CheckFailed, match="away from the centre"):
        check_centre_heatmap(too_wide)
