import json
from pathlib import Path

import pytest
import torch

from tools.benchmark import BenchmarkResult, PILDataset, measure_throughput
from tools.runtime import budget_for, notebook_timing


def test_pil_dataset_serves_pil_images_with_labels():
    images = torch.randint(0, 255, (3, 3, 32, 32), dtype=torch.uint8)
    image, label = PILDataset(images, torch.tensor([4, 5, 6]))[1]
    assert image.size == (32, 32) and label == 5
    import numpy as np
    assert np.array_equal(np.asarray(image), images[1].permute(1, 2, 0).numpy())


def test_measure_throughput_counts_images():
    batch = (torch.zeros(8, 3, 32, 32), torch.zeros(8, dtype=torch.long))
    rate = measure_throughput(iter([batch] * 4), steps=2, warmup=1)
    assert rate > 0
    data_only = measure_throughput(iter([batch] * 4), steps=3, warmup=1, train=False)
    assert data_only > rate


def test_ratios():
    result = BenchmarkResult(100.0, 250.0, 300.0, 1.0, 2.0)
    assert result.course_vs_reference == 2.5 and result.course_vs_model == pytest.approx(250 / 300)


def test_budgets():
    assert budget_for("notebooks/03_regularization.ipynb") == 180
    assert budget_for("notebooks/06_transfer_learning.ipynb") == 180
    assert budget_for("notebooks/07_feature_extraction_in_practice.ipynb") == 180
    assert budget_for("notebooks/02_cnn_training.ipynb") == 180
    assert budget_for("notebooks/09_from_features_to_boxes_and_masks.ipynb") == 180
    assert budget_for("notebooks/04_data_augmentation.ipynb") == 120


def _cell(start, end):
    return {"cell_type": "code", "metadata": {"execution": {"iopub.execute_input": start, "shell.execute_reply": end}}}


def test_notebook_timing_reads_nbclient_metadata(tmp_path):
    path = tmp_path / "01_x.ipynb"
    cells = [_cell("2026-01-01T00:00:00.000Z", "2026-01-01T00:00:01.500Z"), {"cell_type": "markdown", "metadata": {}},
             _cell("2026-01-01T00:00:02.000Z", "2026-01-01T00:00:05.000Z")]
    path.write_text(json.dumps({"cells": cells}))
    timing = notebook_timing(path)
    assert timing.total_s == pytest.approx(4.5) and timing.slowest_cell == 2 and timing.slowest_s == pytest.approx(3.0)
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "metadata": {}}]}))
    with pytest.raises(ValueError, match="make execute"):
        notebook_timing(path)


def test_feature_throughput_measures_forward_and_extraction(tiny_build):
    from tools.benchmark import feature_throughput

    forward, extraction = feature_throughput(count=16, size=64, batch_size=8, repeats=1)
    assert forward > 0 and extraction > 0


def test_cold_and_warm_runs_a_copy_against_scratch_data_without_feature_caches(tmp_path, monkeypatch):
    import tools.runtime as runtime

    data = tmp_path / "data"
    data.mkdir()
    (data / "features_x_1.npz").write_bytes(b"cache")
    (data / "photo_digits_v2.npz").write_bytes(b"dataset")
    seen = []

    def fake_execute(path, output=None, env=None):
        scratch = Path(env["COURSE_DATA_DIR"])
        seen.append(sorted(p.name for p in scratch.iterdir()))
        (scratch / "features_x_1.npz").write_bytes(b"rebuilt")
        end = "2026-01-01T00:00:09.000Z" if len(seen) == 1 else "2026-01-01T00:00:03.000Z"
        stamps = ("2026-01-01T00:00:00.000Z", end)
        Path(output).write_text(json.dumps({"cells": [_cell(*stamps)]}))

    monkeypatch.setattr(runtime, "_execute", fake_execute)
    notebook = tmp_path / "07_x.ipynb"
    notebook.write_text("{}")
    cold, warm = runtime.cold_and_warm(notebook, data)
    assert (cold, warm) == (pytest.approx(9.0), pytest.approx(3.0))
    assert seen == [["photo_digits_v2.npz"], ["features_x_1.npz", "photo_digits_v2.npz"]]
    assert (data / "features_x_1.npz").read_bytes() == b"cache" and notebook.read_text() == "{}"


def test_time_to_accuracy_gives_every_recipe_the_course_recipe_budget():
    from tools.time_to_accuracy import Curve, report, time_to_accuracy

    generator = torch.Generator().manual_seed(0)
    images = torch.randint(0, 256, (64, 3, 32, 32), dtype=torch.uint8, generator=generator)
    labels = torch.arange(64) % 10
    curves = time_to_accuracy(epochs=2, threads=1, images=images, labels=labels, test_images=images[:20],
                              test_labels=labels[:20])
    course, adam, reference = curves
    assert len(course.seconds) == 2 and all(0 <= a <= 100 for c in curves for a in c.accuracy)
    assert adam.seconds[-1] >= course.seconds[-1] and reference.seconds[-1] >= course.seconds[-1]
    lines = report(curves).splitlines()
    assert lines[-1].startswith("time-to-accuracy: course recipe ") and "same budget: Adam recipe" in lines[-1]
    made_up = Curve("x", seconds=[1.0, 2.0, 3.0], accuracy=[50.0, 91.0, 95.0])
    assert made_up.reached(90) == 2.0 and made_up.reached(94) == 3.0 and made_up.reached(99) is None
    assert "94%: not reached" in report([made_up, Curve("a", [3.5], [10.0]), Curve("r", [3.2], [11.0])])


def test_convergence_triples_the_budget_by_exact_replacements_and_reports_each_model():
    from tools.convergence import table, tripled

    notebook = {"cells": [{"cell_type": "markdown", "source": ["EPOCHS = 8 in prose is not code"]},
                          {"cell_type": "code", "source": ["EPOCHS = 8\n", "fit(model, EPOCHS)"]}]}
    longer = tripled(notebook, [["EPOCHS = 8", "EPOCHS = 24"]])
    assert "".join(longer["cells"][1]["source"]) == "EPOCHS = 24\nfit(model, EPOCHS)"
    assert "".join(notebook["cells"][1]["source"]).startswith("EPOCHS = 8")  # the original is left alone
    with pytest.raises(ValueError, match="occurs 0 times"):
        tripled(notebook, [["EPOCHS = 9", "EPOCHS = 27"]])
    report = table("05_video", {"summary a": "model A", "summary b": "model B"},
                   {"summary a": {"value": 90.0}, "summary b": {"value": 80.0}},
                   {"summary a": {"value": 91.5}, "summary b": {"value": 84.0}}, 12.0)
    assert "| model A | summary a | 90.0 | 91.5 | +1.5 | yes |" in report
    assert "| model B | summary b | 80.0 | 84.0 | +4.0 | NO |" in report
    with pytest.raises(KeyError, match="summary c"):
        table("05_video", {"summary c": "model C"}, {}, {}, 1.0)


def test_convergence_averages_runs_over_seeds_on_the_values_every_run_printed():
    from tools.convergence import mean_over_runs, table

    runs = [{"summary a": {"value": 40.0}, "summary b": {"value": 1.0}}, {"summary a": {"value": 44.0}}]
    assert mean_over_runs(runs) == {"summary a": {"value": 42.0}}
    report = table("05_video", {"summary a": "model A"}, {"summary a": {"value": 41.0}}, mean_over_runs(runs), 9.0,
                   "mean of seeds 0, 1")
    assert "(mean of seeds 0, 1, 9 s)" in report and "| model A | summary a | 41.0 | 42.0 | +1.0 | yes |" in report
