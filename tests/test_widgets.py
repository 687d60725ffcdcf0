"""The augmentation explorer (course_utils.widgets, 04_data_augmentation)."""

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest
import torch
from PIL import Image

from course_utils.widgets import EXPLORER_CSS_CLASSES, AugmentationExplorer, augment_photo, show_settings, to_png


def _photo(h=20, w=24):
    return torch.randint(0, 256, (3, h, w), generator=torch.Generator().manual_seed(0), dtype=torch.uint8)


def test_neutral_settings_return_an_equal_copy():
    photo = _photo()
    out = augment_photo(photo)
    assert torch.equal(out, photo) and out is not photo


def test_flip_and_rotation_match_their_definitions():
    photo = _photo(16, 16)
    assert torch.equal(augment_photo(photo, flip=True), photo.flip(-1))
    assert torch.equal(augment_photo(photo, angle=90.0), torch.rot90(photo, 1, dims=(1, 2)))  # counter-clockwise


def test_translation_is_a_fraction_of_the_size_and_brightness_scales():
    photo = _photo(10, 10)
    out = augment_photo(photo, translate_x=0.2)
    assert torch.equal(out[:, :, 2:], photo[:, :, :-2]) and out[:, :, :2].sum() == 0
    dark = augment_photo(photo, brightness=0.0)
    assert dark.sum() == 0
    grey = augment_photo(photo, saturation=0.0)
    assert (grey[0].int() - grey[1].int()).abs().max() <= 1


@pytest.mark.parametrize("settings,match", [({"angle": 500.0}, "angle must be in"), ({"zoom": 2.0}, "unknown setting"), ({"scale": 0.0}, "scale must be in")])
def test_bad_settings_are_rejected(settings, match):
    with pytest.raises(ValueError, match=match):
        augment_photo(_photo(), **settings)


def test_bad_photo_is_rejected():
    with pytest.raises(ValueError, match=r"\(3, H, W\)"):
        augment_photo(_photo()[None])
    with pytest.raises(TypeError, match="torch.Tensor"):
        augment_photo(_photo().numpy())


def test_png_round_trip():
    photo = _photo()
    decoded = torch.from_numpy(__import__("numpy").array(Image.open(io.BytesIO(to_png(photo))))).permute(2, 0, 1)
    assert torch.equal(decoded, photo)


def test_explorer_redraws_when_a_control_changes_and_resets():
    photo = _photo(16, 16)
    explorer = AugmentationExplorer(photo, name="noise")
    assert explorer.image.value == to_png(photo)
    explorer.controls["flip"].value = True
    assert explorer.image.value == to_png(photo.flip(-1))
    explorer.controls["angle"].value = 90.0
    assert explorer.image.value == to_png(augment_photo(photo, angle=90.0, flip=True))
    explorer.reset()
    assert explorer.image.value == to_png(photo)
    assert set(explorer.settings) == {"angle", "translate_x", "translate_y", "scale", "flip", "brightness", "saturation", "hue"}


def test_explorer_structure_for_browser_tests_and_stable_repr():
    explorer = AugmentationExplorer(_photo(16, 16), name="noise")
    assert EXPLORER_CSS_CLASSES["box"] in explorer._dom_classes
    assert EXPLORER_CSS_CLASSES["image"] in explorer.image._dom_classes
    row = explorer.children[0]
    assert EXPLORER_CSS_CLASSES["controls"] in row.children[0]._dom_classes and row.children[1] is explorer.image
    assert repr(explorer) == repr(AugmentationExplorer(_photo(16, 16), name="noise"))
    assert repr(explorer).startswith("AugmentationExplorer('noise' 16x16")


def test_show_settings_draws_one_panel_per_setting(shown):
    assert show_settings(_photo(), [{}, {"angle": 30.0}, {"flip": True}]) is None
    fig = shown[-1]
    assert len(fig.axes) == 3 and fig.axes[1].get_title() == "angle=30"
    with pytest.raises(ValueError, match="settings is empty"):
        show_settings(_photo(), [])
    show_settings(_photo(), [{"translate_x": 0.25, "translate_y": -0.1, "flip": True}])
    assert shown[-1].axes[0].get_title() == "translate_x=0.25\ntranslate_y=-0.1\nflip"
    figures = plt.get_fignums()
    with pytest.raises(ValueError, match="unknown setting"):
        show_settings(_photo(), [{}, {"zoom": 2.0}])
    assert plt.get_fignums() == figures  # a bad setting raises before a figure is made
