"""course_utils.video: the synthetic video dataset, its cache, the video models and PyAV files."""

import warnings

import numpy as np
import pytest
import torch

from course_utils.video import (
    REVERSED_PAIRS, VIDEO_CLASSES, FrameEncoder, MeanPoolClassifier, RecurrentClassifier, SingleFrameClassifier,
    VideoFolder, VideoLoader, build_moving_digits, load_moving_digits, normalize_videos, pair_accuracy,
    read_video, require_videos, show_frame_strips, write_video,
)

SMALL = dict(train_per_class=2, test_per_class=1, frames=8, size=16)


@pytest.fixture(scope="module")
def small():
    return build_moving_digits(**SMALL)


def test_dataset_shapes_and_determinism(small):
    assert small["train_videos"].shape == (12, 8, 1, 16, 16) and small["train_videos"].dtype == np.uint8
    assert sorted(small["train_labels"].tolist()) == sorted(list(range(6)) * 2)
    again = build_moving_digits(**SMALL)
    assert all(np.array_equal(small[k], again[k]) for k in small)
    other = build_moving_digits(**{**SMALL, "seed": 1})
    assert not np.array_equal(small["train_videos"], other["train_videos"])


def test_pairs_are_time_reversals_in_distribution(small):
    # A "right" clip's digit drifts towards larger x; summed |frame difference| is far above noise.
    videos = torch.from_numpy(small["train_videos"]).float()
    motion = (videos[:, -1] - videos[:, 0]).abs().mean((1, 2, 3))
    assert motion.min() > 3.0
    assert set(VIDEO_CLASSES) == {c for pair in REVERSED_PAIRS for c in pair}


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
        build_moving_digits(frames=1)
    with pytest.raises(ValueError, match="multiple of 4"):
        build_moving_digits(size=30)


def test_require_videos_and_loader():
    with pytest.raises(ValueError, match=r"\(N, T, C, H, W\).*unsqueeze"):
        require_videos(torch.zeros(8, 1, 16, 16, dtype=torch.uint8))
    with pytest.raises(ValueError, match="dtype"):
        normalize_videos(torch.zeros(1, 8, 1, 16, 16))
    videos = torch.full((5, 3, 1, 4, 4), 255, dtype=torch.uint8)
    batches = list(VideoLoader(videos, torch.arange(5), batch_size=2))
    assert [len(y) for _, y in batches] == [2, 2, 1] and batches[0][0].max().item() == 1.0
    with pytest.raises(ValueError, match="labels must have shape"):
        VideoLoader(videos, torch.arange(4))


def test_models_shapes_and_order_invariance():
    torch.manual_seed(0)
    x = torch.randn(3, 6, 1, 16, 16)
    for model in (RecurrentClassifier(6, "lstm", FrameEncoder(image_size=16)),
                  RecurrentClassifier(6, "gru", FrameEncoder(image_size=16)),
                  MeanPoolClassifier(6, FrameEncoder(image_size=16)),
                  SingleFrameClassifier(6, FrameEncoder(image_size=16))):
        assert model.eval()(x).shape == (3, 6)
    pool = MeanPoolClassifier(6, FrameEncoder(image_size=16)).eval()
    assert torch.allclose(pool(x), pool(x.flip(1)), atol=1e-5)
    lstm = RecurrentClassifier(6, "lstm", FrameEncoder(image_size=16)).eval()
    assert not torch.allclose(lstm(x), lstm(x.flip(1)), atol=1e-3)
    assert lstm.step_logits(x).shape == (3, 6, 6)
    with pytest.raises(ValueError, match="cell must be one of"):
        RecurrentClassifier(6, "rnn")
    with pytest.raises(ValueError, match=r"\(N, T, C, H, W\)"):
        lstm(torch.randn(6, 1, 16, 16))


def test_packed_lengths_match_unpadded_clips():
    torch.manual_seed(0)
    for cell in ("lstm", "gru"):
        model = RecurrentClassifier(4, cell, encoder=None, feature_dim=5, hidden_size=7).eval()
        features = torch.randn(3, 6, 5)
        lengths = torch.tensor([6, 2, 4])
        padded = features.clone()
        padded[1, 2:] = 0
        padded[2, 4:] = 0
        batch = model(padded, lengths)
        for b, n in enumerate(lengths.tolist()):
            assert torch.allclose(batch[b], model(features[b : b + 1, :n])[0], atol=1e-5)
    pool = MeanPoolClassifier(4, encoder=None, feature_dim=5)
    assert torch.allclose(pool.pool(padded, lengths)[1], features[1, :2].mean(0))
    with pytest.raises(ValueError, match=r"lengths must lie in \[1, 6\]"):
        model(padded, torch.tensor([7, 2, 4]))
    with pytest.raises(ValueError, match="one length per clip"):
        model(padded, torch.tensor([6, 2]))


def test_pair_accuracy():
    logits = torch.eye(3)[[0, 1, 1, 2]]
    assert pair_accuracy(logits, torch.tensor([0, 0, 1, 2]), [0, 1]) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="no clip"):
        pair_accuracy(logits, torch.tensor([2, 2, 2, 2]), [0, 1])


def _clip(seed, t=6, c=3, size=16):
    generator = torch.Generator().manual_seed(seed)
    base = torch.randint(40, 200, (1, c, 1, 1), generator=generator)
    ramp = torch.arange(t).view(t, 1, 1, 1) * 8
    return (base + ramp).expand(t, c, size, size).clamp(0, 255).to(torch.uint8).contiguous()


def test_write_and_read_video_roundtrip(tmp_path):
    clip = _clip(0)
    path = write_video(tmp_path / "a.mp4", clip, fps=8)
    back = read_video(path)
    assert back.shape == clip.shape and back.dtype == torch.uint8
    assert (back.float() - clip.float()).abs().mean() < 4  # lossy codec, but close
    lossless = read_video(write_video(tmp_path / "b.mkv", clip, codec="ffv1"))
    assert (lossless.float() - clip.float()).abs().max() <= 2  # only the RGB <-> YUV rounding
    grey = read_video(write_video(tmp_path / "g.avi", clip[:, :1]), channels=1)
    assert grey.shape == (6, 1, 16, 16)


def test_write_video_bad_inputs(tmp_path):
    with pytest.raises(ValueError, match=r"\(T, C, H, W\)"):
        write_video(tmp_path / "x.mp4", torch.zeros(2, 6, 3, 16, 16, dtype=torch.uint8))
    with pytest.raises(ValueError, match="uint8"):
        write_video(tmp_path / "x.mp4", torch.zeros(6, 3, 16, 16))
    with pytest.raises(ValueError, match="even"):
        write_video(tmp_path / "x.mp4", torch.zeros(6, 3, 15, 16, dtype=torch.uint8))
    with pytest.raises(ValueError, match="channels"):
        write_video(tmp_path / "x.mp4", torch.zeros(6, 2, 16, 16, dtype=torch.uint8))
    with pytest.raises(ValueError, match="extension"):
        write_video(tmp_path / "x.gif", torch.zeros(6, 3, 16, 16, dtype=torch.uint8))
    with pytest.raises(FileNotFoundError, match="no video file"):
        read_video(tmp_path / "missing.mp4")


def _ucf101(root):
    """A tiny dataset in UCF101's real layout: class folders of .avi files plus ucfTrainTestlist/."""
    classes = ["ApplyEyeMakeup", "Archery"]
    train, test = [], []
    for k, name in enumerate(classes):
        for group in (1, 8):
            relative = f"{name}/v_{name}_g{group:02d}_c01.avi"
            write_video(root / relative, _clip(10 * k + group), fps=25)
            (test if group == 1 else train).append(relative)
    notes = root / "ucfTrainTestlist"
    notes.mkdir()
    (notes / "classInd.txt").write_text("".join(f"{i} {c}\n" for i, c in enumerate(classes, 1)))
    (notes / "trainlist01.txt").write_text("".join(f"{r} {classes.index(r.split('/')[0]) + 1}\n" for r in train))
    (notes / "testlist01.txt").write_text("".join(f"{r}\n" for r in test))
    return classes


def test_ucf101_layout(tmp_path):
    classes = _ucf101(tmp_path)
    train, test = VideoFolder(tmp_path, split="train"), VideoFolder(tmp_path, split="test", num_frames=3, size=8)
    assert train.class_names == tuple(classes) and len(train) == 2 and len(test) == 2
    assert [label for _, label in train.samples] == [0, 1]
    video, label = test[1]
    assert video.shape == (3, 3, 8, 8) and label == 1
    everything = VideoFolder(tmp_path)  # no split: every file of every class folder
    assert len(everything) == 4 and everything.class_names == tuple(classes)
    clip, _ = everything[0]
    assert (clip.float() - _clip(1).float()).abs().mean() < 4


def test_ucf101_errors(tmp_path):
    _ucf101(tmp_path)
    (tmp_path / "Basketball").mkdir()
    with pytest.raises(ValueError, match=r"unknown class folder\(s\) \['Basketball'\]"):
        VideoFolder(tmp_path, split="train")
    (tmp_path / "Basketball").rmdir()
    notes = tmp_path / "ucfTrainTestlist"
    (notes / "testlist01.txt").write_text("Bowling/v_Bowling_g01_c01.avi\n")
    with pytest.raises(ValueError, match="unknown class folder 'Bowling'"):
        VideoFolder(tmp_path, split="test")
    with pytest.raises(FileNotFoundError, match="testlist02.txt"):
        VideoFolder(tmp_path, split="test", fold=2)
    with pytest.raises(ValueError, match="split must be"):
        VideoFolder(tmp_path, split="val")


def test_video_folder_errors(tmp_path):
    write_video(tmp_path / "right" / "0.mp4", _clip(0))
    with pytest.raises(ValueError, match="unknown class folder"):
        VideoFolder(tmp_path, class_names=["left"])
    with pytest.raises(FileNotFoundError, match="does not exist"):
        VideoFolder(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    only_empty = tmp_path / "empty"
    (only_empty / "sub").mkdir()
    with pytest.raises(ValueError, match="no video files"):
        VideoFolder(only_empty)


def test_show_frame_strips_draws_one_row_per_clip(shown):
    videos = torch.randint(0, 256, (2, 3, 3, 8, 8), generator=torch.Generator().manual_seed(0), dtype=torch.uint8)
    assert show_frame_strips(videos, torch.tensor([0, 5]), VIDEO_CLASSES, title="clips") is None
    fig = shown[-1]
    assert len([ax for ax in fig.axes if ax.images]) == 6 and fig.get_suptitle() == "clips"
    assert [ax.get_title() for ax in fig.axes[:3]] == ["t=0", "t=1", "t=2"]
    assert [fig.axes[0].get_ylabel(), fig.axes[3].get_ylabel()] == ["right", "shrink"]
    show_frame_strips(torch.rand(1, 2, 1, 8, 8), [3], VIDEO_CLASSES)  # float, one channel
    assert len(shown) == 2
    with pytest.raises(ValueError, match="2 clips but 1 labels"):
        show_frame_strips(videos, [0], VIDEO_CLASSES)
