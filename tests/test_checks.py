"""course_utils.checks: argument checks, the gradient check, the exercises' check machinery."""

import math

import matplotlib
import matplotlib.text
import pytest  # noqa: E402
import torch  # noqa: E402

from course_utils.checks import (
    CheckFailed,
    _expect_close,
    _require_images,
    numerical_gradient,
    run_check,
)


def test_numerical_gradient_matches_exact_gradient():
    x = torch.tensor([[1.0, -2.0], [0.5, 3.0]], dtype=torch.float64)
    grad = numerical_gradient(lambda v: (v ** 3).sum(), x, eps=1e-5)
    assert grad.shape == x.shape
    assert torch.allclose(grad, 3 * x ** 2, atol=1e-8, rtol=0)
    assert torch.equal(x, torch.tensor([[1.0, -2.0], [0.5, 3.0]], dtype=torch.float64))  # x untouched


def test_numerical_gradient_of_cross_entropy_agrees_with_p_minus_y():
    logits = torch.tensor([[2.0, -1.0, 0.5], [0.0, 0.3, -0.7]], dtype=torch.float64)
    targets = torch.tensor([1, 2])
    grad = numerical_gradient(lambda v: torch.nn.functional.cross_entropy(v, targets), logits)
    p_minus_y = (logits.softmax(1) - torch.nn.functional.one_hot(targets, 3)) / len(targets)
    assert (grad - p_minus_y).abs().max() < 1e-8


def test_numerical_gradient_requires_float64():
    with pytest.raises(ValueError, match="float64"):
        numerical_gradient(lambda v: v.sum(), torch.ones(3))


def test_numerical_gradient_rejects_bad_inputs():
    with pytest.raises(TypeError, match="torch.Tensor"):
        numerical_gradient(lambda v: v.sum(), [1.0, 2.0])
    with pytest.raises(ValueError, match="eps"):
        numerical_gradient(lambda v: v.sum(), torch.ones(2, dtype=torch.float64), eps=0)
    with pytest.raises(ValueError, match="scalar"):
        numerical_gradient(lambda v: v * 2, torch.ones(2, dtype=torch.float64))


matplotlib.use("Agg")


# ---- checks
def test_require_helpers():
    _require_images(torch.zeros(1, 3, 2, 2))
    with pytest.raises(TypeError, match="torch.Tensor"):
        _require_images([1, 2])
    with pytest.raises(ValueError, match="dtype torch.uint8"):
        _require_images(torch.zeros(1, 3, 2, 2), dtype=torch.uint8)


def test_expect_close_messages():
    _expect_close(torch.ones(2), torch.ones(2), "y")
    with pytest.raises(CheckFailed, match=r"y has shape \(3,\), expected \(2,\)"):
        _expect_close(torch.ones(3), torch.ones(2), "y")
    with pytest.raises(CheckFailed, match="off by up to 0.5"):
        _expect_close(torch.tensor([1.0, 1.5]), torch.ones(2), "y")
    with pytest.raises(CheckFailed, match="off by up to nan"):
        _expect_close(torch.tensor([math.nan]), torch.ones(1), "y")


def test_check_result_shows_nothing_more_in_a_notebook():
    from course_utils.checks import CheckResult
    assert CheckResult("x", True, "correct")._ipython_display_() is None


def test_run_check_reports_each_outcome(capsys):
    assert run_check("ok", lambda: None).passed
    def wrong():
        raise CheckFailed("the sign is flipped")
    def todo():
        raise NotImplementedError
    assert run_check("w", wrong).message == "the sign is flipped"
    assert "not implemented yet" in run_check("t", todo).message
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "✔ ok: correct" and out[1] == "✘ w: the sign is flipped"
    assert out[2].startswith("✘ t: not implemented")
    with pytest.raises(ZeroDivisionError):  # real bugs in the check itself are not hidden
        run_check("bug", lambda: 1 / 0)


def test_require_layout_names_rank_dtype_and_hint():
    from course_utils.checks import _require_layout
    _require_layout(torch.zeros(2, 3), "N, F", "x")
    with pytest.raises(ValueError, match=r"x must have shape \(N, T, F\), got \(2, 3\) \(add a dimension\)"):
        _require_layout(torch.zeros(2, 3), "N, T, F", "x", hint="add a dimension")
    with pytest.raises(ValueError, match=r"got \(2,\)$"):  # the hint is only for one dimension too few
        _require_layout(torch.zeros(2), "N, T, F", "x", hint="add a dimension")
    with pytest.raises(ValueError, match="dtype torch.int64"):
        _require_layout(torch.zeros(2, 3), "N, F", "x", dtype=torch.int64)


def test_stand_in_until_done_says_so_and_exercise_done_skips(capsys):
    from course_utils.checks import CheckResult, exercise_done, stand_in_until_done

    def mine(x):
        return x

    def library(x):
        return -x

    passed = CheckResult("f", True, "correct")
    wrong = CheckResult("f", False, "f is off by up to 0.1")
    unwritten = run_check("f", lambda: (_ for _ in ()).throw(NotImplementedError))
    capsys.readouterr()
    assert not unwritten.implemented and passed.implemented and wrong.implemented
    for written in (passed, wrong):  # a written answer is used, right or wrong: the cells show what it does
        assert stand_in_until_done(written, mine, library, "library") is mine and capsys.readouterr().out == ""
        assert exercise_done(written, "the plot") and capsys.readouterr().out == ""
    assert stand_in_until_done(unwritten, mine, library, "torch's library()") is library
    assert "until f is written, the cells below use torch's library() in its place" in capsys.readouterr().out
    assert not exercise_done(unwritten, "the plot")
    assert "finish the exercise f to run the plot" in capsys.readouterr().out
