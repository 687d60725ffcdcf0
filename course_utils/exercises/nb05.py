"""Automatic checks of the exercises of 05_video_lstm. Each raises CheckFailed naming what is wrong."""

from __future__ import annotations

from typing import Callable

import torch

from ..checks import CheckFailed, expect_close
from ..solutions import nb05 as reference

__all__ = ["check_masked_mean_pool", "check_last_valid_output"]


def _padded_batch() -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(5)
    lengths = torch.tensor([4, 1, 3, 2])
    values = torch.randn(4, 4, 3, generator=generator)
    # Padding frames hold a large value, so an answer that averages or reads them is far off.
    padded = torch.where(torch.arange(4)[None, :, None] < lengths[:, None, None], values, torch.full_like(values, 50.0))
    return padded, lengths


def _answer_on_padded_batch(
    fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], wrong_shape: str
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The padded batch, its lengths, and ``fn``'s answer on copies of them, checked to be a (4, 3) tensor;
    ``wrong_shape`` is the message for another shape, with ``{shape}`` for the one returned."""
    padded, lengths = _padded_batch()
    answer = fn(padded.clone(), lengths.clone())
    if not isinstance(answer, torch.Tensor):
        raise CheckFailed(f"return a tensor, got {type(answer).__name__}")
    if answer.shape != (4, 3):
        raise CheckFailed(wrong_shape.format(shape=tuple(answer.shape)))
    return padded, lengths, answer


def check_masked_mean_pool(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> None:
    """Check ``fn(features (B, T, F), lengths (B,)) -> (B, F)``: the mean over real frames only."""
    features, lengths, answer = _answer_on_padded_batch(
        fn, "the pooled features have shape {shape}, expected (B, F) = (4, 3): average over the time dimension (dim=1)")
    if torch.allclose(answer, features.mean(1), atol=1e-4):
        raise CheckFailed("you averaged over all T frames, padding included: only the first lengths[b] frames are real")
    expect_close(answer, reference.masked_mean_pool(features, lengths), "the pooled features", atol=1e-4)


def check_last_valid_output(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> None:
    """Check ``fn(outputs (B, T, H), lengths (B,)) -> (B, H)``: the output at each last real frame."""
    outputs, lengths, answer = _answer_on_padded_batch(fn, "the result has shape {shape}, expected (B, H) = (4, 3)")
    if torch.allclose(answer, outputs[:, -1], atol=1e-6):
        raise CheckFailed("you took the last time step for every clip; for padded clips it is padding: "
                          "use index lengths[b] - 1")
    if torch.allclose(answer, outputs[torch.arange(4), lengths.clamp(max=3)], atol=1e-6):
        raise CheckFailed("off by one: the last real frame of a clip of length L is at index L - 1")
    expect_close(answer, reference.last_valid_output(outputs, lengths), "the last real outputs", atol=1e-6)
