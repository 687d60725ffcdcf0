"""Edits of a notebook's code by exact text replacement (maintainer tools: mutations, 3x-budget runs)."""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence


def _text(cell: MutableMapping) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def replace_in_code(cells: Sequence[MutableMapping], replace: Sequence[Sequence[str]],
                    name: str = "the notebook") -> None:
    """Apply each (old, new) replacement to the code cells in place; each old text must occur exactly once."""
    for old, new in replace:
        hits = [cell for cell in cells if cell["cell_type"] == "code" and old in _text(cell)]
        count = sum(_text(cell).count(old) for cell in hits)
        if count != 1:
            raise ValueError(f"{old!r} occurs {count} times in the code of {name}; each replacement needs exactly one")
        edited = _text(hits[0]).replace(old, new)
        hits[0]["source"] = edited if isinstance(hits[0]["source"], str) else edited.splitlines(keepends=True)
