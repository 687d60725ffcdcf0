"""course_utils.inspection (02_cnn_training)."""

import matplotlib
import pytest

from course_utils.inspection import LayerShape, layer_shapes
from course_utils.models import ConvNet, ReferenceConvNet

matplotlib.use("Agg")


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


