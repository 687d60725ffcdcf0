"""Automatic checks of the exercises of 05_video_lstm. Each raises CheckFailed naming what is wrong."""

from __future__ import annotations

from typing import Callable

import torch

from ..checks import CheckFailed, _expect_close, _tolerance_for

__all__ = ["check_masked_mean_pool", "check_last_valid_output"]


# A padded batch built so that the answers are known by construction: T = 5 steps, clip lengths
# 4, 1, 3, 2 (no clip fills all 5, so an index one too far lands on padding, not out of range).
LENGTHS = (4, 1, 3, 2)
STEPS = 5
MEANS = torch.tensor([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0], [-0.5, 2.0, 4.0], [2.5, -3.0, 1.5]])
LAST = torch.tensor([[7.0, -1.0, 2.0], [3.0, 0.0, -1.0], [-6.0, 5.0, 0.25], [0.0, 9.0, -4.0]])
PADDING = 50.0  # padding at step t holds PADDING + t: far from real values, and different at each step


def _padded_batch() -> tuple[torch.Tensor, torch.Tensor]:
    """Features ``(4, 5, 3)``: clip b's real frames average to ``MEANS[b]`` and end with ``LAST[b]``
    (the frames before the last share what is left of the sum equally); padding at step t holds
    ``PADDING + t``."""
    padded = (PADDING + torch.arange(STEPS, dtype=torch.float32))[None, :, None].repeat(len(LENGTHS), 1, 3)
    for b, length in enumerate(LENGTHS):
        padded[b, length - 1] = LAST[b]
        if length > 1:
            padded[b, : length - 1] = (MEANS[b] * length - LAST[b]) / (length - 1)
    return padded, torch.tensor(LENGTHS)


def _answer_on_padded_batch(
    fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], wrong_shape: str
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The padded batch, its lengths, and ``fn``'s answer on copies of them, checked to be a (4, 3) tensor;
    ``wrong_shape`` is the message for another shape, with ``{shape}`` for the one returned."""
    padded, lengths = _padded_batch()
    answer = fn(padded.clone(), lengths.clone())
    if not isinstance(answer, torch.Tensor):
        raise CheckFailed(f"return a tensor, got {type(answer).__name__}")
    if answer.shape != (len(LENGTHS), 3):
        raise CheckFailed(wrong_shape.format(shape=tuple(answer.shape)))
    return padded, lengths, answer


def check_masked_mean_pool(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> None:
    """Check ``fn(features (B, T, F), lengths (B,)) -> (B, F)``: the mean over real frames only."""
    features, lengths, answer = _answer_on_padded_batch(
        fn, "the pooled features have shape {shape}, expected (B, F) = (4, 3): average over the time dimension (dim=1)")
    answer = answer.double()  # any float dtype may answer; compare in float64
    tolerance = _tolerance_for(answer, 1e-6)
    lengths_f = lengths.double()[:, None]
    if torch.allclose(answer, features.double().mean(1), atol=tolerance):
        raise CheckFailed("you averaged over all T frames, padding included: only the first lengths[b] frames are real")
    if torch.allclose(answer, MEANS.double() * lengths_f / STEPS, atol=tolerance):
        raise CheckFailed("you summed the real frames but divided by T, the padded length: divide by lengths[b]")
    if torch.allclose(answer, features.double().sum(1) / lengths_f, atol=tolerance):
        raise CheckFailed("the padding frames are in your sum: multiply by the mask (or zero them) before summing")
    _expect_close(answer, MEANS, "the pooled features", atol=tolerance)


def check_last_valid_output(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> None:
    """Check ``fn(outputs (B, T, H), lengths (B,)) -> (B, H)``: the output at each last real frame."""
    outputs, lengths, answer = _answer_on_padded_batch(fn, "the result has shape {shape}, expected (B, H) = (4, 3)")
    answer = answer.double()
    if torch.equal(answer, outputs[:, -1].double()):
        raise CheckFailed("you took the last time step for every clip; for padded clips it is padding: "
                          "use index lengths[b] - 1")
    if torch.equal(answer, outputs[torch.arange(len(LENGTHS)), lengths].double()):
        raise CheckFailed("off by one: you read index lengths[b], which is padding; the last real frame of a clip "
                          "of length L is at index L - 1")
    if torch.equal(answer, outputs[torch.arange(len(LENGTHS)), lengths - 2].double()):
        raise CheckFailed("off by one: index lengths[b] - 2 is the frame before the last real one; use lengths[b] - 1")
    _expect_close(answer, LAST, "the last real outputs", atol=1e-6)
