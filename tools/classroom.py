"""Classroom tools: slide metadata and reveal.js decks, and student versions without solutions.

``python -m tools.classroom tag-slides|slides|student [notebooks ...]`` (``make slides``,
``make student``). Introduced in 00_setup_and_tour.

The decks work offline: reveal.js, require.js and jQuery come from ``tools/slides/assets`` (vendored,
see its README), MathJax from the installed package ``jupyter-server-mathjax``; ``slides`` copies them
to ``slides/assets/`` beside the decks, so the folder can be handed out as it is. Each notebook gets
a teacher deck (``NN_x.slides.html``, with solutions and outputs) and a student deck
(``NN_x.student.slides.html``, solutions removed, no outputs).
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import re
import shutil
from pathlib import Path

import nbformat

from course_utils.storage import _atomic_write_bytes

__all__ = ["slide_type", "tag_slides", "strip_solutions", "student_version", "write_student_notebook",
           "build_decks", "SOLUTION_PLACEHOLDER", "MANIFEST"]

BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
SOLUTION_PLACEHOLDER = 'raise NotImplementedError("exercise: write your solution here")'


def slide_type(cell: nbformat.NotebookNode) -> str:
    """Slide type of a cell: a ``#``/``##`` heading starts a slide, ``###`` a sub-slide, a
    "What to notice" note is a fragment, everything else continues the current slide.
    Introduced in 00_setup_and_tour.
    """
    if cell.cell_type == "markdown":
        first = cell.source.lstrip().splitlines()[0] if cell.source.strip() else ""
        if re.match(r"#{1,2} ", first):
            return "slide"
        if first.startswith("### "):
            return "subslide"
        if first.startswith("*What to notice"):
            return "fragment"
    return "-"


def tag_slides(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Set ``metadata.slideshow.slide_type`` on every cell (in place; returns ``nb``).
    Introduced in 00_setup_and_tour.
    """
    for cell in nb.cells:
        cell.metadata["slideshow"] = {"slide_type": slide_type(cell)}
    return nb


def strip_solutions(source: str) -> str:
    """Replace each ``# BEGIN SOLUTION`` ... ``# END SOLUTION`` block by a ``raise
    NotImplementedError`` at the same indentation. Raises ``ValueError`` on unbalanced markers.
    Introduced in 00_setup_and_tour.
    """
    out, inside = [], False
    for number, line in enumerate(source.splitlines(), 1):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise ValueError(f"line {number}: {BEGIN} inside another solution block")
            inside = True
            out.append(line[: len(line) - len(line.lstrip())] + SOLUTION_PLACEHOLDER)
        elif stripped == END:
            if not inside:
                raise ValueError(f"line {number}: {END} without {BEGIN}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{BEGIN} is never closed by {END}")
    return "\n".join(out)


def student_version(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, int]:
    """A copy of ``nb`` with solutions stripped and outputs cleared, and the number of exercises
    stripped. Introduced in 00_setup_and_tour.
    """
    student = nbformat.from_dict(nb)
    exercises = 0
    for cell in student.cells:
        if cell.cell_type != "code":
            continue
        if BEGIN in cell.source:
            exercises += cell.source.count(BEGIN)
            cell.source = strip_solutions(cell.source)
        cell.outputs, cell.execution_count = [], None
        cell.metadata.pop("execution", None)
    return student, exercises


# What `make student` wrote last, name -> sha256: a student notebook whose bytes still match was not
# edited and may be refreshed; any other existing file is the student's work and is never replaced.
MANIFEST = ".generated.json"


def _sha256(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def write_student_notebook(path: Path, out: Path) -> str:
    """Write the student version of the notebook ``path`` into the folder ``out``, unless a file of
    that name exists there that ``make student`` did not write or that was edited since: that one
    is kept. Returns a line saying which happened. Introduced in 00_setup_and_tour.
    """
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}
    target = out / path.name
    if target.exists() and manifest.get(path.name) != _sha256(target.read_bytes()):
        return f"kept {target}: it was edited (or not written by make student); delete it to get a fresh copy"
    student, exercises = student_version(nbformat.read(path, as_version=4))
    payload = (nbformat.writes(student) + "\n").encode("utf-8")
    _atomic_write_bytes(target, payload)  # a reader never sees half a notebook
    manifest[path.name] = _sha256(payload)
    _atomic_write_bytes(manifest_path, (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode("utf-8"))
    return f"{target}: {exercises} exercise solution(s) removed"


SLIDES = Path(__file__).resolve().parent / "slides"
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"  # the configuration jupyter-server-mathjax ships


def _mathjax_dir() -> Path:
    try:
        import jupyter_server_mathjax
    except ImportError as missing:
        raise SystemExit("the offline decks need MathJax from the package jupyter-server-mathjax: run `make setup`, "
                         "or `pip install jupyter-server-mathjax==0.2.6`") from missing
    return Path(jupyter_server_mathjax.__file__).parent / "static"


def _slides_exporter():
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    config = Config()
    config.TemplateExporter.extra_template_basedirs = [str(SLIDES / "template")]
    config.SlidesExporter.template_name = "reveal_offline"
    config.SlidesExporter.reveal_url_prefix = "assets/reveal.js"
    config.SlidesExporter.reveal_theme = "white"
    config.SlidesExporter.require_js_url = "assets/requirejs/require.js"
    config.SlidesExporter.jquery_url = "assets/jquery/jquery.min.js"
    config.SlidesExporter.mathjax_url = f"assets/mathjax/MathJax.js?config={MATHJAX_CONFIG}"
    return SlidesExporter(config=config)


def build_decks(paths: list[Path], out: Path) -> list[Path]:
    """A teacher deck and a student deck per notebook into ``out``, with every asset copied to
    ``out/assets`` (nothing is loaded from the network). Returns the decks written.
    Introduced in 00_setup_and_tour.
    """
    out.mkdir(parents=True, exist_ok=True)
    shutil.copytree(SLIDES / "assets", out / "assets", dirs_exist_ok=True)
    shutil.copytree(_mathjax_dir(), out / "assets" / "mathjax", dirs_exist_ok=True)
    exporter, written = _slides_exporter(), []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        for suffix, version in ((".slides.html", nb), (".student.slides.html", student_version(nb)[0])):
            html, _ = exporter.from_notebook_node(version, resources={"metadata": {"name": path.stem}})
            if "https://" in "".join(re.findall(r'(?:src|href)="([^"]+)"', html)):
                raise RuntimeError(f"{path.name}: the deck still loads something from the network")
            target = out / (path.stem + suffix)
            target.write_text(html, encoding="utf-8")
            written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["tag-slides", "slides", "student"])
    parser.add_argument("notebooks", nargs="*", help="default: notebooks/*.ipynb")
    parser.add_argument("--out", default=None, help="output folder (default: slides/ or student/)")
    args = parser.parse_args(argv)
    paths = [Path(p) for p in (args.notebooks or sorted(glob.glob("notebooks/*.ipynb")))]
    if args.command == "slides":  # one exporter and one copy of the assets for all decks
        for deck in build_decks(paths, Path(args.out or "slides")):
            print(f"wrote {deck}")
        return 0
    for path in paths:
        if args.command == "tag-slides":
            nbformat.write(tag_slides(nbformat.read(path, as_version=4)), path)
            print(f"tagged {path}")
        else:
            print(write_student_notebook(path, Path(args.out or "student")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
