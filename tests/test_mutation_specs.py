"""The edits that the mutation tests and the 3x-budget runs make still apply to the notebooks as they are.

Running a mutation takes a notebook's training time, so make test runs only the main claims' mutations
(tests/test_mutations.py); this checks all of them without running anything: each replacement's old text
occurs exactly once in the notebook's code, and each mutation names a claim that the stored outputs print
as holding. A notebook edited without its mutations fails here, in seconds, instead of at the next
`make mutations`. The same for tools/convergence/*.json, whose edits triple a notebook's budget.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat
import pytest
from test_mutations import _claim_lines, _holds, _mutations

from tools.notebook_edit import replace_in_code

ROOT = Path(__file__).resolve().parents[1]
CONVERGENCE_SPECS = sorted((ROOT / "tools" / "convergence").glob("*.json"))


@pytest.mark.parametrize("notebook, mutation", [p.values for p in _mutations()],
                         ids=[p.id for p in _mutations()])
def test_each_mutation_applies_and_names_a_stored_claim(notebook, mutation):
    nb = nbformat.read(notebook, as_version=4)
    assert any(_holds(line, mutation["fails"]) == "✔" for cell in nb.cells if cell.cell_type == "code"
               for line in _claim_lines(cell)), f"no stored output of {notebook.name} holds {mutation['fails']!r}"
    replace_in_code(copy.deepcopy(nb.cells), mutation["replace"], notebook.name)


@pytest.mark.parametrize("spec", CONVERGENCE_SPECS, ids=[spec.stem for spec in CONVERGENCE_SPECS])
def test_each_convergence_edit_applies(spec):
    (notebook,) = (ROOT / "notebooks").glob(spec.stem + "_*.ipynb")
    nb = nbformat.read(notebook, as_version=4)
    replace_in_code(nb.cells, json.loads(spec.read_text(encoding="utf-8"))["replace"], notebook.name)
