"""course_utils.storage: atomic writes, checksums, checked caches and checkpoints (one sidecar format)."""

import hashlib
import json
import os
from pathlib import Path
from typing import Callable

import numpy as np
import pytest
import torch

from course_utils import pretrained, storage
from course_utils.datasets.photo_digits import _build_photo_digits
from course_utils.storage import CacheError, _load_arrays_checked, _save_arrays_atomic, data_dir


def test_same_arrays_give_same_file_checksum(tmp_path):
    arrays = _build_photo_digits(train_size=20, test_size=5)
    a = _save_arrays_atomic(tmp_path / "a.npz", arrays, {"v": 1})
    b = _save_arrays_atomic(tmp_path / "b.npz", _build_photo_digits(train_size=20, test_size=5), {"v": 1})
    assert a == b == hashlib.sha256((tmp_path / "a.npz").read_bytes()).hexdigest()
    assert not list(tmp_path.glob("*.tmp"))  # no temp files left behind


def test_load_arrays_checked_names_the_problem(tmp_path):
    path = tmp_path / "x.npz"
    with pytest.raises(CacheError, match="missing"):
        _load_arrays_checked(path, {})
    _save_arrays_atomic(path, {"a": np.zeros(3)}, {"v": 1})
    with pytest.raises(CacheError, match="built with v=1, expected 2"):
        _load_arrays_checked(path, {"v": 2})
    path.write_bytes(path.read_bytes()[:-5])
    with pytest.raises(CacheError, match="truncated or altered"):
        _load_arrays_checked(path, {"v": 1})


def test_data_dir_respects_argument_and_environment(tmp_path, monkeypatch):
    assert data_dir(tmp_path / "a") == tmp_path / "a" and (tmp_path / "a").is_dir()
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "b"))
    assert data_dir() == tmp_path / "b"


def tiny(num_classes=3):
    torch.manual_seed(0)
    return pretrained.SmallResNet(num_classes, widths=(4, 8, 8), blocks=1)


def test_checkpoint_roundtrip_and_corruption(tmp_path: Path):
    model = tiny()
    path = tmp_path / "ck.pt"
    sha = storage._save_checkpoint(model.state_dict(), path)
    assert json.loads((tmp_path / "ck.json").read_text()) == {"sha256": sha, "file": "ck.pt"}
    assert not list(tmp_path.glob("*.tmp"))
    state = storage._load_checkpoint(path)
    assert all(torch.equal(state[k], v) for k, v in model.state_dict().items())
    assert storage._load_checkpoint(path, sha).keys() == state.keys()
    path.write_bytes(path.read_bytes()[:-10])  # truncated
    with pytest.raises(storage.CheckpointError, match="truncated or altered"):
        storage._load_checkpoint(path)
    with pytest.raises(storage.CheckpointError, match="missing"):
        storage._load_checkpoint(tmp_path / "nope.pt")
    (tmp_path / "bare.pt").write_bytes(b"x")
    with pytest.raises(storage.CheckpointError, match="no checksum file"):
        storage._load_checkpoint(tmp_path / "bare.pt")


def test_caches_and_checkpoints_share_one_sidecar_format(tmp_path: Path):
    arrays_sha = storage._save_arrays_atomic(tmp_path / "a.npz", {"x": np.arange(3)}, {"version": 1})
    model_sha = storage._save_checkpoint({"w": torch.ones(2)}, tmp_path / "m.pt", {"version": 1})
    for name, sha in (("a", arrays_sha), ("m", model_sha)):
        sidecar = json.loads((tmp_path / f"{name}.json").read_text())
        assert set(sidecar) == {"version", "sha256", "file"} and sidecar["sha256"] == sha
        assert sha == storage._sha256_file(tmp_path / sidecar["file"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "a.npz", "m.json", "m.pt"]
    with pytest.raises(storage.CheckpointError, match="built with version=1, expected 2"):
        storage._load_checkpoint(tmp_path / "m.pt", expected_meta={"version": 2})
    (tmp_path / "m.json").write_text("[1, 2]")
    with pytest.raises(storage.CheckpointError, match="does not hold a JSON object"):
        storage._load_checkpoint(tmp_path / "m.pt")


# ---- a read-only course folder (a shared classroom install)

def test_a_read_only_data_folder_falls_back_to_the_user_cache(tmp_path, monkeypatch, capsys):
    from course_utils.datasets.photo_patches import load_photo_patches

    read_only = tmp_path / "data"
    read_only.mkdir()
    real_writable = storage._writable
    monkeypatch.setattr(storage, "_SHIPPED_DIR", read_only)
    monkeypatch.setattr(storage, "_writable", lambda path: path != read_only and real_writable(path))
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    assert storage.data_dir() == tmp_path / "cache"
    assert storage.data_dir() == tmp_path / "cache"
    message = capsys.readouterr().err
    assert message.count("read-only") == 1 and "COURSE_CACHE_DIR" in message  # said once, not at every call
    data = load_photo_patches(train_per_class=2, test_per_class=1, size=16)  # built, and saved where it can be
    assert len(data.train_labels) == 16 and list(read_only.iterdir()) == []
    assert [p.suffix for p in sorted((tmp_path / "cache").iterdir())] == [".json", ".npz"]


def test_read_only_everywhere_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(storage, "_writable", lambda path: False)
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    with pytest.raises(PermissionError, match="set COURSE_CACHE_DIR"):
        storage.data_dir()
    with pytest.raises(PermissionError, match="choose a writable folder"):
        storage.data_dir(tmp_path)


def test_user_cache_dir_follows_the_platform_and_the_override(monkeypatch):
    monkeypatch.setenv("COURSE_CACHE_DIR", "/somewhere/else")
    assert storage._user_cache_dir() == Path("/somewhere/else")
    monkeypatch.delenv("COURSE_CACHE_DIR")
    monkeypatch.setattr(storage.sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", "/xdg")
    assert storage._user_cache_dir() == Path("/xdg/feature-extraction-course")
    monkeypatch.setattr(storage.sys, "platform", "darwin")
    assert storage._user_cache_dir() == Path.home() / "Library" / "Caches" / "feature-extraction-course"


def _make_read_only(folder: Path) -> Callable[[], None]:
    """Make ``folder`` read-only for this process, even as root (an immutable folder, ``chattr +i``);
    returns the undo. Skips when neither works here."""
    import shutil
    import subprocess

    if hasattr(os, "geteuid") and os.geteuid() != 0:
        folder.chmod(0o555)
        return lambda: folder.chmod(0o755)
    if shutil.which("chattr") and subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0:
        return lambda: subprocess.run(["chattr", "-i", str(folder)], check=True)
    pytest.skip("cannot make a folder read-only for root here (no chattr)")


def test_a_really_read_only_data_folder(tmp_path, monkeypatch, capsys):
    """The same, with a folder the operating system refuses to write to (no stand-in for the probe)."""
    from course_utils.datasets.photo_patches import load_photo_patches

    read_only = tmp_path / "data"
    read_only.mkdir()
    undo = _make_read_only(read_only)
    try:
        with pytest.raises(OSError):
            (read_only / "probe").write_bytes(b"")
        monkeypatch.setattr(storage, "_SHIPPED_DIR", read_only)
        monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
        monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
        assert not storage._writable(read_only) and storage._writable(tmp_path)
        assert storage.data_dir() == tmp_path / "cache"
        assert "read-only" in capsys.readouterr().err
        assert len(load_photo_patches(train_per_class=2, test_per_class=1, size=16).test_labels) == 8
        assert len(list((tmp_path / "cache").glob("*.npz"))) == 1 and list(read_only.iterdir()) == []
    finally:
        undo()
