"""course_utils.plotting: every static figure draws, checks its input and stays legible."""


import matplotlib
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.text
import pytest  # noqa: E402
import torch  # noqa: E402
from torchvision.transforms import v2

from course_utils import (
    plot_accuracy_vs_shift,
    plot_confusion_matrix,
    plot_curves,
    plot_feature_maps,
    plot_filters,
    plot_gradients,
    plot_history,
    plot_sweep,
    plot_weight_histograms,
    show_frame_strips,
    show_images,
    show_scenes,
    show_settings,
)
from course_utils._figures import _to_display
from course_utils.datasets.moving_digits import _VIDEO_CLASSES
from course_utils.training import History


def _photo(h=20, w=24):
    return torch.randint(0, 256, (3, h, w), generator=torch.Generator().manual_seed(0), dtype=torch.uint8)


def _images(n=10, size=16):
    return torch.randint(0, 256, (n, 3, size, size), generator=torch.Generator().manual_seed(1), dtype=torch.uint8)


def test_plot_curves_draws_one_line_per_curve_and_the_hline(shown):
    curves = {"a": [1, 2, 3], "b": torch.tensor([3.0, 2.0, 1.0])}
    assert plot_curves([1, 2, 3], curves, "t", "x", "y", hline=(1.5, "floor")) is None
    fig = shown[-1]
    ax = fig.axes[0]
    assert len(ax.lines) == 3 and ax.get_title() == "t" and ax.get_xlabel() == "x"


def test_plot_curves_rejects_bad_input():
    with pytest.raises(ValueError, match="empty"):
        plot_curves([1, 2], {}, "t", "x", "y")
    with pytest.raises(ValueError, match="shape"):
        plot_curves([1, 2], {"a": [1, 2, 3]}, "t", "x", "y")


def test_plot_gradients_uses_magnitudes_on_a_log_axis(shown):
    z = torch.linspace(-2, 2, 5)
    assert plot_gradients(z, {"ce": -torch.ones(5)}) is None
    fig = shown[-1]
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert (ax.lines[0].get_ydata() == 1).all()


def test_plot_curves_text_is_legible(shown, illegible):
    from course_utils.plotting import _SMALL_FONT, FIGURE_DPI
    plot_curves([1, 2, 3], {"a": [1.0, 2.0, 3.0], "b": [3.0, 2.0, 1.0]}, "t", xlabel="x", ylabel="y", hline=(2.0, "h"))
    fig = shown[0]
    assert fig.dpi == FIGURE_DPI and illegible(fig) == []
    assert [t.get_fontsize() for t in fig.axes[0].get_legend().get_texts()] == [_SMALL_FONT] * 3


# ---- figures (the `shown` fixture also checks that their text is legible)
def test_plot_weight_histograms(shown):
    weights = {"none": torch.linspace(-0.2, 0.2, 50), "L1 penalty": torch.zeros(50)}
    assert plot_weight_histograms(weights, threshold=1e-3) is None
    assert [ax.get_title() for ax in shown[-1].axes] == ["none: 0% near 0", "L1 penalty: 100% near 0"]
    plot_weight_histograms({"one": torch.zeros(4)})
    assert len(shown[-1].axes) == 1
    with pytest.raises(ValueError, match="empty"):
        plot_weight_histograms({})


SMALL = dict(train_per_class=2, test_per_class=1, frames=8, size=16)


def test_show_frame_strips_draws_one_row_per_clip(shown):
    videos = torch.randint(0, 256, (2, 3, 3, 8, 8), generator=torch.Generator().manual_seed(0), dtype=torch.uint8)
    assert show_frame_strips(videos, torch.tensor([0, 5]), _VIDEO_CLASSES, title="clips") is None
    fig = shown[-1]
    assert len([ax for ax in fig.axes if ax.images]) == 6 and fig.get_suptitle() == "clips"
    assert [ax.get_title() for ax in fig.axes[:3]] == ["t=0", "t=1", "t=2"]
    assert [fig.axes[0].get_ylabel(), fig.axes[3].get_ylabel()] == ["right", "shrink"]
    show_frame_strips(torch.rand(1, 2, 1, 8, 8), [3], _VIDEO_CLASSES)  # float, one channel
    assert len(shown) == 2
    with pytest.raises(ValueError, match="2 clips but 1 labels"):
        show_frame_strips(videos, [0], _VIDEO_CLASSES)


def test_plots_draw_and_check_shapes(shown):
    assert plot_filters(torch.randn(8, 3, 3, 3), ncols=4) is None
    fig = shown[-1]
    assert len([ax for ax in fig.axes if ax.images]) == 8
    with pytest.raises(ValueError, match="first layer"):
        plot_filters(torch.randn(8, 32, 3, 3))
    assert plot_feature_maps({"a": torch.randn(1, 4, 8, 8), "b": torch.randn(1, 2, 4, 4)}, n_maps=3) is None
    fig = shown[-1]
    assert len([ax for ax in fig.axes if ax.images]) == 5
    with pytest.raises(ValueError, match="empty"):
        plot_feature_maps({})
    with pytest.raises(ValueError, match="'a' must have shape"):
        plot_feature_maps({"a": torch.randn(4, 8, 8)})


def test_plot_sweep_and_accuracy_plot(shown):
    photo = _images(1, 20)[0]
    assert plot_sweep(photo, lambda d: v2.RandomRotation((d, d)), [0, 45, 90], "rotation") is None
    fig = shown[-1]
    assert len(fig.axes) == 3 and fig.axes[2].get_title() == "90"
    with pytest.raises(ValueError, match="one \\(C, H, W\\)"):
        plot_sweep(photo[None], lambda d: v2.RandomRotation((d, d)), [0], "x")
    results = {"a": {"rotation": [0.9, 0.5], "combined": [0.9, 0.4]},
               "b": {"rotation": [0.8, 0.7], "combined": [0.8, 0.6]}}
    assert plot_accuracy_vs_shift(results, levels=[0, 1]) is None
    fig = shown[-1]
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == 2
    with pytest.raises(ValueError, match="2 accuracies for 3 levels"):
        plot_accuracy_vs_shift(results, levels=[0, 1, 2])


def test_show_settings_draws_one_panel_per_setting(shown):
    assert show_settings(_photo(), [{}, {"angle": 30.0}, {"flip": True}]) is None
    fig = shown[-1]
    assert len(fig.axes) == 3 and fig.axes[1].get_title() == "angle=30"
    with pytest.raises(ValueError, match="settings is empty"):
        show_settings(_photo(), [])
    show_settings(_photo(), [{"translate_x": 0.25, "translate_y": -0.1, "flip": True}])
    assert shown[-1].axes[0].get_title() == "translate_x=0.25\ntranslate_y=-0.1\nflip"
    figures = plt.get_fignums()
    with pytest.raises(ValueError, match="unknown setting"):
        show_settings(_photo(), [{}, {"zoom": 2.0}])
    assert plt.get_fignums() == figures  # a bad setting raises before a figure is made


# ---- plotting
def test_to_display_converts_layout_and_range():
    x = torch.full((2, 3, 4, 5), 255, dtype=torch.uint8)
    out = _to_display(x)
    assert out.shape == (2, 4, 5, 3) and out.max() == 1.0
    assert _to_display(torch.zeros(1, 1, 2, 2)).shape == (1, 2, 2, 3)


def test_show_images_titles_with_class_names(shown):
    images = torch.zeros(3, 3, 4, 4, dtype=torch.uint8)
    assert show_images(images, labels=[0, 1, 2], class_names=["a", "b", "c"], ncols=2, title="t") is None
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


# ---- legible figures (the `shown` fixture checks every figure it collects; these test the rule and the check)
def test_plotting_figures_have_legible_text(shown, illegible):
    from course_utils.plotting import _SMALL_FONT, FIGURE_DPI
    assert _SMALL_FONT * FIGURE_DPI / 72 >= 10
    h = History(train_loss=[1.0, 0.5], train_acc=[0.5, 0.7], val_loss=[1.1, 0.6], val_acc=[0.4, 0.6])
    plot_history({"a": h})
    show_images(torch.zeros(3, 3, 4, 4, dtype=torch.uint8), captions=["x", "y", "z"], title="t")
    plot_confusion_matrix(torch.tensor([[3, 1], [0, 4]]), ["x", "y"])
    assert len(shown) == 3
    for fig in shown:
        assert fig.dpi == FIGURE_DPI and illegible(fig) == []
        sizes = [t.get_fontsize() for t in fig.findobj(matplotlib.text.Text) if t.get_text().strip()]
        assert min(sizes) == _SMALL_FONT  # the smallest text is exactly the rule's size


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


def test_show_scenes_draws_boxes_labels_and_masks(shown):
    images = _images(3, 20)
    boxes = torch.tensor([[[1, 2, 9, 12], [0, 0, 0, 0]],
                          [[3, 3, 8, 8], [10, 10, 19, 18]],
                          [[0, 0, 5, 5], [0, 0, 0, 0]]], dtype=torch.float32)
    labels = torch.tensor([[4, -1], [1, 7], [0, -1]])
    masks = torch.zeros(3, 20, 20, dtype=torch.uint8)
    masks[1, 4:7, 4:7] = 1
    show_scenes(images, boxes, labels, masks, class_names=[str(d) for d in range(10)], ncols=3, title="scenes")
    axes = shown[-1].axes
    assert [len(ax.patches) for ax in axes] == [1, 2, 1]  # the empty slots (-1) draw nothing
    assert [t.get_text() for t in axes[1].texts] == ["1", "7"]
    assert len(axes[1].images) == 2 and len(axes[0].images) == 2  # the photo and the mask tint
    show_scenes(images, boxes)  # boxes alone, without classes
    assert [len(ax.patches) for ax in shown[-1].axes] == [1, 2, 1] and not shown[-1].axes[0].texts


def test_show_scenes_rejects_mismatched_answers(shown):
    images = _images(2, 16)
    with pytest.raises(ValueError, match="boxes"):
        show_scenes(images, torch.zeros(3, 1, 4))
    with pytest.raises(ValueError, match="labels"):
        show_scenes(images, torch.zeros(2, 1, 4), labels=torch.zeros(2, 2, dtype=torch.long))
    with pytest.raises(ValueError, match="masks"):
        show_scenes(images, masks=torch.zeros(2, 8, 8))
