"""Unit tests of course_utils.transfer (06_transfer_learning): tiny models, values asserted."""

import warnings
from pathlib import Path

import pytest
import torch
import torch.nn as nn
from torchvision.models.feature_extraction import create_feature_extractor

from course_utils import transfer as T


def tiny(num_classes=3):
    torch.manual_seed(0)
    return T.SmallResNet(num_classes, widths=(4, 8, 8), blocks=1)


def test_small_resnet_shapes_and_feature_extractor():
    model = tiny().eval()
    x = torch.randn(2, 3, 32, 32)
    assert model(x).shape == (2, 3)
    extractor = create_feature_extractor(model, {"layer1": "l1", "layer3": "l3", "flatten": "feat"})
    out = extractor(x)
    assert out["l1"].shape == (2, 4, 32, 32) and out["l3"].shape == (2, 8, 8, 8) and out["feat"].shape == (2, 8)
    assert torch.allclose(model.fc(out["feat"]), model(x), atol=1e-6)
    with pytest.raises(ValueError, match="3 stage widths"):
        T.SmallResNet(3, widths=(4, 8))


def test_checkpoint_roundtrip_and_corruption(tmp_path: Path):
    model = tiny()
    path = tmp_path / "ck.pt"
    sha = T.save_checkpoint(model.state_dict(), path)
    assert (tmp_path / "ck.pt.sha256").read_text().strip() == sha
    assert not list(tmp_path.glob("*.tmp"))
    state = T.load_checkpoint(path)
    assert all(torch.equal(state[k], v) for k, v in model.state_dict().items())
    assert T.load_checkpoint(path, sha).keys() == state.keys()
    path.write_bytes(path.read_bytes()[:-10])  # truncated
    with pytest.raises(T.CheckpointError, match="truncated or altered"):
        T.load_checkpoint(path)
    with pytest.raises(T.CheckpointError, match="missing"):
        T.load_checkpoint(tmp_path / "nope.pt")
    (tmp_path / "bare.pt").write_bytes(b"x")
    with pytest.raises(T.CheckpointError, match="no checksum file"):
        T.load_checkpoint(tmp_path / "bare.pt")


def test_corrupted_shipped_checkpoint_falls_back_to_rebuilt(tmp_path: Path, monkeypatch):
    cfg = T.PRETRAIN_CONFIG
    good = T.SmallResNet(5, cfg["widths"], cfg["blocks"])
    (tmp_path / T.CHECKPOINT_NAME).write_bytes(b"corrupted")
    T.save_checkpoint(good.state_dict(), tmp_path / T.REBUILT_NAME)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = T.load_backbone("course", root=tmp_path)
    assert any("truncated or altered" in str(w.message) for w in caught)
    assert torch.equal(model.conv1.weight, good.conv1.weight)
    (tmp_path / T.REBUILT_NAME).unlink()
    with pytest.raises(T.CheckpointError, match="no valid pretrained checkpoint"), pytest.warns(UserWarning, match="altered"):
        T._course_state(tmp_path, rebuild=False)


def test_load_backbone_bad_inputs(monkeypatch):
    with pytest.raises(ValueError, match="weights must be"):
        T.load_backbone("imagenet21k")
    monkeypatch.setattr(T, "imagenet_weights_path", lambda: None)
    with pytest.raises(FileNotFoundError, match="not in the torch cache"):
        T.load_backbone("imagenet")
    assert T.load_backbone(None).num_features == T.PRETRAIN_CONFIG["widths"][-1]


def test_freezing_helpers_and_counts():
    model = T.freeze_all_but_head(tiny())
    trainable, total, fraction = T.count_trainable(model)
    assert trainable == 8 * 3 + 3 and total == sum(p.numel() for p in model.parameters())
    assert fraction == pytest.approx(trainable / total)
    T.bn_and_bias_only(model)
    names = {n for n, p in model.named_parameters() if p.requires_grad}
    assert "bn1.weight" in names and "fc.weight" in names and "conv1.weight" not in names
    with pytest.raises(ValueError, match="no submodule 'head'"):
        T.freeze_all_but_head(tiny(), head="head")
    with pytest.raises(ValueError, match="no parameters"):
        T.count_trainable(nn.ReLU())


def test_lora_starts_as_identity_and_is_small():
    model = tiny().eval()
    x = torch.randn(2, 3, 32, 32)
    before = model(x)
    T.add_lora(model, rank=2)
    assert isinstance(model.layer1[0].conv1, T.LoRAConv2d)
    assert torch.allclose(model(x), before, atol=1e-6)  # B = 0 at the start
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert all("lora_" in n or n.startswith("fc.") for n in trainable)
    # conv 4->4 (3x3): A = 2*4*9 = 72, B = 4*2 = 8
    lora = model.layer1[0].conv1
    assert lora.lora_A.weight.numel() == 72 and lora.lora_B.weight.numel() == 8
    create_feature_extractor(model, {"flatten": "f"})  # still traceable
    with pytest.raises(TypeError, match="wraps an nn.Conv2d"):
        T.LoRAConv2d(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="rank"):
        T.LoRAConv2d(nn.Conv2d(2, 2, 3), rank=0)


def test_param_groups_and_head():
    model = T.replace_head(tiny(), 7, seed=1)
    assert model.fc.out_features == 7
    groups = T.finetune_param_groups(model, head_lr=1e-2, backbone_lr=1e-3)
    assert [g["lr"] for g in groups] == [1e-2, 1e-3]
    assert sum(p.numel() for g in groups for p in g["params"]) == T.count_trainable(model)[1]
    assert torch.equal(T.replace_head(tiny(), 7, seed=1).fc.weight, model.fc.weight)
    with pytest.raises(ValueError, match="num_features"):
        T.replace_head(nn.Linear(2, 2), 3)


def test_sample_per_class():
    labels = torch.tensor([0, 1, 2] * 5)
    idx = T.sample_per_class(labels, 2, seed=3)
    assert len(idx) == 6 and torch.bincount(labels[idx]).tolist() == [2, 2, 2]
    assert torch.equal(idx, T.sample_per_class(labels, 2, seed=3))
    assert not torch.equal(idx, T.sample_per_class(labels, 2, seed=4))
    with pytest.raises(ValueError, match="fewer than per_class=6"):
        T.sample_per_class(labels, 6)
    with pytest.raises(ValueError, match="positive int"):
        T.sample_per_class(labels, 0)


def test_train_steps_linear_probe_knn():
    torch.manual_seed(0)
    images = torch.randint(0, 256, (6, 3, 32, 32), dtype=torch.uint8)
    labels = torch.tensor([0, 1, 2, 0, 1, 2])
    model = tiny()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = T.train_steps(model, images, labels, optimizer, steps=5, batch_size=4, bn_eval=True)
    assert len(losses) == 5 and not model.training
    with pytest.raises(ValueError, match="steps"):
        T.train_steps(model, images, labels, optimizer, steps=0)
    with pytest.raises(ValueError, match="differ in length"):
        T.train_steps(model, images, labels[:3], optimizer, steps=1)
    x = torch.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, 0.1], [0.1, 2.0]])
    y = torch.tensor([0, 1, 0, 1])
    layer = T.linear_probe(x, y, 2, steps=100)
    assert (layer(x).argmax(1) == y).all()
    assert T.knn_accuracy(x[:2], y[:2], x[2:], y[2:]) == 1.0
    feats = T.extract_features(model, images)
    assert feats.shape == (6, 8)
    with pytest.raises(ValueError, match=r"\(N, D\)"):
        T.linear_probe(x[0], y, 2)
