"""Training throughput: the reference code's data pipeline vs the course's, vs the model alone.

Run with ``python -m tools.benchmark`` (or ``make benchmark``) from the repository root
(maintainer tool, not part of the installed package). Introduced in 00_setup_and_tour.

(a) the reference pipeline: per-sample PIL transforms ``RandomCrop(32, padding=4)``,
    ``RandomHorizontalFlip``, ``ToTensor``, ``Normalize`` through ``DataLoader(num_workers=2)``;
(b) the course's pipeline: :class:`~course_utils.loading.BatchLoader` with
    :class:`~course_utils.augment.BatchAugment` (same augmentation, per sample, on whole batches);
(c) the model alone on one ready-made batch: the upper limit for any pipeline.
All three train the reference ConvNet (flatten size corrected) with the reference code's SGD, batch 128.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

import numpy as np
import torch
import torch.nn as nn
from PIL import Image

from course_utils import load_dataset
from course_utils.augment import BatchAugment
from course_utils.loading import BatchLoader
from course_utils.models import ConvNet
from course_utils.repro import seed_everything

__all__ = ["PILDataset", "measure_throughput", "run_benchmark", "BenchmarkResult"]


class PILDataset(torch.utils.data.Dataset):
    """uint8 tensors served one PIL image at a time, as ``torchvision.datasets`` do.
    Introduced in 00_setup_and_tour (the benchmark).
    """

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, transform=None) -> None:
        self.images = images.permute(0, 2, 3, 1).contiguous().numpy()  # (N, H, W, C) for PIL
        self.labels = labels.tolist()
        self.transform = transform

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int):
        image = Image.fromarray(np.asarray(self.images[index]))
        return (self.transform(image) if self.transform else image), self.labels[index]


@dataclass(frozen=True)
class BenchmarkResult:
    """Images per second of the three training pipelines, and of the two data pipelines alone.
    Introduced in 00_setup_and_tour.
    """

    reference_pipeline: float
    course_pipeline: float
    model_alone: float
    reference_data_only: float
    course_data_only: float

    @property
    def course_vs_reference(self) -> float:
        return self.course_pipeline / self.reference_pipeline

    @property
    def course_vs_model(self) -> float:
        return self.course_pipeline / self.model_alone


def measure_throughput(
    batches: Iterable[tuple[torch.Tensor, torch.Tensor]], steps: int, warmup: int = 3, train: bool = True
) -> float:
    """Images per second of training the reference ConvNet (corrected) with SGD on ``batches``, in
    ``channels_last`` memory format (1.5x faster convolutions on a CPU); with ``train=False``,
    of producing the batches alone. The first ``warmup`` steps are not timed.
    Introduced in 00_setup_and_tour.
    """
    seed_everything(0)
    model = ConvNet().to(memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    iterator: Iterator = iter(batches)
    images = 0
    start = time.perf_counter()
    for step in range(warmup + steps):
        if step == warmup:
            images, start = 0, time.perf_counter()
        inputs, targets = next(iterator)
        images += len(targets)
        if not train:
            continue
        inputs = inputs.contiguous(memory_format=torch.channels_last)
        optimizer.zero_grad(set_to_none=True)
        loss_fn(model(inputs), targets).backward()
        optimizer.step()
    return images / (time.perf_counter() - start)


def _repeat(loader: Iterable) -> Iterator:
    while True:
        yield from loader


def run_benchmark(steps: int = 40, batch_size: int = 128, num_workers: int = 2) -> BenchmarkResult:
    """Measure the three pipelines on the course dataset. Introduced in 00_setup_and_tour."""
    from torchvision import transforms

    data = load_dataset("photo_digits")
    reference_transform = transforms.Compose([
        transforms.RandomCrop(32, padding=4),
        transforms.RandomHorizontalFlip(),
        transforms.ToTensor(),
        transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
    ])
    reference_loader = torch.utils.data.DataLoader(
        PILDataset(data.train_images, data.train_labels, reference_transform),
        batch_size=batch_size, shuffle=True, num_workers=num_workers,
        persistent_workers=num_workers > 0, drop_last=True,
    )
    course_loader = BatchLoader(data.train_images, data.train_labels, batch_size, shuffle=True,
                                augment=BatchAugment(crop_padding=4, hflip=True), drop_last=True)
    ready = next(iter(course_loader))
    return BenchmarkResult(
        reference_pipeline=measure_throughput(_repeat(reference_loader), steps),
        course_pipeline=measure_throughput(_repeat(course_loader), steps),
        model_alone=measure_throughput(_repeat([ready]), steps),
        reference_data_only=measure_throughput(_repeat(reference_loader), 4 * steps, train=False),
        course_data_only=measure_throughput(_repeat(course_loader), 4 * steps, train=False),
    )


def feature_throughput(
    count: int = 512, size: int = 128, batch_size: int = 64, repeats: int = 3
) -> tuple[float, float]:
    """Images per second of (a) EfficientNet-Lite0's ``forward_features`` on ready-made, normalized
    batches and (b) :func:`course_utils.features.extract_features` from the uint8 images (normalizing,
    batching, collecting the features on the CPU), measured in one run, best of ``repeats``.
    """
    from course_utils.augment import resize_images
    from course_utils.features import extract_features
    from course_utils.loading import normalize
    from course_utils.pretrained import EFFICIENTNET_MEAN, EFFICIENTNET_STD, load_efficientnet_lite0

    seed_everything(0)
    model = load_efficientnet_lite0()
    images = load_dataset().test_images[:count]
    images = resize_images(images, size)
    ready = [normalize(images[s : s + batch_size], EFFICIENTNET_MEAN, EFFICIENTNET_STD)
             for s in range(0, count, batch_size)]

    def forward_only() -> None:
        with torch.no_grad():
            for batch in ready:
                model.forward_features(batch)

    def extraction() -> None:
        extract_features(model, images, node=None, batch_size=batch_size, mean=EFFICIENTNET_MEAN, std=EFFICIENTNET_STD)

    rates = []
    for run in (forward_only, extraction):
        run()  # warm-up
        best = min(_seconds(run) for _ in range(repeats))
        rates.append(count / best)
    return rates[0], rates[1]


def _seconds(run: Callable[[], None]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=40, help="timed training steps per pipeline")
    parser.add_argument("--workers", type=int, default=2, help="DataLoader workers of the reference pipeline")
    parser.add_argument("--features", action="store_true",
                        help="measure feature extraction with EfficientNet-Lite0 instead of training")
    parser.add_argument("--time-to-accuracy", action="store_true",
                        help="train the course, Adam and reference recipes for the same wall-clock budget")
    parser.add_argument("--epochs", type=int, default=10, help="epochs of the course recipe (--time-to-accuracy)")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (--time-to-accuracy)")
    args = parser.parse_args(argv)
    if args.time_to_accuracy:
        from tools.time_to_accuracy import report, time_to_accuracy

        print(f"torch threads: {args.threads}; photo_digits, 6,000 training and 1,000 test images")
        print(report(time_to_accuracy(args.epochs, args.threads)))
        return
    if args.features:
        forward, extraction = feature_throughput()
        print(f"torch threads: {torch.get_num_threads()}, EfficientNet-Lite0 at 128 px, batch 64, 512 images")
        print(f"(a) forward_features on ready-made batches: {forward:7.1f} images/s")
        print(f"(b) extract_features from uint8 images:     {extraction:7.1f} images/s")
        print(f"(b)/(a) = {extraction / forward:.2f}    (target >= 0.85)")
        return
    result = run_benchmark(args.steps, num_workers=args.workers)
    print(f"torch threads: {torch.get_num_threads()}, batch 128, {args.steps} timed steps each")
    reference = f"(a) reference pipeline (PIL + DataLoader, {args.workers} workers):"
    print(f"{reference} {result.reference_pipeline:8.0f} images/s")
    print(f"(b) course pipeline (BatchLoader + BatchAugment):     {result.course_pipeline:8.0f} images/s")
    print(f"(c) model alone on ready-made tensors:                {result.model_alone:8.0f} images/s")
    print(f"(b)/(a) = {result.course_vs_reference:.2f}x   (target >= 2)")
    print(f"(b)/(c) = {result.course_vs_model:.2f}    (target >= 0.85)")
    print("data pipelines alone, no model:")
    print(f"    reference pipeline: {result.reference_data_only:8.0f} images/s")
    speedup = result.course_data_only / result.reference_data_only
    print(f"    course pipeline:    {result.course_data_only:8.0f} images/s  ({speedup:.1f}x)")


if __name__ == "__main__":
    main()
