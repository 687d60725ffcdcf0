"""course_utils.pretrained (06_transfer_learning): the small ResNet and its checked checkpoint."""

import warnings
from pathlib import Path

import pytest
import torch
from torchvision.models.feature_extraction import create_feature_extractor

from course_utils import pretrained, storage


def tiny(num_classes=3):
    torch.manual_seed(0)
    return pretrained.SmallResNet(num_classes, widths=(4, 8, 8), blocks=1)


def test_small_resnet_shapes_and_feature_extractor():
    model = tiny().eval()
    x = torch.randn(2, 3, 32, 32)
    assert model(x).shape == (2, 3)
    extractor = create_feature_extractor(model, {"layer1": "l1", "layer3": "l3", "flatten": "feat"})
    out = extractor(x)
    assert out["l1"].shape == (2, 4, 32, 32) and out["l3"].shape == (2, 8, 8, 8) and out["feat"].shape == (2, 8)
    assert torch.allclose(model.fc(out["feat"]), model(x), atol=1e-6)
    with pytest.raises(ValueError, match="3 stage widths"):
        pretrained.SmallResNet(3, widths=(4, 8))


def test_corrupted_shipped_checkpoint_falls_back_to_rebuilt(tmp_path: Path, monkeypatch):
    cfg = pretrained.PRETRAIN_CONFIG
    good = pretrained.SmallResNet(5, cfg["widths"], cfg["blocks"])
    (tmp_path / pretrained.CHECKPOINT_NAME).write_bytes(b"corrupted")
    storage.save_checkpoint(good.state_dict(), tmp_path / pretrained.REBUILT_NAME)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = pretrained.load_backbone("course", root=tmp_path)
    assert any("truncated or altered" in str(w.message) for w in caught)
    assert torch.equal(model.conv1.weight, good.conv1.weight)
    (tmp_path / pretrained.REBUILT_NAME).unlink()
    with (pytest.raises(storage.CheckpointError, match="no valid pretrained checkpoint"),
          pytest.warns(UserWarning, match="altered")):
        pretrained._course_state(tmp_path, rebuild=False)


def test_load_backbone_bad_inputs(monkeypatch):
    with pytest.raises(ValueError, match="weights must be"):
        pretrained.load_backbone("imagenet21k")
    monkeypatch.setattr(pretrained, "imagenet_weights_path", lambda: None)
    with pytest.raises(FileNotFoundError, match="not in the torch cache"):
        pretrained.load_backbone("imagenet")
    assert pretrained.load_backbone(None).num_features == pretrained.PRETRAIN_CONFIG["widths"][-1]
