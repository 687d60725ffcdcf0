"""Write environment.yml from requirements.lock, so the conda environment installs exactly the
locked versions (maintainer tool, run by `make lock`; tests/test_packaging.py checks the mirror).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

HEADER = """\
# conda env create -f environment.yml && conda activate feature-extraction
# Generated from requirements.lock by `make lock` (tools/write_environment.py): do not edit by hand.
# Conda provides Python and pip; pip installs every locked package (markers pick the right pin for
# the Python version), then the course's helper package.
name: feature-extraction
channels:
  - conda-forge
dependencies:
  - python=3.11
  - pip
  - pip:
"""


def locked_requirements(lock_text: str) -> list[str]:
    """The requirement lines of a lock file: ``name==version`` with an optional ``; marker``."""
    lines = []
    for raw in lock_text.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def environment_yml(lock_text: str) -> str:
    """The environment.yml text mirroring ``lock_text``."""
    body = "".join(f'      - "{line}"\n' for line in locked_requirements(lock_text))
    return HEADER + body + "      - -e .\n"


def main() -> None:
    lock_text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    text = environment_yml(lock_text)
    target = ROOT / "environment.yml"
    tmp = target.with_suffix(".yml.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    print(f"wrote {target.name}: {len(locked_requirements(lock_text))} locked requirement lines")


if __name__ == "__main__":
    main()
