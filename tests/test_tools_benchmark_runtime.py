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
    assert result.course_vs_seed == 2.5 and result.course_vs_model == pytest.approx(250 / 300)


def test_budgets():
    assert budget_for("notebooks/03_regularization.ipynb") == 180
    assert budget_for("notebooks/06_transfer_learning.ipynb") == 180
    assert budget_for("notebooks/07_feature_extraction_in_practice.ipynb") == 180
    assert budget_for("notebooks/02_cnn_training.ipynb") == 120


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
