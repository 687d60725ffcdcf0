"""course_utils.repro: seeds, threads, device, banner."""

import pytest
import torch

from course_utils.repro import get_device, print_banner, seed_everything


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
