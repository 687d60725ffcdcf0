"""Mutation tests: each notebook's claims can fail. A claim that cannot fail proves nothing.

Each file tests/mutations/NN.json lists mutations of one notebook:

    [{"name": "LSTM trained for 1 epoch",
      "replace": [["EPOCHS = 12", "EPOCHS = 1"]],
      "fails": "the LSTM beats mean pooling",
      "main": true}]

The test applies the replacements to the notebook's code (each old text must occur exactly once),
executes the notebook in the course kernel up to the cell whose stored output holds the claim
starting with ``fails`` (a claim line "✔ <fails>..." or a Summary line "<fails>: ≈..."), and
checks that this claim now prints ✘. ``"main": true`` marks the mutations of each notebook's main
claims: ``make test`` runs those (``pytest -m main_claim``), ``make mutations`` runs them all.

The mutations share one course kernel, emptied with ``%reset -f`` before each: a fresh kernel would
spend seconds importing torch, torchvision and course_utils again. Every notebook's first cell imports
what it uses and seeds everything, so a mutated notebook computes in the shared kernel what it computes
in a fresh one (measured at issue 22's eighth step: the same printed claim lines for
every main mutation). A mutation that fails restarts the kernel, so the next one starts clean.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

from tools.notebook_edit import replace_in_code

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SPECS = sorted((Path(__file__).parent / "mutations").glob("*.json"))


def _mutations():
    for spec in SPECS:
        (notebook,) = NOTEBOOKS.glob(spec.stem + "_*.ipynb")
        for mutation in json.loads(spec.read_text(encoding="utf-8")):
            marks = [pytest.mark.mutation] + ([pytest.mark.main_claim] if mutation.get("main") else [])
            yield pytest.param(notebook, mutation, id=f"{spec.stem}: {mutation['name']}", marks=marks)


def _claim_lines(cell) -> list[str]:
    return [line for output in cell.get("outputs", []) if output.get("output_type") == "stream"
            for line in "".join(output["text"]).splitlines()]


def _holds(line: str, fails: str) -> str | None:
    """'✔'/'✘' when ``line`` is the claim or Summary line named by ``fails``, else None."""
    if line[:2] in ("✔ ", "✘ ") and line[2:].startswith(fails):
        return line[0]
    if line.startswith(fails + ": ≈") and line[-1] in "✔✘":
        return line[-1]
    return None


@pytest.fixture(scope="module")
def kernel():
    # the kernel inherits conftest.py's COURSE_PROGRESS=0: no progress bars in the outputs
    manager = KernelManager(kernel_name="feature-extraction")
    manager.start_kernel(cwd=str(NOTEBOOKS))
    yield manager
    manager.shutdown_kernel(now=True)


@pytest.mark.parametrize("notebook, mutation", list(_mutations()))
def test_mutation_flips_a_claim(notebook, mutation, kernel):
    nb = nbformat.read(notebook, as_version=4)
    target = next((i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
                   and any(_holds(line, mutation["fails"]) == "✔" for line in _claim_lines(cell))), None)
    assert target is not None, f"no stored output of {notebook.name} holds a ✔ claim {mutation['fails']!r}"
    replace_in_code(nb.cells, mutation["replace"], notebook.name)
    nb.cells = [nbformat.v4.new_code_cell("%reset -f"), *nb.cells[: target + 1]]
    client = NotebookClient(nb, timeout=600, km=kernel, resources={"metadata": {"path": str(NOTEBOOKS)}})
    try:
        client.execute()
    except BaseException:
        kernel.restart_kernel(now=True)
        raise
    finally:
        if client.kc is not None:
            client.kc.stop_channels()
    verdicts = [_holds(line, mutation["fails"]) for line in _claim_lines(nb.cells[-1])]
    verdicts = [v for v in verdicts if v]
    assert verdicts, f"the mutated notebook no longer prints the claim {mutation['fails']!r}"
    assert "✘" in verdicts, (f"mutation {mutation['name']!r} left the claim {mutation['fails']!r} holding: "
                             "it cannot fail")
