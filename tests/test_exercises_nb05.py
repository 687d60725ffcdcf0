"""The exercise checks of 05_video_lstm accept the reference solutions and reject wrong answers."""

import torch
from notebook_solutions import solutions

from course_utils import run_check
from course_utils.exercises.nb05 import check_last_valid_output, check_masked_mean_pool

last_valid_output, masked_mean_pool = solutions("05").last_valid_output, solutions("05").masked_mean_pool


def test_references_pass(capsys):
    assert run_check("masked mean pool", lambda: check_masked_mean_pool(masked_mean_pool))
    assert run_check("last valid output", lambda: check_last_valid_output(last_valid_output))
    assert capsys.readouterr().out.count("✔") == 2


def test_reference_values():
    features = torch.tensor([[[1.0], [3.0], [100.0]], [[2.0], [100.0], [100.0]]])
    lengths = torch.tensor([2, 1])
    assert masked_mean_pool(features, lengths).flatten().tolist() == [2.0, 2.0]
    assert last_valid_output(features, lengths).flatten().tolist() == [3.0, 2.0]


def test_mean_over_padding_is_rejected():
    result = run_check("masked mean pool", lambda: check_masked_mean_pool(lambda f, n: f.mean(1)))
    assert not result and "padding included" in result.message


def test_wrong_shape_is_rejected():
    result = run_check("masked mean pool", lambda: check_masked_mean_pool(lambda f, n: f.sum(2)))
    assert not result and "shape" in result.message


def test_last_time_step_is_rejected():
    result = run_check("last valid output", lambda: check_last_valid_output(lambda o, n: o[:, -1]))
    assert not result and "lengths[b] - 1" in result.message


def test_wrong_values_are_rejected():
    result = run_check("last valid output", lambda: check_last_valid_output(lambda o, n: o[:, 0]))
    assert not result and "off by" in result.message


def test_not_implemented_is_reported(capsys):
    def todo(*args):
        raise NotImplementedError

    for name, check in (("masked mean pool", check_masked_mean_pool), ("last valid output", check_last_valid_output)):
        result = run_check(name, lambda: check(todo))
        assert not result and "not implemented" in result.message
    assert capsys.readouterr().out.count("✘") == 2


def test_a_correct_answer_in_float64_passes():
    assert run_check("mean", lambda: check_masked_mean_pool(lambda f, n: masked_mean_pool(f.double(), n)))
    assert run_check("last", lambda: check_last_valid_output(lambda o, n: last_valid_output(o.double(), n)))


def test_typical_mistakes_are_named():
    def divided_by_t(features, lengths):
        mask = (torch.arange(features.shape[1])[None, :] < lengths[:, None]).float()
        return (features * mask[:, :, None]).sum(1) / features.shape[1]

    def one_too_far(outputs, lengths):
        return outputs[torch.arange(len(lengths)), lengths]

    def one_too_early(outputs, lengths):
        return outputs[torch.arange(len(lengths)), lengths - 2]

    def padding_summed(features, lengths):
        return features.sum(1) / lengths[:, None]

    assert "divided by T" in run_check("mean", lambda: check_masked_mean_pool(divided_by_t)).message
    assert "padding frames are in your sum" in run_check("mean", lambda: check_masked_mean_pool(padding_summed)).message
    assert "you read index lengths[b]" in run_check("last", lambda: check_last_valid_output(one_too_far)).message
    assert "lengths[b] - 2" in run_check("last", lambda: check_last_valid_output(one_too_early)).message


def test_the_constructed_batch_has_the_answers_it_claims():
    from course_utils.exercises.nb05 import LAST, MEANS, _padded_batch

    padded, lengths = _padded_batch()
    assert torch.allclose(masked_mean_pool(padded, lengths), MEANS)
    assert torch.equal(last_valid_output(padded, lengths), LAST)
    assert int(lengths.max()) < padded.shape[1]  # an index one too far is padding, not out of range
