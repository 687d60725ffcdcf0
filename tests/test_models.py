"""course_utils.models: the reference ConvNet and its fix, the course CNN, the MLP, the compact CNN, the frame
encoder."""


import pytest
import torch
import torch.nn as nn

from course_utils.datasets.moving_digits import _build_moving_digits
from course_utils.models import (
    MLP,
    ConvNet,
    FrameEncoder,
    ReferenceConvNet,
    count_parameters,
)
from course_utils.penalties import weight_parameters


def test_make_cnn_shapes_dropout_and_errors():
    from course_utils.models import make_cnn

    model = make_cnn(width=4, hidden=8, dropout=0.5)
    assert model(torch.zeros(2, 3, 32, 32)).shape == (2, 10)
    assert [tuple(w.shape) for w in weight_parameters(model)] == [(4, 3, 3, 3), (8, 4, 3, 3), (8, 8 * 8 * 8), (10, 8)]
    assert [m.p for m in model if isinstance(m, nn.Dropout)] == [0.5, 0.5]
    with pytest.raises(ValueError, match="dropout"):
        make_cnn(dropout=1.0)
    with pytest.raises(ValueError, match="divisible by 4"):
        make_cnn(image_size=30)


SMALL = dict(train_per_class=2, test_per_class=1, frames=8, size=16)


@pytest.fixture(scope="module")
def small():
    return _build_moving_digits(**SMALL)


def test_frame_encoder_shapes_and_errors():
    encoder = FrameEncoder(in_channels=1, feature_dim=12, image_size=16)
    assert encoder(torch.randn(5, 1, 16, 16)).shape == (5, 12) and encoder.feature_dim == 12
    with pytest.raises(ValueError, match="divisible by 4"):
        FrameEncoder(image_size=18)


def test_mlp_parameter_count_is_comparable_to_convnet():
    mlp, convnet = MLP(), ConvNet()
    assert count_parameters(mlp) == 3 * 32 * 32 * 640 + 640 + 640 * 256 + 256 + 256 * 10 + 10 == 2_133_386
    assert abs(count_parameters(mlp) / count_parameters(convnet) - 1) < 0.01


def test_mlp_forward_and_options():
    assert MLP()(torch.randn(5, 3, 32, 32)).shape == (5, 10)
    small = MLP(num_classes=4, image_size=8, in_channels=1, hidden=(16,), dropout=0.5)
    assert small(torch.randn(2, 1, 8, 8)).shape == (2, 4)
    assert count_parameters(small) == 64 * 16 + 16 + 16 * 4 + 4


def test_mlp_bad_inputs():
    with pytest.raises(ValueError, match="C\\*H\\*W = 3072"):
        MLP()(torch.randn(2, 3, 28, 28))
    with pytest.raises(ValueError, match="hidden"):
        MLP(hidden=())
    with pytest.raises(ValueError, match="dropout"):
        MLP(dropout=1.0)
    with pytest.raises(ValueError, match="positive"):
        MLP(image_size=0)


def test_seed_convnet_fails_on_32x32_as_the_seed_text_does():
    with pytest.raises(RuntimeError):
        ReferenceConvNet()(torch.zeros(2, 3, 32, 32))


def test_convnet_flatten_size_and_output():
    model = ConvNet()
    assert model.flat_features == 64 * 8 * 8
    assert model(torch.zeros(5, 3, 32, 32)).shape == (5, 10)
    assert model.features(torch.zeros(1, 3, 32, 32)).shape == (1, 64, 8, 8)
    assert ConvNet(num_classes=4, image_size=28, in_channels=1)(torch.zeros(2, 1, 28, 28)).shape == (2, 4)


def test_count_parameters_matches_the_architecture():
    model = ConvNet()
    expected = (3 * 32 * 9 + 32) + (32 * 64 * 9 + 64) + (4096 * 512 + 512) + (512 * 10 + 10)
    assert count_parameters(model) == expected
    model.conv1.weight.requires_grad_(False)
    assert count_parameters(model, trainable_only=True) == expected - 3 * 32 * 9


@pytest.mark.parametrize("kwargs, message", [(dict(image_size=30), "divisible by 4"), (dict(dropout=1.0), "dropout")])
def test_convnet_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ConvNet(**kwargs)


def test_course_cnn_shapes_size_and_blocks():
    from course_utils.models import conv_bn_relu, make_course_cnn

    model = make_course_cnn()
    assert count_parameters(model) == 18_626
    assert count_parameters(make_course_cnn(width=16)) == 72_954
    assert model(torch.zeros(2, 3, 32, 32)).shape == (2, 10)
    assert model(torch.zeros(1, 3, 64, 48)).shape == (1, 10)  # global pooling: any size from 8x8 up
    assert make_course_cnn(num_classes=4, width=8, in_channels=1)(torch.zeros(2, 1, 16, 16)).shape == (2, 4)
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    assert [c.out_channels for c in convs] == [8, 8, 16, 16, 32, 32] and all(c.bias is None for c in convs)
    assert sum(isinstance(m, nn.BatchNorm2d) for m in model.modules()) == 6
    plain = make_course_cnn(batch_norm=False)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in plain.modules())
    assert all(m.bias is not None for m in plain.modules() if isinstance(m, nn.Conv2d))
    block = conv_bn_relu(3, 5)
    assert block(torch.randn(2, 3, 7, 7)).min() >= 0 and block(torch.randn(2, 3, 7, 7)).shape == (2, 5, 7, 7)


@pytest.mark.parametrize("kwargs", [{"width": 0}, {"num_classes": "10"}, {"in_channels": 2.5}, {"width": True}])
def test_course_cnn_bad_arguments(kwargs):
    from course_utils.models import make_course_cnn

    with pytest.raises(ValueError, match=next(iter(kwargs))):
        make_course_cnn(**kwargs)


def test_conv_bn_relu_bad_arguments():
    from course_utils.models import conv_bn_relu

    with pytest.raises(ValueError, match="out_channels must be a positive int"):
        conv_bn_relu(3, 0)
