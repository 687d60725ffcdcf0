"""plotting, summary, checks, repro, timing."""

import math

import matplotlib
import matplotlib.text

matplotlib.use("Agg")

import pytest
import torch

from course_utils.checks import CheckFailed, expect_close, require_images, require_shape, run_check
from course_utils.plotting import plot_confusion_matrix, plot_history, show_images, to_display
from course_utils.repro import get_device, print_banner, seed_everything
from course_utils.summary import format_summary, print_summary
from course_utils.timing import Timer, format_seconds
from course_utils.training import History


# ---- plotting
def test_to_display_converts_layout_and_range():
    x = torch.full((2, 3, 4, 5), 255, dtype=torch.uint8)
    out = to_display(x)
    assert out.shape == (2, 4, 5, 3) and out.max() == 1.0
    assert to_display(torch.zeros(1, 1, 2, 2)).shape == (1, 2, 2, 3)


def test_show_images_titles_with_class_names(shown):
    assert show_images(torch.zeros(3, 3, 4, 4, dtype=torch.uint8), labels=[0, 1, 2], class_names=["a", "b", "c"], ncols=2, title="t") is None
    (fig,) = shown
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[:3] == ["a", "b", "c"] and len(fig.axes) == 4


def test_plot_history_and_confusion_matrix(shown):
    h = History(train_loss=[1.0, 0.5], train_acc=[0.5, 0.7], val_loss=[1.1, 0.6], val_acc=[0.4, 0.6])
    plot_history({"a": h, "b": h})
    assert len(shown[0].axes) == 2 and len(shown[0].axes[1].lines) == 4
    plot_confusion_matrix(torch.tensor([[3, 1], [0, 4]]), ["x", "y"])
    fig = shown[1]
    texts = sorted(t.get_text() for t in fig.axes[0].texts)
    assert texts == ["100", "25", "75"]


@pytest.mark.parametrize("call, message", [
    (lambda: show_images(torch.zeros(2, 3, 4, 4), labels=[1]), "2 images but 1 labels"),
    (lambda: show_images(torch.zeros(0, 3, 4, 4)), "no images"),
    (lambda: plot_confusion_matrix(torch.zeros(2, 2), ["a", "b", "c"]), r"shape \(3, 3\)"),
    (lambda: plot_history({}), "empty"),
])
def test_plotting_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---- summary
def test_summary_lines():
    text = format_summary({"num_classes": 10, "test_acc": 72.3456, "tiny": 1.23e-9})
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
        format_summary(results)


# ---- checks
def test_require_helpers():
    require_images(torch.zeros(1, 3, 2, 2))
    require_shape(torch.zeros(2, 5), (None, 5))
    with pytest.raises(TypeError, match="torch.Tensor"):
        require_images([1, 2])
    with pytest.raises(ValueError, match="dtype torch.uint8"):
        require_images(torch.zeros(1, 3, 2, 2), dtype=torch.uint8)
    with pytest.raises(ValueError, match=r"x must have shape \(\*, 4\), got \(2, 5\)"):
        require_shape(torch.zeros(2, 5), (None, 4), "x")


def test_expect_close_messages():
    expect_close(torch.ones(2), torch.ones(2), "y")
    with pytest.raises(CheckFailed, match=r"y has shape \(3,\), expected \(2,\)"):
        expect_close(torch.ones(3), torch.ones(2), "y")
    with pytest.raises(CheckFailed, match="off by up to 0.5"):
        expect_close(torch.tensor([1.0, 1.5]), torch.ones(2), "y")
    with pytest.raises(CheckFailed, match="off by up to nan"):
        expect_close(torch.tensor([math.nan]), torch.ones(1), "y")


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
    assert out[0] == "✔ ok: correct" and out[1] == "✘ w: the sign is flipped" and out[2].startswith("✘ t: not implemented")
    with pytest.raises(ZeroDivisionError):  # real bugs in the check itself are not hidden
        run_check("bug", lambda: 1 / 0)


# ---- repro
def test_seed_everything_makes_draws_repeat(monkeypatch):
    monkeypatch.delenv("COURSE_THREADS", raising=False)
    seed_everything(7)
    a = torch.rand(3)
    seed_everything(7)
    assert torch.equal(a, torch.rand(3))
    assert torch.are_deterministic_algorithms_enabled() and torch.get_num_threads() == 2
    with pytest.raises(ValueError, match="seed"):
        seed_everything(-1)
    with pytest.raises(ValueError, match="threads"):
        seed_everything(0, threads=0)


def test_course_threads_sets_the_default_thread_count(monkeypatch):
    monkeypatch.setenv("COURSE_THREADS", "1")
    seed_everything(0)
    assert torch.get_num_threads() == 1
    seed_everything(0, threads=2)  # an explicit argument wins
    assert torch.get_num_threads() == 2
    monkeypatch.setenv("COURSE_THREADS", "two")
    with pytest.raises(ValueError, match="COURSE_THREADS must be a positive integer"):
        seed_everything(0)
    monkeypatch.delenv("COURSE_THREADS")
    seed_everything(0)
    assert torch.get_num_threads() == 2


def test_get_device(monkeypatch):
    monkeypatch.delenv("COURSE_DEVICE", raising=False)
    assert get_device().type in {"cpu", "cuda", "mps"}
    assert get_device("cpu") == torch.device("cpu")
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        get_device("tpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(RuntimeError, match="not available"):
        get_device("cuda")


def test_banner_names_versions(capsys):
    print_banner(torch.device("cpu"))
    out = capsys.readouterr().out
    assert f"torch: {torch.__version__}" in out and "device: cpu" in out


# ---- timing
def test_timer_format_matches_the_sanitizer(capsys):
    import configparser, re
    with Timer("step"):
        pass
    line = capsys.readouterr().out.strip()
    assert line.startswith("⏱ step: ") and line.endswith(" s")
    config = configparser.ConfigParser()
    config.read("nbval_sanitize.cfg", encoding="utf-8")
    rule = config["timings"]
    assert re.sub(rule["regex"], rule["replace"], line) == "⏱ step: <seconds> s"
    assert format_seconds("x", 1.26) == "⏱ x: 1.3 s"
    with Timer("quiet", quiet=True) as t:
        pass
    assert t.seconds >= 0 and capsys.readouterr().out == ""


def test_require_layout_names_rank_dtype_and_hint():
    from course_utils.checks import require_layout
    require_layout(torch.zeros(2, 3), "N, F", "x")
    with pytest.raises(ValueError, match=r"x must have shape \(N, T, F\), got \(2, 3\) \(add a dimension\)"):
        require_layout(torch.zeros(2, 3), "N, T, F", "x", hint="add a dimension")
    with pytest.raises(ValueError, match=r"got \(2,\)$"):  # the hint is only for one dimension too few
        require_layout(torch.zeros(2), "N, T, F", "x", hint="add a dimension")
    with pytest.raises(ValueError, match="dtype torch.int64"):
        require_layout(torch.zeros(2, 3), "N, F", "x", dtype=torch.int64)


# ---- legible figures (the `shown` fixture checks every figure it collects; these test the rule and the check)
def test_plotting_figures_have_legible_text(shown, illegible):
    from course_utils.plotting import FIGURE_DPI, SMALL_FONT
    assert SMALL_FONT * FIGURE_DPI / 72 >= 10
    h = History(train_loss=[1.0, 0.5], train_acc=[0.5, 0.7], val_loss=[1.1, 0.6], val_acc=[0.4, 0.6])
    plot_history({"a": h})
    show_images(torch.zeros(3, 3, 4, 4, dtype=torch.uint8), captions=["x", "y", "z"], title="t")
    plot_confusion_matrix(torch.tensor([[3, 1], [0, 4]]), ["x", "y"])
    assert len(shown) == 3
    for fig in shown:
        assert fig.dpi == FIGURE_DPI and illegible(fig) == []
        sizes = [t.get_fontsize() for t in fig.findobj(matplotlib.text.Text) if t.get_text().strip()]
        assert min(sizes) == SMALL_FONT  # the smallest text is exactly the rule's size


def test_legibility_check_catches_small_visible_text_only(illegible):
    import matplotlib.pyplot as plt
    fig, (ax, off) = plt.subplots(1, 2, dpi=80)
    ax.set_title("tiny", fontsize=7)
    ax.text(0.5, 0.5, "ok", fontsize=9)
    ax.text(0.2, 0.2, "hidden", fontsize=5, visible=False)
    ax.text(0.8, 0.8, " ", fontsize=5)
    ax.tick_params(labelsize=8.5)
    off.tick_params(labelsize=5)
    off.axis("off")  # its tick labels are not drawn
    found = illegible(fig)
    assert ("tiny", 7.0) in found and all(size == 8.5 for text, size in found if text != "tiny")
    assert len(found) > 1 and not any(text in ("ok", "hidden", " ") for text, _ in found)
    fig.set_dpi(120)  # 7 pt is 11.7 px at 120 dpi
    assert illegible(fig) == []
    plt.close(fig)
