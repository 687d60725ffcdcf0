"""claims (measured numbers, claims), the Summary's measured lines, and the nbval sanitize file."""

import configparser
import json
import re
from pathlib import Path

import pytest

from course_utils.claims import _format_range, _in_range, claim, measured
from course_utils.summary import _format_summary

ROOT = Path(__file__).resolve().parents[1]


def sanitize(text: str) -> str:
    """Apply nbval_sanitize.cfg the way nbval does: each section's regex, in file order."""
    config = configparser.ConfigParser()
    config.read(ROOT / "nbval_sanitize.cfg", encoding="utf-8")
    for section in config.sections():
        text = re.sub(config[section]["regex"], config[section]["replace"], text)
    return text


def test_measured_formats():
    assert measured(69.04) == "≈69.0"
    assert measured(58.66, signed=True, unit=" points") == "≈+58.7 points"
    assert measured(-3.21, 2) == "≈-3.21"
    assert measured(8.416e-13, 2, sci=True) == "≈8.42e-13"
    assert measured(310, 0) == "≈310"
    assert measured(float("nan")) == "≈nan"


@pytest.mark.parametrize("bad, error", [("1.0", TypeError), (True, TypeError), (None, TypeError)])
def test_measured_rejects_non_numbers(bad, error):
    with pytest.raises(error, match="must be a number"):
        measured(bad)


def test_ranges():
    assert _format_range(30, None) == "at least 30" and _format_range(None, 0.5) == "at most 0.5"
    assert _format_range(55, 80) == "55 to 80"
    assert _in_range(55, 55, 80) and _in_range(80, 55, 80) and not _in_range(80.01, 55, 80)
    assert not _in_range(float("nan"), None, 1)
    with pytest.raises(ValueError, match="give a lower bound"):
        _in_range(1, None, None)
    with pytest.raises(ValueError, match="range is empty"):
        _format_range(2, 1)


def test_claim_prints_verdict_and_returns_it(capsys):
    verdict = claim("Adam beats SGD by at least 20 points", 57.3, low=20, signed=True)
    assert bool(verdict) is True and verdict._ipython_display_() is None
    assert capsys.readouterr().out == "✔ Adam beats SGD by at least 20 points (measured ≈+57.3; expected at least 20)\n"
    assert not claim("the loss stays below 0.5", float("nan"), high=0.5)
    assert capsys.readouterr().out.startswith("✘ the loss stays below 0.5 (measured ≈nan;")
    with pytest.raises(ValueError, match="needs a statement"):
        claim(" ", 1.0, low=0)


def test_summary_measured_lines():
    text = _format_summary({"classes": 10, "acc": (69.04, 55, 80), "bad": (12.0, 55, 80),
                            "seconds": (22.9, None, None)})
    assert text.splitlines() == [
        "classes: 10",
        "acc: ≈69.04 (expected 55 to 80) ✔",
        "bad: ≈12 (expected 55 to 80) ✘",
        "seconds: ≈22.9 (a timing: it varies with the machine)",
    ]
    with pytest.raises(ValueError, match="must be a number or \\(value, low, high\\)"):
        _format_summary({"acc": (1.0, 2.0)})


def test_sanitizer_hides_measured_digits_but_not_verdicts():
    here = "✔ the LSTM wins (measured ≈+58.7; expected at least 30)\nacc: ≈94.7 (expected 85 to 100) ✔"
    there = "✔ the LSTM wins (measured ≈+61.2; expected at least 30)\nacc: ≈91 (expected 85 to 100) ✔"
    assert sanitize(here) == sanitize(there)
    failed = there.replace("✔ the", "✘ the")
    assert sanitize(here) != sanitize(failed)


def test_sanitizer_absorbs_column_padding():
    assert sanitize(f"{measured(9.5):>8} |") == sanitize(f"{measured(10.25, 2):>8} |")


def test_sanitizer_leaves_exact_numbers_alone():
    exact = "6000 train and 1000 test images; ln 10 ≈ 2.303; flatten size 4096"
    assert sanitize(exact) == exact


def test_sanitizer_hides_the_banners_machine_lines_only():
    banner = "     python: 3.11.7\n      torch: 2.15.0+cu132\n     device: cpu\n  cpu threads: 2\ndeterministic: True"
    other = ("     python: 3.13.1\n      torch: 2.15.0+cpu\n     device: cuda (NVIDIA H100)\n  cpu threads: 1\n"
             "deterministic: True")
    assert sanitize(banner) == sanitize(other)
    assert sanitize(banner) != sanitize(other.replace("deterministic: True", "deterministic: False"))
    assert sanitize("threads: 2") != sanitize("threads: 4")  # only the banner's own line is hidden


# ---- the stored notebooks
CLAIM_LINE = re.compile(r"^[✔✘] .* \(measured ≈.*; expected .*\)$")
SUMMARY_LINE = re.compile(r"^[a-z][a-z0-9_]*: ≈\S+ \(expected .*\) [✔✘]$")


def stored_lines(path: Path) -> list[str]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return [line for cell in notebook["cells"] for output in cell.get("outputs", [])
            if output.get("output_type") == "stream" for line in "".join(output["text"]).splitlines()]


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.stem)
def test_stored_claims_all_hold(path):
    """A stored ✘ would make nbval demand the failure on every machine: stored claims must hold."""
    lines = stored_lines(path)
    verdicts = [line for line in lines if CLAIM_LINE.match(line) or SUMMARY_LINE.match(line)]
    failed = [line for line in verdicts if line.startswith("✘") or line.endswith("✘")]
    assert not failed, f"{path.name} was stored with failing claims: {failed}"
    if not path.stem.startswith("00_"):
        assert verdicts, f"{path.name} states no claim and no measured Summary value"
