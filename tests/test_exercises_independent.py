"""The exercise checks compute their references themselves (PyTorch's own functions, properties,
hand-made cases): no check module imports the reference solutions, so the checks that ship to
students carry no answer key in their code or their globals."""

import ast
import importlib
from pathlib import Path

import pytest

import course_utils.exercises

CHECK_MODULES = sorted(p.stem for p in Path(course_utils.exercises.__file__).parent.glob("nb*.py"))


def _imported_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = ("." * node.level) + (node.module or "")
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("name", CHECK_MODULES)
def test_no_check_module_imports_the_solutions(name):
    path = Path(course_utils.exercises.__file__).parent / f"{name}.py"
    leaks = sorted(n for n in _imported_names(path) if "solutions" in n.split("."))
    assert not leaks, f"course_utils/exercises/{name}.py imports {leaks}: compute the reference in the check"
    module = importlib.import_module(f"course_utils.exercises.{name}")
    held = [k for k, v in vars(module).items() if getattr(v, "__name__", "").startswith("course_utils.solutions")]
    assert not held, f"course_utils.exercises.{name} holds {held} from course_utils.solutions"
