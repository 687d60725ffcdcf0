"""Pretrained backbones, loaded offline with checked weights. Introduced in 06_transfer_learning.

The course pretrains its own small ResNet, so nothing is downloaded: on the ``photo_digits``
training images of digits 0-4 (the source task); 06 transfers it to digits 5-9. Rebuild the
shipped checkpoint with ``make pretrain`` (a few minutes on a 2-core CPU).

torchvision's ImageNet ResNet-18 (``ResNet18_Weights.DEFAULT``) is an opt-in through the same
:func:`load_backbone`, used only when its file is already in the torch cache.
"""

from __future__ import annotations

import math
import os
import warnings
from pathlib import Path
from typing import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from .augment import BatchAugment
from .datasets.photo_digits import SOURCE_CLASSES, TransferSplits, transfer_splits
from .loading import BatchLoader
from .storage import CheckpointError, data_dir, load_checkpoint, save_checkpoint
from .training import fit, image_accuracy

__all__ = [
    "CHECKPOINT_NAME",
    "CHECKPOINT_SHA256",
    "REBUILT_NAME",
    "PRETRAIN_CONFIG",
    "BasicBlock",
    "SmallResNet",
    "pretrain",
    "load_backbone",
    "imagenet_weights_path",
]


CHECKPOINT_NAME = "transfer_resnet_v1.shipped.pt"


# sha256 of the shipped checkpoint; `make pretrain` prints the new one.
CHECKPOINT_SHA256 = "080f1a5489e808de3cbdeef119ff97bb2e914d35045d0a90c67b81926dd6c625"


# Where a checkpoint rebuilt on first use goes (not tracked by git).
REBUILT_NAME = "transfer_resnet_v1.pt"


PRETRAIN_CONFIG = {"widths": (16, 32, 64), "blocks": 1, "epochs": 10, "lr": 3e-3, "batch_size": 128, "seed": 0}


class BasicBlock(nn.Module):
    """Two 3x3 convolutions with batch norm and a skip connection (He et al., 2016)."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.downsample = None
        if stride != 1 or in_channels != out_channels:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride, bias=False), nn.BatchNorm2d(out_channels)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + identity)


class SmallResNet(nn.Module):
    """A ResNet for 32x32 images: a 3x3 stem and three stages of ``blocks`` basic blocks (widths
    16, 32, 64; strides 1, 2, 2), global average pooling and a linear head ``fc``.
    Introduced in 06_transfer_learning.

    Module names follow ``torchvision.models.resnet18``, so
    ``create_feature_extractor(model, {"layer3": ..., "flatten": ...})`` works for both.
    """

    def __init__(self, num_classes: int = 5, widths: Sequence[int] = (16, 32, 64), blocks: int = 2) -> None:
        super().__init__()
        if len(widths) != 3 or blocks < 1:
            raise ValueError(f"widths needs 3 stage widths and blocks >= 1, got {widths!r} and {blocks!r}")
        self.conv1 = nn.Conv2d(3, widths[0], 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        stages, channels = [], widths[0]
        for width, stride in zip(widths, (1, 2, 2)):
            blocks_of_stage = [BasicBlock(channels if i == 0 else width, width, stride if i == 0 else 1)
                               for i in range(blocks)]
            stages.append(nn.Sequential(*blocks_of_stage))
            channels = width
        self.layer1, self.layer2, self.layer3 = stages
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten(1)
        self.fc = nn.Linear(channels, num_classes)
        self.num_features = channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(self.flatten(self.avgpool(x)))


def pretrain(epochs: int | None = None, seed: int | None = None, splits: TransferSplits | None = None,
             verbose: bool = True) -> tuple[SmallResNet, float]:
    """Train :class:`SmallResNet` on the source task (digits 0-4) deterministically; return the
    model and its source test accuracy. Introduced in 06_transfer_learning.
    """
    from .repro import seed_everything

    cfg = dict(PRETRAIN_CONFIG)
    epochs = cfg["epochs"] if epochs is None else epochs
    seed = cfg["seed"] if seed is None else seed
    seed_everything(seed)
    splits = splits or transfer_splits()
    images, labels = splits.source_train
    model = SmallResNet(len(SOURCE_CLASSES), cfg["widths"], cfg["blocks"])
    steps_per_epoch = math.ceil(len(labels) / cfg["batch_size"])
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg["lr"], weight_decay=5e-4)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, cfg["lr"], total_steps=epochs * steps_per_epoch)
    loader = BatchLoader(images, labels, batch_size=cfg["batch_size"], shuffle=True,
                         augment=BatchAugment(crop_padding=4, hflip=False), seed=seed)
    # With verbose, the source test split is evaluated after each epoch (it only prints; nothing acts on it).
    test_loader = BatchLoader(*splits.source_test, batch_size=500) if verbose else None
    fit(model, loader, optimizer, epochs, scheduler=scheduler, val_loader=test_loader, verbose=verbose, progress=False)
    return model, image_accuracy(model, *splits.source_test)


def _course_state(root: Path, rebuild: bool = True) -> dict[str, torch.Tensor]:
    """The pretrained weights: the shipped file, else a rebuilt one, else pretrain now and save."""
    for name, sha in ((CHECKPOINT_NAME, CHECKPOINT_SHA256), (REBUILT_NAME, None)):
        path = root / name
        if path.exists():
            try:
                return load_checkpoint(path, sha)
            except CheckpointError as problem:
                warnings.warn(f"{problem}; trying the next option.", stacklevel=3)
    if not rebuild:
        raise CheckpointError(f"no valid pretrained checkpoint in {root.name}/ ({CHECKPOINT_NAME} or {REBUILT_NAME})")
    warnings.warn(f"pretraining the backbone now (a few minutes); it is saved as {REBUILT_NAME}", stacklevel=3)
    model, _ = pretrain(verbose=False)
    save_checkpoint(model.state_dict(), root / REBUILT_NAME)
    return model.state_dict()


def imagenet_weights_path() -> Path | None:
    """Where torchvision's ``ResNet18_Weights.DEFAULT`` file is in the torch cache, or ``None``
    when it is not there (it is never downloaded here). Introduced in 06_transfer_learning.
    """
    from torchvision.models import ResNet18_Weights

    path = Path(torch.hub.get_dir()) / "checkpoints" / Path(ResNet18_Weights.DEFAULT.url).name
    return path if path.exists() else None


def load_backbone(weights: str | None = "course", root: str | os.PathLike | None = None) -> nn.Module:
    """A ResNet with its weights loaded through ``torch.load(..., weights_only=True)``.
    Introduced in 06_transfer_learning.

    - ``"course"``: :class:`SmallResNet` pretrained on digits 0-4 (the shipped checkpoint; rebuilt
      if it is missing or corrupted);
    - ``None``: the same architecture with random weights (the from-scratch baseline);
    - ``"imagenet"``: torchvision's ResNet-18 with ``ResNet18_Weights.DEFAULT``, only when the file
      is already in the torch cache (otherwise a ``FileNotFoundError`` says how to get it).

    Every variant has ``fc`` as its head and ``num_features`` as the head's input size.
    """
    if weights is None or weights == "course":
        cfg = PRETRAIN_CONFIG
        model = SmallResNet(len(SOURCE_CLASSES), cfg["widths"], cfg["blocks"])
        if weights == "course":
            model.load_state_dict(_course_state(data_dir(root)))
        return model.eval()
    if weights == "imagenet":
        from torchvision.models import resnet18

        path = imagenet_weights_path()
        if path is None:
            raise FileNotFoundError(
                "ResNet18_Weights.DEFAULT is not in the torch cache. If you are online, run "
                "`torchvision.models.resnet18(weights='DEFAULT')` once to download it (45 MB)."
            )
        model = resnet18()
        model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
        model.num_features = model.fc.in_features
        return model.eval()
    raise ValueError(f"weights must be 'course', 'imagenet' or None, got {weights!r}")
