import torch
from notebook_solutions import solutions

from course_utils.checks import run_check
from course_utils.exercises.nb00 import check_class_counts

class_counts = solutions("00").class_counts


def test_reference_solution_passes():
    assert run_check("class counts", lambda: check_class_counts(class_counts)).passed


def test_wrong_answers_are_rejected_with_a_reason():
    result = run_check("class counts", lambda: check_class_counts(lambda y, k: torch.bincount(y)))
    assert not result.passed and "forget classes with no images" in result.message
    result = run_check("class counts", lambda: check_class_counts(lambda y, k: torch.ones(k, dtype=torch.long)))
    assert not result.passed and "[2, 1, 3, 0, 0]" in result.message
    result = run_check("class counts", lambda: check_class_counts(lambda y, k: [2, 1, 3, 0, 0]))
    assert not result.passed and "torch.Tensor" in result.message


def test_missing_solution_is_reported_not_raised():
    def todo(labels, num_classes):
        raise NotImplementedError
    assert "not implemented yet" in run_check("class counts", lambda: check_class_counts(todo)).message
