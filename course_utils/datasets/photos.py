"""The real photos and textures that scikit-image ships inside its wheel (no download), and the
random crops that turn them into backgrounds for the course's digit images and videos.

Introduced in 00_setup_and_tour.
"""

from __future__ import annotations

import functools
import numbers

import numpy as np

from .. import _validate as door

# Photos that scikit-image ships inside its wheel (no download). ``cat`` is the same photo as
# ``chelsea``, so it is left out.
_PHOTO_NAMES = (
    "astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "immunohistochemistry",
    "retina", "colorwheel", "brick", "grass", "gravel", "camera", "moon", "coins", "clock",
)


# Grey textures behind the moving digits of 05_video_lstm (a subset of the photos above).
_TEXTURE_NAMES = ("brick", "grass", "gravel", "camera", "moon")


# Train backgrounds come from the left 70% of every photo, test backgrounds from the right 30%:
# the test set measures generalization to photo regions the model has never seen.
TRAIN_REGION_FRACTION = 0.7


@functools.lru_cache(maxsize=1)
def background_photos() -> dict[str, np.ndarray]:
    """The real photos that scikit-image ships, as read-only ``uint8`` RGB arrays ``(H, W, 3)``.

    Introduced in 00_setup_and_tour.
    """
    import skimage.data

    photos = {}
    for name in _PHOTO_NAMES:
        image = np.asarray(getattr(skimage.data, name)())
        if image.ndim == 2:
            image = np.repeat(image[:, :, None], 3, axis=2)
        photo = np.ascontiguousarray(image[:, :, :3]).astype(np.uint8)
        photo.flags.writeable = False  # shared by every caller of this cached function
        photos[name] = photo
    return photos


@functools.lru_cache(maxsize=1)
def _textures() -> tuple[np.ndarray, ...]:
    """The grey textures ``_TEXTURE_NAMES`` as read-only ``uint8`` arrays ``(H, W)``.
    Introduced in 05_video_lstm.
    """
    import skimage.data

    grey = []
    for name in _TEXTURE_NAMES:
        texture = np.asarray(getattr(skimage.data, name)(), dtype=np.uint8)
        texture.flags.writeable = False  # shared by every caller of this cached function
        grey.append(texture)
    return tuple(grey)


_REGION = "(low, high) fractions of the width with 0 <= low < high <= 1"


def _crop_box(height: int, width: int, size: int, max_crop: int, region: tuple[float, float],
             rng: np.random.Generator) -> tuple[int, int, int]:
    """A random square crop ``(top, left, side)`` of an image ``height`` x ``width``: the side is
    drawn from ``size`` to ``max_crop`` (and to what fits), the crop lies within the horizontal
    ``region`` (fractions of the width). Introduced in 00_setup_and_tour.
    """
    for name, value in (("height", height), ("width", width), ("size", size), ("max_crop", max_crop)):
        door.integer(value, name, low=1)
    door.sequence(region, "region", _REGION)
    door.require(len(region) == 2 and all(isinstance(r, numbers.Real) for r in region), "region", _REGION, region,
                 TypeError)
    door.require(0 <= region[0] < region[1] <= 1, "region", _REGION, region)
    door.instance(rng, "rng", np.random.Generator, "a numpy.random.Generator (np.random.default_rng(seed))")
    door.require(size <= min(max_crop, height, int(region[1] * width) - int(region[0] * width)), "size",
                 "at most max_crop and what fits in the image and region", size)
    left_edge, right_edge = int(region[0] * width), int(region[1] * width)
    side = int(rng.integers(size, min(max_crop, height, right_edge - left_edge) + 1))
    top = int(rng.integers(0, height - side + 1))
    left = int(rng.integers(left_edge, right_edge - side + 1))
    return top, left, side


_BOXES_FILE = "photo_boxes.shipped.json"


def hand_drawn_boxes() -> dict[str, dict]:
    """Boxes drawn by hand around one object in three of the photos (``chelsea``, ``coffee``,
    ``astronaut``), read from ``data/photo_boxes.shipped.json``: for each photo the ``object``, the
    ``imagenet_classes`` that name it and its ``box`` ``(x0, y0, x1, y1)`` in pixels of the full photo
    (x1, y1 exclusive); the file's ``how_drawn`` says how they were drawn. Introduced in
    08_where_features_look.
    """
    import json

    from ..storage import _shipped_dir

    path = _shipped_dir() / _BOXES_FILE
    try:
        stored = json.loads(path.read_text())
        boxes = {name: {"object": str(entry["object"]), "imagenet_classes": tuple(entry["imagenet_classes"]),
                        "box": tuple(int(v) for v in entry["box"])} for name, entry in stored["photos"].items()}
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{path} is missing or damaged ({error}): "
                         f"restore it with `git checkout -- data/{_BOXES_FILE}`") from error
    photos = background_photos()
    for name, entry in boxes.items():
        x0, y0, x1, y1 = entry["box"] if len(entry["box"]) == 4 else (0, 0, 0, 0)
        height, width = photos[name].shape[:2] if name in photos else (0, 0)
        if not (0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height):
            raise ValueError(f"{path}: the box of {name!r} {entry['box']} does not lie inside the photo "
                             f"({width}x{height}): restore the file with `git checkout -- data/{_BOXES_FILE}`")
    return boxes
