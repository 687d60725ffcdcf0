"""A training notebook executed twice gives identical text outputs (timings aside, as in nbval)."""

import configparser
import re
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
# The cheapest notebook that trains models (softmax regression with two losses, several seeds).
NOTEBOOK = ROOT / "notebooks" / "01_cross_entropy.ipynb"


def sanitizers() -> list[tuple[str, str]]:
    config = configparser.ConfigParser()
    config.read(ROOT / "nbval_sanitize.cfg", encoding="utf-8")
    return [(config[s]["regex"], config[s]["replace"]) for s in config.sections()]


def text_outputs(nb: nbformat.NotebookNode) -> list[str]:
    texts = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            text = output.get("text") or output.get("data", {}).get("text/plain", "")
            if output.output_type == "error":
                text = f"{output.ename}: {output.evalue}"
            for regex, replace in sanitizers():
                text = re.sub(regex, replace, text)
            texts.append(f"[cell {index}] {text}")
    return texts


def run_once() -> list[str]:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="feature-extraction",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    return text_outputs(nb)


def test_training_notebook_runs_twice_with_identical_text_outputs():
    first, second = run_once(), run_once()
    assert len(first) > 10
    assert first == second
