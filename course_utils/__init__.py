"""Helpers shared by the notebooks of the course *Deep-learning feature extraction for images and video*.

One module per concern; each public function's docstring names the notebook that introduces it.

- ``repro``: seeding, deterministic algorithms, device choice, the versions banner
- ``data``: the course's datasets (built offline, cached with checksums) and CIFAR-10 opt-in
- ``augment``: per-sample augmentation of whole batches
- ``loading``: batches from in-memory tensors
- ``models``: the seed's ConvNet and its fix
- ``training``: ``fit`` / ``evaluate`` / ``predict`` with history and early stopping
- ``metrics``: accuracy, confusion matrix, per-class accuracy
- ``plotting``: learning curves, image grids, confusion matrices
- ``checks``: argument checks and the exercises' automatic checks
- ``claims``: measured numbers (``≈``) and the claims they carry (✔/✘)
- ``summary``: the closing Summary cell
- ``timing``: one format for wall-clock timings
- ``benchmark``: the training-throughput benchmark (``python -m course_utils.benchmark``)
"""

from .augment import BatchAugment, random_crop, random_hflip
from .claims import claim, measured
from .checks import CheckFailed, CheckResult, expect_close, require_images, require_shape, run_check
from .data import DATASETS, ImageData, data_dir, load_dataset
from .loading import BatchLoader, normalize
from .metrics import accuracy, confusion_matrix, per_class_accuracy
from .models import ConvNet, SeedConvNet, count_parameters
from .plotting import plot_confusion_matrix, plot_history, show_images
from .repro import get_device, print_banner, seed_everything
from .summary import print_summary
from .timing import Timer
from .training import EarlyStopping, History, evaluate, fit, predict

__version__ = "0.1.0"

__all__ = [
    "BatchAugment", "random_crop", "random_hflip",
    "claim", "measured",
    "CheckFailed", "CheckResult", "expect_close", "require_images", "require_shape", "run_check",
    "DATASETS", "ImageData", "data_dir", "load_dataset",
    "BatchLoader", "normalize",
    "accuracy", "confusion_matrix", "per_class_accuracy",
    "ConvNet", "SeedConvNet", "count_parameters",
    "plot_confusion_matrix", "plot_history", "show_images",
    "get_device", "print_banner", "seed_everything",
    "print_summary", "Timer",
    "EarlyStopping", "History", "evaluate", "fit", "predict",
]
