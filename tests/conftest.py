import functools

import pytest
import torch
import torch.nn as nn

import course_utils.datasets.photo_digits as photo_digits_module
from course_utils.ablation import AblationResult, Config, Run
from course_utils.training import History


@pytest.fixture
def tiny_build(monkeypatch):
    """Make load_dataset build a small photo_digits (same code, fewer images) so tests stay fast."""
    small = functools.partial(photo_digits_module._build_photo_digits, train_size=64, test_size=16)
    calls = []

    def counting_build():
        calls.append(1)
        return small()

    monkeypatch.setattr(photo_digits_module, "_build_photo_digits", counting_build)
    return calls


@pytest.fixture
def images():
    """A tiny uint8 batch whose pixels encode their position, so crops and flips are checkable."""
    base = torch.arange(6 * 6, dtype=torch.uint8).view(1, 1, 6, 6)
    return base.repeat(16, 3, 1, 1)


MIN_TEXT_PX = 10  # course_utils.plotting: _SMALL_FONT points at FIGURE_DPI


def _drawn_texts(fig):
    """The non-empty Text artists of ``fig`` that a draw shows: visible ones, leaving out the tick
    and axis labels of axes turned off with ``ax.axis("off")`` (they exist but are not drawn)."""
    import matplotlib.text

    hidden = set()
    for ax in fig.axes:
        if not ax.get_visible():
            hidden.update(map(id, ax.findobj(matplotlib.text.Text)))
        elif not ax.axison:
            for axis in (ax.xaxis, ax.yaxis):
                hidden.update(map(id, axis.findobj(matplotlib.text.Text)))
    return [t for t in fig.findobj(matplotlib.text.Text)
            if t.get_visible() and t.get_text().strip() and id(t) not in hidden]


def illegible_texts(fig):
    """``(text, fontsize)`` of every drawn text of ``fig`` under MIN_TEXT_PX pixels tall."""
    fig.canvas.draw()
    return [(t.get_text(), t.get_fontsize()) for t in _drawn_texts(fig)
            if t.get_fontsize() * fig.dpi / 72 < MIN_TEXT_PX]


@pytest.fixture
def illegible():
    """The check `shown` runs at teardown, for tests of the check itself: figure -> [(text, fontsize)]."""
    return illegible_texts


@pytest.fixture
def shown(monkeypatch):
    """The figures that plotting helpers pass to plt.show() (they call it themselves and return None).

    At teardown each figure is drawn and every visible text in it (titles, tick and axis labels,
    legends, texts inside axes) must be at least MIN_TEXT_PX pixels tall, so every test that draws
    through this fixture also checks that its figures are legible at 100% zoom.
    """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figures = []
    monkeypatch.setattr(plt, "show", lambda *args, **kwargs: figures.append(plt.gcf()))
    yield figures
    try:
        for number, fig in enumerate(figures):
            small = illegible_texts(fig)
            title = fig.get_suptitle()
            assert not small, (
                f"figure {number} ({title!r}, dpi {fig.dpi:g}) has text under {MIN_TEXT_PX} px "
                f"(fontsize * dpi / 72): {small}; use course_utils.plotting._SMALL_FONT (or larger) "
                "and FIGURE_DPI")
    finally:
        for fig in figures:
            plt.close(fig)


@pytest.fixture
def small_linear_model() -> nn.Module:
    """Linear(2, 3) -> ReLU -> Linear(3, 1) with known weights: |w| sums to 11, biases 10 and -7."""
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[1.0, -2.0], [0.5, 0.0], [-1.0, 3.0]]))
        model[0].bias.fill_(10.0)
        model[2].weight.copy_(torch.tensor([[2.0, -1.0, 0.5]]))
        model[2].bias.fill_(-7.0)
    return model


@pytest.fixture
def ablation_result() -> AblationResult:
    """A hand-made two-config, two-seed result: no training, so the figure tests stay fast."""
    def run(seed, test_acc, best_epoch=None):
        history = History(train_loss=[1.0, 0.8, 0.6], train_acc=[0.5, 0.7, 0.9], val_loss=[1.1, 0.9, 1.0],
                          val_acc=[0.4, 0.6, 0.55], best_epoch=best_epoch)
        return Run(seed, history, 0.9, test_acc, torch.linspace(-0.2, 0.2, 50))
    return AblationResult({"none": Config(), "early stopping": Config(patience=1)},
                          {"none": [run(0, 0.5), run(1, 0.6)], "early stopping": [run(0, 0.6, 2), run(1, 0.7, 2)]})
