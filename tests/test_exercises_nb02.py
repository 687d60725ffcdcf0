import torch
import torch.nn as nn
from notebook_solutions import solutions

from course_utils.checks import run_check
from course_utils.exercises.nb02 import check_conv_bn_relu, check_output_size

conv_bn_relu, output_size = solutions("02").conv_bn_relu, solutions("02").output_size


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


def test_conv_bn_relu_reference_passes():
    assert run_check("block", lambda: check_conv_bn_relu(conv_bn_relu)).passed


def _block(layers):
    return lambda i, o: nn.Sequential(*layers(i, o))


def test_conv_bn_relu_wrong_answers_are_rejected_with_a_reason():
    def message(make):
        result = run_check("block", lambda: check_conv_bn_relu(make))
        assert not result.passed
        return result.message

    with_bias = _block(lambda i, o: (nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU()))
    assert "bias=False" in message(with_bias)
    no_padding = _block(lambda i, o: (nn.Conv2d(i, o, 3, bias=False), nn.BatchNorm2d(o), nn.ReLU()))
    assert "padding=1" in message(no_padding)
    hard_coded = _block(lambda i, o: (nn.Conv2d(3, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU()))
    assert "use the arguments" in message(hard_coded)
    relu_first = _block(lambda i, o: (nn.Conv2d(i, o, 3, padding=1, bias=False), nn.ReLU(), nn.BatchNorm2d(o)))
    assert "end the block with a ReLU" in message(relu_first)
    no_relu = _block(lambda i, o: (nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o)))
    assert "ReLU" in message(no_relu)
    no_norm = _block(lambda i, o: (nn.Conv2d(i, o, 3, padding=1, bias=False), nn.ReLU()))
    assert "one nn.Conv2d and one nn.BatchNorm2d" in message(no_norm)
    wrong_features = _block(lambda i, o: (nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(i), nn.ReLU()))
    assert "num_features" in message(wrong_features)
    assert "nn.Module" in message(lambda i, o: "block")


def test_conv_bn_relu_order_of_norm_and_conv_is_checked_by_the_values():
    class NormFirst(nn.Module):  # the modules are right, the order inside forward() is not
        def __init__(self, i, o):
            super().__init__()
            self.conv, self.norm = nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o)

        def forward(self, x):
            return torch.relu(self.conv(x)) * self.norm.weight.view(1, -1, 1, 1)

    assert "ReLU(BatchNorm(conv(x)))" in run_check("block", lambda: check_conv_bn_relu(NormFirst)).message


def test_conv_bn_relu_missing_solution_is_reported():
    assert "not implemented yet" in run_check("block", lambda: check_conv_bn_relu(todo)).message


def test_the_notebook_builds_the_library_course_cnn():
    from course_utils.models import make_course_cnn

    notebook = solutions("02")
    ours = notebook.course_cnn(notebook.conv_bn_relu, num_classes=10)
    library = make_course_cnn(num_classes=10)
    def layout(model):
        return [(k, v.shape) for k, v in model.state_dict().items()]

    assert layout(ours) == layout(library)
    assert [type(m) for m in ours.modules()] == [type(m) for m in library.modules()]
    plain = notebook.course_cnn(notebook.conv_relu, num_classes=10)
    assert [(k, v.shape) for k, v in plain.state_dict().items()] == [
        (k, v.shape) for k, v in make_course_cnn(num_classes=10, batch_norm=False).state_dict().items()]


def test_the_notebook_schedule_is_the_library_schedule():
    from course_utils.training import warmup_cosine

    rates = {}
    for name, schedule in (("notebook", solutions("02").warmup_cosine), ("library", warmup_cosine)):
        optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.5)
        scheduler = schedule(optimizer, 37)
        rates[name] = []
        for _ in range(37):
            rates[name].append(scheduler.get_last_lr()[0])
            optimizer.step()
            scheduler.step()
    assert rates["notebook"] == rates["library"]


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
