"""Measured numbers and the claims they carry. Introduced in 00_setup_and_tour.

A float32 result (an accuracy after training, a loss, a timing) differs in its last digits from
one computer to the next: PyTorch picks AVX-512, AVX2, SSE, NEON or GPU kernels at run time and
each rounds differently. So the course prints every such number through :func:`measured`, which
marks it with ``≈`` (the nbval sanitize file hides exactly these marked numbers), and states the
lesson the number carries as a :func:`claim` whose verdict (✔ or ✘) is compared exactly.
Everything else a notebook prints (shapes, counts, float64 derivations, messages) stays exact.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

from . import _validate as door

# The one mark of a measured number; nbval_sanitize.cfg recognises "≈" followed by a number.
_MARK = "≈"


def _require_number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must be a number, got {type(value).__name__}; use float(...) or .item()")
    return float(value)


def measured(value: float, digits: int = 1, *, signed: bool = False, unit: str = "", sci: bool = False) -> str:
    """``"≈69.1"``: a float32-dependent number, formatted so the nbval sanitize file can hide it.
    ``digits`` decimals (or significant digits with ``sci=True``), ``signed`` adds a ``+``,
    ``unit`` follows the number (``"%"``, ``" s"``). Introduced in 00_setup_and_tour.
    """
    number = _require_number(value, "a measured value")
    if not isinstance(digits, int) or digits < 0:
        raise ValueError(f"digits must be a non-negative int, got {digits!r}")
    if math.isnan(number):
        return f"{_MARK}nan{unit}"
    if math.isinf(number):
        return f"{_MARK}{'+' if signed and number > 0 else ''}{number}{unit}"
    sign = "+" if signed else ""
    text = f"{number:{sign}.{max(digits, 1)}e}" if sci else f"{number:{sign}.{digits}f}"
    return f"{_MARK}{text}{unit}"


def _format_range(low: float | None, high: float | None) -> str:
    """``"at least 30"``, ``"at most 0.5"`` or ``"55 to 80"``: a threshold as learners read it.
    Introduced in 00_setup_and_tour.
    """
    for name, bound in (("low", low), ("high", high)):
        if bound is not None:
            door.number(bound, name)
    if low is None and high is None:
        raise ValueError("give a lower bound (low=...), an upper bound (high=...) or both")
    if low is not None and high is not None:
        if low > high:
            raise ValueError(f"the range is empty: low={low:g} is above high={high:g}")
        return f"{low:g} to {high:g}"
    return f"at least {low:g}" if low is not None else f"at most {high:g}"


def _in_range(value: float, low: float | None, high: float | None) -> bool:
    """Whether ``value`` lies within ``[low, high]`` (a missing bound is open); NaN never does.
    Introduced in 00_setup_and_tour.
    """
    _format_range(low, high)  # validates the bounds
    number = _require_number(value, "value")
    if math.isnan(number):
        return False
    return (low is None or number >= low) and (high is None or number <= high)


@dataclass(frozen=True)
class Verdict:
    """What :func:`claim` returns: true when the claim holds. A cell that ends with a claim shows
    nothing more than the printed line. Introduced in 00_setup_and_tour.
    """

    holds: bool

    def __bool__(self) -> bool:
        return self.holds

    def _ipython_display_(self) -> None:
        """Show nothing: claim already printed the verdict (and ``;`` does not hide values under nbval)."""


def claim(statement: str, value: float, *, low: float | None = None, high: float | None = None,
          digits: int = 1, signed: bool = False, unit: str = "", sci: bool = False) -> Verdict:
    """Print ``"✔ statement (measured ≈58.7; expected at least 30)"``, or ``✘`` when ``value``
    falls outside ``[low, high]``, and return the verdict. The statement is the lesson in words;
    the bounds come from the spread measured over seeds and CPU kernel paths, so a ✘ means the
    lesson did not hold here, not that your CPU rounds differently. Introduced in 00_setup_and_tour.
    """
    if not isinstance(statement, str) or not statement.strip():
        raise ValueError("a claim needs a statement: the lesson in words, e.g. 'Adam beats SGD by 20 points'")
    _require_number(value, "value")
    verdict = _in_range(value, low, high)
    shown = measured(value, digits, signed=signed, unit=unit, sci=sci)
    print(f"{'✔' if verdict else '✘'} {statement} (measured {shown}; expected {_format_range(low, high)})")
    return Verdict(verdict)
