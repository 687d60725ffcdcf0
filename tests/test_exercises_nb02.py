import torch.nn as nn
from notebook_solutions import solutions

from course_utils.checks import run_check
from course_utils.exercises.nb02 import check_bn_convnet, check_output_size

make_bn_convnet, output_size = solutions("02").make_bn_convnet, solutions("02").output_size


def todo(*args, **kwargs):
    raise NotImplementedError


def test_output_size_reference_passes():
    assert run_check("output_size", lambda: check_output_size(output_size)).passed


def test_output_size_wrong_answers_are_rejected_with_a_reason():
    def no_padding(n, k, s=1, p=0):
        return (n - k) // s + 1

    result = run_check("output_size", lambda: check_output_size(no_padding))
    assert not result.passed and "returned 30, expected 32" in result.message and "2 * padding" in result.message

    def no_stride(n, k, s=1, p=0):
        return n + 2 * p - k + 1

    result = run_check("output_size", lambda: check_output_size(no_stride))
    assert not result.passed and "divide by the stride" in result.message

    def true_division(n, k, s=1, p=0):
        return (n + 2 * p - k) / s + 1

    result = run_check("output_size", lambda: check_output_size(true_division))
    assert not result.passed and "float" in result.message and "//" in result.message

    def as_string(n, k, s=1, p=0):
        return str((n + 2 * p - k) // s + 1)

    assert "must return an int" in run_check("output_size", lambda: check_output_size(as_string)).message


def test_output_size_missing_solution_is_reported():
    assert "not implemented yet" in run_check("output_size", lambda: check_output_size(todo)).message


def test_bn_convnet_reference_passes():
    assert run_check("bn", lambda: check_bn_convnet(make_bn_convnet)).passed


def _convnet(norms=(True, True), flatten=64 * 8 * 8, channels=(32, 64), norm_features=None):
    norm_features = norm_features or channels
    layers = []
    in_ch = 3
    for use, ch, nf in zip(norms, channels, norm_features):
        norm = [nn.BatchNorm2d(nf)] if use else []
        layers += [nn.Conv2d(in_ch, ch, 3, padding=1)] + norm + [nn.ReLU(), nn.MaxPool2d(2)]
        in_ch = ch
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(flatten, 512), nn.ReLU(), nn.Linear(512, 10))


def test_bn_convnet_wrong_answers_are_rejected_with_a_reason():
    assert "found 0" in run_check("bn", lambda: check_bn_convnet(lambda: _convnet(norms=(False, False)))).message
    assert "found 1" in run_check("bn", lambda: check_bn_convnet(lambda: _convnet(norms=(True, False)))).message
    msg = run_check("bn", lambda: check_bn_convnet(lambda: _convnet(channels=(16, 64)))).message
    assert "32 and 64 filters" in msg
    msg = run_check("bn", lambda: check_bn_convnet(lambda: _convnet(flatten=64 * 7 * 7))).message
    assert "forward pass on a (4, 3, 32, 32) batch failed" in msg
    assert "nn.Module" in run_check("bn", lambda: check_bn_convnet(lambda: "model")).message


def test_bn_convnet_wrong_num_features_is_rejected():
    # BatchNorm2d(64) after a 32-channel conv: caught before the (crashing) forward pass.
    def model():
        return _convnet(norm_features=(64, 32))

    assert "num_features" in run_check("bn", lambda: check_bn_convnet(model)).message


def test_bn_convnet_unused_norm_is_rejected():
    class Unused(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = _convnet(norms=(False, False))
            self.bn1, self.bn2 = nn.BatchNorm2d(32), nn.BatchNorm2d(64)

        def forward(self, x):
            return self.body(x)

    assert "never called" in run_check("bn", lambda: check_bn_convnet(Unused)).message


def test_bn_convnet_missing_solution_is_reported():
    assert "not implemented yet" in run_check("bn", lambda: check_bn_convnet(todo)).message


def test_numpy_integers_pass():
    import numpy as np

    def with_numpy(n, k, s=1, p=0):
        return np.floor_divide(n + 2 * p - k, s) + 1  # np.int64, an integer all the same

    assert run_check("output_size", lambda: check_output_size(with_numpy)).passed


def test_off_by_one_output_sizes_are_named():
    def forgot_plus_one(n, k, s=1, p=0):
        return (n + 2 * p - k) // s

    def plus_one_twice(n, k, s=1, p=0):
        return (n + 2 * p - k) // s + 2

    def rounds_up(n, k, s=1, p=0):
        return -(-(n + 2 * p - k) // s) + 1

    assert "forget the + 1" in run_check("size", lambda: check_output_size(forgot_plus_one)).message
    assert "One too many" in run_check("size", lambda: check_output_size(plus_one_twice)).message
    assert "round up" in run_check("size", lambda: check_output_size(rounds_up)).message


def test_a_batchnorm_defined_but_never_used_is_caught():
    import torch

    class SecondNormUnused(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1, self.bn1 = nn.Conv2d(3, 32, 3, padding=1), nn.BatchNorm2d(32)
            self.conv2, self.bn2 = nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64)
            self.pool, self.fc = nn.MaxPool2d(2), nn.Linear(64 * 8 * 8, 10)

        def forward(self, x):
            x = self.pool(torch.relu(self.bn1(self.conv1(x))))
            x = self.pool(torch.relu(self.conv2(x)))  # bn2 forgotten
            return self.fc(x.flatten(1))

    result = run_check("bn", lambda: check_bn_convnet(SecondNormUnused))
    assert not result.passed and "BatchNorm2d(64) is defined but never called" in result.message
