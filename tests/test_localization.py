"""course_utils.localization (08_where_features_look, 09_features_to_boxes)."""

import json
from pathlib import Path

import numpy as np
import pytest
import skimage.measure
import torch

from course_utils import box_from_map

ROOT = Path(__file__).resolve().parents[1]


def test_the_box_holds_the_peak_region_only_with_exclusive_ends():
    heatmap = torch.zeros(10, 12)
    heatmap[2:5, 3:7] = 1.0   # the peak's region: rows 2-4, columns 3-6
    heatmap[3, 4] = 2.0
    heatmap[7:9, 9:11] = 1.5  # a second region above the fraction, not connected to the peak
    assert box_from_map(heatmap, 0.4).tolist() == [3.0, 2.0, 7.0, 5.0]
    assert box_from_map(heatmap, 0.0).tolist() == [0.0, 0.0, 12.0, 10.0]  # every pixel: the whole map
    assert box_from_map(heatmap, 1.0).tolist() == [4.0, 3.0, 5.0, 4.0]   # the peak alone
    diagonal = torch.zeros(4, 4)
    diagonal[1, 1], diagonal[2, 2] = 1.0, 0.9  # touching by a corner only: 4-connected regions keep them apart
    assert box_from_map(diagonal, 0.5).tolist() == [1.0, 1.0, 2.0, 2.0]


def test_a_flat_map_gives_the_whole_map():
    assert box_from_map(torch.full((6, 8), 3.0), 0.5).tolist() == [0.0, 0.0, 8.0, 6.0]


def _notebook_function(notebook: str, cell_start: str, name: str):
    """The function ``name`` as written in the notebook cell whose source starts with ``cell_start``."""
    cells = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))["cells"]
    namespace = {"torch": torch, "np": np, "skimage": skimage}
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and source.startswith(("def peak(", cell_start)):
            exec(compile(source.split("\n\n\ndef show_")[0], notebook, "exec"), namespace)  # noqa: S102
    return namespace[name]


def test_the_library_copy_is_08s_function():
    written_in_08 = _notebook_function("08_where_features_look.ipynb", "def box_from_map(", "box_from_map")
    generator = torch.Generator().manual_seed(0)
    for _ in range(50):
        heatmap = torch.nn.functional.avg_pool2d(torch.rand(1, 24, 24, generator=generator), 5, 1, 2)[0]
        for fraction in (0.2, 0.35, 0.5, 0.65):
            assert torch.equal(box_from_map(heatmap, fraction), written_in_08(heatmap, fraction))


@pytest.mark.parametrize("heatmap, fraction, error, message", [
    (torch.zeros(1, 8, 8), 0.5, ValueError, r"heatmap.*\(H, W\)"),
    (np.zeros((8, 8)), 0.5, TypeError, "heatmap"),
    (torch.zeros(0, 8), 0.5, ValueError, "non-empty"),
    (torch.tensor([[0.0, float("nan")]]), 0.5, ValueError, "NaN"),
    (torch.zeros(8, 8), 1.5, ValueError, "fraction"),
    (torch.zeros(8, 8), "0.5", TypeError, "fraction"),
])
def test_bad_arguments_are_named(heatmap, fraction, error, message):
    with pytest.raises(error, match=message):
        box_from_map(heatmap, fraction)
