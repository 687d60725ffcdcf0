"""Runtime report of executed notebooks: wall time and slowest cell, against the plan's budgets.

``python -m tools.runtime [--execute] [notebooks ...]`` (``make runtime``). Reads the
per-cell timestamps that nbclient records when it executes a notebook. Introduced in
00_setup_and_tour.

``python -m tools.runtime --cold-warm notebooks/07_*.ipynb`` measures what the feature caches buy:
it runs a copy of each notebook twice against a scratch data folder (``COURSE_DATA_DIR``) that
starts as a copy of ``data/`` without its ``features_*`` caches, and prints both wall times.
The stored notebook and ``data/`` are left as they were.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

__all__ = ["NotebookTiming", "notebook_timing", "budget_for", "scratch_data", "cold_and_warm", "main"]

CELL_BUDGET_S = 45.0


def budget_for(path: str | os.PathLike) -> float:
    """The plan's wall-time budget of a notebook: 180 s for 02, 03, 06, 07, 08 and 09, 120 s otherwise.
    Introduced in 00_setup_and_tour.
    """
    return 180.0 if Path(path).name[:2] in {"02", "03", "06", "07", "08", "09"} else 120.0


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


def _execute(path: str | os.PathLike, output: str | os.PathLike | None = None,
             env: dict[str, str] | None = None) -> None:
    target = ["--inplace"] if output is None else ["--output", str(Path(output).resolve())]
    subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", *target,
         "--ExecutePreprocessor.timeout=600", str(path)],
        check=True, env={**os.environ, "COURSE_PROGRESS": "0", **(env or {})},
    )


def scratch_data(folder: str | os.PathLike, data: str | os.PathLike = "data") -> Path:
    """A copy of ``data`` in ``folder`` without its ``features_*`` caches: point ``COURSE_DATA_DIR``
    at it for a run that must compute its features itself (a cold run, another CPU's kernels)."""
    scratch = Path(folder) / "data"
    shutil.copytree(data, scratch, ignore=shutil.ignore_patterns("features_*"))
    return scratch


def cold_and_warm(path: str | os.PathLike, data: str | os.PathLike = "data") -> tuple[float, float]:
    """Code-cell seconds of one run without feature caches, then of a second run that finds them.

    Both runs execute a copy of the notebook against a scratch copy of ``data`` (minus its
    ``features_*`` files), through ``COURSE_DATA_DIR``; nothing stored is changed.
    """
    with tempfile.TemporaryDirectory() as scratch:
        folder = scratch_data(scratch, data)
        seconds = []
        for run in ("cold", "warm"):
            output = Path(scratch) / f"{run}.ipynb"
            _execute(path, output, env={"COURSE_DATA_DIR": str(folder)})
            seconds.append(notebook_timing(output).total_s)
    return seconds[0], seconds[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Wall time and slowest cell of each notebook.")
    parser.add_argument("notebooks", nargs="*", help="default: notebooks/*.ipynb")
    parser.add_argument("--execute", action="store_true", help="execute each notebook in place first")
    parser.add_argument("--cold-warm", action="store_true",
                        help="run a copy of each notebook without, then with its feature caches")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(glob.glob("notebooks/*.ipynb"))
    if args.cold_warm:
        print("| notebook | cold: no feature caches (s) | warm: caches present (s) | cold / warm |")
        print("|---|---:|---:|---:|")
        for path in paths:
            cold, warm = cold_and_warm(path)
            print(f"| {Path(path).name} | {cold:.1f} | {warm:.1f} | {cold / warm:.2f}x |")
        return 0
    rows, ok = [], True
    for path in paths:
        if args.execute:
            _execute(path)
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
