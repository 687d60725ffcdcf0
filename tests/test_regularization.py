"""Unit tests of course_utils.regularization (03_regularization)."""

import pytest
import torch
import torch.nn as nn

from course_utils.regularization import (
    AblationResult, Config, Run, curve_explorer, format_table, l1_penalty, l2_penalty, make_mlp, near_zero_fraction,
    plot_curves, plot_results, plot_weight_histograms, run_ablation, small_digits, weight_parameters, flat_weights,
    flip_labels,
)
from course_utils.training import History


def _model() -> nn.Module:
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[1.0, -2.0], [0.5, 0.0], [-1.0, 3.0]]))
        model[0].bias.fill_(10.0)
        model[2].weight.copy_(torch.tensor([[2.0, -1.0, 0.5]]))
        model[2].bias.fill_(-7.0)
    return model


def test_penalties_cover_weights_only():
    model = _model()
    assert l1_penalty(model).item() == pytest.approx(7.5 + 3.5)
    assert l2_penalty(model).item() == pytest.approx(0.5 * (15.25 + 5.25))
    assert [tuple(w.shape) for w in weight_parameters(model)] == [(3, 2), (1, 3)]
    assert flat_weights(model).shape == (9,)


def test_l2_gradient_is_w_and_l1_gradient_is_sign():
    model = _model()
    l2_penalty(model).backward()
    assert torch.equal(model[0].weight.grad, model[0].weight.detach())
    assert model[0].bias.grad is None
    model.zero_grad()
    l1_penalty(model).backward()
    assert torch.equal(model[2].weight.grad, model[2].weight.detach().sign())


def test_penalty_errors():
    with pytest.raises(TypeError, match="nn.Module"):
        l1_penalty(torch.zeros(3))
    with pytest.raises(ValueError, match="no weight matrices"):
        l2_penalty(nn.ReLU())


def test_near_zero_fraction():
    w = torch.tensor([0.0, 5e-4, -5e-4, 0.1, -0.2])
    assert near_zero_fraction(w, 1e-3) == pytest.approx(0.6)
    with pytest.raises(ValueError, match="non-empty"):
        near_zero_fraction(torch.tensor([]))
    with pytest.raises(ValueError, match="threshold"):
        near_zero_fraction(w, 0.0)


def test_small_digits_split_is_balanced_and_disjoint():
    data = small_digits(n_train=30, n_val=20, seed=0)
    assert data.train_images.shape == (30, 1, 8, 8) and data.train_images.dtype == torch.uint8
    assert torch.bincount(data.train_labels, minlength=10).tolist() == [3] * 10
    assert torch.bincount(data.val_labels, minlength=10).tolist() == [2] * 10
    assert len(data.test_labels) == 1797 - 50
    assert int(data.train_images.max()) == 255
    with pytest.raises(ValueError, match="multiples of 10"):
        small_digits(n_train=25)


def test_config_validation_and_optimizers():
    with pytest.raises(ValueError, match="optimizer"):
        Config(optimizer="rmsprop")
    with pytest.raises(ValueError, match="weight_decay"):
        Config(l1=-1.0)
    model = make_mlp(hidden=4)
    optimizer = Config(optimizer="adamw", weight_decay=0.5).make_optimizer(model)
    assert isinstance(optimizer, torch.optim.AdamW)
    decays = [g["weight_decay"] for g in optimizer.param_groups]
    assert decays == [0.5, 0.0] and len(optimizer.param_groups[0]["params"]) == 3
    assert Config().penalty() is None
    assert Config(l1=2.0).penalty()(_model()).item() == pytest.approx(22.0)
    with pytest.raises(ValueError, match="dropout"):
        make_mlp(dropout=1.0)


def test_sgd_l2_penalty_equals_weight_decay():
    torch.manual_seed(0)
    x, y = torch.randn(8, 64), torch.randint(0, 10, (8,))
    results = []
    for decay, strength in [(0.0, 0.1), (0.1, 0.0)]:
        torch.manual_seed(1)
        model = make_mlp(hidden=8)
        optimizer = Config(optimizer="sgd", lr=0.1, weight_decay=decay).make_optimizer(model)
        for _ in range(3):
            optimizer.zero_grad()
            (nn.functional.cross_entropy(model(x), y) + strength * l2_penalty(model)).backward()
            optimizer.step()
        results.append(flat_weights(model))
    assert torch.allclose(results[0], results[1], atol=1e-6)


def test_run_ablation_table_and_determinism():
    data = small_digits(n_train=10, n_val=10, seed=1)
    configs = {"none": Config(), "es": Config(patience=1)}
    a = run_ablation(configs, [0, 1], data, epochs=3, batch_size=5, hidden=8)
    b = run_ablation(configs, [0, 1], data, epochs=3, batch_size=5, hidden=8)
    rows = a.table()
    assert [r["config"] for r in rows] == ["none", "es"] and rows[0]["seeds"] == 2
    assert [r.test_acc for r in a.runs["none"]] == [r.test_acc for r in b.runs["none"]]
    tests = [100 * r.test_acc for r in a.runs["none"]]
    assert rows[0]["test_mean"] == pytest.approx(sum(tests) / 2)
    gaps = [100 * r.gap for r in a.runs["none"]]
    assert rows[0]["gap_mean"] == pytest.approx(sum(gaps) / 2)
    assert a.runs["none"][0].history.epochs == 3 and len(a.runs["none"][0].history.val_acc) == 3
    text = format_table(a)
    assert text.splitlines()[0].startswith("config") and "±" in text
    with pytest.raises(ValueError, match="empty"):
        run_ablation({}, [0], data)
    with pytest.raises(ValueError, match="seeds"):
        run_ablation(configs, [], data)
    with pytest.raises(TypeError, match="Config"):
        run_ablation({"x": {"l2": 1.0}}, [0], data)


def test_ablation_result_merge_and_lookup():
    run = Run(0, History(), 1.0, 0.8, torch.zeros(3))
    a = AblationResult({"a": Config()}, {"a": [run]})
    b = AblationResult({"b": Config()}, {"b": [run]})
    merged = a.merge(b)
    assert list(merged.runs) == ["a", "b"] and merged.mean_test_acc("b") == pytest.approx(0.8)
    assert run.gap == pytest.approx(0.2)
    assert merged.table()[0]["test_std"] == 0.0
    with pytest.raises(ValueError, match="both"):
        a.merge(a)
    with pytest.raises(KeyError, match="no config"):
        a.mean_test_acc("zzz")


def test_flip_labels_exact_fraction_never_true_label_deterministic():
    labels = torch.arange(10).repeat(20)  # 200 labels, 20 per class
    noisy = flip_labels(labels, 0.3, seed=1)
    changed = noisy != labels
    assert changed.sum().item() == 60  # exactly round(0.3 * 200), and every chosen one really changes
    assert noisy.dtype == labels.dtype and noisy.min() >= 0 and noisy.max() <= 9
    assert torch.equal(noisy, flip_labels(labels, 0.3, seed=1))
    assert not torch.equal(noisy, flip_labels(labels, 0.3, seed=2))
    assert torch.equal(labels, torch.arange(10).repeat(20))  # input untouched
    assert torch.equal(flip_labels(labels, 0.0), labels)
    assert (flip_labels(labels, 1.0, seed=3) != labels).all()
    assert (flip_labels(torch.tensor([0, 1, 0, 1]), 1.0, num_classes=2) == torch.tensor([1, 0, 1, 0])).all()


def test_flip_labels_rejects_bad_input():
    with pytest.raises(ValueError, match="fraction"):
        flip_labels(torch.tensor([0, 1]), 1.5)
    with pytest.raises(ValueError, match="1-D integer"):
        flip_labels(torch.tensor([0.0, 1.0]), 0.5)
    with pytest.raises(ValueError, match="num_classes"):
        flip_labels(torch.tensor([0, 12]), 0.5, num_classes=10)
    with pytest.raises(ValueError, match="num_classes"):
        flip_labels(torch.tensor([0, 0]), 0.5, num_classes=1)


def test_make_cnn_shapes_dropout_and_errors():
    from course_utils.regularization import make_cnn

    model = make_cnn(width=4, hidden=8, dropout=0.5)
    assert model(torch.zeros(2, 3, 32, 32)).shape == (2, 10)
    assert [tuple(w.shape) for w in weight_parameters(model)] == [(4, 3, 3, 3), (8, 4, 3, 3), (8, 8 * 8 * 8), (10, 8)]
    assert [m.p for m in model if isinstance(m, nn.Dropout)] == [0.5, 0.5]
    with pytest.raises(ValueError, match="dropout"):
        make_cnn(dropout=1.0)
    with pytest.raises(ValueError, match="divisible by 4"):
        make_cnn(image_size=30)


def test_small_photo_digits_split_balanced_disjoint(tmp_path):
    from course_utils.data import load_dataset
    from course_utils.regularization import small_photo_digits

    data = small_photo_digits(n_train=40, n_val=20, seed=0)
    full = load_dataset("photo_digits")
    assert data.train_images.shape == (40, 3, 32, 32) and data.train_images.dtype == torch.uint8
    assert torch.bincount(data.train_labels, minlength=10).tolist() == [4] * 10
    assert torch.bincount(data.val_labels, minlength=10).tolist() == [2] * 10
    assert torch.equal(data.test_images, full.test_images)
    # no image is both a training and a validation image
    flat_train = {bytes(x.numpy()) for x in data.train_images}
    assert not any(bytes(x.numpy()) in flat_train for x in data.val_images)
    with pytest.raises(ValueError, match="multiples of 10"):
        small_photo_digits(n_train=45)
    with pytest.raises(ValueError, match="per class"):
        small_photo_digits(n_train=6000, n_val=100)


def test_run_ablation_with_a_cnn_and_measured_table():
    from course_utils.regularization import make_cnn, small_photo_digits

    data = small_photo_digits(n_train=20, n_val=10, seed=0)
    result = run_ablation({"none": Config(), "drop": Config(dropout=0.5)}, [0], data, epochs=1, batch_size=10,
                          model_fn=lambda p: make_cnn(width=2, hidden=4, dropout=p))
    assert result.runs["none"][0].weights.numel() == 2 * 27 + 4 * 18 + 4 * 4 * 64 + 10 * 4
    line = format_table(result).splitlines()[1]
    assert line.startswith("none") and line.count("≈") == 4


# ---- figures (the `shown` fixture also checks that their text is legible)
def _result() -> AblationResult:
    """A hand-made two-config, two-seed result: no training, so the figure tests stay fast."""
    def run(seed, test_acc, best_epoch=None):
        history = History(train_loss=[1.0, 0.8, 0.6], train_acc=[0.5, 0.7, 0.9], val_loss=[1.1, 0.9, 1.0],
                          val_acc=[0.4, 0.6, 0.55], best_epoch=best_epoch)
        return Run(seed, history, 0.9, test_acc, torch.linspace(-0.2, 0.2, 50))
    return AblationResult({"none": Config(), "early stopping": Config(patience=1)},
                          {"none": [run(0, 0.5), run(1, 0.6)], "early stopping": [run(0, 0.6, 2), run(1, 0.7, 2)]})


def test_plot_results_and_weight_histograms(shown):
    result = _result()
    assert plot_results(result) is None
    ax_acc, ax_gap = shown[-1].axes
    assert [t.get_text() for t in ax_acc.get_yticklabels()] == ["none", "early stopping"] and len(ax_gap.lines) >= 1
    weights = {"none": torch.linspace(-0.2, 0.2, 50), "L1 penalty": torch.zeros(50)}
    assert plot_weight_histograms(weights, threshold=1e-3) is None
    assert [ax.get_title() for ax in shown[-1].axes] == ["none: 0% near 0", "L1 penalty: 100% near 0"]
    plot_weight_histograms({"one": torch.zeros(4)})
    assert len(shown[-1].axes) == 1
    with pytest.raises(ValueError, match="empty"):
        plot_weight_histograms({})


def test_plot_curves_and_curve_explorer(shown):
    result = _result()
    assert plot_curves(result, ["none", "early stopping"], seed_index=1) is None
    ax = shown[-1].axes[0]
    assert len(ax.get_legend().get_texts()) == 4 and len(ax.lines) == 5  # 2 x (train, val) + best epoch
    with pytest.raises(ValueError, match="at least one"):
        plot_curves(result, [])
    with pytest.raises(KeyError, match="no config named 'zzz'"):
        plot_curves(result, ["zzz"])
    explorer = curve_explorer(result)
    assert len(shown) == 1  # nothing drawn until the reader interacts
    picker, seed = explorer.children[0].children
    assert picker.value == ("none", "early stopping") and seed.max == 1
    seed.value = 1
    assert len(shown) == 2 and len(shown[-1].axes[0].get_legend().get_texts()) == 4
