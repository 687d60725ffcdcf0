"""Reference solutions of the exercises of 07_feature_extraction_in_practice."""

from __future__ import annotations

import torch

__all__ = ["detect_cuts", "hit_rate_at_k"]


def detect_cuts(distances: torch.Tensor, threshold: float) -> list[int]:
    """Sorted frame indices ``t`` where a new shot starts: ``distances[t - 1] > threshold``."""
    return [i + 1 for i in (distances > threshold).nonzero().flatten().tolist()]


def hit_rate_at_k(similarity: torch.Tensor, gallery_labels: torch.Tensor, query_labels: torch.Tensor, k: int) -> float:
    """Share of queries with at least one gallery item of their label among their ``k`` most similar."""
    top_k = similarity.topk(k, dim=1).indices
    return (gallery_labels[top_k] == query_labels[:, None]).any(dim=1).float().mean().item()
