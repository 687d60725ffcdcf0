"""The exercises of 08_where_features_look: reference solutions pass, wrong answers are rejected."""

import pytest
import torch
from notebook_solutions import solutions

from course_utils.checks import CheckFailed, run_check
from course_utils.exercises.nb08 import check_box_iou, check_class_activation_map

iou, cam = solutions("08").iou, solutions("08").cam


def test_reference_solutions_pass(capsys):
    assert run_check("iou", lambda: check_box_iou(iou))
    assert run_check("cam", lambda: check_class_activation_map(cam))
    assert "✔ iou: correct" in capsys.readouterr().out


def test_iou_accepts_torchvision():
    from torchvision.ops import box_iou

    check_box_iou(lambda a, b: box_iou(a[None], b[None]).item())


def _iou_with(width_fn, union_fn):
    def answer(a, b):
        w = width_fn(torch.minimum(a[2], b[2]) - torch.maximum(a[0], b[0]))
        h = width_fn(torch.minimum(a[3], b[3]) - torch.maximum(a[1], b[1]))
        inter = w * h
        return (inter / union_fn((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]), inter)).item()
    return answer


@pytest.mark.parametrize("width_fn, union_fn, message", [
    (lambda d: d, lambda p, q, i: p + q - i, "negative"),                                  # no clamp
    (lambda d: d.clamp(min=0), lambda p, q, i: p + q, "forgot to subtract"),
    (lambda d: d.clamp(min=0), lambda p, q, i: p + q - 2 * i, "twice"),
    (lambda d: (d + 1).clamp(min=0), lambda p, q, i: p + q - i, "exclusive"),
])
def test_iou_rejects_common_mistakes(width_fn, union_fn, message):
    with pytest.raises(CheckFailed, match=message):
        check_box_iou(_iou_with(width_fn, union_fn))


def test_iou_rejects_swapped_axes_and_tensors():
    def swapped(a, b):  # width from the y coordinates
        w = (torch.minimum(a[3], b[3]) - torch.maximum(a[1], b[1])).clamp(min=0)
        h = (torch.minimum(a[2], b[2]) - torch.maximum(a[0], b[0])).clamp(min=0)
        union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
        return (w * h / union).item() if a[0] != 0 or a[2] != 30 else 0.5
    with pytest.raises(CheckFailed, match="0.2"):
        check_box_iou(swapped)
    with pytest.raises(CheckFailed, match="Python float"):
        check_box_iou(lambda a, b: torch.tensor(iou(a, b)))


def test_cam_rejects_common_mistakes():
    with pytest.raises(CheckFailed, match="all ten classes"):
        check_class_activation_map(lambda f, w, c: torch.einsum("khw,ck->chw", f, w))
    with pytest.raises(CheckFailed, match="no ReLU"):
        check_class_activation_map(lambda f, w, c: torch.relu(cam(f, w, c)))
    with pytest.raises(CheckFailed, match="its own weight"):
        check_class_activation_map(lambda f, w, c: f.mean(0) * w[c].sum())
    with pytest.raises(CheckFailed, match="shape"):
        check_class_activation_map(lambda f, w, c: cam(f, w, c).flatten())
    with pytest.raises(CheckFailed, match="not sum_k"):
        check_class_activation_map(lambda f, w, c: cam(f, w, (c + 1) % 10))


def test_not_implemented_is_reported(capsys):
    def todo(*args):
        raise NotImplementedError

    assert not run_check("iou", lambda: check_box_iou(todo))
    assert not run_check("cam", lambda: check_class_activation_map(todo))
    assert "not implemented yet" in capsys.readouterr().out
