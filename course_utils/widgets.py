"""The course's interactive widgets (ipywidgets): the learning-curve picker of 03_regularization and
the augmentation explorer of 04_data_augmentation, whose sliders redraw an augmented photo live.

The drawing is a plain function, :func:`~course_utils.augment._augment_photo` (settings in, uint8
image out), so it can be tested without a browser; :class:`AugmentationExplorer` only wires sliders
to it. For browser tests the explorer's DOM elements carry fixed CSS classes:
``augmentation-explorer`` (the whole box), ``augmentation-explorer-controls`` (the sliders) and
``augmentation-explorer-image`` (the ``<img>`` that is redrawn, a PNG). Introduced in 04_data_augmentation.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Sequence

import ipywidgets as widgets
import torch
from PIL import Image

from . import _validate as door
from .augment import _DEFAULT_SETTINGS, _SETTING_RANGES, _augment_photo, _require_photo
from .plotting import _plot_ablation_curves

if TYPE_CHECKING:
    from .ablation import AblationResult

_EXPLORER_CSS_CLASSES = {
    "box": "augmentation-explorer",
    "controls": "augmentation-explorer-controls",
    "image": "augmentation-explorer-image",
}


def _to_png(image: torch.Tensor) -> bytes:
    """PNG bytes of a uint8 ``(3, H, W)`` image (what the explorer's image widget shows).
    Introduced in 04_data_augmentation.
    """
    _require_photo(image)
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
        _require_photo(image)
        self.photo, self.name = image, name
        step = {"angle": 5.0, "translate_x": 0.02, "translate_y": 0.02, "scale": 0.05}
        self.controls: dict[str, widgets.ValueWidget] = {}
        for key, (low, high) in _SETTING_RANGES.items():
            self.controls[key] = widgets.FloatSlider(
                value=float(_DEFAULT_SETTINGS[key]), min=low, max=high, step=step.get(key, 0.05),
                description=key.replace("_", " "), continuous_update=True,
                style={"description_width": "80px"}, layout=widgets.Layout(width="340px"),
            )
        self.controls["flip"] = widgets.Checkbox(value=False, description="flip left-right")
        self.reset_button = widgets.Button(description="reset")
        self.reset_button.on_click(lambda _: self.reset())
        self.image = widgets.Image(format="png", width=display_size, height=display_size)
        self.image.add_class(_EXPLORER_CSS_CLASSES["image"])
        controls = widgets.VBox(list(self.controls.values()) + [self.reset_button])
        controls.add_class(_EXPLORER_CSS_CLASSES["controls"])
        super().__init__([widgets.HBox([controls, self.image])])
        self.add_class(_EXPLORER_CSS_CLASSES["box"])
        for control in self.controls.values():
            control.observe(lambda _change: self.redraw(), names="value")
        self.redraw()

    @property
    def settings(self) -> dict[str, float | bool]:
        return {key: control.value for key, control in self.controls.items()}

    def current_image(self) -> torch.Tensor:
        """The augmented photo for the current settings, uint8 ``(3, H, W)``."""
        return _augment_photo(self.photo, **self.settings)

    def redraw(self) -> None:
        """Draw the current settings into the image widget."""
        self.image.value = _to_png(self.current_image())

    def reset(self) -> None:
        """Put every control back to its neutral value."""
        for key, control in self.controls.items():
            control.value = _DEFAULT_SETTINGS[key]

    def __repr__(self) -> str:
        _, height, width = self.photo.shape
        return f"AugmentationExplorer({self.name!r} {height}x{width}, controls: {', '.join(self.controls)})"


def curve_explorer(result: AblationResult, initial: Sequence[str] = ()):
    """An ipywidgets control: pick configurations (ctrl/shift-click) and a seed, see their learning
    curves. Returns the widget; :func:`~course_utils.plotting._plot_ablation_curves` draws the same figure statically.
    Introduced in 03_regularization.
    """
    import ipywidgets as widgets

    door.require(hasattr(result, "runs") and hasattr(result, "table"), "result",
                 "an AblationResult (from run_ablation)", result, TypeError)
    door.sequence(initial, "initial", "a list of configuration names")
    names = list(result.runs)
    initial = tuple(initial) or tuple(names[:2])
    n_seeds = min(len(r) for r in result.runs.values())
    picker = widgets.SelectMultiple(options=names, value=initial, rows=min(len(names), 10), description="configs")
    seed = widgets.IntSlider(value=0, min=0, max=n_seeds - 1, description="seed #")
    out = widgets.Output()

    def redraw(_change=None) -> None:
        # Drawn on interaction only: an eager first draw would leak a figure into the stored outputs
        # when the notebook runs headless (nbval does not route Output-widget captures).
        with out:
            out.clear_output(wait=True)
            if picker.value:
                _plot_ablation_curves(result, picker.value, seed.value)

    picker.observe(redraw, names="value")
    seed.observe(redraw, names="value")
    hint = widgets.Label("change the selection or the seed to draw the curves")
    return widgets.VBox([widgets.HBox([picker, seed]), hint, out])
