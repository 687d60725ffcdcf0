"""course_utils.widgets: the augmentation explorer and the learning-curve picker."""

import io

import pytest
import torch
from PIL import Image

from course_utils.augment import _augment_photo
from course_utils.plotting import _plot_ablation_curves
from course_utils.widgets import _EXPLORER_CSS_CLASSES, AugmentationExplorer, _to_png, curve_explorer


def _photo(h=20, w=24):
    return torch.randint(0, 256, (3, h, w), generator=torch.Generator().manual_seed(0), dtype=torch.uint8)


# ---- figures (the `shown` fixture also checks that their text is legible)
def test_plot_curves_and_curve_explorer(shown, ablation_result):
    result = ablation_result
    assert _plot_ablation_curves(result, ["none", "early stopping"], seed_index=1) is None
    ax = shown[-1].axes[0]
    assert len(ax.get_legend().get_texts()) == 4 and len(ax.lines) == 5  # 2 x (train, val) + best epoch
    with pytest.raises(ValueError, match="at least one"):
        _plot_ablation_curves(result, [])
    with pytest.raises(KeyError, match="no config named 'zzz'"):
        _plot_ablation_curves(result, ["zzz"])
    explorer = curve_explorer(result)
    assert len(shown) == 1  # nothing drawn until the reader interacts
    picker, seed = explorer.children[0].children
    assert picker.value == ("none", "early stopping") and seed.max == 1
    seed.value = 1
    assert len(shown) == 2 and len(shown[-1].axes[0].get_legend().get_texts()) == 4


def test_png_round_trip():
    photo = _photo()
    decoded = torch.from_numpy(__import__("numpy").array(Image.open(io.BytesIO(_to_png(photo))))).permute(2, 0, 1)
    assert torch.equal(decoded, photo)


def test_explorer_redraws_when_a_control_changes_and_resets():
    photo = _photo(16, 16)
    explorer = AugmentationExplorer(photo, name="noise")
    assert explorer.image.value == _to_png(photo)
    explorer.controls["flip"].value = True
    assert explorer.image.value == _to_png(photo.flip(-1))
    explorer.controls["angle"].value = 90.0
    assert explorer.image.value == _to_png(_augment_photo(photo, angle=90.0, flip=True))
    explorer.reset()
    assert explorer.image.value == _to_png(photo)
    assert set(explorer.settings) == {"angle", "translate_x", "translate_y", "scale", "flip", "brightness",
                                      "saturation", "hue"}


def test_explorer_structure_for_browser_tests_and_stable_repr():
    explorer = AugmentationExplorer(_photo(16, 16), name="noise")
    assert _EXPLORER_CSS_CLASSES["box"] in explorer._dom_classes
    assert _EXPLORER_CSS_CLASSES["image"] in explorer.image._dom_classes
    row = explorer.children[0]
    assert _EXPLORER_CSS_CLASSES["controls"] in row.children[0]._dom_classes and row.children[1] is explorer.image
    assert repr(explorer) == repr(AugmentationExplorer(_photo(16, 16), name="noise"))
    assert repr(explorer).startswith("AugmentationExplorer('noise' 16x16")
