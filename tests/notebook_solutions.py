"""The reference solutions, taken from the teacher's notebooks: no copy of them ships in the package.

``solutions("01")`` returns the functions and classes that notebook ``01_*.ipynb`` defines (its exercise
answers sit between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` inside them), with the imports of its code
cells and its constants (``BATCH_SIZE = 128``: a default argument may need one), but runs nothing
else of the notebook: no training, no data. The tests check the exercise checks
against these, so a solution edited in the notebook is the solution tested.
"""

from __future__ import annotations

import ast
import functools
import json
from pathlib import Path
from types import SimpleNamespace

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
KEPT = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)


def _kept(node: ast.stmt) -> bool:
    if isinstance(node, KEPT):
        return True
    if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):  # NAME = literal
        try:
            ast.literal_eval(node.value)
        except ValueError:
            return False
        return True
    return False


@functools.cache
def solutions(number: str) -> SimpleNamespace:
    """Every function and class defined in the code cells of notebook ``number`` (e.g. ``"01"``)."""
    (path,) = NOTEBOOKS.glob(f"{number}_*.ipynb")
    namespace: dict = {"__name__": f"notebook_{number}"}
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse("".join(cell["source"]))
        kept = ast.Module(body=[node for node in tree.body if _kept(node)], type_ignores=[])
        exec(compile(kept, f"{path.name}", "exec"), namespace)  # noqa: S102 - the course's own notebook
    return SimpleNamespace(**{k: v for k, v in namespace.items() if not k.startswith("__")})
