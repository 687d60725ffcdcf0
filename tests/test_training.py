import pytest
import torch
import torch.nn as nn

from course_utils.loading import BatchLoader
from course_utils.repro import seed_everything
from course_utils.training import (
    EarlyStopping,
    _progress_enabled,
    evaluate,
    fit,
    image_accuracy,
    predict,
    set_batchnorm_eval,
)


def separable(n=64, seed=0):
    """Two classes a linear model separates: class = whether the red channel is bright."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 2, (n,), generator=g)
    images = torch.randint(0, 100, (n, 3, 4, 4), dtype=torch.uint8, generator=g)
    images[:, 0] += (labels * 150).to(torch.uint8).view(n, 1, 1)
    return images, labels


def model():
    return nn.Sequential(nn.Flatten(), nn.Linear(48, 2))


def test_fit_learns_and_records_history():
    seed_everything(0)
    images, labels = separable()
    net = model()
    train = BatchLoader(images, labels, 16, shuffle=True)
    val = BatchLoader(*separable(32, seed=1), 32)
    history = fit(net, train, torch.optim.Adam(net.parameters(), 0.05), epochs=8, val_loader=val, progress=False)
    assert history.epochs == 8 and len(history.val_acc) == 8
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.val_acc[-1] >= 0.9
    loss, acc = evaluate(net, val)
    assert acc == pytest.approx(history.val_acc[-1]) and loss == pytest.approx(history.val_loss[-1])


def test_fit_is_deterministic():
    runs = []
    for _ in range(2):
        seed_everything(3)
        net = model()
        loader = BatchLoader(*separable(), 16, shuffle=True, seed=3)
        h = fit(net, loader, torch.optim.SGD(net.parameters(), 0.1), 3, progress=False)
        runs.append(h.train_loss)
    assert runs[0] == runs[1]


def test_penalty_is_added_to_the_loss():
    seed_everything(0)
    images, labels = separable()
    base, penalised = model(), model()
    penalised.load_state_dict(base.state_dict())

    def loader():
        return BatchLoader(images, labels, 64)

    h0 = fit(base, loader(), torch.optim.SGD(base.parameters(), 0.0), 1, progress=False)
    h1 = fit(penalised, loader(), torch.optim.SGD(penalised.parameters(), 0.0), 1, penalty=lambda m: torch.tensor(1.5),
             progress=False)
    assert h1.train_loss[0] == pytest.approx(h0.train_loss[0] + 1.5)


def test_early_stopping_stops_and_restores_best_weights():
    stopper = EarlyStopping(patience=2)
    net = model()
    assert not stopper.step(1.0, net, 1)
    best = {k: v.clone() for k, v in net.state_dict().items()}
    with torch.no_grad():
        net[1].weight.add_(1.0)
    assert not stopper.step(1.1, net, 2)
    assert stopper.step(1.2, net, 3)
    assert stopper.best_epoch == 1
    assert torch.equal(stopper.best_state["1.weight"], best["1.weight"])


def test_early_stopping_on_validation_accuracy_keeps_the_most_accurate_epoch():
    stopper = EarlyStopping(patience=2, monitor="val_acc")
    net = model()
    assert not stopper.step(0.5, net, 1)
    assert not stopper.step(0.7, net, 2)  # higher accuracy is an improvement
    assert not stopper.step(0.6, net, 3)
    assert stopper.step(0.7, net, 4)  # equal is no improvement: two epochs without one
    assert stopper.best_epoch == 2
    with pytest.raises(ValueError, match="monitor must be one of"):
        EarlyStopping(monitor="accuracy")


def test_fit_monitors_validation_accuracy_when_asked():
    seed_everything(0)
    images, labels = separable()
    net = model()
    history = fit(net, BatchLoader(images, labels, 16), torch.optim.SGD(net.parameters(), 0.0), 10,
                  val_loader=BatchLoader(images, labels, 64),
                  early_stopping=EarlyStopping(patience=2, monitor="val_acc"),
                  progress=False)
    assert history.stopped_early and history.epochs == 3 and history.best_epoch == 1


def test_fit_with_early_stopping_reports_best_epoch():
    seed_everything(0)
    images, labels = separable()
    net = model()
    # lr 0 means the validation loss never improves after epoch 1
    history = fit(net, BatchLoader(images, labels, 16), torch.optim.SGD(net.parameters(), 0.0), 10,
                  val_loader=BatchLoader(images, labels, 64), early_stopping=EarlyStopping(patience=2), progress=False)
    assert history.stopped_early and history.epochs == 3 and history.best_epoch == 1


def test_predict_returns_all_logits_and_restores_mode():
    net = nn.Sequential(nn.Flatten(), nn.Dropout(0.5), nn.Linear(48, 2))
    net.train()
    logits, labels = predict(net, BatchLoader(*separable(10), 4))
    assert logits.shape == (10, 2) and labels.shape == (10,) and net.training


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(epochs=0), ValueError, "epochs must be a positive int"),
    (dict(early_stopping=EarlyStopping()), ValueError, "needs a val_loader"),
])
def test_fit_bad_arguments(kwargs, error, message):
    net = model()
    args = dict(model=net, train_loader=BatchLoader(*separable(8), 4), optimizer=torch.optim.SGD(net.parameters(), 0.1),
                epochs=1)
    args.update(kwargs)
    with pytest.raises(error, match=message):
        fit(**args)


def test_empty_loader_and_bad_patience():
    with pytest.raises(ValueError, match="no batches"):
        predict(model(), [])
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=0)


def test_progress_respects_environment(monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS", "0")
    assert _progress_enabled() is False
    monkeypatch.setenv("COURSE_PROGRESS", "1")
    monkeypatch.setitem(__import__("sys").modules, "ipykernel", object())
    assert _progress_enabled() is True


def test_progress_bar_runs(capsys):
    seed_everything(0)
    net = model()
    fit(net, BatchLoader(*separable(8), 4), torch.optim.SGD(net.parameters(), 0.1), 2, progress=True, verbose=True)
    out = capsys.readouterr()
    assert "epoch   2" in out.out and "epochs" in out.err


def test_fit_steps_the_scheduler_every_batch_and_checks_its_budget():
    seed_everything(0)
    images, labels = separable(40)
    net = model()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    history = fit(net, BatchLoader(images, labels, 16, shuffle=True), optimizer, 2, scheduler=scheduler,
                  progress=False)
    # 3 batches per pass (16 + 16 + 8), two passes
    assert len(history.step_loss) == 6 and history.epochs == 2
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.1 * 0.5**6)
    with pytest.raises(ValueError, match="epochs must be a positive int"):
        fit(net, BatchLoader(images, labels, 16), optimizer, 0)


def test_fit_is_the_same_training_as_a_hand_written_loop():
    images, labels = separable(40)
    trained = []
    for by_hand in (True, False):
        torch.manual_seed(0)
        net = model()
        optimizer = torch.optim.Adam(net.parameters(), lr=0.05)
        loader = BatchLoader(images, labels, 16, shuffle=True, seed=3)
        if by_hand:
            for _ in range(2):
                net.train()
                for x, y in loader:
                    optimizer.zero_grad()
                    nn.functional.cross_entropy(net(x), y).backward()
                    optimizer.step()
        else:
            fit(net, loader, optimizer, 2, progress=False)
        trained.append(net.state_dict())
    assert all(torch.equal(trained[0][k], trained[1][k]) for k in trained[0])


def test_set_batchnorm_eval_freezes_only_the_batch_norm_layers():
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(4 * 2 * 2, 2))
    net.train()
    set_batchnorm_eval(net)
    assert net[0].training and not net[1].training


def test_batches_on_another_device_get_a_clear_error():
    images, labels = separable(8)
    net = model()

    class OnMeta:
        def __iter__(self):
            yield torch.zeros(8, 48, device="meta"), labels

    with pytest.raises(ValueError, match="device="):
        fit(net, OnMeta(), torch.optim.SGD(net.parameters(), lr=0.1), epochs=1, progress=False)
    with pytest.raises(ValueError, match="device="):
        predict(net, OnMeta())


def test_image_accuracy_matches_evaluate():
    seed_everything(0)
    images, labels = separable()
    net = model()
    fit(net, BatchLoader(images, labels, 16, shuffle=True), torch.optim.Adam(net.parameters(), 0.05), epochs=4,
        progress=False)
    expected = evaluate(net, BatchLoader(images, labels))[1]
    assert image_accuracy(net, images, labels, batch_size=10) == pytest.approx(expected)


def test_warmup_cosine_rises_linearly_then_decays_to_zero():
    from course_utils.training import warmup_cosine

    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.2)
    scheduler = warmup_cosine(optimizer, total_steps=100, warmup_fraction=0.25)
    rates = []
    for _ in range(100):
        rates.append(scheduler.get_last_lr()[0])
        optimizer.step()
        scheduler.step()
    assert rates[0] == pytest.approx(0.2 / 25) and rates[24] == pytest.approx(0.2)  # 25 warm-up steps
    assert all(a < b for a, b in zip(rates[:24], rates[1:25]))
    assert all(a >= b for a, b in zip(rates[24:], rates[25:]))
    assert rates[62] == pytest.approx(0.1, rel=0.05) and rates[-1] < 0.001
    assert scheduler.get_last_lr()[0] == pytest.approx(0.0, abs=1e-12)  # after the last step: 0


@pytest.mark.parametrize("kwargs, message", [({"total_steps": 0}, "total_steps"),
                                             ({"total_steps": 10.5}, "total_steps"),
                                             ({"total_steps": 10, "warmup_fraction": 1.0}, "warmup_fraction")])
def test_warmup_cosine_bad_arguments(kwargs, message):
    from course_utils.training import warmup_cosine

    with pytest.raises(ValueError, match=message):
        warmup_cosine(torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1), **kwargs)
