"""Runtime report of executed notebooks: wall time and slowest cell, against the plan's budgets.

``python -m tools.runtime [--execute] [notebooks ...]`` (``make runtime``). Reads the
per-cell timestamps that nbclient records when it executes a notebook. Introduced in
00_setup_and_tour.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

__all__ = ["NotebookTiming", "notebook_timing", "budget_for", "main"]

CELL_BUDGET_S = 45.0


def budget_for(path: str | os.PathLike) -> float:
    """The plan's wall-time budget of a notebook: 180 s for 03 and 06, 120 s otherwise.
    Introduced in 00_setup_and_tour.
    """
    return 180.0 if Path(path).name[:2] in {"03", "06"} else 120.0


@dataclass(frozen=True)
class NotebookTiming:
    """Wall time of a notebook's code cells, and its slowest cell. Introduced in 00_setup_and_tour."""

    path: str
    total_s: float
    slowest_cell: int  # 1-based index among code cells
    slowest_s: float


def _parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def notebook_timing(path: str | os.PathLike) -> NotebookTiming:
    """Per-cell timing of an executed notebook, from nbclient's metadata. Raises ``ValueError``
    when the notebook was not executed by nbclient (run ``make execute`` first).
    Introduced in 00_setup_and_tour.
    """
    cells = [c for c in json.loads(Path(path).read_text())["cells"] if c["cell_type"] == "code"]
    durations = []
    for cell in cells:
        timing = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" not in timing or "shell.execute_reply" not in timing:
            raise ValueError(f"{path}: a code cell has no execution timing; execute it with `make execute NB={path}`")
        elapsed = _parse(timing["shell.execute_reply"]) - _parse(timing["iopub.execute_input"])
        durations.append(elapsed.total_seconds())
    if not durations:
        raise ValueError(f"{path}: no code cells")
    slowest = max(range(len(durations)), key=durations.__getitem__)
    return NotebookTiming(str(path), sum(durations), slowest + 1, durations[slowest])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Wall time and slowest cell of each notebook.")
    parser.add_argument("notebooks", nargs="*", help="default: notebooks/*.ipynb")
    parser.add_argument("--execute", action="store_true", help="execute each notebook in place first")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(glob.glob("notebooks/*.ipynb"))
    rows, ok = [], True
    for path in paths:
        if args.execute:
            subprocess.run(
                [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
                 "--ExecutePreprocessor.timeout=600", path],
                check=True, env={**os.environ, "COURSE_PROGRESS": "0"},
            )
        timing = notebook_timing(path)
        within = timing.total_s <= budget_for(path) and timing.slowest_s <= CELL_BUDGET_S
        ok &= within
        rows.append(f"| {Path(path).name} | {timing.total_s:.1f} | {budget_for(path):.0f} | "
                    f"{timing.slowest_s:.1f} (cell {timing.slowest_cell}) | {'yes' if within else 'NO'} |")
    print("| notebook | wall time (s) | budget (s) | slowest cell (s) | within budget |")
    print("|---|---:|---:|---:|---|")
    print("\n".join(rows))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
