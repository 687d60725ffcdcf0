"""Automatic checks of the exercises of 09_features_to_boxes."""

from __future__ import annotations

from typing import Callable

import torch

from ..checks import CheckFailed, _python_float

__all__ = ["check_centre_heatmap", "check_dice"]


def check_dice(dice: Callable[[torch.Tensor, torch.Tensor], float]) -> None:
    """The Dice coefficient ``2 |P & T| / (|P| + |T|)`` of two boolean masks, 1.0 for two empty masks."""
    predicted = torch.zeros(4, 5, dtype=torch.bool)
    truth = torch.zeros(4, 5, dtype=torch.bool)
    predicted[0, :4] = True  # 4 pixels
    truth[0, 2:] = True  # 3 pixels, 2 of them shared
    answer = _python_float(dice(predicted, truth), "dice")
    if abs(answer - 2 / 5) < 1e-6:
        raise CheckFailed("you returned the IoU (2 shared of 5 in the union); Dice is 2 |P & T| / (|P| + |T|)")
    if abs(answer - 2 / 7) < 1e-6:
        raise CheckFailed("the numerator is twice the overlap: 2 |P & T| / (|P| + |T|)")
    if abs(answer - 4 / 7) > 1e-6:
        raise CheckFailed(f"masks of 4 and 3 pixels sharing 2: expected 2 * 2 / 7 = {4 / 7:.4f}, got {answer:.4f}")
    if abs(_python_float(dice(truth, predicted), "dice") - answer) > 1e-6:
        raise CheckFailed("Dice is symmetric: dice(P, T) must equal dice(T, P)")
    if abs(_python_float(dice(predicted, predicted), "dice") - 1.0) > 1e-6:
        raise CheckFailed("a mask compared with itself must score 1.0")
    if abs(_python_float(dice(predicted, ~predicted), "dice")) > 1e-6:
        raise CheckFailed("two masks with no pixel in common must score 0.0")
    empty = torch.zeros(3, 3, dtype=torch.bool)
    try:
        both_empty = dice(empty, empty)
    except ZeroDivisionError:
        raise CheckFailed("two empty masks divide 0 by 0: return 1.0 for them (nothing to find, "
                          "nothing found)") from None
    both_empty = _python_float(both_empty, "dice")
    if both_empty != both_empty or abs(both_empty - 1.0) > 1e-6:
        raise CheckFailed(f"two empty masks must score 1.0 (nothing to find, nothing found), got {both_empty}")


def check_centre_heatmap(centre_heatmap: Callable[[int, int, float, int], torch.Tensor]) -> None:
    """A ``(size, size)`` Gaussian ``exp(-((x - col)^2 + (y - row)^2) / (2 sigma^2))``, x the column, y the row."""
    answer = centre_heatmap(5, 2, 1.5, 8)
    if not isinstance(answer, torch.Tensor):
        raise CheckFailed(f"centre_heatmap: return a tensor of shape (size, size), got {type(answer).__name__}")
    if tuple(answer.shape) != (8, 8):
        raise CheckFailed(f"centre_heatmap(5, 2, 1.5, 8): expected shape (8, 8), got {tuple(answer.shape)}")
    if not answer.is_floating_point():
        raise CheckFailed(f"return a float tensor, got {answer.dtype}")
    ys, xs = torch.meshgrid(torch.arange(8.0), torch.arange(8.0), indexing="ij")
    expected = torch.exp(-((xs - 5) ** 2 + (ys - 2) ** 2) / (2 * 1.5 ** 2))
    answer = answer.double()
    if abs(answer[5, 2].item() - 1.0) < 1e-6 and abs(answer[2, 5].item() - 1.0) > 1e-6:
        raise CheckFailed("the peak is at row 5, column 2: you swapped them; index a map as [row, column] = [y, x]")
    if abs(answer[2, 5].item() - 1.0) > 1e-6:
        raise CheckFailed(f"the value at the centre (row 2, column 5) must be 1, got {answer[2, 5].item():.4f}")
    if torch.allclose(answer, torch.exp(-((xs - 5) ** 2 + (ys - 2) ** 2) / 1.5 ** 2).double(), atol=1e-6):
        raise CheckFailed("the exponent divides by 2 sigma^2, not sigma^2")
    if torch.allclose(answer, torch.exp(-((xs - 5) ** 2 + (ys - 2) ** 2) / (2 * 1.5)).double(), atol=1e-6):
        raise CheckFailed("the exponent divides by 2 sigma^2: square sigma")
    if not torch.allclose(answer, expected.double(), atol=1e-6):
        raise CheckFailed("values away from the centre are wrong: expected "
                          "exp(-((x - col)^2 + (y - row)^2) / (2 sigma^2))")
