"""Adapting a pretrained network to a new task: freezing all but the head, which parameters to
train and at which rate, few-label samples.
Introduced in 06_transfer_learning.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from . import _validate as door


def freeze_all_but_head(model: nn.Module, head: str = "fc") -> nn.Module:
    """Freeze everything except the submodule named ``head``. Introduced in 06_transfer_learning."""
    door.module(model, "model")
    door.text(head, "head")
    if not hasattr(model, head):
        raise ValueError(f"model has no submodule {head!r} to keep trainable")
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    for parameter in getattr(model, head).parameters():
        parameter.requires_grad_(True)
    return model


def count_trainable(model: nn.Module) -> tuple[int, int, float]:
    """``(trainable, total, trainable / total)`` parameter counts of ``model``.
    Introduced in 06_transfer_learning.
    """
    door.module(model, "model")
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    if total == 0:
        raise ValueError("model has no parameters")
    return trainable, total, trainable / total


def finetune_param_groups(model: nn.Module, head_lr: float, backbone_lr: float, head: str = "fc") -> list[dict]:
    """Optimizer parameter groups: the head at ``head_lr``, the trainable rest at ``backbone_lr``
    (usually 10x smaller, so pretrained features move slowly). Introduced in 06_transfer_learning.
    """
    door.module(model, "model")
    door.number(head_lr, "head_lr", low=0)
    door.number(backbone_lr, "backbone_lr", low=0)
    door.text(head, "head")
    if not isinstance(getattr(model, head, None), nn.Module):
        raise ValueError(f"finetune_param_groups: model has no submodule {head!r} (head) to train at head_lr")
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
    door.tensor(labels, "labels", ndim=1, layout="(N,)")
    door.positive_int(per_class, "per_class")
    generator = torch.Generator().manual_seed(seed)
    picks = []
    for c in torch.unique(labels).tolist():
        members = torch.nonzero(labels == c).flatten()
        if len(members) < per_class:
            raise ValueError(f"class {c} has only {len(members)} examples, fewer than per_class={per_class}")
        picks.append(members[torch.randperm(len(members), generator=generator)[:per_class]])
    return torch.sort(torch.cat(picks)).values
