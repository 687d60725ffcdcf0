"""course_utils.features (06_transfer_learning): extraction at a node, the checked cache, probe and k-NN."""

import json
import warnings

import pytest
import torch

from course_utils import features, pretrained
from course_utils.loading import normalize


def tiny(num_classes=3):
    torch.manual_seed(0)
    return pretrained.SmallResNet(num_classes, widths=(4, 8, 8), blocks=1).eval()


def _images(n=6, size=32, seed=0):
    return torch.randint(0, 256, (n, 3, size, size), dtype=torch.uint8, generator=torch.Generator().manual_seed(seed))


def test_extract_features_at_a_node_pools_maps_and_resizes():
    model, images = tiny(), _images()
    flat = features.extract_features(model, images)  # the pooled vector before the head
    assert flat.shape == (6, 8)
    with torch.no_grad():
        assert torch.allclose(flat, model.flatten(model.avgpool(model.layer3(model.layer2(model.layer1(
            model.relu(model.bn1(model.conv1(normalize(images))))))))), atol=1e-6)
    maps = features.extract_features(model, images, node="layer1", batch_size=4)
    assert maps.shape == (6, 4)  # (N, C, H, W) averaged over positions
    resized = features.extract_features(model, images, size=64, batch_size=5)
    assert resized.shape == (6, 8) and not torch.allclose(resized, flat)
    with pytest.raises(ValueError, match="uint8"):
        features.extract_features(model, images.float())


def test_forward_features_without_a_node():
    class Pooled(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = torch.nn.Parameter(torch.ones(()))

        def forward_features(self, x):
            return self.scale * x.mean(dim=(2, 3))

    images = _images(3)
    out = features.extract_features(Pooled(), images, node=None)
    assert torch.allclose(out, normalize(images).mean(dim=(2, 3)))


def test_cached_features_build_once_then_reuse_and_rebuild_when_anything_changes(tmp_path, monkeypatch):
    model, images = tiny(), _images()
    calls = []
    real = features.extract_features
    monkeypatch.setattr(features, "extract_features", lambda *a, **k: calls.append(1) or real(*a, **k))
    args = dict(model=model, weights_sha256="abc", name="tiny", node="flatten", root=tmp_path)
    first = features.cached_features(images=images, **args)
    assert len(calls) == 1 and torch.equal(first, real(model, images))
    again = features.cached_features(images=images, **args)
    assert len(calls) == 1 and torch.equal(again, first)
    (cache,) = tmp_path.glob("features_tiny_*.npz")
    sidecar = json.loads(cache.with_suffix(".json").read_text())
    assert sidecar["weights_sha256"] == "abc" and sidecar["node"] == "flatten" and len(sidecar["images_sha256"]) == 64
    features.cached_features(images=_images(seed=1), **args)  # other images: another cache file
    features.cached_features(images=images, **{**args, "weights_sha256": "def"})  # other weights
    assert len(calls) == 3 and len(list(tmp_path.glob("features_tiny_*.npz"))) == 3
    cache.write_bytes(cache.read_bytes()[:-20])  # truncated: detected, rebuilt, same values
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rebuilt = features.cached_features(images=images, **args)
    assert len(calls) == 4 and torch.equal(rebuilt, first)
    assert any("truncated or altered" in str(w.message) for w in caught)
