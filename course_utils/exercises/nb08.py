"""Automatic checks of the exercises of 08_where_features_look."""

from __future__ import annotations

from typing import Callable

import torch

from ..checks import CheckFailed, _python_float

__all__ = ["check_box_iou", "check_class_activation_map"]


def check_box_iou(iou: Callable[[torch.Tensor, torch.Tensor], float]) -> None:
    """The intersection over union of two ``(x0, y0, x1, y1)`` boxes, x1 and y1 exclusive."""
    a = torch.tensor([0.0, 0.0, 4.0, 4.0])  # area 16
    cases = [
        (torch.tensor([2.0, 2.0, 6.0, 6.0]), 4 / 28, "two 4x4 boxes overlapping in a 2x2 corner"),
        (torch.tensor([0.0, 0.0, 4.0, 4.0]), 1.0, "a box with itself"),
        (torch.tensor([1.0, 1.0, 3.0, 3.0]), 4 / 16, "a 2x2 box inside a 4x4 box"),
        (torch.tensor([4.0, 0.0, 8.0, 4.0]), 0.0, "boxes that touch along an edge (x1 is exclusive)"),
        (torch.tensor([10.0, 0.0, 14.0, 4.0]), 0.0, "boxes side by side, 6 pixels apart"),
        (torch.tensor([10.0, 10.0, 12.0, 13.0]), 0.0, "boxes far apart"),
    ]
    for b, expected, what in cases:
        answer = _python_float(iou(a, b), "iou")
        if answer < 0:
            raise CheckFailed(f"for {what} you returned {answer:.4f}: an overlap cannot be negative; boxes that do "
                              "not overlap have intersection 0 (clamp the width and height at 0)")
        if what.startswith("two 4x4") and abs(answer - 4 / 24) < 1e-6:
            raise CheckFailed("the union is area(a) + area(b) - intersection: you subtracted the intersection twice")
        if what.startswith("two 4x4") and abs(answer - 4 / 32) < 1e-6:
            raise CheckFailed("the union is area(a) + area(b) - intersection: you forgot to subtract the intersection")
        if what.startswith("two 4x4") and abs(answer - 9 / 23) < 1e-6:
            raise CheckFailed("x1 and y1 are exclusive: the overlap of [0, 4) and [2, 6) is 2 pixels wide, not 3 "
                              "(no + 1 in the width)")
        if expected == 0 and answer > 0 and what == "boxes far apart":
            raise CheckFailed("boxes far apart got a positive IoU: two negative overlaps multiply to a positive "
                              "area; clamp the width and height at 0 before multiplying")
        if abs(answer - expected) > 1e-6:
            raise CheckFailed(f"for {what}, a = {a.tolist()} and b = {b.tolist()}, expected IoU {expected:.4f}, "
                              f"got {answer:.4f}")
    if abs(_python_float(iou(a, torch.tensor([2.0, 2.0, 6.0, 6.0])), "iou")
           - _python_float(iou(torch.tensor([2.0, 2.0, 6.0, 6.0]), a), "iou")) > 1e-6:
        raise CheckFailed("IoU is symmetric: iou(a, b) must equal iou(b, a)")
    wide, tall = torch.tensor([0.0, 10.0, 30.0, 20.0]), torch.tensor([10.0, 0.0, 20.0, 30.0])
    if abs(_python_float(iou(wide, tall), "iou") - 100 / 500) > 1e-6:
        raise CheckFailed("for a 30x10 and a 10x30 box crossing in a 10x10 square expected 100 / 500 = 0.2: "
                          "take the width from the x coordinates (0 and 2) and the height from the y ones (1 and 3)")


def check_class_activation_map(cam: Callable[[torch.Tensor, torch.Tensor, int], torch.Tensor]) -> None:
    """The map ``M_c = sum_k weight[c, k] * features[k]`` of one scene, ``(H, W)``."""
    generator = torch.Generator().manual_seed(0)
    features = torch.rand(5, 3, 4, generator=generator)  # K=5 channels on a 3x4 grid
    weight = torch.randn(10, 5, generator=generator)
    for c in (0, 7):
        answer = cam(features, weight, c)
        if not isinstance(answer, torch.Tensor):
            raise CheckFailed(f"cam: return a tensor of shape (H, W) = (3, 4), got {type(answer).__name__}")
        if answer.shape == (10, 3, 4):
            raise CheckFailed("you returned the maps of all ten classes: keep only class c, shape (H, W)")
        if answer.shape != (3, 4):
            raise CheckFailed(f"cam: expected shape (H, W) = (3, 4) for features (5, 3, 4), got {tuple(answer.shape)}")
        expected = torch.einsum("khw,k->hw", features, weight[c])
        if torch.allclose(answer, features.mean(0) * weight[c].sum(), atol=1e-5):
            raise CheckFailed("weight each channel by its own weight before summing over the channels")
        if torch.allclose(answer, torch.relu(expected), atol=1e-5) and not torch.allclose(answer, expected, atol=1e-5):
            raise CheckFailed("CAM keeps negative values (no ReLU): positions that speak against the class score low")
        if not torch.allclose(answer, expected, atol=1e-5):
            raise CheckFailed(f"for class {c} the map is not sum_k weight[c, k] * features[k]")
