"""Tests of course_utils.losses (01_cross_entropy's helpers) and the reference losses in solutions.nb01."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from course_utils.losses import load_digits_split, minibatches, numerical_gradient, plot_curves, plot_gradients  # noqa: E402
from course_utils.solutions import nb01 as ref  # noqa: E402


@pytest.fixture(autouse=True)
def _no_show(monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: None)
    yield
    plt.close("all")


# --- load_digits_split -------------------------------------------------------------------------

def test_digits_split_shapes_dtypes_and_stratification():
    d = load_digits_split(test_fraction=0.25, seed=0)
    assert d.train_images.shape == (1347, 1, 8, 8) and d.test_images.shape == (450, 1, 8, 8)
    assert d.train_images.dtype == torch.uint8 and d.train_labels.dtype == torch.int64
    assert int(d.train_images.max()) == 16 and d.max_pixel == 16 and d.num_classes == 10
    # every class keeps about a quarter of its examples in the test split
    total = torch.bincount(d.train_labels, minlength=10) + torch.bincount(d.test_labels, minlength=10)
    share = torch.bincount(d.test_labels, minlength=10) / total
    assert ((share - 0.25).abs() < 0.01).all()


def test_digits_split_is_deterministic_and_seed_dependent():
    a, b, c = load_digits_split(seed=0), load_digits_split(seed=0), load_digits_split(seed=1)
    assert torch.equal(a.test_images, b.test_images) and torch.equal(a.test_labels, b.test_labels)
    assert not torch.equal(a.test_images, c.test_images)


@pytest.mark.parametrize("fraction", [0, 1, -0.1, 1.5])
def test_digits_split_rejects_bad_fraction(fraction):
    with pytest.raises(ValueError, match="test_fraction"):
        load_digits_split(test_fraction=fraction)


def test_digits_split_rejects_bad_seed():
    with pytest.raises(ValueError, match="seed"):
        load_digits_split(seed=-1)


# --- minibatches ------------------------------------------------------------------------------

def test_minibatches_cover_a_permutation():
    batches = minibatches(10, 4, torch.Generator().manual_seed(0))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(torch.cat(batches).tolist()) == list(range(10))


def test_minibatches_rejects_bad_sizes():
    with pytest.raises(ValueError, match="batch_size"):
        minibatches(10, 0, torch.Generator())


# --- numerical_gradient -----------------------------------------------------------------------

def test_numerical_gradient_matches_exact_gradient():
    x = torch.tensor([[1.0, -2.0], [0.5, 3.0]], dtype=torch.float64)
    grad = numerical_gradient(lambda v: (v ** 3).sum(), x, eps=1e-5)
    assert grad.shape == x.shape
    assert torch.allclose(grad, 3 * x ** 2, atol=1e-8, rtol=0)
    assert torch.equal(x, torch.tensor([[1.0, -2.0], [0.5, 3.0]], dtype=torch.float64))  # x untouched


def test_numerical_gradient_of_cross_entropy_agrees_with_p_minus_y():
    logits = torch.tensor([[2.0, -1.0, 0.5], [0.0, 0.3, -0.7]], dtype=torch.float64)
    targets = torch.tensor([1, 2])
    grad = numerical_gradient(lambda v: ref.cross_entropy(v, targets), logits)
    assert (grad - ref.cross_entropy_grad(logits, targets)).abs().max() < 1e-8


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


# --- plots ------------------------------------------------------------------------------------

def test_plot_curves_draws_one_line_per_curve_and_the_hline(shown):
    assert plot_curves([1, 2, 3], {"a": [1, 2, 3], "b": torch.tensor([3.0, 2.0, 1.0])}, "t", "x", "y", hline=(1.5, "floor")) is None
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


# --- reference losses -------------------------------------------------------------------------

def test_reference_cross_entropy_matches_torch_and_is_stable():
    logits = torch.tensor([[1.0, 2.0, -1.0], [1000.0, 0.0, -1000.0]], dtype=torch.float64)
    targets = torch.tensor([2, 1])
    assert torch.isclose(ref.cross_entropy(logits, targets), F.cross_entropy(logits, targets))
    assert torch.isfinite(ref.softmax(logits)).all()
    assert torch.allclose(ref.softmax(logits), logits.softmax(1))


def test_reference_cross_entropy_grad_matches_autograd():
    logits = torch.randn(4, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(0)).requires_grad_()
    targets = torch.tensor([0, 4, 2, 2])
    (auto,) = torch.autograd.grad(ref.cross_entropy(logits, targets), logits)
    assert (auto - ref.cross_entropy_grad(logits.detach(), targets)).abs().max() < 1e-15


def test_reference_bce_and_its_gradient():
    z = torch.tensor([-2.0, 0.5, 3.0], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([1.0, 0.0, 1.0], dtype=torch.float64)
    loss = ref.bce(z, y)
    assert torch.isclose(loss, F.binary_cross_entropy_with_logits(z, y))
    (auto,) = torch.autograd.grad(loss, z)
    assert torch.allclose(auto, ref.bce_grad(z.detach(), y))


def test_reference_mse_on_probs_value():
    logits = torch.zeros(1, 4, dtype=torch.float64)  # p = 0.25 everywhere, target class 0
    expected = 0.5 * (0.75 ** 2 + 3 * 0.25 ** 2)
    assert ref.mse_on_probs(logits, torch.tensor([0])).item() == pytest.approx(expected)


def test_plot_curves_text_is_legible(shown, illegible):
    from course_utils.plotting import FIGURE_DPI, SMALL_FONT
    plot_curves([1, 2, 3], {"a": [1.0, 2.0, 3.0], "b": [3.0, 2.0, 1.0]}, "t", xlabel="x", ylabel="y", hline=(2.0, "h"))
    fig = shown[0]
    assert fig.dpi == FIGURE_DPI and illegible(fig) == []
    assert [t.get_fontsize() for t in fig.axes[0].get_legend().get_texts()] == [SMALL_FONT] * 3
