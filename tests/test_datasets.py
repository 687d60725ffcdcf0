"""course_utils.datasets: photo digits, the 8x8 digits splits, moving digits, CIFAR-10 offline."""

import pickle
import warnings

import matplotlib
import numpy as np
import pytest  # noqa: E402
import torch  # noqa: E402

from course_utils import load_dataset, load_digits_split, load_moving_digits, small_digits
from course_utils.datasets.cifar10 import _CIFAR10_CLASSES
from course_utils.datasets.moving_digits import _REVERSED_PAIRS, _VIDEO_CLASSES, _build_moving_digits
from course_utils.datasets.photo_digits import _build_photo_digits
from course_utils.storage import _load_arrays_checked


def test_build_is_deterministic_and_well_formed():
    first = _build_photo_digits(train_size=40, test_size=10, seed=3)
    second = _build_photo_digits(train_size=40, test_size=10, seed=3)
    other = _build_photo_digits(train_size=40, test_size=10, seed=4)
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
        _build_photo_digits(train_size=0)


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
    _load_arrays_checked(cache, {"dataset": "photo_digits", "version": 2, "seed": 0})  # intact again


def test_unknown_dataset_name():
    with pytest.raises(ValueError, match=r"unknown dataset 'mnist'.*cifar10.*photo_digits"):
        load_dataset("mnist")


def _write_cifar(root, per_batch=4):
    """Tiny files in CIFAR-10's real python format (pickled dicts, 3072 uint8 per row)."""
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    for i, name in enumerate(names):
        batch = {"batch_label": name, "labels": [(i + j) % 10 for j in range(per_batch)],
                 "data": rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8),
                 "filenames": [f"{j}.png" for j in range(per_batch)]}
        with open(folder / name, "wb") as f:
            pickle.dump(batch, f, protocol=2)
    with open(folder / "batches.meta", "wb") as f:
        meta = {"label_names": list(_CIFAR10_CLASSES), "num_cases_per_batch": per_batch, "num_vis": 3072}
        pickle.dump(meta, f, protocol=2)
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


matplotlib.use("Agg")


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


def test_small_digits_split_is_balanced_and_disjoint():
    data = small_digits(n_train=30, n_val=20, seed=0)
    assert data.train_images.shape == (30, 1, 8, 8) and data.train_images.dtype == torch.uint8
    assert torch.bincount(data.train_labels, minlength=10).tolist() == [3] * 10
    assert torch.bincount(data.val_labels, minlength=10).tolist() == [2] * 10
    assert len(data.test_labels) == 1797 - 50
    assert int(data.train_images.max()) == 255
    with pytest.raises(ValueError, match="multiples of 10"):
        small_digits(n_train=25)


def test_small_photo_digits_split_balanced_disjoint(tmp_path):
    from course_utils import load_dataset, small_photo_digits

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


SMALL = dict(train_per_class=2, test_per_class=1, frames=8, size=16)


@pytest.fixture(scope="module")
def small():
    return _build_moving_digits(**SMALL)


def test_dataset_shapes_and_determinism(small):
    assert small["train_videos"].shape == (12, 8, 1, 16, 16) and small["train_videos"].dtype == np.uint8
    assert sorted(small["train_labels"].tolist()) == sorted(list(range(6)) * 2)
    again = _build_moving_digits(**SMALL)
    assert all(np.array_equal(small[k], again[k]) for k in small)
    other = _build_moving_digits(**{**SMALL, "seed": 1})
    assert not np.array_equal(small["train_videos"], other["train_videos"])


def test_pairs_are_time_reversals_in_distribution(small):
    # A "right" clip's digit drifts towards larger x; summed |frame difference| is far above noise.
    videos = torch.from_numpy(small["train_videos"]).float()
    motion = (videos[:, -1] - videos[:, 0]).abs().mean((1, 2, 3))
    assert motion.min() > 3.0
    assert set(_VIDEO_CLASSES) == {c for pair in _REVERSED_PAIRS for c in pair}


def test_cache_is_reused_and_rebuilt_when_corrupted(tmp_path):
    first = load_moving_digits(tmp_path, **SMALL)
    cache = next(tmp_path.glob("moving_digits_*.npz"))
    stamp = cache.stat().st_mtime_ns
    second = load_moving_digits(tmp_path, **SMALL)
    assert cache.stat().st_mtime_ns == stamp and torch.equal(first.train_videos, second.train_videos)
    cache.write_bytes(cache.read_bytes()[:-100])  # truncate
    with pytest.warns(UserWarning, match="truncated or altered"):
        third = load_moving_digits(tmp_path, **SMALL)
    assert torch.equal(first.train_videos, third.train_videos)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_moving_digits(tmp_path, **SMALL)  # intact again: no warning
    assert first.reversed_pairs == ((0, 1), (2, 3), (4, 5)) and "12 train" in repr(first)


def test_bad_dataset_arguments():
    with pytest.raises(ValueError, match="at least 2 frames"):
        _build_moving_digits(frames=1)
    with pytest.raises(ValueError, match="multiple of 4"):
        _build_moving_digits(size=30)


def test_photo_patches_are_balanced_deterministic_and_split_by_photo_half(tmp_path):
    from course_utils.datasets.photo_patches import _PATCH_PHOTOS, _build_photo_patches, load_photo_patches

    small = dict(train_per_class=3, test_per_class=2, size=32)
    arrays = _build_photo_patches(**small)
    assert arrays["train_images"].shape == (24, 3, 32, 32) and arrays["test_images"].shape == (16, 3, 32, 32)
    assert np.bincount(arrays["train_labels"]).tolist() == [3] * 8 and len(_PATCH_PHOTOS) == 8
    again = _build_photo_patches(**small)
    assert all(np.array_equal(arrays[k], again[k]) for k in arrays)
    other = _build_photo_patches(**small, seed=1)
    assert not np.array_equal(arrays["train_images"], other["train_images"])
    data = load_photo_patches(**small, root=tmp_path)
    assert data.class_names == _PATCH_PHOTOS and data.train_images.dtype == torch.uint8
    assert len(list(tmp_path.glob("photo_patches_*.npz"))) == 1
    assert torch.equal(load_photo_patches(**small, root=tmp_path).test_images, data.test_images)
    with pytest.raises(ValueError, match="at least one patch"):
        _build_photo_patches(train_per_class=0)


def test_photo_patches_train_and_test_come_from_disjoint_halves(monkeypatch):
    from course_utils.datasets import photo_patches

    regions = []
    real = photo_patches._patches
    monkeypatch.setattr(photo_patches, "_patches", lambda photo, count, size, region, rng: regions.append(region)
                        or real(photo, count, size, region, rng))
    photo_patches._build_photo_patches(train_per_class=1, test_per_class=1, size=32)
    assert regions == [photo_patches._TRAIN_HALF, photo_patches._TEST_HALF] * 8
    assert photo_patches._TRAIN_HALF[1] <= photo_patches._TEST_HALF[0]


# ---- digit scenes (00, 08, 09): one to three digits per scene, each with its class, box and mask


@pytest.fixture(scope="module")
def scenes():
    from course_utils.datasets.digit_scenes import _build_digit_scenes

    return _build_digit_scenes(train_size=60, test_size=20, seed=3)


def test_scenes_are_deterministic_and_shaped(scenes):
    from course_utils.datasets.digit_scenes import _build_digit_scenes

    again = _build_digit_scenes(train_size=60, test_size=20, seed=3)
    other = _build_digit_scenes(train_size=60, test_size=20, seed=4)
    assert all(np.array_equal(scenes[key], again[key]) for key in scenes)
    assert not np.array_equal(scenes["train_images"], other["train_images"])
    assert scenes["train_images"].shape == (60, 3, 64, 64) and scenes["train_images"].dtype == np.uint8
    assert scenes["test_labels"].shape == (20, 3) and scenes["test_boxes"].shape == (20, 3, 4)
    assert scenes["test_masks"].shape == (20, 64, 64) and scenes["test_masks"].dtype == np.uint8


def test_more_training_scenes_keep_the_first_ones_and_the_test_scenes(monkeypatch):
    from course_utils.datasets import digit_scenes

    monkeypatch.setattr(digit_scenes, "_FIRST_STREAM_TRAIN", 6)
    small = digit_scenes._build_digit_scenes(train_size=6, test_size=5, seed=3)
    large = digit_scenes._build_digit_scenes(train_size=10, test_size=5, seed=3)
    assert all(np.array_equal(small[key], large[key]) for key in small if key.startswith("test"))
    assert all(np.array_equal(small[key], large[key][:6]) for key in small if key.startswith("train"))
    assert len(large["train_images"]) == 10
    # the extra scenes are new scenes, not copies of the first ones
    first_six = small["train_images"]
    assert not any(np.array_equal(extra, first) for extra in large["train_images"][6:] for first in first_six)


def test_each_scene_has_one_to_three_digits_whose_boxes_enclose_their_ink(scenes):
    for split in ("train", "test"):
        labels, boxes, masks = (scenes[f"{split}_{part}"] for part in ("labels", "boxes", "masks"))
        counts = (labels >= 0).sum(1)
        assert counts.min() == 1 and counts.max() == 3
        assert set(np.unique(counts)) == {1, 2, 3}
        for i in range(len(labels)):
            # the digits fill the first slots; empty slots hold -1 and a zero box
            assert (labels[i, : counts[i]] >= 0).all() and (labels[i, counts[i] :] == -1).all()
            assert (boxes[i, counts[i] :] == 0).all()
            assert set(np.unique(masks[i])) == set(range(counts[i] + 1))
            for k in range(counts[i]):
                rows, cols = np.nonzero(masks[i] == k + 1)
                # the box is the tightest one around the digit's ink (x1, y1 exclusive)
                assert boxes[i, k].tolist() == [cols.min(), rows.min(), cols.max() + 1, rows.max() + 1]
                assert 8 <= rows.max() + 1 - rows.min() <= 31


def test_scene_train_and_test_use_disjoint_scans_and_photo_regions(monkeypatch):
    from course_utils.datasets import digit_scenes

    calls = []
    real = digit_scenes._scene
    monkeypatch.setattr(digit_scenes, "_scene", lambda digits, labels, photos, rng, region, size: calls.append(
        (digits, region)) or real(digits, labels, photos, rng, region, size))
    digit_scenes._build_digit_scenes(train_size=2, test_size=2)
    (train_scans, train_region), (test_scans, test_region) = calls[0], calls[-1]
    assert train_region[1] <= test_region[0]
    assert len(test_scans) == 400 and len(train_scans) == 1797 - 400
    train_bytes = {scan.tobytes() for scan in train_scans}
    assert sum(scan.tobytes() in train_bytes for scan in test_scans) <= 5  # scikit-learn has a few duplicate scans


def test_scene_data_presence_and_class_masks(tmp_path):
    from course_utils import load_digit_scenes

    data = load_digit_scenes(train_size=30, test_size=10, root=tmp_path)
    assert "30 train scenes" in repr(data) and data.num_classes == 10
    present = data.present("test")
    assert present.shape == (10, 10) and set(present.unique().tolist()) <= {0.0, 1.0}
    for i in range(10):
        shown = data.test_labels[i][data.test_labels[i] >= 0]
        assert set(torch.nonzero(present[i]).flatten().tolist()) == set(shown.tolist())
    classes = data.class_masks("test")
    assert classes.shape == (10, 64, 64) and classes.dtype == torch.int64
    assert torch.equal(classes == 10, data.test_masks == 0)  # background is class 10
    i, k = 0, 0
    assert (classes[i][data.test_masks[i] == k + 1] == data.test_labels[i, k]).all()
    with pytest.raises(ValueError, match="split"):
        data.present("validation")


def test_scenes_cache_is_reused_and_rebuilt_when_damaged(tmp_path):
    from course_utils import load_digit_scenes

    first = load_digit_scenes(train_size=8, test_size=4, root=tmp_path)
    (cache,) = tmp_path.glob("digit_scenes_*.npz")
    stamp = cache.stat().st_mtime_ns
    assert torch.equal(load_digit_scenes(train_size=8, test_size=4, root=tmp_path).test_masks, first.test_masks)
    assert cache.stat().st_mtime_ns == stamp  # reused, not rebuilt
    cache.write_bytes(cache.read_bytes()[:500])
    with pytest.warns(UserWarning, match="rebuilding"):
        rebuilt = load_digit_scenes(train_size=8, test_size=4, root=tmp_path)
    assert torch.equal(rebuilt.test_images, first.test_images)


@pytest.mark.parametrize("kwargs, message", [({"train_size": 0}, "train_size"), ({"size": 32}, "size"),
                                             ({"size": 200}, "size"), ({"seed": "a"}, "seed")])
def test_scenes_reject_bad_arguments(tmp_path, kwargs, message):
    from course_utils import load_digit_scenes

    with pytest.raises((TypeError, ValueError), match=message):
        load_digit_scenes(root=tmp_path, **kwargs)


def test_hand_drawn_boxes_lie_in_their_photos_and_say_how_they_were_drawn():
    """08_where_features_look: one boxed object per photo, named by ImageNet classes that exist."""
    import json

    from course_utils import background_photos, hand_drawn_boxes, imagenet_categories
    from course_utils.storage import _shipped_dir

    boxes = hand_drawn_boxes()
    assert set(boxes) == {"chelsea", "coffee", "astronaut"}
    categories = set(imagenet_categories())
    for name, entry in boxes.items():
        x0, y0, x1, y1 = entry["box"]
        height, width = background_photos()[name].shape[:2]
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
        assert entry["object"] and set(entry["imagenet_classes"]) <= categories
    stored = json.loads((_shipped_dir() / "photo_boxes.shipped.json").read_text())
    assert "every 25 pixels" in stored["how_drawn"] and "not where any map peaks" in stored["how_drawn"]


@pytest.mark.parametrize("damage, message", [
    (lambda text: text[: len(text) // 2], "missing or damaged"),
    (lambda text: text.replace("[275, 325, 512, 512]", "[275, 325, 900, 512]"), "does not lie inside the photo"),
])
def test_damaged_box_file_is_named(tmp_path, monkeypatch, damage, message):
    from course_utils import hand_drawn_boxes
    from course_utils.datasets import photos
    from course_utils.storage import _shipped_dir

    text = (_shipped_dir() / "photo_boxes.shipped.json").read_text()
    (tmp_path / "photo_boxes.shipped.json").write_text(damage(text))
    monkeypatch.setattr("course_utils.storage._shipped_dir", lambda: tmp_path)
    with pytest.raises(ValueError, match=message) as error:
        hand_drawn_boxes()
    assert "git checkout -- data/photo_boxes.shipped.json" in str(error.value)
    assert photos is not None
