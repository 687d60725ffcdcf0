"""A training notebook executed twice gives identical text outputs (timings aside, as in nbval).

`make unit` runs it; `make test` leaves it out (marker repeats_nbval): make test runs 01 twice already,
with pytest --nbval and again under CI_VARIANT, and each run must match the stored outputs under the same
sanitizers, so the two runs match each other.
"""

import configparser
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
# The cheapest notebook that trains models (softmax regression with two losses, several seeds).
NOTEBOOK = ROOT / "notebooks" / "01_cross_entropy.ipynb"


def sanitizers() -> list[tuple[str, str]]:
    config = configparser.ConfigParser()
    config.read(ROOT / "nbval_sanitize.cfg", encoding="utf-8")
    return [(config[s]["regex"], config[s]["replace"]) for s in config.sections()]


def text_outputs(nb: nbformat.NotebookNode) -> list[str]:
    """Each cell's text outputs, sanitized. A cell's printed text may reach the notebook in one stream output or
    several, depending on when the kernel flushed it (a busy machine splits it more): the stream outputs of a cell
    are joined first, as nbval does."""
    texts = []
    for index, cell in enumerate(nb.cells):
        streams: dict[str, str] = {}
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                streams[output.name] = streams.get(output.name, "") + output.text
                continue
            text = output.get("data", {}).get("text/plain", "")
            if output.output_type == "error":
                text = f"{output.ename}: {output.evalue}"
            texts.append(f"[cell {index}] {text}")
        texts += [f"[cell {index}] {name}: {text}" for name, text in streams.items()]
    sanitized = []
    for text in texts:
        for regex, replace in sanitizers():
            text = re.sub(regex, replace, text)
        sanitized.append(text)
    return sanitized


def run_once() -> list[str]:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="feature-extraction",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    return text_outputs(nb)


@pytest.mark.repeats_nbval
def test_training_notebook_runs_twice_with_identical_text_outputs():
    first, second = run_once(), run_once()
    assert len(first) > 10
    assert first == second


def test_make_test_runs_this_notebook_twice_instead():
    """What lets make test skip the test above: its CI_VARIANT nbval run includes the notebook."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    variant = re.search(r"^VARIANT_NOTEBOOKS := (.*)$", makefile, re.MULTILINE)
    assert variant and f"notebooks/{NOTEBOOK.name[:2]}_*.ipynb" in variant.group(1).split()
    assert re.search(r'^UNIT_MARKERS := .*not repeats_nbval', makefile, re.MULTILINE)
