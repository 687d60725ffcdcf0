"""Time to accuracy: the course's training recipe against 02's previous Adam recipe and the reference
recipe, each trained for the same wall-clock budget on photo_digits (maintainer tool).

    python -m tools.benchmark --time-to-accuracy [--epochs 10] [--threads 2]

The course recipe (02_cnn_training's final recipe: the course CNN, AdamW, a warm-up and cosine
schedule over ``--epochs`` epochs, label smoothing, shifts, batches of 64) is trained first; its
training time T is the budget. The other two train epoch after epoch until their training time
reaches T (their last epoch may end a little after T: that only favours them). Test accuracy is
measured after every epoch, outside the clock, so the time each recipe needs to reach 90% and 94%
can be read off. The last line is the one the README quotes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import torch
import torch.nn as nn

from course_utils import load_dataset
from course_utils.augment import BatchAugment
from course_utils.loading import BatchLoader
from course_utils.models import ConvNet, make_course_cnn
from course_utils.repro import seed_everything
from course_utils.training import evaluate, warmup_cosine

__all__ = ["Recipe", "Curve", "RECIPES", "train_for", "time_to_accuracy", "report"]

THRESHOLDS = (90.0, 94.0)


@dataclass(frozen=True)
class Recipe:
    """How one recipe builds its model, optimizer, loss and batches."""

    name: str
    model: Callable[[], nn.Module]
    optimizer: Callable[[nn.Module], torch.optim.Optimizer]
    batch_size: int
    label_smoothing: float = 0.0
    shifts: int = 0  # random shifts of up to this many pixels
    schedule: bool = False  # warm-up and cosine decay over the planned epochs


@dataclass
class Curve:
    """Training seconds and test accuracy (%) after each epoch of one recipe."""

    name: str
    seconds: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)

    def reached(self, threshold: float) -> float | None:
        """Training seconds until the test accuracy first reached ``threshold``, else None."""
        return next((s for s, a in zip(self.seconds, self.accuracy) if a >= threshold), None)


RECIPES = {
    "course": Recipe("course recipe", make_course_cnn,
                     lambda m: torch.optim.AdamW(m.parameters(), lr=1e-2, weight_decay=0.5), 64,
                     label_smoothing=0.1, shifts=3, schedule=True),
    "adam": Recipe("Adam recipe", ConvNet, lambda m: torch.optim.Adam(m.parameters(), lr=1e-3), 128),
    "reference": Recipe("reference recipe", ConvNet,
                        lambda m: torch.optim.SGD(m.parameters(), lr=1e-3, momentum=0.9), 128),
}


def train_for(recipe: Recipe, images: torch.Tensor, labels: torch.Tensor, test: BatchLoader, *,
              epochs: int | None = None, seconds: float | None = None, seed: int = 0) -> Curve:
    """Train ``recipe`` for ``epochs`` epochs, or until ``seconds`` of training time have passed,
    measuring test accuracy after every epoch (not counted as training time)."""
    if (epochs is None) == (seconds is None):
        raise ValueError("give either epochs or seconds")
    seed_everything(seed)
    model = recipe.model().to(memory_format=torch.channels_last)
    optimizer = recipe.optimizer(model)
    augment = BatchAugment(crop_padding=recipe.shifts, hflip=False) if recipe.shifts else None
    loader = BatchLoader(images, labels, recipe.batch_size, shuffle=True, augment=augment, seed=seed,
                         channels_last=True)
    scheduler = warmup_cosine(optimizer, epochs * len(loader)) if recipe.schedule and epochs else None
    loss_fn = nn.CrossEntropyLoss(label_smoothing=recipe.label_smoothing)
    curve, spent = Curve(recipe.name), 0.0
    while (epochs is not None and len(curve.seconds) < epochs) or (seconds is not None and spent < seconds):
        start = time.perf_counter()
        model.train()
        for inputs, targets in loader:
            optimizer.zero_grad(set_to_none=True)
            loss_fn(model(inputs), targets).backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
        spent += time.perf_counter() - start
        curve.seconds.append(spent)
        curve.accuracy.append(100 * evaluate(model, test)[1])
    return curve


def time_to_accuracy(epochs: int = 10, threads: int = 2,
                     images: torch.Tensor | None = None, labels: torch.Tensor | None = None,
                     test_images: torch.Tensor | None = None, test_labels: torch.Tensor | None = None) -> list[Curve]:
    """The course recipe for ``epochs`` epochs, then the two others for the same training time.
    The data default to photo_digits' 6,000 training and 1,000 test images."""
    if images is None:
        data = load_dataset("photo_digits")
        images, labels = data.train_images, data.train_labels
        test_images, test_labels = data.test_images, data.test_labels
    seed_everything(0, threads=threads)
    test = BatchLoader(test_images, test_labels, 500, channels_last=True)
    course = train_for(RECIPES["course"], images, labels, test, epochs=epochs)
    budget = course.seconds[-1]
    others = [train_for(RECIPES[name], images, labels, test, seconds=budget) for name in ("adam", "reference")]
    return [course, *others]


def _accuracy_at(curve: Curve, budget: float) -> float:
    """Test accuracy after the first epoch that ended at or after ``budget`` (or the last one)."""
    return next((a for s, a in zip(curve.seconds, curve.accuracy) if s >= budget), curve.accuracy[-1])


def report(curves: list[Curve]) -> str:
    """One line per recipe (epochs, time, accuracy, time to 90% and 94%), then the summary line."""
    course, adam, reference = curves
    budget = course.seconds[-1]
    lines = []
    for curve in curves:
        reach = ", ".join(f"{t:g}%: " + (f"{s:.1f} s" if (s := curve.reached(t)) is not None else "not reached")
                          for t in THRESHOLDS)
        lines.append(f"{curve.name:<17} {len(curve.seconds):>3} epochs in {curve.seconds[-1]:5.1f} s, "
                     f"test {curve.accuracy[-1]:5.1f}%  (time to {reach})")
    lines.append(f"time-to-accuracy: course recipe {course.accuracy[-1]:.1f}% test after {budget:.1f} s; "
                 f"same budget: Adam recipe {_accuracy_at(adam, budget):.1f}%, "
                 f"reference recipe {_accuracy_at(reference, budget):.1f}%")
    return "\n".join(lines)
