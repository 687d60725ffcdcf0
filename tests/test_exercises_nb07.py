"""The exercises of 07_feature_extraction_in_practice: reference solutions pass, wrong answers are rejected."""

import pytest
import torch
from notebook_solutions import solutions

from course_utils.checks import CheckFailed, run_check
from course_utils.exercises.nb07 import check_detect_cuts, check_hit_rate_at_k

detect_cuts, hit_rate_at_k = solutions("07").detect_cuts, solutions("07").hit_rate_at_k


def test_reference_solutions_pass(capsys):
    assert run_check("detect cuts", lambda: check_detect_cuts(detect_cuts))
    assert run_check("hit rate", lambda: check_hit_rate_at_k(hit_rate_at_k))
    assert "✔ detect cuts: correct" in capsys.readouterr().out


def test_detect_cuts_accepts_a_tensor_of_frames():
    def as_tensor(distances, threshold):
        return (distances > threshold).nonzero().flatten() + 1

    check_detect_cuts(as_tensor)


def test_detect_cuts_rejects_off_by_one():
    with pytest.raises(CheckFailed, match="off by one"):
        check_detect_cuts(lambda d, t: (d > t).nonzero().flatten().tolist())


def test_detect_cuts_rejects_greater_or_equal():
    with pytest.raises(CheckFailed, match="strictly above"):
        check_detect_cuts(lambda d, t: [i + 1 for i in (d >= t).nonzero().flatten().tolist()])


def test_detect_cuts_rejects_below_threshold():
    with pytest.raises(CheckFailed, match="below"):
        check_detect_cuts(lambda d, t: [i + 1 for i in (d < t).nonzero().flatten().tolist()])


def test_detect_cuts_rejects_unsorted_and_float_frames():
    with pytest.raises(CheckFailed, match="sorted"):
        check_detect_cuts(lambda d, t: sorted(detect_cuts(d, t), reverse=True))
    with pytest.raises(CheckFailed, match="integer frame indices"):
        check_detect_cuts(lambda d, t: torch.tensor(detect_cuts(d, t), dtype=torch.float32))


def test_hit_rate_accepts_another_dtype_and_sort():
    def by_sorting(similarity, gallery_labels, query_labels, k):
        order = similarity.double().argsort(dim=1, descending=True)[:, :k]
        return float((gallery_labels[order] == query_labels[:, None]).sum(dim=1).clamp(max=1).double().mean())

    check_hit_rate_at_k(by_sorting)


def test_hit_rate_rejects_ascending_order():
    def ascending(similarity, gallery_labels, query_labels, k):
        top_k = similarity.argsort(dim=1)[:, :k]
        return (gallery_labels[top_k] == query_labels[:, None]).any(dim=1).float().mean().item()

    with pytest.raises(CheckFailed, match="least"):
        check_hit_rate_at_k(ascending)


def test_hit_rate_rejects_precision():
    def precision(similarity, gallery_labels, query_labels, k):
        top_k = similarity.topk(k, dim=1).indices
        return (gallery_labels[top_k] == query_labels[:, None]).float().mean().item()

    with pytest.raises(CheckFailed, match="precision@k"):
        check_hit_rate_at_k(precision)


@pytest.mark.parametrize("shift, message", [(-1, "k - 1"), (1, "k \\+ 1")])
def test_hit_rate_rejects_k_counted_wrong(shift, message):
    with pytest.raises(CheckFailed, match=message):
        check_hit_rate_at_k(lambda s, g, q, k: hit_rate_at_k(s, g, q, k + shift))


def test_hit_rate_rejects_a_tensor():
    def tensor_answer(similarity, gallery_labels, query_labels, k):
        top_k = similarity.topk(k, dim=1).indices
        return (gallery_labels[top_k] == query_labels[:, None]).any(dim=1).float().mean()

    with pytest.raises(CheckFailed, match="Python float"):
        check_hit_rate_at_k(tensor_answer)


def test_not_implemented_is_reported(capsys):
    def todo(*args):
        raise NotImplementedError

    assert not run_check("detect cuts", lambda: check_detect_cuts(todo))
    assert not run_check("hit rate", lambda: check_hit_rate_at_k(todo))
    assert "not implemented yet" in capsys.readouterr().out
