"""Automatic checks of the exercises of 07_feature_extraction_in_practice."""

from __future__ import annotations

import numbers
from typing import Callable

import torch

from ..checks import CheckFailed, _python_float

__all__ = ["check_detect_cuts", "check_hit_rate_at_k"]


def _as_frame_list(answer: object, what: str) -> list[int]:
    if isinstance(answer, torch.Tensor):
        if answer.ndim != 1 or answer.is_floating_point():
            raise CheckFailed(f"{what}: return a flat list of integer frame indices, got a tensor of shape "
                              f"{tuple(answer.shape)} and dtype {answer.dtype}")
        answer = answer.tolist()
    if not isinstance(answer, (list, tuple)) or not all(
            isinstance(t, numbers.Integral) and not isinstance(t, bool) for t in answer):
        raise CheckFailed(f"{what}: return a list of Python ints (frame indices), got {answer!r}")
    return [int(t) for t in answer]


def check_detect_cuts(detect_cuts: Callable[[torch.Tensor, float], object]) -> None:
    """Frame indices ``t`` (sorted) where ``distances[t - 1] > threshold``."""
    # Hand-made signal of 9 frames: index i compares frames i and i + 1.
    distances = torch.tensor([0.05, 0.9, 0.1, 0.02, 0.5, 0.7, 0.04, 0.3])
    expected = [2, 5, 6]  # indices 1, 4, 5 are above 0.3; index 7 equals it
    answer = _as_frame_list(detect_cuts(distances, 0.3), "detect_cuts")
    if answer == [1, 4, 5]:
        raise CheckFailed("off by one: you returned the index i of the distance; the new shot starts at frame i + 1")
    if answer == [2, 5, 6, 8]:
        raise CheckFailed("a distance equal to the threshold is not a cut: use > (strictly above), not >=")
    if answer == [3, 6, 7]:
        raise CheckFailed("off by two: the distance at index i is between frames i and i + 1, so add 1, not 2")
    if sorted(answer) in ([0, 2, 3, 6], [1, 3, 4, 7], [0, 2, 3, 6, 7], [1, 3, 4, 7, 8]):
        raise CheckFailed("you returned the frames *below* the threshold; a cut is a distance above it")
    if sorted(answer) == expected and answer != expected:
        raise CheckFailed(f"the right frames, in the wrong order: return them sorted, {expected}")
    if answer != expected:
        raise CheckFailed(f"for distances {distances.tolist()} and threshold 0.3 expected frames {expected}, "
                          f"got {answer}")
    if _as_frame_list(detect_cuts(torch.full((5,), 0.1), 0.5), "detect_cuts") != []:
        raise CheckFailed("a signal that never crosses the threshold has no cut: return an empty list")
    # float64 and another threshold: frames where the signal is above it
    signal = torch.linspace(0, 1, 11, dtype=torch.float64)
    reference = [i + 1 for i in range(11) if signal[i].item() > 0.75]
    if _as_frame_list(detect_cuts(signal, 0.75), "detect_cuts") != reference:
        raise CheckFailed(f"on a float64 ramp 0, 0.1, ..., 1 with threshold 0.75 expected {reference}")


def check_hit_rate_at_k(hit_rate_at_k: Callable[[torch.Tensor, torch.Tensor, torch.Tensor, int], float]) -> None:
    """The share of queries with at least one gallery item of their label among the ``k`` most similar."""
    # 3 queries, 5 gallery items; every similarity is distinct, so the ranking is unambiguous.
    # Query 0 (label 1) finds its label at rank 2, query 1 (label 0) at rank 1, query 2 (label 2) at rank 3.
    similarity = torch.tensor([[0.9, 0.15, 0.8, 0.2, 0.1],
                               [0.95, 0.5, 0.2, 0.3, 0.4],
                               [0.05, 0.6, 0.7, 0.8, 0.65]])
    gallery_labels = torch.tensor([0, 0, 1, 1, 2])
    query_labels = torch.tensor([1, 0, 2])
    # Hit rate at 1, 2, 3: 1/3, 2/3, 1. Least similar first at k = 2: 0. Precision@2: 3 right of 6 = 1/2.
    answer = _python_float(hit_rate_at_k(similarity, gallery_labels, query_labels, 2), "hit_rate_at_k")
    if abs(answer) < 1e-6:
        raise CheckFailed("you ranked the *least* similar items first: larger similarity is more similar "
                          "(topk, or sort with descending=True)")
    if abs(answer - 1 / 2) < 1e-6:
        raise CheckFailed("you computed precision@k (right items / k); the hit rate asks whether *any* of the "
                          "top k is right")
    if abs(answer - 1 / 3) < 1e-6:
        raise CheckFailed("k counted wrong: you looked at the top k - 1 items (with k = 2, take the 2 most similar)")
    if abs(answer - 1.0) < 1e-6:
        raise CheckFailed("k counted wrong: you looked at the top k + 1 items (with k = 2, take the 2 most similar)")
    if abs(answer - 2 / 3) > 1e-6:
        raise CheckFailed(f"expected 2/3 on the hand-made example with k = 2, got {answer:.4f}")
    for k, expected in ((1, 1 / 3), (3, 1.0)):
        got = hit_rate_at_k(similarity.double(), gallery_labels, query_labels, k)
        if abs(got - expected) > 1e-6:
            raise CheckFailed(f"with k = {k} (float64 similarities) expected {expected:.4f}, got {got:.4f}")
