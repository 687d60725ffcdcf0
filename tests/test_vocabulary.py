"""The course's public vocabulary: every name a notebook uses comes from ``course_utils`` by one path.

``course_utils.__all__`` is the vocabulary; the notebooks import exactly its names with
``from course_utils import ...`` (their exercise checks from ``course_utils.exercises.nbNN``), and
ARCHITECTURE.md lists every one of them.
"""

import ast
import importlib
import inspect
import json
import pkgutil
import re
import typing
from pathlib import Path

import course_utils

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _code(notebook: Path) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    # IPython lines (%magic, !shell) are not Python; the imports never sit on them
    return "\n".join(line for cell in cells if cell["cell_type"] == "code"
                     for line in "".join(cell["source"]).splitlines() if not line.lstrip().startswith(("%", "!")))


def _course_imports(notebook: Path) -> list[tuple[str, list[str]]]:
    """``(module, names)`` for every import of a ``course_utils`` module in the notebook's code."""
    found = []
    for node in ast.walk(ast.parse(_code(notebook))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "course_utils":
            found.append((node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names if alias.name.split(".")[0] == "course_utils"]
    return found


def test_notebooks_import_course_names_by_the_one_public_path():
    wrong = []
    for notebook in NOTEBOOKS:
        exercises = f"course_utils.exercises.nb{notebook.name[:2]}"
        for module, names in _course_imports(notebook):
            if module not in ("course_utils", exercises):
                wrong.append(f"{notebook.name}: from {module} import {', '.join(names)}")
    assert not wrong, "import these from course_utils (the one public path):\n" + "\n".join(wrong)


def test_the_vocabulary_is_exactly_what_the_notebooks_use():
    used = {name for notebook in NOTEBOOKS for module, names in _course_imports(notebook)
            if module == "course_utils" for name in names}
    vocabulary = set(course_utils.__all__)
    assert len(course_utils.__all__) == len(vocabulary), "a name is listed twice in course_utils.__all__"
    assert not used - vocabulary, f"notebooks use names outside course_utils.__all__: {sorted(used - vocabulary)}"
    assert not vocabulary - used, f"course_utils.__all__ lists names no notebook uses: {sorted(vocabulary - used)}"
    assert all(hasattr(course_utils, name) for name in vocabulary)


def test_architecture_lists_the_vocabulary():
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    section = text.split("## The public vocabulary", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"`(\w+)`", section.split("|---|---|", 1)[1]))
    missing = set(course_utils.__all__) - listed
    assert not missing, f"ARCHITECTURE.md's vocabulary table lacks {sorted(missing)}"


def _home_modules():
    for info in pkgutil.walk_packages(course_utils.__path__, "course_utils."):
        if ".exercises" not in info.name and not info.name.rsplit(".", 1)[1].startswith("_"):
            yield importlib.import_module(info.name)


def test_everything_outside_the_vocabulary_is_private():
    """A function or constant that no notebook uses carries a leading underscore; classes (the types the
    vocabulary returns or raises, such as ``History`` or ``CacheError``) and type aliases are exempt."""
    public = []
    for module in _home_modules():
        assert not hasattr(module, "__all__"), f"{module.__name__} has an __all__: the package root's is the only one"
        for name, obj in vars(module).items():
            if name.startswith("_") or name in course_utils.__all__ or inspect.ismodule(obj) or inspect.isclass(obj):
                continue
            imported = getattr(obj, "__module__", module.__name__) != module.__name__
            if imported or name in ("annotations", "TYPE_CHECKING"):
                continue  # from elsewhere (__future__, typing, torch, another course module)
            if typing.get_origin(obj) is not None:
                continue  # a type alias such as Iterable[tuple[Tensor, Tensor]]
            public.append(f"{module.__name__}.{name}")
    assert not public, f"public names outside course_utils.__all__ (make them private or delete them): {public}"


def test_each_name_is_introduced_where_a_notebook_first_meets_it():
    """Every function and class of the vocabulary names, in its docstring, the notebook that introduces it: one that
    imports it, or one that writes it itself ("written there") before later notebooks import it."""
    importers: dict[str, set[str]] = {}
    for notebook in NOTEBOOKS:
        for module, names in _course_imports(notebook):
            for name in names if module == "course_utils" else ():
                importers.setdefault(name, set()).add(notebook.stem)
    wrong = {}
    for name in course_utils.__all__:
        obj = getattr(course_utils, name)
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue
        doc = " ".join((inspect.getdoc(obj) or "").split())
        tag = re.search(r"Introduced in (\d\d_\w+)", doc)
        if tag is None or (tag.group(1) not in importers.get(name, set()) and "written there" not in doc):
            wrong[name] = (tag.group(1) if tag else None, sorted(importers.get(name, set())))
    assert not wrong, f"'Introduced in' names a notebook that does not use the name (tag, users): {wrong}"
