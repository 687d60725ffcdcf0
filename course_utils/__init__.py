"""Helpers shared by the notebooks of the course *Deep-learning feature extraction for images and video*.

One module per concern (ARCHITECTURE.md has the map and how data flows); each public function's
docstring names the notebook that introduces it.

- ``repro``: seeding, CPU threads, deterministic algorithms, device choice, the versions banner
- ``storage``: the data folder, atomic writes, checked caches and checkpoints (one sidecar format)
- ``datasets``: the course's datasets, one module each, built offline and cached (and CIFAR-10 opt-in)
- ``video_io``: real video files read and written with PyAV, a folder of videos as a dataset
- ``loading``: batches of images, clips or features from in-memory tensors
- ``augment``: per-sample augmentation of whole batches, one photo under explicit settings
- ``models``: the reference ConvNet and its fix, the course's CNN, MLPs, a compact CNN, video models
- ``training``: ``fit`` / ``evaluate`` / ``predict`` with history, penalties and early stopping
- ``penalties``: L1 and L2 weight penalties and the weights they leave near zero
- ``ablation``: configurations trained over seeds and summarized, label noise
- ``inspection``: output sizes, layer shapes and feature maps of a CNN
- ``shift``: distribution-shifted test sets
- ``pretrained``: pretrained backbones loaded offline with checked weights (a small ResNet, EfficientNet-Lite0)
- ``finetune``: heads, freezing, which parameters train and at which rate
- ``features``: features at any node, extracted once and cached
- ``metrics``: accuracy, confusion matrix, per-class and pair accuracy
- ``plotting``: every static figure; ``widgets``: every interactive one
- ``checks``: argument checks, a gradient check, the exercises' automatic checks
- ``claims``: measured numbers (``≈``) and the claims they carry (✔/✘)
- ``summary``: the closing Summary cell; ``timing``: one format for wall-clock timings
- ``exercises``: the exercises' checks, one module per notebook
"""

from .augment import BatchAugment, random_crop, random_hflip
from .checks import CheckFailed, CheckResult, expect_close, require_images, require_shape, run_check
from .claims import claim, measured
from .datasets import DATASETS, ImageData, load_dataset
from .loading import BatchLoader, normalize
from .metrics import accuracy, confusion_matrix, per_class_accuracy
from .models import ConvNet, ReferenceConvNet, count_parameters
from .plotting import plot_confusion_matrix, plot_history, show_images
from .repro import get_device, print_banner, seed_everything
from .storage import data_dir
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
    "ConvNet", "ReferenceConvNet", "count_parameters",
    "plot_confusion_matrix", "plot_history", "show_images",
    "get_device", "print_banner", "seed_everything",
    "print_summary", "Timer",
    "EarlyStopping", "History", "evaluate", "fit", "predict",
]
