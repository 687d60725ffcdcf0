"""Adapting a pretrained network to a new task: replacing the head, freezing, which parameters to
train and at which rate, features at a graph node, linear probes and nearest neighbours on them.
Introduced in 06_transfer_learning.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from .checks import require_images
from .loading import normalize
from .training import fit

__all__ = [
    "replace_head",
    "freeze",
    "unfreeze",
    "freeze_all_but_head",
    "bn_and_bias_only",
            "count_trainable",
    "finetune_param_groups",
    "sample_per_class",
            "extract_features",
    "linear_probe",
    "knn_accuracy",
]


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
def extract_features(
    model: nn.Module, images: torch.Tensor, node: str = "flatten", batch_size: int = 500
) -> torch.Tensor:
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
    with torch.enable_grad():  # full batch: one (features, labels) pair, ``steps`` times
        fit(layer, [(z, train_y)], optimizer, steps=steps, progress=False)
    with torch.no_grad():  # fold the standardisation into the layer: W (x - m) / s + b
        layer.weight.div_(std)
        layer.bias.sub_(layer.weight @ mean)
    return layer


def knn_accuracy(
    train_x: torch.Tensor, train_y: torch.Tensor, test_x: torch.Tensor, test_y: torch.Tensor, k: int = 1
) -> float:
    """Accuracy of a ``k``-nearest-neighbour classifier with cosine similarity.
    Introduced in 06_transfer_learning.
    """
    similarity = F.normalize(test_x, dim=1) @ F.normalize(train_x, dim=1).T
    votes = train_y[similarity.topk(k, dim=1).indices]
    predictions = torch.mode(votes, dim=1).values
    return (predictions == test_y).float().mean().item()
