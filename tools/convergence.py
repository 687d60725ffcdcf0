"""Converged training: a notebook's models trained with three times their budget (maintainer tool).

    python -m tools.convergence notebooks/05_video_lstm.ipynb

A lesson may only draw conclusions from models trained to convergence: within 2 points of what the same
recipe reaches with 3x the budget. tools/convergence/<notebook>.json says how to triple a notebook's
budget and which printed values are its models' accuracies:

    {"replace": [["EPOCHS = 8", "EPOCHS = 24"]],
     "compare": {"summary lstm_test_acc": "CNN + LSTM (8 epochs)"}}

"replace" edits the notebook's code as a mutation does (each old text must occur exactly once); each key
of "compare" is a Summary line ("summary <name>") or a claim as tools.claim_spread records them. The tool
runs the edited notebook once in a fresh kernel and prints a markdown table: model, accuracy at the
notebook's budget (its stored outputs), at 3x the budget, and the difference. The table is also written to
tools/convergence/<notebook>.md.

    python -m tools.convergence notebooks/05_video_lstm.ipynb --seeds 0 1 2

averages over seed offsets instead, for models whose seed-to-seed spread is wider than the 2-point
tolerance: the 3x notebook runs once per seed, and the budget's side is the mean of the native runs
that tools.claim_spread recorded with the same seeds (tools/spread/<notebook>.json). The table goes to
tools/convergence/<notebook>_seeds.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from tools.claim_spread import execute, load_records, parse_outputs
from tools.notebook_edit import replace_in_code

ROOT = Path(__file__).resolve().parents[1]
SPEC_DIR = ROOT / "tools" / "convergence"
TOLERANCE = 2.0  # points: the 3x run may gain at most this much


def tripled(notebook: dict, replace: list[list[str]]) -> dict:
    """A copy of ``notebook`` with every (old, new) replacement applied to its code cells."""
    notebook = json.loads(json.dumps(notebook))
    replace_in_code(notebook["cells"], replace)
    return notebook


def mean_over_runs(runs: list[dict[str, dict]]) -> dict[str, dict]:
    """Each value that every run printed, averaged over the runs (the record format of tools.claim_spread)."""
    keys = set.intersection(*(set(run) for run in runs))
    return {key: {"value": sum(run[key]["value"] for run in runs) / len(runs)} for key in keys}


def table(name: str, compare: dict[str, str], stored: dict[str, dict], longer: dict[str, dict], seconds: float,
          runs: str = "one run") -> str:
    """Markdown table: model, accuracy at the budget, at 3x the budget, difference, converged."""
    lines = [f"{name}: accuracy at the notebook's budget and at 3x the budget ({runs}, {seconds:.0f} s)", "",
             "| model | value | at budget | at 3x budget | 3x minus budget | converged |",
             "|---|---|---:|---:|---:|---|"]
    for key, model in compare.items():
        if key not in stored or key not in longer:
            print({k: v.get("value") for k, v in longer.items()}, file=sys.stderr)  # the 3x run's values are not lost
            raise KeyError(f"{key!r} is not printed by {name} (stored: {key in stored}, 3x run: {key in longer})")
        now, more = stored[key]["value"], longer[key]["value"]
        lines.append(f"| {model} | {key} | {now:.1f} | {more:.1f} | {more - now:+.1f} | "
                     f"{'yes' if more - now <= TOLERANCE else 'NO'} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--seeds", type=int, nargs="+", help="average over these seed offsets (see above)")
    args = parser.parse_args()
    path = args.notebook.resolve()
    spec_path = SPEC_DIR / (path.stem[:2] + ".json")
    if not spec_path.exists():
        raise SystemExit(f"no {spec_path.relative_to(ROOT)}: write how to triple {path.name}'s budget there first")
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    notebook = json.loads(path.read_text(encoding="utf-8"))
    seeds = args.seeds or [0]
    if args.seeds:
        records = load_records(path)
        missing = [seed for seed in seeds if f"native/s{seed}" not in records]
        if missing:
            raise SystemExit(f"no native spread run for seeds {missing}: run tools.claim_spread with them first")
        at_budget = mean_over_runs([records[f"native/s{seed}"]["claims"] for seed in seeds])
    else:
        at_budget = parse_outputs(notebook)
    longer_runs, seconds = [], 0.0
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / path.name
        copy.write_text(json.dumps(tripled(notebook, spec["replace"])), encoding="utf-8")
        for seed in seeds:
            values, taken = execute(copy, seed=seed, setting="native")
            longer_runs.append(values)
            seconds += taken
    runs = f"mean of seeds {', '.join(map(str, seeds))}" if args.seeds else "one run"
    report = table(path.stem, spec["compare"], at_budget, mean_over_runs(longer_runs), seconds, runs)
    (SPEC_DIR / (path.stem + ("_seeds" if args.seeds else "") + ".md")).write_text(report + "\n", encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
