"""The augmentation explorer of 04_data_augmentation: sliders that redraw an augmented photo live.

The drawing is a plain function, :func:`augment_photo` (settings in, uint8 image out), so it can be
tested without a browser; :class:`AugmentationExplorer` only wires sliders to it. For browser tests
the explorer's DOM elements carry fixed CSS classes: ``augmentation-explorer`` (the whole box),
``augmentation-explorer-controls`` (the sliders) and ``augmentation-explorer-image`` (the ``<img>``
that is redrawn, a PNG). Introduced in 04_data_augmentation.
"""

from __future__ import annotations

import io
from typing import Mapping, Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import torch
from PIL import Image
from torchvision.transforms import InterpolationMode
from torchvision.transforms.v2 import functional as TF

from .plotting import FIGURE_DPI, SMALL_FONT

__all__ = ["DEFAULT_SETTINGS", "augment_photo", "to_png", "AugmentationExplorer", "show_settings", "EXPLORER_CSS_CLASSES"]

# The explorer's settings and their neutral values (the photo unchanged).
DEFAULT_SETTINGS: dict[str, float | bool] = {
    "angle": 0.0,  # degrees, counter-clockwise
    "translate_x": 0.0,  # fraction of the width, right is positive
    "translate_y": 0.0,  # fraction of the height, down is positive
    "scale": 1.0,  # > 1 zooms in
    "flip": False,  # mirror left-right
    "brightness": 1.0,  # multiplies the pixels
    "saturation": 1.0,  # 0 is grey
    "hue": 0.0,  # turn of the colour wheel, in [-0.5, 0.5]
}
EXPLORER_CSS_CLASSES = {
    "box": "augmentation-explorer",
    "controls": "augmentation-explorer-controls",
    "image": "augmentation-explorer-image",
}
_RANGES = {
    "angle": (-180.0, 180.0),
    "translate_x": (-0.5, 0.5),
    "translate_y": (-0.5, 0.5),
    "scale": (0.25, 3.0),
    "brightness": (0.0, 3.0),
    "saturation": (0.0, 3.0),
    "hue": (-0.5, 0.5),
}


def _check_photo(image: torch.Tensor) -> None:
    if not isinstance(image, torch.Tensor):
        raise TypeError(f"image must be a torch.Tensor (C, H, W), got {type(image).__name__}")
    if image.ndim != 3 or image.shape[0] != 3 or image.dtype != torch.uint8:
        raise ValueError(f"image must be one uint8 RGB photo of shape (3, H, W), got {tuple(image.shape)} {image.dtype}")


def augment_photo(image: torch.Tensor, **settings: float | bool) -> torch.Tensor:
    """The photo after the explorer's augmentations: rotation, translation and scaling (one
    ``torchvision`` affine, bilinear, black border), then flip, brightness, saturation and hue.
    ``image`` is uint8 ``(3, H, W)``; missing settings take :data:`DEFAULT_SETTINGS`. Returns a new
    uint8 ``(3, H, W)`` tensor. Introduced in 04_data_augmentation.
    """
    _check_photo(image)
    unknown = set(settings) - set(DEFAULT_SETTINGS)
    if unknown:
        raise ValueError(f"unknown setting(s) {sorted(unknown)}; known: {list(DEFAULT_SETTINGS)}")
    s = {**DEFAULT_SETTINGS, **settings}
    for name, (low, high) in _RANGES.items():
        if not low <= float(s[name]) <= high:
            raise ValueError(f"{name} must be in [{low}, {high}], got {s[name]!r}")
    _, height, width = image.shape
    out = image
    if (s["angle"], s["translate_x"], s["translate_y"], s["scale"]) != (0.0, 0.0, 0.0, 1.0):
        out = TF.affine(
            out, angle=-float(s["angle"]),  # TF.affine turns clockwise; the slider counter-clockwise
            translate=[round(float(s["translate_x"]) * width), round(float(s["translate_y"]) * height)],
            scale=float(s["scale"]), shear=[0.0, 0.0], interpolation=InterpolationMode.BILINEAR,
        )
    if s["flip"]:
        out = TF.horizontal_flip(out)
    if s["brightness"] != 1.0:
        out = TF.adjust_brightness(out, float(s["brightness"]))
    if s["saturation"] != 1.0:
        out = TF.adjust_saturation(out, float(s["saturation"]))
    if s["hue"] != 0.0:
        out = TF.adjust_hue(out, float(s["hue"]))
    return out.clone() if out is image else out


def to_png(image: torch.Tensor) -> bytes:
    """PNG bytes of a uint8 ``(3, H, W)`` image (what the explorer's image widget shows).
    Introduced in 04_data_augmentation.
    """
    _check_photo(image)
    buffer = io.BytesIO()
    Image.fromarray(image.permute(1, 2, 0).contiguous().numpy()).save(buffer, format="PNG")
    return buffer.getvalue()


class AugmentationExplorer(widgets.VBox):
    """Sliders for angle, translation, scale, flip and colour next to the augmented photo, redrawn
    on every change. Introduced in 04_data_augmentation.

    ``explorer.controls[name]`` are the input widgets, ``explorer.image`` the ``ipywidgets.Image``
    (CSS class ``augmentation-explorer-image``), ``explorer.settings`` the current values and
    ``explorer.redraw()`` draws them (called automatically when a control changes).
    """

    def __init__(self, image: torch.Tensor, name: str = "photo", display_size: int = 256) -> None:
        _check_photo(image)
        self.photo, self.name = image, name
        step = {"angle": 5.0, "translate_x": 0.02, "translate_y": 0.02, "scale": 0.05}
        self.controls: dict[str, widgets.ValueWidget] = {}
        for key, (low, high) in _RANGES.items():
            self.controls[key] = widgets.FloatSlider(
                value=float(DEFAULT_SETTINGS[key]), min=low, max=high, step=step.get(key, 0.05),
                description=key.replace("_", " "), continuous_update=True,
                style={"description_width": "80px"}, layout=widgets.Layout(width="340px"),
            )
        self.controls["flip"] = widgets.Checkbox(value=False, description="flip left-right")
        self.reset_button = widgets.Button(description="reset")
        self.reset_button.on_click(lambda _: self.reset())
        self.image = widgets.Image(format="png", width=display_size, height=display_size)
        self.image.add_class(EXPLORER_CSS_CLASSES["image"])
        controls = widgets.VBox(list(self.controls.values()) + [self.reset_button])
        controls.add_class(EXPLORER_CSS_CLASSES["controls"])
        super().__init__([widgets.HBox([controls, self.image])])
        self.add_class(EXPLORER_CSS_CLASSES["box"])
        for control in self.controls.values():
            control.observe(lambda _change: self.redraw(), names="value")
        self.redraw()

    @property
    def settings(self) -> dict[str, float | bool]:
        return {key: control.value for key, control in self.controls.items()}

    def current_image(self) -> torch.Tensor:
        """The augmented photo for the current settings, uint8 ``(3, H, W)``."""
        return augment_photo(self.photo, **self.settings)

    def redraw(self) -> None:
        """Draw the current settings into the image widget."""
        self.image.value = to_png(self.current_image())

    def reset(self) -> None:
        """Put every control back to its neutral value."""
        for key, control in self.controls.items():
            control.value = DEFAULT_SETTINGS[key]

    def __repr__(self) -> str:
        _, height, width = self.photo.shape
        return f"AugmentationExplorer({self.name!r} {height}x{width}, controls: {', '.join(self.controls)})"


def show_settings(image: torch.Tensor, settings: Sequence[Mapping[str, float | bool]], title: str = "Explorer settings") -> None:
    """A static row of :func:`augment_photo` outputs, one per settings dict, captioned with the
    settings that differ from neutral: the explorer for readers of the stored notebook.
    Introduced in 04_data_augmentation.
    """
    if len(settings) == 0:
        raise ValueError("settings is empty: give at least one dict of explorer settings")
    photos = [augment_photo(image, **setting) for setting in settings]  # raises on a bad setting before drawing
    captions = ["\n".join(f"{k}={v:g}" if not isinstance(v, bool) else k for k, v in setting.items() if v != DEFAULT_SETTINGS[k])
                or "original" for setting in settings]
    lines = max(caption.count("\n") + 1 for caption in captions)
    fig, axes = plt.subplots(1, len(settings), figsize=(1.8 * len(settings), 2.1 + 0.17 * lines), dpi=FIGURE_DPI, squeeze=False)
    for ax, photo, caption in zip(axes[0], photos, captions):
        ax.imshow(np.asarray(photo.permute(1, 2, 0)))
        ax.set_title(caption, fontsize=SMALL_FONT)
        ax.axis("off")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    plt.show()
