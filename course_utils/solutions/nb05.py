"""Reference solutions of the exercises of 05_video_lstm (the notebook holds the same code)."""

from __future__ import annotations

import torch

__all__ = ["masked_mean_pool", "last_valid_output"]


def masked_mean_pool(features: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Mean of ``features`` ``(B, T, F)`` over each clip's first ``lengths[b]`` frames -> ``(B, F)``."""
    steps = torch.arange(features.shape[1])
    mask = (steps[None, :] < lengths[:, None]).to(features.dtype)  # (B, T): 1 for real frames
    return (features * mask[:, :, None]).sum(dim=1) / lengths[:, None].to(features.dtype)


def last_valid_output(outputs: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """The output ``(B, H)`` at each clip's last real frame, ``outputs[b, lengths[b] - 1]``."""
    return outputs[torch.arange(outputs.shape[0]), lengths - 1]
