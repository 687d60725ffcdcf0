"""course_utils.finetune (06_transfer_learning): tiny models, values asserted."""

import pytest
import torch
import torch.nn as nn

from course_utils import finetune, pretrained


def tiny(num_classes=3):
    torch.manual_seed(0)
    return pretrained.SmallResNet(num_classes, widths=(4, 8, 8), blocks=1)


def test_freezing_helpers_and_counts():
    model = finetune.freeze_all_but_head(tiny())
    trainable, total, fraction = finetune.count_trainable(model)
    assert trainable == 8 * 3 + 3 and total == sum(p.numel() for p in model.parameters())
    assert fraction == pytest.approx(trainable / total)
    names = {n for n, p in model.named_parameters() if p.requires_grad}
    assert names == {"fc.weight", "fc.bias"}
    with pytest.raises(ValueError, match="no submodule 'head'"):
        finetune.freeze_all_but_head(tiny(), head="head")
    with pytest.raises(ValueError, match="no parameters"):
        finetune.count_trainable(nn.ReLU())


def test_param_groups():
    model = tiny(7)
    groups = finetune.finetune_param_groups(model, head_lr=1e-2, backbone_lr=1e-3)
    assert [g["lr"] for g in groups] == [1e-2, 1e-3]
    assert sum(p.numel() for g in groups for p in g["params"]) == finetune.count_trainable(model)[1]


def test_sample_per_class():
    labels = torch.tensor([0, 1, 2] * 5)
    idx = finetune.sample_per_class(labels, 2, seed=3)
    assert len(idx) == 6 and torch.bincount(labels[idx]).tolist() == [2, 2, 2]
    assert torch.equal(idx, finetune.sample_per_class(labels, 2, seed=3))
    assert not torch.equal(idx, finetune.sample_per_class(labels, 2, seed=4))
    with pytest.raises(ValueError, match="fewer than per_class=6"):
        finetune.sample_per_class(labels, 6)
    with pytest.raises(ValueError, match="positive int"):
        finetune.sample_per_class(labels, 0)
