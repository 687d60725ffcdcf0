import functools

import pytest
import torch

import course_utils.data as data_module


@pytest.fixture
def tiny_build(monkeypatch):
    """Make load_dataset build a small photo_digits (same code, fewer images) so tests stay fast."""
    small = functools.partial(data_module.build_photo_digits, train_size=64, test_size=16)
    calls = []

    def counting_build():
        calls.append(1)
        return small()

    monkeypatch.setattr(data_module, "build_photo_digits", counting_build)
    return calls


@pytest.fixture
def images():
    """A tiny uint8 batch whose pixels encode their position, so crops and flips are checkable."""
    base = torch.arange(6 * 6, dtype=torch.uint8).view(1, 1, 6, 6)
    return base.repeat(16, 3, 1, 1)


@pytest.fixture
def shown(monkeypatch):
    """The figures that plotting helpers pass to plt.show() (they call it themselves and return None)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figures = []
    monkeypatch.setattr(plt, "show", lambda *args, **kwargs: figures.append(plt.gcf()))
    return figures
