"""course_utils.inspection (02_cnn_training)."""

import matplotlib
import pytest
import torch
import torch.nn as nn

from course_utils.inspection import LayerShape, conv_output_size, feature_maps, layer_shapes
from course_utils.models import ConvNet, ReferenceConvNet

matplotlib.use("Agg")


@pytest.mark.parametrize(
    "args, expected",
    [((32, 3, 1, 1), 32), ((32, 2, 2, 0), 16), ((16, 2, 2, 0), 8), ((28, 5, 1, 0), 24), ((7, 3, 2, 0), 3),
     ((15, 2, 2, 0), 7)],
)
def test_conv_output_size_formula(args, expected):
    assert conv_output_size(*args) == expected


@pytest.mark.parametrize("size, k, s, p, d", [(32, 3, 1, 1, 1), (17, 5, 2, 2, 1), (9, 3, 1, 0, 2), (10, 2, 2, 0, 1)])
def test_conv_output_size_matches_pytorch(size, k, s, p, d):
    out = nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)(torch.zeros(1, 1, size, size))
    assert out.shape[-1] == conv_output_size(size, k, s, p, d)


def test_conv_output_size_bad_inputs():
    with pytest.raises(ValueError, match="stride must be an int >= 1"):
        conv_output_size(32, 3, stride=0)
    with pytest.raises(ValueError, match="padding must be an int >= 0"):
        conv_output_size(32, 3, padding=-1)
    with pytest.raises(ValueError, match="size must be an int"):
        conv_output_size(32.0, 3)
    with pytest.raises(ValueError, match="shrunk to nothing"):
        conv_output_size(2, 5)


def test_layer_shapes_of_convnet(capsys):
    model = ConvNet().train()
    rows = layer_shapes(model, (2, 3, 32, 32))
    shapes = {row.name: row.shape for row in rows}
    assert shapes["conv1"] == (2, 32, 32, 32) and shapes["pool2"] == (2, 64, 8, 8) and shapes["fc2"] == (2, 10)
    assert rows[0] == LayerShape("conv1", "Conv2d", (2, 32, 32, 32))
    out = capsys.readouterr().out
    assert "(2, 3, 32, 32)" in out and "output" in out
    assert model.training  # mode restored
    assert not any(m._forward_hooks for m in model.modules())  # hooks removed


def test_layer_shapes_reports_the_seed_bug(capsys):
    model = ReferenceConvNet()
    rows = layer_shapes(model, (4, 3, 32, 32), on_error="report")
    assert [r.name for r in rows] == ["conv1", "pool1", "conv2", "pool2"]
    assert rows[-1].shape == (4, 64, 8, 8)
    out = capsys.readouterr().out
    assert "failed after pool2: RuntimeError" in out and "3136" in out
    assert not any(m._forward_hooks for m in model.modules())


def test_layer_shapes_raises_by_default_and_checks_arguments():
    with pytest.raises(RuntimeError, match="3136"):
        layer_shapes(ReferenceConvNet(), (4, 3, 32, 32), show=False)
    with pytest.raises(ValueError, match="on_error"):
        layer_shapes(ConvNet(), (1, 3, 32, 32), on_error="ignore")
    with pytest.raises(ValueError, match="input_shape"):
        layer_shapes(ConvNet(), (1, 3, 0, 32))


def test_feature_maps_stop_before_the_classifier():
    model = ConvNet().train()
    # 64x64 would break fc1 (fixed flatten size), but the pass stops after pool2.
    maps = feature_maps(model, torch.randn(2, 3, 64, 64), ["conv1", "pool2"])
    assert list(maps) == ["conv1", "pool2"]
    assert maps["conv1"].shape == (2, 32, 64, 64) and maps["pool2"].shape == (2, 64, 16, 16)
    assert model.training and not any(m._forward_hooks for m in model.modules())


def test_feature_maps_values_equal_the_layers_output():
    torch.manual_seed(0)
    model = ConvNet()
    x = torch.randn(1, 3, 32, 32)
    maps = feature_maps(model, x, ["pool2"])
    with torch.no_grad():
        assert torch.allclose(maps["pool2"], model.features(x))


def test_feature_maps_bad_inputs():
    with pytest.raises(ValueError, match="no layer named 'conv9'.*conv1"):
        feature_maps(ConvNet(), torch.zeros(1, 3, 32, 32), ["conv9"])
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        feature_maps(ConvNet(), torch.zeros(3, 32, 32), ["conv1"])
