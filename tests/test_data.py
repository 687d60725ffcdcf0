import hashlib
import pickle

import numpy as np
import pytest
import torch

import course_utils.data as data_module
from course_utils.data import (
    CacheError, build_photo_digits, data_dir, load_arrays_checked, load_dataset, save_arrays_atomic,
)


def test_build_is_deterministic_and_well_formed():
    first = build_photo_digits(train_size=40, test_size=10, seed=3)
    second = build_photo_digits(train_size=40, test_size=10, seed=3)
    other = build_photo_digits(train_size=40, test_size=10, seed=4)
    for key in first:
        assert np.array_equal(first[key], second[key])
    assert not np.array_equal(first["train_images"], other["train_images"])
    assert first["train_images"].shape == (40, 3, 32, 32) and first["train_images"].dtype == np.uint8
    assert first["test_images"].shape == (10, 3, 32, 32)
    assert np.bincount(first["train_labels"], minlength=10).tolist() == [4] * 10  # balanced
    assert np.bincount(first["test_labels"], minlength=10).tolist() == [1] * 10
    # Real content, not blank images: each image has contrast.
    assert first["train_images"].reshape(40, -1).std(axis=1).min() > 5


def test_build_rejects_bad_sizes():
    with pytest.raises(ValueError, match="train_size"):
        build_photo_digits(train_size=0)


def test_same_arrays_give_same_file_checksum(tmp_path):
    arrays = build_photo_digits(train_size=20, test_size=5)
    a = save_arrays_atomic(tmp_path / "a.npz", arrays, {"v": 1})
    b = save_arrays_atomic(tmp_path / "b.npz", build_photo_digits(train_size=20, test_size=5), {"v": 1})
    assert a == b == hashlib.sha256((tmp_path / "a.npz").read_bytes()).hexdigest()
    assert not list(tmp_path.glob("*.tmp"))  # no temp files left behind


def test_load_dataset_builds_then_reuses_cache(tmp_path, tiny_build):
    data = load_dataset("photo_digits", root=tmp_path)
    assert len(tiny_build) == 1
    assert data.train_images.shape == (64, 3, 32, 32) and data.test_images.shape == (16, 3, 32, 32)
    assert data.train_images.dtype == torch.uint8 and data.train_labels.dtype == torch.int64
    assert data.num_classes == 10 and "64 train" in repr(data)
    again = load_dataset("photo_digits", root=tmp_path)
    assert len(tiny_build) == 1  # cached: not rebuilt
    assert torch.equal(again.train_images, data.train_images)


@pytest.mark.parametrize("damage", ["truncate", "flip_byte", "delete_sidecar", "bad_sidecar", "wrong_version"])
def test_corrupted_cache_is_detected_and_rebuilt(tmp_path, tiny_build, damage):
    original = load_dataset("photo_digits", root=tmp_path)
    cache, sidecar = tmp_path / "photo_digits_v2.npz", tmp_path / "photo_digits_v2.json"
    if damage == "truncate":
        cache.write_bytes(cache.read_bytes()[:1000])
    elif damage == "flip_byte":
        raw = bytearray(cache.read_bytes())
        raw[len(raw) // 2] ^= 0xFF
        cache.write_bytes(bytes(raw))
    elif damage == "delete_sidecar":
        sidecar.unlink()
    elif damage == "bad_sidecar":
        sidecar.write_text("{not json")
    else:
        sidecar.write_text(sidecar.read_text().replace('"version": 2', '"version": 1'))
    with pytest.warns(UserWarning, match="rebuilding"):
        rebuilt = load_dataset("photo_digits", root=tmp_path)
    assert len(tiny_build) == 2
    assert torch.equal(rebuilt.train_images, original.train_images)
    load_arrays_checked(cache, {"dataset": "photo_digits", "version": 2, "seed": 0})  # intact again


def test_load_arrays_checked_names_the_problem(tmp_path):
    path = tmp_path / "x.npz"
    with pytest.raises(CacheError, match="missing"):
        load_arrays_checked(path, {})
    save_arrays_atomic(path, {"a": np.zeros(3)}, {"v": 1})
    with pytest.raises(CacheError, match="built with v=1, expected 2"):
        load_arrays_checked(path, {"v": 2})
    path.write_bytes(path.read_bytes()[:-5])
    with pytest.raises(CacheError, match="truncated or altered"):
        load_arrays_checked(path, {"v": 1})


def test_unknown_dataset_name():
    with pytest.raises(ValueError, match=r"unknown dataset 'mnist'.*cifar10.*photo_digits"):
        load_dataset("mnist")


def test_data_dir_respects_argument_and_environment(tmp_path, monkeypatch):
    assert data_dir(tmp_path / "a") == tmp_path / "a" and (tmp_path / "a").is_dir()
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "b"))
    assert data_dir() == tmp_path / "b"


def _write_cifar(root, per_batch=4):
    """Tiny files in CIFAR-10's real python format (pickled dicts, 3072 uint8 per row)."""
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    for i, name in enumerate(names):
        batch = {"batch_label": name, "labels": [(i + j) % 10 for j in range(per_batch)],
                 "data": rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8), "filenames": [f"{j}.png" for j in range(per_batch)]}
        with open(folder / name, "wb") as f:
            pickle.dump(batch, f, protocol=2)
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump({"label_names": list(data_module.CIFAR10_CLASSES), "num_cases_per_batch": per_batch, "num_vis": 3072}, f, protocol=2)
    first = pickle.load(open(folder / "data_batch_1", "rb"), encoding="latin1")["data"][0]
    return first.reshape(3, 32, 32)


def test_cifar10_reads_the_real_format_offline(tmp_path, monkeypatch):
    first_image = _write_cifar(tmp_path)
    # The real files' md5 sums cannot match tiny files; everything else is torchvision's real reader.
    monkeypatch.setattr("torchvision.datasets.cifar.check_integrity", lambda *args, **kwargs: True)
    data = load_dataset("cifar10", root=tmp_path)
    assert data.train_images.shape == (20, 3, 32, 32) and data.test_images.shape == (4, 3, 32, 32)
    assert data.train_images.dtype == torch.uint8
    assert np.array_equal(data.train_images[0].numpy(), first_image)  # CHW, same pixels
    assert data.train_labels[:4].tolist() == [0, 1, 2, 3] and data.class_names[0] == "airplane"


def test_cifar10_missing_files_say_how_to_get_them(tmp_path):
    with pytest.raises(FileNotFoundError, match="download=True"):
        load_dataset("cifar10", root=tmp_path)
