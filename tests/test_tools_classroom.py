from pathlib import Path

import nbformat
import pytest

from tools.classroom import SOLUTION_PLACEHOLDER, slide_type, strip_solutions, student_version

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_strip_solutions_keeps_indentation_and_the_check():
    source = ("def f(x):\n    # BEGIN SOLUTION\n    y = x + 1\n    return y\n    # END SOLUTION\n\n"
              "run_check('f', lambda: check(f))")
    assert strip_solutions(source) == f"def f(x):\n    {SOLUTION_PLACEHOLDER}\n\nrun_check('f', lambda: check(f))"


@pytest.mark.parametrize("source, message", [
    ("# BEGIN SOLUTION\nx = 1", "never closed"),
    ("x = 1\n# END SOLUTION", "without # BEGIN SOLUTION"),
    ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION", "inside another"),
])
def test_unbalanced_markers_are_errors(source, message):
    with pytest.raises(ValueError, match=message):
        strip_solutions(source)


def test_slide_types():
    md = nbformat.v4.new_markdown_cell
    assert slide_type(md("# Title")) == "slide" and slide_type(md("## 2. Why?")) == "slide"
    assert slide_type(md("### detail")) == "subslide" and slide_type(md("*What to notice:* x")) == "fragment"
    assert slide_type(nbformat.v4.new_code_cell("x = 1")) == "-" and slide_type(md("")) == "-"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_has_exercises_and_slide_metadata(path):
    nb = nbformat.read(path, as_version=4)
    assert all("slideshow" in cell.metadata for cell in nb.cells), "run `python -m tools.classroom tag-slides`"
    assert nb.cells[0].metadata["slideshow"]["slide_type"] == "slide"
    student, exercises = student_version(nb)
    assert exercises >= 1
    text = "\n".join(c.source for c in student.cells)
    assert "BEGIN SOLUTION" not in text and text.count(SOLUTION_PLACEHOLDER) == exercises
    assert "run_check(" in text, "the checks stay in the student version"
    assert all(not c.get("outputs") for c in student.cells if c.cell_type == "code")


def test_student_checks_report_missing_solutions_instead_of_crashing():
    """Run each student version's first code cell (imports, seeds) and its exercise cells in the
    course kernel: each check must print "not implemented yet", and no cell may raise. One kernel
    serves every notebook (a kernel start costs seconds); ``%reset -f`` empties its namespace
    between notebooks, so each one's cells see only the names its own first cell defines."""
    from nbclient import NotebookClient

    combined = nbformat.v4.new_notebook()
    origin = []  # (notebook name, is an exercise cell) of each cell of `combined`
    for path in NOTEBOOKS:
        student, _ = student_version(nbformat.read(path, as_version=4))
        code = [c for c in student.cells if c.cell_type == "code"]
        exercises = [c for c in code if SOLUTION_PLACEHOLDER in c.source]
        cells = [nbformat.v4.new_code_cell("%reset -f"), code[0], *exercises]
        combined.cells += cells
        origin += [(path.name, False), (path.name, False)] + [(path.name, True)] * len(exercises)
    NotebookClient(combined, timeout=120, kernel_name="feature-extraction", allow_errors=True,
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    assert sum(is_exercise for _, is_exercise in origin) >= len(NOTEBOOKS)
    for cell, (name, is_exercise) in zip(combined.cells, origin):
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, f"{name}: cell crashed: {errors[0]['ename']}: {errors[0]['evalue']}\n{cell.source[:300]}"
        if is_exercise:
            text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            assert "not implemented yet" in text, f"{name}: exercise cell printed {text!r}\n{cell.source[:300]}"


def test_slides_build_a_teacher_and_a_student_deck_per_notebook_with_local_assets(tmp_path):
    """`make slides` builds two reveal.js decks per notebook, here into a temporary folder; every
    script and style sheet they load lies in the folder (tests/browser/test_slides_offline.py opens
    one with the network blocked)."""
    import re

    from tools.classroom import main

    assert main(["slides", "--out", str(tmp_path)]) == 0
    for path in NOTEBOOKS:
        headings = sum(1 for c in nbformat.read(path, as_version=4).cells if slide_type(c) == "slide")
        for suffix in (".slides.html", ".student.slides.html"):
            deck = tmp_path / f"{path.stem}{suffix}"
            assert deck.exists(), f"no deck {deck.name}"
            html = deck.read_text(encoding="utf-8")
            assert "reveal" in html.lower() and html.count("<section") >= headings
            loaded = re.findall(r'(?:src|href)="([^"#][^"]*)"', html) + re.findall(r'"(assets/[^"]+\.js)"', html)
            local = [url.split("?")[0] for url in loaded if not url.startswith("data:")]
            assert local and all((tmp_path / url).is_file() for url in local), [u for u in local
                                                                               if not (tmp_path / u).is_file()]
        student = (tmp_path / f"{path.stem}.student.slides.html").read_text(encoding="utf-8")
        # the code is highlighted (split into spans), so look for the name, not the whole line
        assert "BEGIN SOLUTION" not in student and "NotImplementedError" in student


def test_make_student_never_overwrites_an_edited_student_notebook(tmp_path):
    from tools.classroom import MANIFEST, write_student_notebook

    teacher = tmp_path / "01_x.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("def f():\n    # BEGIN SOLUTION\n    return 1\n"
                                                                  "    # END SOLUTION\n")])
    nbformat.write(nb, teacher)
    out = tmp_path / "student"
    assert "1 exercise solution(s) removed" in write_student_notebook(teacher, out)
    written = (out / teacher.name).read_text()
    assert "NotImplementedError" in written and (out / MANIFEST).is_file()
    # unedited: refreshed when the teacher's notebook changes
    nb.cells.append(nbformat.v4.new_markdown_cell("new section"))
    nbformat.write(nb, teacher)
    assert "removed" in write_student_notebook(teacher, out)
    assert "new section" in (out / teacher.name).read_text()
    # edited by the student: kept, and said so
    edited = (out / teacher.name).read_text().replace("NotImplementedError", "return 1  # my answer")
    (out / teacher.name).write_text(edited)
    message = write_student_notebook(teacher, out)
    assert message.startswith("kept") and "delete it to get a fresh copy" in message
    assert (out / teacher.name).read_text() == edited
    # a file that make student never wrote is kept too
    (out / "02_y.ipynb").write_text("{}")
    teacher2 = tmp_path / "02_y.ipynb"
    nbformat.write(nb, teacher2)
    assert write_student_notebook(teacher2, out).startswith("kept") and (out / "02_y.ipynb").read_text() == "{}"
