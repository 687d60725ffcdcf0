"""tools/pretrain.py: the command line that rebuilds notebook 06's shipped backbone (`make pretrain`).
The training itself is tested in test_transfer.py; here it is replaced by a tiny model."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from course_utils import pretrained, storage
from course_utils.datasets.photo_digits import _SOURCE_CLASSES
from tools import pretrain as P

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fake_pretrain(monkeypatch):
    calls = []

    def fake(epochs=None):
        calls.append(epochs)
        torch.manual_seed(0)
        return pretrained.SmallResNet(len(_SOURCE_CLASSES), widths=(4, 8, 8), blocks=1), 0.875

    monkeypatch.setattr(P, "_pretrain", fake)
    return calls


def test_writes_the_checkpoint_and_prints_its_checksum(tmp_path, fake_pretrain, capsys):
    out = tmp_path / "backbone.pt"
    P.main(["pretrain", "--out", str(out), "--epochs", "2"])
    assert fake_pretrain == [2]
    checksum = json.loads((tmp_path / "backbone.json").read_text())["sha256"]
    printed = capsys.readouterr().out
    assert "source test accuracy 87.5%" in printed and f"wrote {out} " in printed and f"sha256 {checksum}" in printed
    assert "differs from _CHECKPOINT_SHA256" not in printed, "only the shipped file's name is compared"
    torch.manual_seed(0)  # the fake model's weights
    expected = pretrained.SmallResNet(len(_SOURCE_CLASSES), widths=(4, 8, 8), blocks=1).state_dict()
    state = storage._load_checkpoint(out)  # checks the sidecar checksum
    assert state.keys() == expected.keys() and all(torch.equal(state[k], expected[k]) for k in expected)


def test_default_path_is_the_shipped_name_in_the_data_folder(tmp_path, monkeypatch, fake_pretrain, capsys):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    P.main(["pretrain"])
    assert fake_pretrain == [None]
    assert (tmp_path / pretrained._CHECKPOINT_NAME).exists()
    assert "differs from _CHECKPOINT_SHA256" in capsys.readouterr().out


def test_the_subcommand_is_required():
    with pytest.raises(SystemExit):
        P.main([])
    with pytest.raises(SystemExit):
        P.main(["train"])


def test_runs_as_a_module_from_the_repository_root():
    result = subprocess.run([sys.executable, "-m", "tools.pretrain", "--help"], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    assert "usage: python -m tools.pretrain" in result.stdout and "{pretrain}" in result.stdout
