"""Exercise checks of 04_data_augmentation: the reference passes, wrong answers are rejected."""

import pytest
import torch
from notebook_solutions import solutions
from torchvision.transforms import v2

from course_utils.checks import CheckFailed, run_check
from course_utils.exercises.nb04 import check_pipeline, check_random_vflip

make_pipeline, random_vflip = solutions("04").make_pipeline, solutions("04").random_vflip


def test_reference_solutions_pass():
    check_pipeline(make_pipeline)
    check_random_vflip(random_vflip)


@pytest.mark.parametrize(
    "pipeline,match",
    [
        (lambda: v2.Compose([v2.RandomRotation((90, 90)), v2.RandomHorizontalFlip(1.0), v2.CenterCrop(96)]),
         "rotated before flipping"),
        (lambda: v2.Compose([v2.RandomHorizontalFlip(1.0), v2.RandomRotation((-90, -90)), v2.CenterCrop(96)]),
         "rotated clockwise"),
        (lambda: v2.Compose([v2.RandomHorizontalFlip(1.0), v2.RandomRotation((90, 90))]), "centre to 96x96"),
        (lambda: v2.Compose([v2.RandomHorizontalFlip(0.5), v2.RandomRotation((90, 90)), v2.CenterCrop(96)]),
         "changes from call to call|differs"),
        (lambda: v2.Compose([v2.RandomHorizontalFlip(1.0), v2.RandomRotation((90, 90)), v2.CenterCrop(96),
                             v2.ToDtype(torch.float32, scale=True)]), "dtype"),
        (lambda: 42, "must return a transform"),
    ],
)
def test_wrong_pipelines_are_rejected(pipeline, match):
    with pytest.raises(CheckFailed, match=match):
        check_pipeline(pipeline)


def _batch_level_flip(images, p, generator=None):
    return images.flip(-2) if torch.rand(1, generator=generator).item() < p else images


def _left_right(images, p, generator=None):
    flip = torch.rand(images.shape[0], generator=generator) < p
    return torch.where(flip[:, None, None, None], images.flip(-1), images)


def _global_rng(images, p, generator=None):
    flip = torch.rand(images.shape[0]) < p
    return torch.where(flip[:, None, None, None], images.flip(-2), images)


@pytest.mark.parametrize(
    "answer,match",
    [(_batch_level_flip, "same draw"), (_left_right, "left-right"), (_global_rng, "generator"),
     (lambda images, p, generator=None: images, "flipped upside down")],
)
def test_wrong_vflips_are_rejected(answer, match):
    with pytest.raises(CheckFailed, match=match):
        check_random_vflip(answer)


def test_not_implemented_is_reported_not_raised(capsys):
    def todo(*args, **kwargs):
        raise NotImplementedError

    assert not run_check("pipeline", lambda: check_pipeline(todo))
    assert not run_check("random_vflip", lambda: check_random_vflip(todo))
    assert "not implemented yet" in capsys.readouterr().out
