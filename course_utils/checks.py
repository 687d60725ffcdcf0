"""Argument checks with clear errors, and the machinery of the exercises' automatic checks.

Introduced in 00_setup_and_tour.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Callable

import torch

from . import _validate as door


def _require_layout(
    tensor: torch.Tensor, layout: str, name: str, dtype: torch.dtype | None = None, hint: str = ""
) -> None:
    """Raise a clear error unless ``tensor`` is a tensor whose rank matches ``layout`` (e.g.
    ``"N, C, H, W"``) and, when given, whose dtype is ``dtype``; ``hint`` is appended to the rank
    error when the tensor has one dimension too few. Introduced in 00_setup_and_tour.
    """
    door.text(layout, "layout", nonempty=True)
    door.text(name, "name")
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(tensor).__name__}")
    rank = layout.count(",") + 1
    if tensor.ndim != rank:
        extra = f" ({hint})" if hint and tensor.ndim == rank - 1 else ""
        raise ValueError(f"{name} must have shape ({layout}), got {tuple(tensor.shape)}{extra}")
    if dtype is not None and tensor.dtype != dtype:
        raise ValueError(f"{name} must have dtype {dtype}, got {tensor.dtype}")


def _require_images(images: torch.Tensor, name: str = "images", dtype: torch.dtype | None = None) -> None:
    """Raise a ``ValueError`` naming the problem unless ``images`` is a batch ``(N, C, H, W)``
    (of ``dtype`` when given). Introduced in 00_setup_and_tour.
    """
    _require_layout(images, "N, C, H, W", name, dtype, hint="add a batch dimension with .unsqueeze(0)")


class CheckFailed(AssertionError):
    """An exercise answer is wrong; the message says how. Introduced in 00_setup_and_tour."""


@dataclass(frozen=True)
class CheckResult:
    """Outcome of an exercise check. Introduced in 00_setup_and_tour."""

    name: str
    passed: bool
    message: str
    implemented: bool = True  # False while the exercise still raises NotImplementedError

    def __bool__(self) -> bool:
        return self.passed

    def _ipython_display_(self) -> None:
        """Show nothing when a notebook cell ends with a check: run_check already printed the verdict."""


# Rounding of a correct answer computed in a lower precision than the check's float64 inputs.
_ROUNDING = {torch.float32: 1e-5, torch.float16: 1e-2, torch.bfloat16: 1e-2}


def _python_float(answer: object, what: str) -> float:
    """``answer`` as a float when an exercise returned a plain Python number (an int counts), else a
    :class:`CheckFailed` that says how to get one (the exercises of 06, 07, 08 and 09)."""
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise CheckFailed(f"{what}: return a Python float (use .item() on a one-element tensor), "
                          f"got {type(answer).__name__}")
    return float(answer)


def _tolerance_for(actual: torch.Tensor, atol: float) -> float:
    """``atol`` for a float64 answer, widened to the rounding of a lower-precision one (float32:
    1e-5), so that a correct answer computed in another dtype passes. Introduced in 01_cross_entropy.
    """
    door.tensor_like(actual, "actual")
    door.number(atol, "atol", low=0)
    return max(atol, _ROUNDING.get(torch.as_tensor(actual).dtype, 0.0))


def _expect_close(actual: torch.Tensor, expected: torch.Tensor, what: str, atol: float = 1e-6) -> None:
    """Raise :class:`CheckFailed` with a helpful message unless ``actual`` matches ``expected``
    in shape and value, within ``atol`` (or the rounding of ``actual``'s dtype, if larger).
    Introduced in 00_setup_and_tour.
    """
    door.tensor_like(actual, "actual")
    door.tensor(expected, "expected")
    door.text(what, "what")
    door.number(atol, "atol", low=0)
    actual = torch.as_tensor(actual)
    if actual.shape != expected.shape:
        raise CheckFailed(f"{what} has shape {tuple(actual.shape)}, expected {tuple(expected.shape)}")
    error = (actual.double() - expected.double()).abs().max().item() if actual.numel() else 0.0
    tolerance = _tolerance_for(actual, atol)
    if not error <= tolerance:
        raise CheckFailed(f"{what} is off by up to {error:.3g} (tolerance {tolerance:g} for {actual.dtype})")


def run_check(name: str, check: Callable[[], None]) -> CheckResult:
    """Run one exercise check, print a one-line verdict and return it. Introduced in
    00_setup_and_tour.

    ``check`` raises :class:`CheckFailed` for a wrong answer; a ``NotImplementedError`` (the
    exercise is not done yet) is reported, not raised, so the rest of the notebook still runs.
    """
    door.text(name, "name")
    door.function(check, "check")
    try:
        check()
    except NotImplementedError:
        result = CheckResult(name, False, "not implemented yet: replace the `raise NotImplementedError`",
                             implemented=False)
    except CheckFailed as failure:
        result = CheckResult(name, False, str(failure))
    else:
        result = CheckResult(name, True, "correct")
    print(f"{'✔' if result.passed else '✘'} {name}: {result.message}")
    return result


def stand_in_until_done(result: CheckResult, answer: Callable, stand_in: Callable, stand_in_name: str) -> Callable:
    """The learner's ``answer`` once it is written; while the exercise still raises
    ``NotImplementedError``, ``stand_in`` (a library function that does the same job, e.g.
    ``F.cross_entropy``), with one line saying so, so that the cells after an unfinished exercise
    still run. A written but wrong answer is kept: the cells below show what it does.
    Introduced in 01_cross_entropy.
    """
    door.instance(result, "result", CheckResult, "the CheckResult of run_check")
    door.function(answer, "answer")
    door.function(stand_in, "stand_in")
    door.text(stand_in_name, "stand_in_name")
    if result.implemented:
        return answer
    print(f"  until {result.name} is written, the cells below use {stand_in_name} in its place")
    return stand_in


def exercise_done(result: CheckResult, needed_for: str) -> bool:
    """False while the exercise still raises ``NotImplementedError``: one line then says what waits
    for it (``needed_for``), and the cell skips that part instead of failing. A written answer, right
    or wrong, is used. Introduced in 03_regularization.
    """
    door.instance(result, "result", CheckResult, "the CheckResult of run_check")
    door.text(needed_for, "needed_for")
    if not result.implemented:
        print(f"finish the exercise {result.name} to run {needed_for}; the rest of the notebook goes on without it")
    return result.implemented


# --------------------------------------------------------------------------------------------------
# Videos, clip lengths, and a finite-difference gradient check (01_cross_entropy)


def _require_videos(videos: torch.Tensor, name: str = "videos", dtype: torch.dtype | None = None) -> None:
    """Raise a ``ValueError`` naming the problem unless ``videos`` is a batch ``(N, T, C, H, W)``
    (of ``dtype`` when given). Introduced in 05_video_lstm.
    """
    _require_layout(videos, "N, T, C, H, W", name, dtype,
                   hint="one clip (T, C, H, W)? add a batch dimension with .unsqueeze(0)")


def numerical_gradient(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """Central finite differences ``(f(x + eps e_i) - f(x - eps e_i)) / (2 eps)`` for every entry
    of ``x``; ``f`` must return a scalar. Same shape as ``x``. Introduced in 01_cross_entropy.

    ``x`` must be float64: in float32 the rounding error of ``f`` divided by ``2 eps`` swamps the
    result. Raises TypeError / ValueError naming the problem.
    """
    door.function(f, "f")
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
    if x.dtype != torch.float64:
        raise ValueError(f"x must be float64 for a finite-difference check, got {x.dtype}; pass x.double()")
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps!r}")
    x = x.detach().clone()
    grad = torch.zeros_like(x)
    flat, flat_grad = x.view(-1), grad.view(-1)
    with torch.no_grad():
        for i in range(flat.numel()):
            original = flat[i].item()
            flat[i] = original + eps
            plus = f(x)
            flat[i] = original - eps
            minus = f(x)
            flat[i] = original
            if torch.as_tensor(plus).numel() != 1:
                raise ValueError(f"f must return a scalar, got shape {tuple(torch.as_tensor(plus).shape)}")
            flat_grad[i] = (float(plus) - float(minus)) / (2 * eps)
    return grad
