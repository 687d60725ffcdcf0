"""Boxes cut from heatmaps (class activation maps). Introduced in 08_where_features_look."""

from __future__ import annotations

import numpy as np
import torch

from . import _validate as door


def box_from_map(heatmap: torch.Tensor, fraction: float) -> torch.Tensor:
    """The tightest box ``(x0, y0, x1, y1)`` (float, ``x1``/``y1`` exclusive) around the connected region
    of ``heatmap`` ``(H, W)`` that holds its peak, among the pixels at or above ``fraction`` of the map's
    range (the map scaled to [0, 1]; 4-connected regions): Zhou et al.'s (2016) recipe.
    Introduced in 08_where_features_look (written there; 09 imports it).
    """
    import skimage.measure

    door.tensor(heatmap, "heatmap", ndim=2, layout="(H, W)")
    door.require(heatmap.numel() > 0, "heatmap", "a non-empty map", heatmap)
    door.number(fraction, "fraction", low=0.0, high=1.0)
    heatmap = heatmap.detach().cpu().float()
    if not torch.isfinite(heatmap).all():
        raise ValueError("heatmap holds NaN or infinite values; a map to cut a box from must be finite")
    scaled = (heatmap - heatmap.min()) / (heatmap.max() - heatmap.min()).clamp_min(1e-12)
    regions = skimage.measure.label((scaled >= fraction).numpy(), connectivity=1)
    y, x = divmod(int(heatmap.argmax()), heatmap.shape[-1])
    ys, xs = np.nonzero(regions == regions[y, x])
    return torch.tensor([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], dtype=torch.float)
