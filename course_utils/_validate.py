"""Checks at the door of the exported functions: one line per argument, one message format.

Each check raises ``TypeError`` (wrong type), ``ValueError`` (wrong shape, dtype or range) or
``FileNotFoundError`` (a missing file) with ``"<function>: <argument> must be <expected>, got
<what it got>"``; ``<function>`` is the exported function that called the check (read from the call
stack, so a check is one line). Checks return nothing and never change their argument.
"""

from __future__ import annotations

import numbers
import os
import sys
from pathlib import Path
from typing import Any, Collection

import torch


def _where() -> str:
    """The name of the function that called the check: the first caller outside this module whose
    name has no leading underscore (a private helper reports its public caller)."""
    frame = sys._getframe(1)
    while frame.f_back is not None and (frame.f_globals.get("__name__") == __name__
                                        or frame.f_code.co_name.startswith("_")
                                        and not frame.f_code.co_name.startswith("__")):
        frame = frame.f_back
    return frame.f_code.co_name


def describe(value: Any) -> str:
    """What an argument is, briefly: ``"str 'x'"``, ``"-7"``, ``"None"``, ``"a float32 tensor of shape (2, 3)"``."""
    if value is None or isinstance(value, (bool, numbers.Number)):
        return repr(value)
    if isinstance(value, str):
        return f"str {value[:40]!r}"
    if isinstance(value, os.PathLike):
        return f"path {os.fspath(value)!r}"
    if isinstance(value, torch.Tensor):
        return f"a {str(value.dtype).replace('torch.', '')} tensor of shape {tuple(value.shape)}"
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return f"{type(value).__name__} of shape {tuple(value.shape)} and dtype {value.dtype}"
    return type(value).__name__


def _fail(error: type[Exception], name: str, expected: str, value: Any) -> None:
    raise error(f"{_where()}: {name} must be {expected}, got {describe(value)}")


def require(condition: bool, name: str, expected: str, value: Any, error: type[Exception] = ValueError) -> None:
    """Raise ``error`` (ValueError by default) naming ``name`` unless ``condition``."""
    if not condition:
        _fail(error, name, expected, value)


def text(value: Any, name: str, nonempty: bool = False) -> None:
    """A ``str`` (not empty when ``nonempty``)."""
    if not isinstance(value, str):
        _fail(TypeError, name, "a str", value)
    if nonempty and not value.strip():
        _fail(ValueError, name, "a non-empty str", value)


def integer(value: Any, name: str, low: int | None = None) -> None:
    """An integer (``int`` or a NumPy integer, not ``bool``), at least ``low`` when given."""
    expected = "an int" if low is None else f"an int >= {low}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        _fail(TypeError, name, expected, value)
    if low is not None and value < low:
        _fail(ValueError, name, expected, value)


def positive_int(value: Any, name: str) -> None:
    """A positive ``int`` (not ``bool``); ValueError ``"<name> must be a positive int, got <value>"``, the message
    that counts, sizes and budgets (epochs, steps, batch_size, patience, channels) have always given."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")


def number(value: Any, name: str, low: float | None = None, high: float | None = None,
           above: float | None = None) -> None:
    """A real number (not ``bool``) in ``[low, high]`` and ``> above`` (each bound when given)."""
    parts = [f">= {low:g}" if low is not None else "", f"> {above:g}" if above is not None else "",
             f"<= {high:g}" if high is not None else ""]
    expected = " ".join(["a number"] + [p for p in parts if p])
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        _fail(TypeError, name, expected, value)
    if ((low is not None and not value >= low) or (high is not None and not value <= high)
            or (above is not None and not value > above)):
        _fail(ValueError, name, expected, value)


def tensor(value: Any, name: str, ndim: int | Collection[int] | None = None, layout: str = "",
           dtype: torch.dtype | str | None = None) -> None:
    """A ``torch.Tensor`` with ``ndim`` dimensions (an int or a set) described as ``layout`` (e.g.
    ``"(N, C, H, W)"``), of ``dtype``: a ``torch.dtype``, ``"float"`` or ``"integer"``."""
    kind = {None: "", "float": "float ", "integer": "integer "}.get(dtype, f"{dtype} ")  # type: ignore[arg-type]
    expected = f"a {kind}tensor" + (f" of shape {layout}" if layout else "")
    if not isinstance(value, torch.Tensor):
        _fail(TypeError, name, expected, value)
    ranks = {ndim} if isinstance(ndim, int) else ndim
    if ranks is not None and value.ndim not in ranks:
        _fail(ValueError, name, expected, value)
    if dtype == "float" and not value.is_floating_point():
        _fail(ValueError, name, expected, value)
    if dtype == "integer" and (value.is_floating_point() or value.is_complex() or value.dtype == torch.bool):
        _fail(ValueError, name, expected, value)
    if isinstance(dtype, torch.dtype) and value.dtype != dtype:
        _fail(ValueError, name, expected, value)


def instance(value: Any, name: str, kind: type | tuple[type, ...], expected: str) -> None:
    """An instance of ``kind``, described to the reader as ``expected``."""
    if not isinstance(value, kind):
        _fail(TypeError, name, expected, value)


def module(value: Any, name: str = "model") -> None:
    """A ``torch.nn.Module``."""
    if not isinstance(value, torch.nn.Module):
        _fail(TypeError, name, "a torch.nn.Module", value)


def function(value: Any, name: str) -> None:
    """Something callable."""
    if not callable(value):
        _fail(TypeError, name, "callable (a function)", value)


def mapping(value: Any, name: str, expected: str = "a dict", nonempty: bool = False) -> None:
    """A mapping (a ``dict``), not empty when ``nonempty``."""
    if not (hasattr(value, "keys") and hasattr(value, "__getitem__") and hasattr(value, "items")):
        _fail(TypeError, name, expected, value)
    if nonempty and not len(value):
        _fail(ValueError, name, f"a non-empty {expected.removeprefix('a ')}", value)


def sequence(value: Any, name: str, expected: str = "a list or tuple", nonempty: bool = False) -> None:
    """A sized iterable that is not a string (a list, a tuple, a tensor, an array, a range)."""
    if isinstance(value, (str, bytes)) or not (hasattr(value, "__len__") and hasattr(value, "__iter__")):
        _fail(TypeError, name, expected, value)
    if nonempty and not len(value):
        _fail(ValueError, name, f"a non-empty {expected.removeprefix('a ')}", value)


def iterable(value: Any, name: str, expected: str) -> None:
    """Something to iterate over that is not a string."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        _fail(TypeError, name, expected, value)


def one_of(value: Any, name: str, choices: Collection[Any]) -> None:
    """One of ``choices`` (a ``ValueError`` otherwise)."""
    if not isinstance(value, (str, numbers.Number)) or value not in choices:
        _fail(ValueError, name, f"one of {tuple(choices)}", value)


def path(value: Any, name: str = "path", exists: bool = False, suffix: bool = False) -> None:
    """A ``str`` or ``os.PathLike`` path; an existing file when ``exists``; with an extension other
    than ``.json`` (the sidecars') when ``suffix``."""
    if not isinstance(value, (str, os.PathLike)):
        _fail(TypeError, name, "a path (str or pathlib.Path)", value)
    if suffix and Path(value).suffix in ("", ".json"):
        _fail(ValueError, name, "a file name with an extension such as .npz or .pt (its sidecar is name.json)",
              value)
    if exists and not Path(value).is_file():
        _fail(FileNotFoundError, name, "an existing file", value)


def tensor_like(value: Any, name: str) -> None:
    """A tensor, or what ``torch.as_tensor`` turns into a numeric one (a number, a NumPy array, a list, a range)."""
    if isinstance(value, torch.Tensor) or (isinstance(value, numbers.Number) and not isinstance(value, bool)):
        return
    if not isinstance(value, (str, bytes)) and (hasattr(value, "__len__") or hasattr(value, "__array__")):
        try:
            torch.as_tensor(value)
            return
        except (TypeError, ValueError, RuntimeError):
            pass
    _fail(TypeError, name, "a tensor (or numbers torch.as_tensor accepts)", value)


def integers(value: Any, name: str, expected: str, nonempty: bool = False, low: int | None = None) -> None:
    """A sequence (see :func:`sequence`) of integers, each at least ``low`` when given."""
    sequence(value, name, expected, nonempty)
    if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value):
        _fail(TypeError, name, expected, value)
    if low is not None and any(v < low for v in value):
        _fail(ValueError, name, expected, value)


def sha256(value: Any, name: str) -> None:
    """A sha256 checksum: 64 lower-case hexadecimal digits (``hashlib.sha256(...).hexdigest()``)."""
    text(value, name)
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        _fail(ValueError, name, "a sha256: 64 lower-case hexadecimal digits", value)
