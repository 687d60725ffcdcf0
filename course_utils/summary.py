"""The closing Summary cell of every notebook. Introduced in 00_setup_and_tour.

Each line is ``name: value``. An exact result (a count, a shape, a float64 derivation) is a plain
number. A measured result (float32 training or inference) is given as ``(value, low, high)`` and
printed ``name: ≈69.0 (expected 55 to 80) ✔``: its digits vary between machines and are hidden
by the nbval sanitize file, its verdict is compared exactly. ``(seconds, None, None)`` is a timing,
shown without a verdict.
"""

from __future__ import annotations

import math
import numbers
import re
from typing import Union

from . import _validate as door
from .claims import _MARK, _format_range, _in_range, _require_number

# An exact number, or (measured value, low, high) with None for an open bound.
SummaryValue = Union[float, tuple[float, Union[float, None], Union[float, None]]]

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _measured_line(name: str, entry: tuple) -> str:
    if len(entry) != 3:
        raise ValueError(f"summary value of {name!r} must be a number or (value, low, high), got {len(entry)} items")
    value, low, high = entry
    _require_number(value, f"summary value of {name!r}")
    shown = f"{name}: {_MARK}{float(value):.4g}"
    if low is None and high is None:
        if not math.isfinite(value):
            raise ValueError(f"timing {name!r} is {value}; a timing must be finite")
        return f"{shown} (a timing: it varies with the machine)"
    verdict = "✔" if _in_range(value, low, high) else "✘"
    return f"{shown} (expected {_format_range(low, high)}) {verdict}"


def _format_summary(results: dict[str, SummaryValue]) -> str:
    """``name: value`` lines, one per result. Exact floats keep 4 significant digits, integers
    stay exact; ``(value, low, high)`` is a measured value with its expected range and verdict.
    Introduced in 00_setup_and_tour.
    """
    door.mapping(results, "results", "a dict {name: value}")
    if not results:
        raise ValueError("results is empty: pass the notebook's key results as {name: number}")
    lines = []
    for name, value in results.items():
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(f"summary name {name!r} must be snake_case (lower-case letters, digits, _)")
        if isinstance(value, tuple):
            lines.append(_measured_line(name, value))
            continue
        _require_number(value, f"summary value of {name!r}")
        if isinstance(value, numbers.Integral):
            lines.append(f"{name}: {int(value)}")
        elif not math.isfinite(value):
            raise ValueError(f"summary value of {name!r} is {value}; a result must be finite")
        else:
            lines.append(f"{name}: {float(value):.4g}")
    return "\n".join(lines)


def print_summary(results: dict[str, SummaryValue]) -> None:
    """Print the notebook's key results as ``name: value`` lines (the Summary cell).
    Introduced in 00_setup_and_tour.
    """
    print(_format_summary(results))
