"""Transfer learning: a small pretrained ResNet, freezing, parameter-efficient tuning, few-label data.

Introduced in 06_transfer_learning.

The course pretrains its own backbone offline, so nothing is downloaded:

- source task: the ``photo_digits`` training images of digits 0-4 (5 classes, ~3,000 images);
- target task: digits 5-9 (classes the backbone never saw), with only a few labels per class,
  tested on the ``photo_digits`` test split (new writers, new photo regions).

Rebuild the shipped checkpoint with one command (a few minutes on a 2-core CPU)::

    python -m course_utils.transfer pretrain

torchvision's ImageNet ResNet-18 (``ResNet18_Weights.DEFAULT``) is an opt-in through the same
:func:`load_backbone`, used only when its file is already in the torch cache.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import warnings
from pathlib import Path
from typing import Iterable, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from .augment import BatchAugment
from .checks import require_images
from .data import ImageData, atomic_write_bytes, data_dir, load_dataset, sha256_file
from .loading import BatchLoader, normalize
from .training import evaluate

__all__ = [
    "SOURCE_CLASSES", "TARGET_CLASSES", "CHECKPOINT_NAME", "CHECKPOINT_SHA256", "CheckpointError",
    "SmallResNet", "TransferSplits", "transfer_splits", "pretrain", "save_checkpoint", "load_checkpoint",
    "load_backbone", "imagenet_weights_path", "replace_head", "freeze", "unfreeze", "freeze_all_but_head",
    "bn_and_bias_only", "LoRAConv2d", "add_lora", "count_trainable", "finetune_param_groups",
    "sample_per_class", "train_steps", "test_accuracy", "extract_features", "linear_probe", "knn_accuracy",
]

SOURCE_CLASSES = (0, 1, 2, 3, 4)
TARGET_CLASSES = (5, 6, 7, 8, 9)
CHECKPOINT_NAME = "transfer_resnet_v1.shipped.pt"
# sha256 of the shipped checkpoint; `python -m course_utils.transfer pretrain` prints the new one.
CHECKPOINT_SHA256 = "080f1a5489e808de3cbdeef119ff97bb2e914d35045d0a90c67b81926dd6c625"
# Where a checkpoint rebuilt on first use goes (not tracked by git).
REBUILT_NAME = "transfer_resnet_v1.pt"
PRETRAIN_CONFIG = {"widths": (16, 32, 64), "blocks": 1, "epochs": 10, "lr": 3e-3, "batch_size": 128, "seed": 0}


class CheckpointError(RuntimeError):
    """A checkpoint is missing, truncated or altered. Introduced in 06_transfer_learning."""


# --------------------------------------------------------------------------------------------------
# The backbone: a ResNet for 32x32 images with torchvision's module names (conv1, bn1, relu,
# layer1..layer3, avgpool, flatten, fc), so the same feature-extraction code runs on both.


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
            stages.append(nn.Sequential(*[BasicBlock(channels if i == 0 else width, width, stride if i == 0 else 1) for i in range(blocks)]))
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


# --------------------------------------------------------------------------------------------------
# Source and target tasks, both from photo_digits (disjoint classes).


class TransferSplits:
    """Source (digits 0-4) and target (digits 5-9) images of ``photo_digits``, labels remapped to
    0..4. ``target_pool`` is where few-label training sets are drawn from; ``target_test`` is the
    test split (new writers and photo regions). Introduced in 06_transfer_learning.
    """

    def __init__(self, data: ImageData) -> None:
        def pick(images: torch.Tensor, labels: torch.Tensor, classes: Sequence[int]) -> tuple[torch.Tensor, torch.Tensor]:
            keep = torch.isin(labels, torch.tensor(classes))
            return images[keep], labels[keep] - min(classes)

        self.source_train = pick(data.train_images, data.train_labels, SOURCE_CLASSES)
        self.source_test = pick(data.test_images, data.test_labels, SOURCE_CLASSES)
        self.target_pool = pick(data.train_images, data.train_labels, TARGET_CLASSES)
        self.target_test = pick(data.test_images, data.test_labels, TARGET_CLASSES)
        self.source_names = tuple(str(c) for c in SOURCE_CLASSES)
        self.target_names = tuple(str(c) for c in TARGET_CLASSES)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k} {len(getattr(self, k)[1])}" for k in ("source_train", "source_test", "target_pool", "target_test"))
        return f"TransferSplits(source digits 0-4 -> target digits 5-9: {sizes} images)"


def transfer_splits(root: str | os.PathLike | None = None) -> TransferSplits:
    """The source and target tasks of 06_transfer_learning, built from ``photo_digits``."""
    return TransferSplits(load_dataset("photo_digits", root=root))


# --------------------------------------------------------------------------------------------------
# Training with a fixed number of steps on in-memory uint8 images.


def _set_bn_eval(model: nn.Module) -> None:
    for module in model.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            module.eval()


def train_steps(
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    optimizer: torch.optim.Optimizer,
    steps: int,
    batch_size: int = 64,
    seed: int = 0,
    augment: bool = True,
    bn_eval: bool = False,
    device: torch.device | str = "cpu",
) -> list[float]:
    """Train ``model`` for ``steps`` optimizer steps on shuffled (and, with ``augment``, randomly
    shifted) batches of ``images``; return the loss of each step. Introduced in 06_transfer_learning.

    ``bn_eval`` keeps batch-norm layers in eval mode (their running statistics stay the pretrained
    ones): what you want when the backbone is frozen or only lightly tuned on a handful of images.
    """
    require_images(images, "images", torch.uint8)
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    if len(labels) != len(images):
        raise ValueError(f"labels ({len(labels)}) and images ({len(images)}) differ in length")
    loader = BatchLoader(images, labels, batch_size=min(batch_size, len(labels)), shuffle=True,
                         augment=BatchAugment(crop_padding=3, hflip=False) if augment else None,
                         device=device, seed=seed)
    loss_fn = nn.CrossEntropyLoss()
    losses: list[float] = []
    model.train()
    if bn_eval:
        _set_bn_eval(model)
    while len(losses) < steps:
        for inputs, targets in loader:
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(inputs), targets)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            if len(losses) == steps:
                break
    model.eval()
    return losses


@torch.no_grad()
def test_accuracy(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, batch_size: int = 500) -> float:
    """Accuracy of ``model`` (eval mode) on uint8 ``images``. Introduced in 06_transfer_learning."""
    model.eval()
    loader = BatchLoader(images, labels, batch_size, device=next(model.parameters()).device)
    return evaluate(model, loader)[1]


# --------------------------------------------------------------------------------------------------
# Pretraining and checkpoints.


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
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(1, epochs + 1):
        model.train()
        total = 0.0
        for inputs, targets in loader:
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(inputs), targets)
            loss.backward()
            optimizer.step()
            scheduler.step()
            total += loss.item() * len(targets)
        if verbose:
            acc = test_accuracy(model, *splits.source_test)
            print(f"epoch {epoch:>2}  train loss {total / len(labels):.4f}  source test acc {100 * acc:.1f}%", flush=True)
    return model, test_accuracy(model, *splits.source_test)


def save_checkpoint(state_dict: dict[str, torch.Tensor], path: str | os.PathLike) -> str:
    """Write ``state_dict`` to ``path`` atomically (temp file, then ``os.replace``) and a sidecar
    ``path + '.sha256'``; return the file's sha256. Introduced in 06_transfer_learning.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    torch.save({k: v.detach().cpu().contiguous() for k, v in state_dict.items()}, buffer)
    atomic_write_bytes(path, buffer.getvalue())
    checksum = sha256_file(path)
    atomic_write_bytes(path.with_name(path.name + ".sha256"), (checksum + "\n").encode())
    return checksum


def load_checkpoint(path: str | os.PathLike, sha256: str | None = None) -> dict[str, torch.Tensor]:
    """Load a state dict with ``torch.load(path, weights_only=True)`` (no arbitrary unpickling),
    after checking its sha256 against ``sha256`` (or the ``.sha256`` sidecar when ``None``).

    Raises :class:`CheckpointError` naming the problem. Introduced in 06_transfer_learning.
    """
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"checkpoint {path.name} is missing")
    if sha256 is None:
        sidecar = path.with_name(path.name + ".sha256")
        if not sidecar.exists():
            raise CheckpointError(f"checkpoint {path.name} has no checksum file {sidecar.name}")
        sha256 = sidecar.read_text().strip()
    actual = sha256_file(path)
    if actual != sha256:
        raise CheckpointError(
            f"checkpoint {path.name} is truncated or altered: sha256 {actual[:12]}... does not match "
            f"the recorded {sha256[:12]}..."
        )
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # a file with the right hash but unreadable by this torch version
        raise CheckpointError(f"checkpoint {path.name} could not be read ({error})") from error
    if not isinstance(state, dict):
        raise CheckpointError(f"checkpoint {path.name} does not hold a state dict")
    return state


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


# --------------------------------------------------------------------------------------------------
# Heads, freezing, parameter-efficient tuning.


def replace_head(model: nn.Module, num_classes: int, seed: int = 0) -> nn.Module:
    """Put a fresh linear head ``fc`` with ``num_classes`` outputs on ``model`` (in place; returned).
    Introduced in 06_transfer_learning.
    """
    if not hasattr(model, "fc") or not hasattr(model, "num_features"):
        raise ValueError("model needs an `fc` head and a `num_features` attribute (see load_backbone)")
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    model.fc = nn.Linear(model.num_features, num_classes)
    torch.random.set_rng_state(generator_state)
    return model


def freeze(module: nn.Module) -> nn.Module:
    """Set ``requires_grad=False`` on every parameter of ``module``. Introduced in 06_transfer_learning."""
    for parameter in module.parameters():
        parameter.requires_grad_(False)
    return module


def unfreeze(module: nn.Module) -> nn.Module:
    """Set ``requires_grad=True`` on every parameter of ``module``. Introduced in 06_transfer_learning."""
    for parameter in module.parameters():
        parameter.requires_grad_(True)
    return module


def freeze_all_but_head(model: nn.Module, head: str = "fc") -> nn.Module:
    """Freeze everything except the submodule named ``head``. Introduced in 06_transfer_learning."""
    if not hasattr(model, head):
        raise ValueError(f"model has no submodule {head!r} to keep trainable")
    freeze(model)
    unfreeze(getattr(model, head))
    return model


def bn_and_bias_only(model: nn.Module, head: str = "fc") -> nn.Module:
    """Train only batch-norm scales/shifts, biases and the head (BitFit-style tuning).
    Introduced in 06_transfer_learning.
    """
    freeze_all_but_head(model, head)
    for module in model.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            unfreeze(module)
    for name, parameter in model.named_parameters():
        if name.endswith("bias"):
            parameter.requires_grad_(True)
    return model


class LoRAConv2d(nn.Module):
    """A frozen convolution plus a trainable low-rank update (LoRA, Hu et al., 2021, on a conv):

    ``y = conv(x) + (alpha / r) * B(A(x))`` where ``A`` is a ``k x k`` conv to ``r`` channels (same
    stride and padding as ``conv``) and ``B`` a 1x1 conv back to ``out_channels``, initialised to
    zero so the wrapped layer starts exactly as the pretrained one. Introduced in 06_transfer_learning.
    """

    def __init__(self, conv: nn.Conv2d, rank: int = 2, alpha: float | None = None) -> None:
        super().__init__()
        if not isinstance(conv, nn.Conv2d):
            raise TypeError(f"LoRAConv2d wraps an nn.Conv2d, got {type(conv).__name__}")
        if not isinstance(rank, int) or rank < 1:
            raise ValueError(f"rank must be a positive int, got {rank!r}")
        self.conv = freeze(conv)
        self.rank = rank
        self.scale = (alpha if alpha is not None else rank) / rank
        self.lora_A = nn.Conv2d(conv.in_channels, rank, conv.kernel_size, conv.stride, conv.padding, bias=False)
        self.lora_B = nn.Conv2d(rank, conv.out_channels, 1, bias=False)
        nn.init.kaiming_uniform_(self.lora_A.weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B.weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x) + self.scale * self.lora_B(self.lora_A(x))


def add_lora(model: nn.Module, rank: int = 2, min_kernel: int = 3, seed: int = 0) -> nn.Module:
    """Freeze ``model`` except its head ``fc`` and wrap every ``k x k`` convolution (``k >=
    min_kernel``) in a :class:`LoRAConv2d` (in place; returned). Introduced in 06_transfer_learning.
    """
    freeze_all_but_head(model)
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    targets = [(name, module) for name, module in model.named_modules()
               if isinstance(module, nn.Conv2d) and module.kernel_size[0] >= min_kernel and not name.endswith(("lora_A", "lora_B"))]
    for name, conv in targets:
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, child, LoRAConv2d(conv, rank))
    torch.random.set_rng_state(generator_state)
    return model


def count_trainable(model: nn.Module) -> tuple[int, int, float]:
    """``(trainable, total, trainable / total)`` parameter counts of ``model``.
    Introduced in 06_transfer_learning.
    """
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    if total == 0:
        raise ValueError("model has no parameters")
    return trainable, total, trainable / total


def finetune_param_groups(model: nn.Module, head_lr: float, backbone_lr: float, head: str = "fc") -> list[dict]:
    """Optimizer parameter groups: the head at ``head_lr``, the trainable rest at ``backbone_lr``
    (usually 10x smaller, so pretrained features move slowly). Introduced in 06_transfer_learning.
    """
    head_params = [p for p in getattr(model, head).parameters() if p.requires_grad]
    head_ids = {id(p) for p in head_params}
    rest = [p for p in model.parameters() if p.requires_grad and id(p) not in head_ids]
    groups = [{"params": head_params, "lr": head_lr}]
    if rest:
        groups.append({"params": rest, "lr": backbone_lr})
    return groups


# --------------------------------------------------------------------------------------------------
# Few-label data, features and simple classifiers on features.


def sample_per_class(labels: torch.Tensor, per_class: int, seed: int = 0) -> torch.Tensor:
    """Indices of ``per_class`` random examples of every class in ``labels`` (sorted; the same
    seed always gives the same subset). Introduced in 06_transfer_learning.
    """
    if not isinstance(per_class, int) or per_class < 1:
        raise ValueError(f"per_class must be a positive int, got {per_class!r}")
    generator = torch.Generator().manual_seed(seed)
    picks = []
    for c in torch.unique(labels).tolist():
        members = torch.nonzero(labels == c).flatten()
        if len(members) < per_class:
            raise ValueError(f"class {c} has only {len(members)} examples, fewer than per_class={per_class}")
        picks.append(members[torch.randperm(len(members), generator=generator)[:per_class]])
    return torch.sort(torch.cat(picks)).values


@torch.no_grad()
def extract_features(model: nn.Module, images: torch.Tensor, node: str = "flatten", batch_size: int = 500) -> torch.Tensor:
    """Features of uint8 ``images`` at graph node ``node`` (default: the pooled vector before the
    head), computed with ``create_feature_extractor``. Introduced in 06_transfer_learning.
    """
    from torchvision.models.feature_extraction import create_feature_extractor

    require_images(images, "images", torch.uint8)
    extractor = create_feature_extractor(model, return_nodes={node: "out"}).eval()
    device = next(model.parameters()).device
    chunks = [extractor(normalize(images[s:s + batch_size]).to(device))["out"].flatten(1).cpu()
              for s in range(0, len(images), batch_size)]
    return torch.cat(chunks)


def linear_probe(train_x: torch.Tensor, train_y: torch.Tensor, num_classes: int, steps: int = 300,
                 lr: float = 0.05, weight_decay: float = 1e-3, seed: int = 0) -> nn.Linear:
    """A linear classifier trained (full batch, Adam) on frozen features, standardised by their
    training mean and std, which the returned layer folds into its weights. Introduced in
    06_transfer_learning.
    """
    if train_x.ndim != 2 or len(train_x) != len(train_y):
        raise ValueError(f"train_x must be (N, D) with N = len(train_y), got {tuple(train_x.shape)} and {len(train_y)}")
    mean = train_x.mean(0)
    std = train_x.std(0, unbiased=False) + 1e-3 if len(train_x) > 1 else train_x.new_ones(train_x.shape[1])
    z = (train_x - mean) / std
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    layer = nn.Linear(train_x.shape[1], num_classes)
    torch.random.set_rng_state(generator_state)
    optimizer = torch.optim.Adam(layer.parameters(), lr=lr, weight_decay=weight_decay)
    with torch.enable_grad():
        for _ in range(steps):
            optimizer.zero_grad()
            F.cross_entropy(layer(z), train_y).backward()
            optimizer.step()
    with torch.no_grad():  # fold the standardisation into the layer: W (x - m) / s + b
        layer.weight.div_(std)
        layer.bias.sub_(layer.weight @ mean)
    return layer


def knn_accuracy(train_x: torch.Tensor, train_y: torch.Tensor, test_x: torch.Tensor, test_y: torch.Tensor, k: int = 1) -> float:
    """Accuracy of a ``k``-nearest-neighbour classifier with cosine similarity.
    Introduced in 06_transfer_learning.
    """
    similarity = F.normalize(test_x, dim=1) @ F.normalize(train_x, dim=1).T
    votes = train_y[similarity.topk(k, dim=1).indices]
    predictions = torch.mode(votes, dim=1).values
    return (predictions == test_y).float().mean().item()


def _main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m course_utils.transfer",
                                     description="Pretrain the backbone of 06_transfer_learning.")
    parser.add_argument("command", choices=["pretrain"])
    parser.add_argument("--out", default=None, help=f"checkpoint path (default: data/{CHECKPOINT_NAME})")
    parser.add_argument("--epochs", type=int, default=None)
    args = parser.parse_args(list(argv) if argv is not None else None)
    model, accuracy = pretrain(epochs=args.epochs)
    out = Path(args.out) if args.out else data_dir() / CHECKPOINT_NAME
    checksum = save_checkpoint(model.state_dict(), out)
    print(f"source test accuracy {100 * accuracy:.1f}%")
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB), sha256 {checksum}")
    if out.name == CHECKPOINT_NAME and checksum != CHECKPOINT_SHA256:
        print("note: this differs from CHECKPOINT_SHA256 in course_utils/transfer.py; update it to ship this file")


if __name__ == "__main__":
    _main()
