"""Helpers shared by the notebooks of the course *Deep-learning feature extraction for images and video*.

One module per concern (ARCHITECTURE.md has the map and how data flows); each public function's
docstring names the notebook that introduces it. The course's vocabulary, every name a notebook uses,
is imported from here and only from here: ``from course_utils import fit, evaluate``; this is the one
``__all__`` of the package. The modules below are where the code lives, not import paths (the
exercises' checks stay in ``course_utils.exercises.nbNN``).

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
- ``inspection``: the output shape of every layer of a CNN
- ``shift``: distribution-shifted test sets
- ``pretrained``: pretrained backbones loaded offline with checked weights (a small ResNet, EfficientNet-Lite0)
- ``finetune``: freezing all but the head, which parameters train and at which rate
- ``features``: features at any node, extracted once and cached
- ``metrics``: the confusion matrix and the accuracy on chosen pairs of classes
- ``localization``: boxes cut from heatmaps (class activation maps)
- ``plotting``: every static figure; ``widgets``: every interactive one
- ``checks``: argument checks, a gradient check, the exercises' automatic checks
- ``claims``: measured numbers (``≈``) and the claims they carry (✔/✘)
- ``summary``: the closing Summary cell; ``timing``: one format for wall-clock timings
- ``exercises``: the exercises' checks, one module per notebook
"""

from ._figures import plot_confusion_matrix, plot_history, show_images, show_scenes  # drawn there, shared by plotting
from .ablation import Config, flip_labels, run_ablation
from .augment import BatchAugment, affine_batch, random_affine, resize_images
from .checks import exercise_done, numerical_gradient, run_check, stand_in_until_done
from .claims import claim, measured
from .datasets import load_dataset
from .datasets.digit_scenes import load_digit_scenes
from .datasets.digits import load_digits_split, small_digits
from .datasets.moving_digits import load_moving_digits
from .datasets.photo_digits import small_photo_digits, transfer_splits
from .datasets.photo_patches import load_photo_patches
from .datasets.photos import TRAIN_REGION_FRACTION, background_photos, hand_drawn_boxes
from .features import cached_features, extract_features
from .finetune import count_trainable, finetune_param_groups, freeze_all_but_head, sample_per_class
from .inspection import layer_shapes
from .loading import BatchLoader, minibatches, normalize
from .localization import box_from_map
from .metrics import confusion_matrix, pair_accuracy
from .models import (
    MLP,
    ConvNet,
    FrameEncoder,
    ReferenceConvNet,
    conv_bn_relu,
    count_parameters,
    make_cnn,
    make_course_cnn,
)
from .penalties import flat_weights, near_zero_fraction, weight_parameters
from .plotting import (
    FIGURE_DPI,
    plot_accuracy_vs_shift,
    plot_curves,
    plot_feature_maps,
    plot_filters,
    plot_gradients,
    plot_sweep,
    plot_weight_histograms,
    show_frame_strips,
    show_settings,
)
from .pretrained import (
    EFFICIENTNET_MEAN,
    EFFICIENTNET_PACKAGE,
    EFFICIENTNET_SHA256,
    EFFICIENTNET_STD,
    EfficientNetLite0,
    efficientnet_lite0_path,
    imagenet_categories,
    load_backbone,
    load_efficientnet_lite0,
)
from .repro import get_device, print_banner, seed_everything
from .shift import SHIFT_KINDS, ShiftSpec, shifted_test_sets
from .storage import data_dir
from .summary import print_summary
from .timing import Timer, format_seconds
from .training import evaluate, fit, image_accuracy, predict, set_batchnorm_eval, warmup_cosine
from .video_io import SAMPLE_VIDEOS, VideoFolder, read_video, sample_video_path, write_video
from .widgets import AugmentationExplorer, curve_explorer

__version__ = "0.1.0"

__all__ = [
    "Config", "flip_labels", "run_ablation",  # ablation
    "BatchAugment", "affine_batch", "random_affine", "resize_images",  # augment
    "exercise_done", "numerical_gradient", "run_check", "stand_in_until_done",  # checks
    "claim", "measured",  # claims
    "TRAIN_REGION_FRACTION", "background_photos", "hand_drawn_boxes", "load_dataset", "load_digit_scenes",
    "load_digits_split", "load_moving_digits", "load_photo_patches", "small_digits", "small_photo_digits",
    "transfer_splits",  # datasets
    "cached_features", "extract_features",  # features
    "count_trainable", "finetune_param_groups", "freeze_all_but_head", "sample_per_class",  # finetune
    "layer_shapes",  # inspection
    "BatchLoader", "minibatches", "normalize",  # loading
    "box_from_map",  # localization
    "confusion_matrix", "pair_accuracy",  # metrics
    "MLP", "ConvNet", "FrameEncoder", "ReferenceConvNet", "conv_bn_relu", "count_parameters", "make_cnn",
    "make_course_cnn",  # models
    "flat_weights", "near_zero_fraction", "weight_parameters",  # penalties
    "FIGURE_DPI", "plot_accuracy_vs_shift", "plot_confusion_matrix", "plot_curves", "plot_feature_maps",
    "plot_filters", "plot_gradients", "plot_history", "plot_sweep", "plot_weight_histograms", "show_frame_strips",
    "show_images", "show_scenes", "show_settings",  # plotting
    "EFFICIENTNET_MEAN", "EFFICIENTNET_PACKAGE", "EFFICIENTNET_SHA256", "EFFICIENTNET_STD", "EfficientNetLite0",
    "efficientnet_lite0_path", "imagenet_categories", "load_backbone", "load_efficientnet_lite0",  # pretrained
    "get_device", "print_banner", "seed_everything",  # repro
    "SHIFT_KINDS", "ShiftSpec", "shifted_test_sets",  # shift
    "data_dir",  # storage
    "print_summary",  # summary
    "Timer", "format_seconds",  # timing
    "evaluate", "fit", "image_accuracy", "predict", "set_batchnorm_eval", "warmup_cosine",  # training
    "SAMPLE_VIDEOS", "VideoFolder", "read_video", "sample_video_path", "write_video",  # video_io
    "AugmentationExplorer", "curve_explorer",  # widgets
]
