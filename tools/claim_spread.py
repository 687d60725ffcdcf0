"""Measure how much each claim and each Summary value of a notebook moves with the seed and with
the CPU kernel path: the evidence behind every threshold in the notebooks (maintainer tool).

    python -m tools.claim_spread notebooks/05_video_lstm.ipynb --seeds 0 1 2 3 4 --settings all
    python -m tools.claim_spread notebooks/05_video_lstm.ipynb --table   # table of what was recorded

Each run executes the whole notebook in a fresh course kernel with COURSE_SEED_OFFSET=<seed> and
the setting's environment variables (set before the kernel starts, so PyTorch picks its kernels
accordingly), then records every "✔/✘ statement (measured ≈x; expected ...)" line and every
"name: ≈x (expected ...)" Summary line. Results accumulate in tools/spread/<notebook>.json (one
entry per seed and setting; a rerun replaces its entry, and each records COURSE_THREADS, another
source of rounding differences), and --table prints a markdown table: one row per claim, one column
per run, then min and max, every value judged by the range the stored outputs print.

    python -m tools.claim_spread notebooks/05_video_lstm.ipynb --stored  # record the stored outputs too
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from course_utils.claims import _in_range
from tools.runtime import scratch_data

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "tools" / "spread"

# Kernel paths that a learner's machine may take, emulated on this one.
SETTINGS: dict[str, dict[str, str]] = {
    "native": {},
    "aten-default": {"ATEN_CPU_CAPABILITY": "default"},       # ATen's scalar (non-vector) kernels
    "onednn-sse41": {"ONEDNN_MAX_CPU_ISA": "SSE41"},          # oneDNN convolutions without AVX
    "mkl-compatible": {"MKL_CBWR": "COMPATIBLE"},             # MKL's conditional-reproducibility path
}

CLAIM = re.compile(r"^([✔✘]) (.*) \(measured ≈([-+]?[\d.eE+-]+|nan|inf)[^;]*; expected (.*)\)$")
SUMMARY = re.compile(r"^([a-z][a-z0-9_]*): ≈([-+]?[\d.eE+-]+|nan|inf) \(expected (.*)\) ([✔✘])$")


def parse_outputs(notebook: dict) -> dict[str, dict]:
    """Every claim and measured Summary line of an executed notebook: {name: {value, ok, expected}}."""
    found: dict[str, dict] = {}
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            text = "".join(output.get("text", "")) if output.get("output_type") == "stream" else ""
            for line in text.splitlines():
                if m := CLAIM.match(line):
                    found[m.group(2)] = {"value": float(m.group(3)), "ok": m.group(1) == "✔", "expected": m.group(4)}
                elif m := SUMMARY.match(line):
                    found["summary " + m.group(1)] = {"value": float(m.group(2)), "ok": m.group(4) == "✔",
                                                      "expected": m.group(3)}
    return found


def execute(path: Path, seed: int, setting: str) -> tuple[dict[str, dict], float]:
    """Run the notebook once in a fresh kernel; return its claims and the wall time."""
    # OMP_WAIT_POLICY=PASSIVE: idle OpenMP threads sleep instead of spinning. It changes no number,
    # and on a shared 2-core machine it makes a run several times faster.
    env = {**os.environ, "COURSE_PROGRESS": "0", "COURSE_SEED_OFFSET": str(seed), "OMP_WAIT_POLICY": "PASSIVE",
           **SETTINGS[setting]}
    jupyter = Path(sys.executable).with_name("jupyter")
    with tempfile.TemporaryDirectory() as folder:
        # Each run computes its own features: a cache written under another setting would hide its kernels.
        env["COURSE_DATA_DIR"] = str(scratch_data(folder, ROOT / "data"))
        out = Path(folder) / path.name
        start = time.perf_counter()
        subprocess.run([str(jupyter), "nbconvert", "--to", "notebook", "--execute", "--output", str(out),
                        "--ExecutePreprocessor.timeout=900", str(path)], env=env, check=True, cwd=path.parent,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        seconds = time.perf_counter() - start
        return parse_outputs(json.loads(out.read_text(encoding="utf-8"))), seconds


def record_path(notebook: Path) -> Path:
    return OUT_DIR / (notebook.stem + ".json")


def load_records(notebook: Path) -> dict:
    path = record_path(notebook)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


RANGE = re.compile(r"^(?:at least (?P<low>\S+)|at most (?P<high>\S+)|(?P<a>\S+) to (?P<b>\S+))$")


def holds(value: float, expected: str) -> bool:
    """Whether ``value`` satisfies a range as :func:`course_utils.claims._format_range` prints it
    ("at least x", "at most x", "a to b")."""
    m = RANGE.match(expected.strip())
    if not m:
        raise ValueError(f"cannot read the range {expected!r}")
    low, high = m["low"] or m["a"], m["high"] or m["b"]
    return _in_range(value, None if low is None else float(low), None if high is None else float(high))


def table(records: dict) -> str:
    """Markdown: one row per claim, one column per run (seed/setting), then min, max and verdicts.

    Every value is judged against the range printed by the stored outputs (the run stored/s0, recorded
    with --stored), so runs made before a threshold changed are judged by the threshold that ships."""
    runs = sorted(records)
    names = list(dict.fromkeys(name for run in runs for name in records[run]["claims"]))
    final = records.get("stored/s0", {}).get("claims", {})
    header = [run + (" (1 thread)" if records[run].get("threads") == 1 else "") for run in runs]
    lines = ["| claim | expected | " + " | ".join(header) + " | min | max | all ✔ |",
             "|---|---|" + "---:|" * len(runs) + "---:|---:|---|"]
    for name in names:
        cells, values, oks = [], [], []
        expected = final[name]["expected"] if name in final else next(
            records[run]["claims"][name]["expected"] for run in reversed(runs) if name in records[run]["claims"])
        for run in runs:
            item = records[run]["claims"].get(name)
            if item is None:
                cells.append("–")
                continue
            ok = holds(item["value"], expected)
            values.append(item["value"])
            oks.append(ok)
            cells.append(f"{item['value']:.4g}{'' if ok else ' ✘'}")
        lines.append(f"| {name} | {expected} | " + " | ".join(cells)
                     + f" | {min(values):.4g} | {max(values):.4g} | {'yes' if all(oks) else 'NO'} |")
    seconds = [records[run]["seconds"] for run in runs]
    lines.append("| wall time (s) | | " + " | ".join("–" if s is None else f"{s:.0f}" for s in seconds) + " | | | |")
    return "\n".join(lines)


def save(notebook: Path, records: dict) -> None:
    """Write the records atomically (a crash leaves the previous file intact)."""
    tmp = record_path(notebook).with_suffix(".tmp")
    tmp.write_text(json.dumps(records, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, record_path(notebook))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--seeds", type=int, nargs="*", default=[0])
    parser.add_argument("--settings", nargs="*", default=["native"], help=f"any of {sorted(SETTINGS)}, or all")
    parser.add_argument("--table", action="store_true", help="only print the table of what was recorded")
    parser.add_argument("--stored", action="store_true",
                        help="record the notebook's stored outputs (native, seed 0, 2 threads) as the run stored/s0")
    args = parser.parse_args()
    notebook = args.notebook.resolve()
    if not notebook.exists():
        parser.error(f"no notebook at {notebook}")
    settings = sorted(SETTINGS) if args.settings == ["all"] else args.settings
    unknown = [s for s in settings if s not in SETTINGS]
    if unknown:
        parser.error(f"unknown setting(s) {unknown}; choose from {sorted(SETTINGS)} or all")
    records = load_records(notebook)
    if args.stored:
        stored = parse_outputs(json.loads(notebook.read_text(encoding="utf-8")))
        records["stored/s0"] = {"claims": stored, "seconds": None, "threads": 2}
        save(notebook, records)
    elif not args.table:
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        for setting in settings:
            for seed in args.seeds:
                claims, seconds = execute(notebook, seed, setting)
                # Reread before writing: another spread run of the same notebook may have recorded meanwhile.
                records = load_records(notebook)
                # COURSE_THREADS changes the order of float sums too: record it with the run.
                records[f"{setting}/s{seed}"] = {"claims": claims, "seconds": seconds,
                                                 "threads": int(os.environ.get("COURSE_THREADS") or 2)}
                failed = [name for name, item in claims.items() if not item["ok"]]
                print(f"{setting}/s{seed}: {len(claims)} claims, {len(failed)} ✘ {failed or ''} ({seconds:.0f} s)",
                      flush=True)
                save(notebook, records)
    print(table(records))


if __name__ == "__main__":
    main()
