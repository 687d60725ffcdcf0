"""The package stays small and readable: no function outside ``exercises/`` over 50 lines, no module
over 400 lines (the exercises' checks are long by nature: each names every way an answer can be wrong)."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "course_utils"
MAX_FUNCTION_LINES, MAX_MODULE_LINES = 50, 400


def _modules():
    return [path for path in sorted(PACKAGE.rglob("*.py")) if "exercises" not in path.parts]


def test_no_module_over_400_lines():
    long = {path.relative_to(PACKAGE).as_posix(): n for path in _modules()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def test_no_function_over_50_lines():
    long = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(PACKAGE).as_posix()}:{node.name}"] = lines
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines: {long}"
