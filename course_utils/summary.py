"""The closing Summary cell of every notebook. Introduced in 00_setup_and_tour."""

from __future__ import annotations

import math
import numbers
import re

__all__ = ["print_summary", "format_summary"]

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def format_summary(results: dict[str, float]) -> str:
    """``name: value`` lines, one per result. Floats keep 4 significant digits, integers stay
    exact. Introduced in 00_setup_and_tour.
    """
    if not results:
        raise ValueError("results is empty: pass the notebook's key results as {name: number}")
    lines = []
    for name, value in results.items():
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(f"summary name {name!r} must be snake_case (lower-case letters, digits, _)")
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"summary value of {name!r} must be a number, got {type(value).__name__}; use float(...) or .item()")
        if isinstance(value, numbers.Integral):
            lines.append(f"{name}: {int(value)}")
        elif not math.isfinite(value):
            raise ValueError(f"summary value of {name!r} is {value}; a result must be finite")
        else:
            lines.append(f"{name}: {float(value):.4g}")
    return "\n".join(lines)


def print_summary(results: dict[str, float]) -> None:
    """Print the notebook's key results as ``name: value`` lines (the Summary cell).
    Introduced in 00_setup_and_tour.
    """
    print(format_summary(results))
