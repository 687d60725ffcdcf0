"""Models of the course: the reference code's ConvNet (bug included) and its fix, the course's CNN, an MLP.

Introduced in 00_setup_and_tour (used by 02_cnn_training onwards).
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import _validate as door


class ReferenceConvNet(nn.Module):
    """The reference code's ConvNet exactly as written, bug included: ``64 * 7 * 7`` is the flatten
    size for 28x28 inputs, but two 2x2 poolings turn 32x32 into 8x8. Introduced in 02_cnn_training.
    """

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, kernel_size=3, padding=1)
        self.pool1 = nn.MaxPool2d(kernel_size=2, stride=2)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=3, padding=1)
        self.pool2 = nn.MaxPool2d(kernel_size=2, stride=2)
        self.fc1 = nn.Linear(64 * 7 * 7, 512)
        self.fc2 = nn.Linear(512, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool1(F.relu(self.conv1(x)))
        x = self.pool2(F.relu(self.conv2(x)))
        x = x.view(-1, 64 * 7 * 7)
        x = F.relu(self.fc1(x))
        return self.fc2(x)


class ConvNet(nn.Module):
    """The reference code's ConvNet with the flatten size computed from the input size. Introduced in
    02_cnn_training.

    ``dropout`` (default 0, as in the reference code) is applied before each fully connected layer.
    """

    def __init__(self, num_classes: int = 10, image_size: int = 32, in_channels: int = 3, dropout: float = 0.0) -> None:
        super().__init__()
        if image_size % 4 != 0:
            raise ValueError(f"image_size must be divisible by 4 (two 2x2 poolings), got {image_size}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        self.conv1 = nn.Conv2d(in_channels, 32, kernel_size=3, padding=1)
        self.pool1 = nn.MaxPool2d(kernel_size=2, stride=2)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=3, padding=1)
        self.pool2 = nn.MaxPool2d(kernel_size=2, stride=2)
        self.flat_features = 64 * (image_size // 4) ** 2  # 64 * 8 * 8 for 32x32 inputs
        self.dropout = nn.Dropout(dropout)
        self.fc1 = nn.Linear(self.flat_features, 512)
        self.fc2 = nn.Linear(512, num_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The convolutional feature maps, shape ``(N, 64, H/4, W/4)``."""
        x = self.pool1(F.relu(self.conv1(x)))
        return self.pool2(F.relu(self.conv2(x)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.flatten(self.features(x), 1)
        x = F.relu(self.fc1(self.dropout(x)))
        return self.fc2(self.dropout(x))


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters of ``model`` (only those with ``requires_grad`` if ``trainable_only``).
    Introduced in 02_cnn_training.
    """
    door.module(model, "model")
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


class MLP(nn.Module):
    """A multilayer perceptron baseline for 32x32 RGB images: flatten the ``3 * 32 * 32`` pixels,
    then fully connected hidden layers with ReLU. Introduced in 02_cnn_training.

    The default ``hidden=(640, 256)`` gives 2,133,386 parameters, within 1% of :class:`ConvNet`'s
    2,122,186, so a comparison between the two is about architecture, not size.
    """

    def __init__(
        self,
        num_classes: int = 10,
        image_size: int = 32,
        in_channels: int = 3,
        hidden: tuple[int, ...] = (640, 256),
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        if image_size < 1 or in_channels < 1 or num_classes < 1:
            raise ValueError(
                "image_size, in_channels and num_classes must be positive, "
                f"got {image_size}, {in_channels}, {num_classes}"
            )
        if not hidden or any(not isinstance(h, int) or h < 1 for h in hidden):
            raise ValueError(f"hidden must be a non-empty tuple of positive ints, got {hidden!r}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        self.in_features = in_channels * image_size * image_size
        layers: list[nn.Module] = [nn.Flatten()]
        width = self.in_features
        for size in hidden:
            layers += [nn.Linear(width, size), nn.ReLU(), nn.Dropout(dropout)]
            width = size
        layers.append(nn.Linear(width, num_classes))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 4 or x[0].numel() != self.in_features:
            raise ValueError(
                f"MLP expects images (N, C, H, W) with C*H*W = {self.in_features}, got {tuple(x.shape)}"
            )
        return self.net(x)



# --------------------------------------------------------------------------------------------------
# A compact CNN (03_regularization) and the frame encoder of 05_video_lstm


def make_cnn(width: int = 16, hidden: int = 128, dropout: float = 0.0, in_channels: int = 3,
             image_size: int = 32, num_classes: int = 10) -> nn.Sequential:
    """A compact CNN for 32x32 images: two conv-ReLU-maxpool blocks (``width`` and ``2 * width``
    channels) extract features, then a fully connected head (``hidden`` units) classifies them.
    Dropout (probability ``dropout``) acts on the flattened features and on the hidden units: the
    head holds most of the weights, so that is where a small training set is memorized.
    Introduced in 03_regularization.
    """
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    if image_size % 4:
        raise ValueError(f"image_size must be divisible by 4 (two 2x2 poolings), got {image_size}")
    if width < 1 or hidden < 1:
        raise ValueError(f"width and hidden must be positive, got {width} and {hidden}")
    return nn.Sequential(
        nn.Conv2d(in_channels, width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(width, 2 * width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(dropout),
        nn.Linear(2 * width * (image_size // 4) ** 2, hidden), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(hidden, num_classes),
    )


def conv_bn_relu(in_channels: int, out_channels: int, batch_norm: bool = True) -> nn.Sequential:
    """One block of the course's CNN: a 3x3 convolution that keeps the size, batch normalization,
    ReLU. With ``batch_norm=False`` the convolution gets its bias back (batch norm's shift makes it
    redundant otherwise). Introduced in 02_cnn_training (written there as exercise 2).
    """
    door.positive_int(in_channels, "in_channels")
    door.positive_int(out_channels, "out_channels")
    if not batch_norm:
        return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, padding=1), nn.ReLU())
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
                         nn.BatchNorm2d(out_channels), nn.ReLU())


def make_course_cnn(num_classes: int = 10, width: int = 8, in_channels: int = 3,
                    batch_norm: bool = True) -> nn.Sequential:
    """The course's CNN, the network 02_cnn_training's ladder ends with: three stages of two
    :func:`conv_bn_relu` blocks (``width``, ``2 * width``, ``4 * width`` channels), each stage
    followed by a 2x2 max pooling, then a global max pooling and one linear layer. With ``width=8``
    and 10 classes it has 18,626 weights (the reference ConvNet has 2.1 M; ``width=16``, 72,954) and
    accepts any image size from 8x8 up. Introduced in 02_cnn_training (written there; 03 onwards import it).
    """
    for name, value in (("num_classes", num_classes), ("width", width), ("in_channels", in_channels)):
        door.positive_int(value, name)
    widths = (width, 2 * width, 4 * width)
    layers: list[nn.Module] = []
    channels = in_channels
    for stage in widths:
        layers += [conv_bn_relu(channels, stage, batch_norm), conv_bn_relu(stage, stage, batch_norm), nn.MaxPool2d(2)]
        channels = stage
    layers += [nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(channels, num_classes)]
    return nn.Sequential(*layers)


class FrameEncoder(nn.Module):
    """A small CNN that turns one frame ``(N, C, H, W)`` into a feature vector ``(N, feature_dim)``.
    Introduced in 05_video_lstm.
    """

    def __init__(self, in_channels: int = 1, feature_dim: int = 64, image_size: int = 24, width: int = 8) -> None:
        super().__init__()
        if image_size % 4:
            raise ValueError(f"image_size must be divisible by 4 (two stride-2 convolutions), got {image_size}")
        self.conv = nn.Sequential(
            nn.Conv2d(in_channels, width, 5, stride=2, padding=2), nn.BatchNorm2d(width), nn.ReLU(),
            nn.Conv2d(width, 2 * width, 3, stride=2, padding=1), nn.BatchNorm2d(2 * width), nn.ReLU(),
        )
        self.fc = nn.Linear(2 * width * (image_size // 4) ** 2, feature_dim)
        self.in_channels, self.feature_dim = in_channels, feature_dim

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        return F.relu(self.fc(torch.flatten(self.conv(frames), 1)))
