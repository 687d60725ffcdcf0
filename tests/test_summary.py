"""course_utils.summary."""

import math

import pytest

from course_utils.summary import _format_summary, print_summary


# ---- summary
def test_summary_lines():
    text = _format_summary({"num_classes": 10, "test_acc": 72.3456, "tiny": 1.23e-9})
    assert text.splitlines() == ["num_classes: 10", "test_acc: 72.35", "tiny: 1.23e-09"]


def test_print_summary(capsys):
    print_summary({"a": 1})
    assert capsys.readouterr().out == "a: 1\n"


@pytest.mark.parametrize("results, error, message", [
    ({}, ValueError, "empty"),
    ({"Bad Name": 1}, ValueError, "snake_case"),
    ({"x": "1"}, TypeError, "must be a number"),
    ({"x": True}, TypeError, "must be a number"),
    ({"x": math.nan}, ValueError, "finite"),
])
def test_summary_bad_input(results, error, message):
    with pytest.raises(error, match=message):
        _format_summary(results)
