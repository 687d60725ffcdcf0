"""Reference solutions of the exercises in 02_cnn_training."""

import torch.nn as nn


def output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0) -> int:
    return (size + 2 * padding - kernel_size) // stride + 1


def make_bn_convnet(num_classes: int = 10) -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(3, 32, kernel_size=3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, kernel_size=3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 8 * 8, 512), nn.ReLU(), nn.Linear(512, num_classes),
    )
