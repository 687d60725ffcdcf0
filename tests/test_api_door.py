"""The exported API is checked at the door: plainly wrong arguments raise a clear error.

The probe: every function of the course's vocabulary (``course_utils.__all__``, the names the notebooks
import; everything else in the package is private) is called once for each of its required
arguments in turn with each bad value of :data:`BAD` (a string, -7 and None) in that argument. The
other required arguments get a valid value from :data:`VALID` (by function, else by argument name), so
that only the bad argument can be wrong; optional arguments keep their defaults. Each call is one of:

- clear: ``TypeError``, ``ValueError``, ``KeyError`` or ``FileNotFoundError`` whose message names the
  bad argument (the argument's name appears in it as a word);
- unclear: any other exception, or one of those whose message does not name the argument;
- silent: no exception.

A bad value that the function's contract allows is not a probe: ``None`` where the annotation of the
argument includes ``None``; a string in a free-text argument (:data:`FREE_TEXT`: a title, a label, a
message); and the calls of :data:`ALLOWED` (each with its reason). The test asserts at least
:data:`MIN_CLEAR` of the calls give a clear error and none is silent, and prints every failing call.
Functions without required arguments are not probed. Files are written under a temporary folder.
"""

from __future__ import annotations

import inspect
import re

import matplotlib
import numpy as np
import pytest
import torch
import torch.nn as nn

import course_utils

matplotlib.use("Agg")

BAD = ("x", -7, None)
MIN_CLEAR = 0.95

# Arguments whose value is free text: any string is valid there.
FREE_TEXT = {"statement", "what", "name", "label", "title", "xlabel", "ylabel", "stand_in_name", "needed_for",
             "layout"}

# (function, argument, bad value) calls whose bad value is valid for that argument, and why.
ALLOWED = {
    ("measured", "value", -7): "a measured value may be negative (a signed difference, signed=True)",
    ("claim", "value", -7): "a measured value may be negative; the claim's bounds judge it",
    ("cached_features", "weights_sha256", "x"): "any non-empty string fingerprints the weights",
}


class _Head(nn.Module):
    """A backbone stand-in with the ``fc`` head and ``num_features`` that finetune expects."""

    def __init__(self) -> None:
        super().__init__()
        self.body, self.bn, self.fc, self.num_features = nn.Linear(2, 2), nn.BatchNorm1d(2), nn.Linear(2, 2), 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.bn(self.body(x)))


def _ablation_result():
    from course_utils.ablation import AblationResult, Config, Run
    from course_utils.training import History

    history = History(train_loss=[1.0], train_acc=[0.5], val_loss=[1.0], val_acc=[0.5])
    return AblationResult({"a": Config()}, {"a": [Run(0, history, 0.5, 0.5, torch.zeros(4))]})


def _valid(tmp_path) -> tuple[dict, dict]:
    """Valid values: by argument name, and by function name (which take precedence)."""
    from course_utils.checks import CheckResult
    from course_utils.datasets.digits import DigitsSplit
    from course_utils.storage import _save_arrays_atomic, _save_checkpoint
    from course_utils.training import History

    images = torch.zeros(2, 3, 8, 8, dtype=torch.uint8)
    model = nn.Sequential(nn.Flatten(), nn.Linear(3 * 8 * 8, 2))
    existing = tmp_path / "existing.npz"
    _save_arrays_atomic(existing, {"a": np.zeros(2)}, {})
    checkpoint = tmp_path / "model.pt"
    _save_checkpoint({"w": torch.zeros(1)}, checkpoint)
    labels = torch.tensor([0, 1])
    by_name = {
        "images": images, "image": torch.zeros(3, 8, 8, dtype=torch.uint8), "padding": 1, "value": 0.5,
        "statement": "a claim", "what": "the answer", "name": "name", "label": "label", "title": "title",
        "actual": torch.zeros(2, dtype=torch.float64), "expected": torch.zeros(2, dtype=torch.float64),
        "tensor": torch.zeros(2, 3), "shape": (2, 3), "layout": "N, D", "check": lambda: None,
        "model": model, "module": model, "matrix": torch.eye(2, dtype=torch.long), "class_names": ["a", "b"],
        "histories": History(train_loss=[1.0], train_acc=[0.5]), "results": {"a": 1},
        "loader": [(torch.zeros(2, 3, 8, 8), labels)], "train_loader": [(torch.zeros(2, 3, 8, 8), labels)],
        "labels": labels, "fraction": 0.5, "angles": torch.zeros(2), "translations": torch.zeros(2, 2),
        "scales": torch.ones(2), "size": 4, "videos": torch.zeros(1, 2, 1, 8, 8, dtype=torch.uint8),
        "lengths": torch.tensor([1]), "batch": 1, "steps": 2, "atol": 1e-6,
        "result": CheckResult("exercise", True, "correct"), "answer": len, "stand_in": len,
        "stand_in_name": "len", "needed_for": "the next cell", "f": lambda t: t.sum(),
        "x": torch.zeros(2, dtype=torch.float64), "low": 0.0, "high": 1.0, "n_train": 10, "n_val": 10,
        "seed": 0, "batch_size": 2, "generator": torch.Generator(), "n": 4, "num_classes": 2,
        "logits": torch.zeros(2, 2), "targets": labels, "preds": labels, "classes": [0],
        "in_channels": 3, "out_channels": 4, "weights": torch.zeros(4), "weight": torch.zeros(2, 3, 3, 3),
        "maps": {"a": torch.zeros(1, 2, 4, 4)}, "curves": {"a": torch.zeros(2)}, "z": torch.zeros(2),
        "xlabel": "x", "ylabel": "y", "names": ["a"], "make_transform": lambda v: (lambda im: im),
        "values": [1.0], "levels": [0], "settings": [{}], "kind": "rotation", "level": 1,
        "path": existing, "payload": b"bytes", "checksum": "0" * 64, "arrays": {"a": np.zeros(2)},
        "meta": {}, "expected_meta": {}, "build": lambda: {"a": np.zeros(2)},
        "state_dict": {"w": torch.zeros(1)}, "seconds": 1.0, "optimizer": None, "total_steps": 10,
        "frames": torch.zeros(2, 3, 8, 8, dtype=torch.uint8), "train_x": torch.zeros(4, 2),
        "train_y": torch.tensor([0, 1, 0, 1]), "test_x": torch.zeros(2, 2), "test_y": labels,
        "head_lr": 0.1, "backbone_lr": 0.01, "per_class": 1, "kernel_size": 3, "input_shape": (1, 3, 8, 8),
        "layer_names": ["1"], "weights_sha256": "0" * 64, "configs": None, "seeds": [0], "data": None,
        "height": 16, "width": 16, "max_crop": 8, "region": (0.0, 1.0), "rng": np.random.default_rng(0),
    }
    linear = nn.Linear(2, 2)
    head = _Head()
    by_function = {
        "fit": {"model": linear, "train_loader": [(torch.zeros(2, 2), labels)],
                "optimizer": torch.optim.SGD(linear.parameters(), lr=0.1)},
        "warmup_cosine": {"optimizer": torch.optim.SGD(linear.parameters(), lr=0.1)},
        "run_ablation": {
            "configs": _ablation_result().configs, "seeds": [0],
            "data": DigitsSplit(images, labels, images, labels, images, labels)},
        "curve_explorer": {"result": _ablation_result()},
        "plot_accuracy_vs_shift": {"results": {"m": {"rotation": [0.5]}}},
        "plot_curves": {"x": [0.0, 1.0], "curves": {"a": [0.0, 1.0]}},
        "show_frame_strips": {"labels": [0], "class_names": ["a"]},
        "exercise_done": {"result": CheckResult("exercise", False, "not yet", implemented=False)},
        "stand_in_until_done": {"result": CheckResult("exercise", True, "correct")},
        "write_video": {"path": tmp_path / "new.mp4"},
        "freeze_all_but_head": {"model": head},
        "finetune_param_groups": {"model": head},
        "layer_shapes": {"model": nn.Linear(2, 2), "input_shape": (1, 2)},
        "pair_accuracy": {"labels": labels}, "image_accuracy": {"labels": labels},
    }
    return by_name, by_function


def exported_functions() -> list[tuple[str, object]]:
    """``(module.name, function)`` for every function of the course's vocabulary, ``course_utils.__all__``."""
    found = []
    for name in course_utils.__all__:
        obj = getattr(course_utils, name)
        if inspect.isfunction(obj):
            found.append((f"{obj.__module__}.{name}", obj))
    return found


def _required(function) -> list[inspect.Parameter]:
    return [p for p in inspect.signature(function).parameters.values()
            if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def _allowed(short: str, parameter: inspect.Parameter, bad: object) -> bool:
    if bad is None and "None" in str(parameter.annotation):
        return True
    if isinstance(bad, str) and parameter.name in FREE_TEXT:
        return True
    return (short, parameter.name, bad) in ALLOWED


def _outcome(function, kwargs: dict, argument: str) -> str:
    """``"clear"``, ``"silent"`` or a description of the unclear error."""
    try:
        function(**kwargs)
    except (TypeError, ValueError, KeyError, FileNotFoundError) as error:
        if re.search(rf"(?<![\w]){re.escape(argument)}(?![\w])", str(error)):
            return "clear"
        return f"unclear: {type(error).__name__}: {error}"
    except Exception as error:  # noqa: BLE001 - what the probe measures
        return f"unclear: {type(error).__name__}: {error}"
    finally:
        import matplotlib.pyplot as plt

        plt.close("all")
    return "silent"


def run_probe(tmp_path) -> dict[str, list[tuple[str, str]]]:
    """``{"clear": [...], "silent": [...], "unclear": [...]}``, each a list of ``(call, outcome)``."""
    by_name, by_function = _valid(tmp_path)
    outcomes: dict[str, list[tuple[str, str]]] = {"clear": [], "silent": [], "unclear": []}
    for qualified, function in exported_functions():
        short = qualified.rsplit(".", 1)[1]
        required = _required(function)
        for parameter in required:
            for bad in BAD:
                if _allowed(short, parameter, bad):
                    continue
                kwargs = {p.name: by_function.get(short, {}).get(p.name, by_name.get(p.name)) for p in required}
                kwargs[parameter.name] = bad
                outcome = _outcome(function, kwargs, parameter.name)
                call = f"{qualified}({parameter.name}={bad!r})"
                outcomes[outcome.split(":")[0]].append((call, outcome))
    return outcomes


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """Files the probe writes land in ``tmp_path``; figures are drawn off screen and not shown."""
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(plt, "show", lambda *args, **kwargs: None)
    return tmp_path


def test_every_exported_function_checks_its_arguments_at_the_door(sandbox, capsys):
    outcomes = run_probe(sandbox)
    capsys.readouterr()  # what the probed functions printed
    total = sum(map(len, outcomes.values()))
    clear = len(outcomes["clear"])
    report = "\n".join(f"  {kind}: {call} -> {outcome}" for kind in ("silent", "unclear")
                       for call, outcome in outcomes[kind])
    summary = f"{clear}/{total} clear errors ({100 * clear / total:.1f}%), {len(outcomes['silent'])} silent"
    print(summary)
    assert not outcomes["silent"] and clear >= MIN_CLEAR * total, f"{summary}; failing calls:\n{report}"


def test_the_probe_sees_every_exported_function():
    functions = exported_functions()
    assert len(functions) > 60
    assert {name.rsplit(".", 1)[1] for name, _ in functions} == {
        name for name in course_utils.__all__ if inspect.isfunction(getattr(course_utils, name))}
