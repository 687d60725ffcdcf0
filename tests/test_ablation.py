"""course_utils.ablation (03_regularization): configurations, runs over seeds, label noise."""

import pytest
import torch
import torch.nn as nn

from course_utils import small_digits
from course_utils.ablation import AblationResult, Config, Run, flip_labels, run_ablation
from course_utils.models import MLP
from course_utils.penalties import flat_weights, weight_parameters
from course_utils.training import History


def _l1(model: nn.Module) -> torch.Tensor:
    return sum(w.abs().sum() for w in weight_parameters(model))


def _l2(model: nn.Module) -> torch.Tensor:
    return 0.5 * sum(w.pow(2).sum() for w in weight_parameters(model))


def test_config_validation_and_optimizers(small_linear_model):
    with pytest.raises(ValueError, match="optimizer"):
        Config(optimizer="rmsprop")
    with pytest.raises(ValueError, match="strength >= 0"):
        Config(penalty=_l1, strength=-1.0)
    with pytest.raises(ValueError, match="strength needs a penalty"):
        Config(strength=1.0)
    model = MLP(image_size=8, in_channels=1, hidden=(4, 4))
    optimizer = Config(optimizer="adamw", weight_decay=0.5).make_optimizer(model)
    assert isinstance(optimizer, torch.optim.AdamW)
    decays = [g["weight_decay"] for g in optimizer.param_groups]
    assert decays == [0.5, 0.0] and len(optimizer.param_groups[0]["params"]) == 3
    assert Config().loss_term() is None and Config(penalty=_l1).loss_term() is None
    assert Config(penalty=_l1, strength=2.0).loss_term()(small_linear_model).item() == pytest.approx(22.0)
    with pytest.raises(ValueError, match="dropout"):
        MLP(dropout=1.0)


def test_sgd_l2_penalty_equals_weight_decay():
    torch.manual_seed(0)
    x, y = torch.randn(8, 1, 8, 8), torch.randint(0, 10, (8,))
    results = []
    for decay, strength in [(0.0, 0.1), (0.1, 0.0)]:
        torch.manual_seed(1)
        model = MLP(image_size=8, in_channels=1, hidden=(8, 8))
        optimizer = Config(optimizer="sgd", lr=0.1, weight_decay=decay).make_optimizer(model)
        for _ in range(3):
            optimizer.zero_grad()
            (nn.functional.cross_entropy(model(x), y) + strength * _l2(model)).backward()
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


def test_run_ablation_with_a_cnn_and_measured_table():
    from course_utils import small_photo_digits
    from course_utils.models import make_cnn

    data = small_photo_digits(n_train=20, n_val=10, seed=0)
    result = run_ablation({"none": Config(), "drop": Config(dropout=0.5)}, [0], data, epochs=1, batch_size=10,
                          model_fn=lambda p: make_cnn(width=2, hidden=4, dropout=p))
    assert result.runs["none"][0].weights.numel() == 2 * 27 + 4 * 18 + 4 * 4 * 64 + 10 * 4
    row = result.table()[0]
    assert row["config"] == "none" and row["seeds"] == 1
