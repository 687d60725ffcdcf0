"""Features from a pretrained network: extracted at any node, cached once (checksummed, like the
datasets), and used by a linear probe or nearest neighbours. Introduced in 06_transfer_learning.
"""

from __future__ import annotations

import hashlib
import os
from typing import Sequence

import torch
import torch.nn as nn

from . import _validate as door
from .augment import resize_images
from .checks import _require_images
from .loading import normalize
from .storage import _cached_arrays, data_dir

_FEATURES_VERSION = 2  # bump when the extraction itself changes, so old caches are rebuilt (2: channels_last)


def _sized(images: torch.Tensor, size: int | None) -> torch.Tensor:
    return images if size is None or images.shape[-1] == images.shape[-2] == size else resize_images(images, size)


@torch.no_grad()
def extract_features(
    model: nn.Module,
    images: torch.Tensor,
    node: str | None = "flatten",
    batch_size: int = 500,
    mean: Sequence[float] | None = None,
    std: Sequence[float] | None = None,
    size: int | None = None,
) -> torch.Tensor:
    """Features ``(N, D)`` of uint8 ``images`` ``(N, C, H, W)``, batch by batch, in eval mode, on the
    CPU. Introduced in 06_transfer_learning.

    ``node`` names the graph node to read (``create_feature_extractor``; spatial maps are averaged
    over their positions); ``None`` calls ``model.forward_features``. Each batch is resized to
    ``size`` x ``size`` (when given) and normalized with ``mean`` and ``std`` (as :func:`normalize`)
    before it goes to the model's device.
    """
    door.module(model, "model")
    _require_images(images, "images", torch.uint8)
    if node is not None:
        door.text(node, "node")
    if node is None:
        extractor = model.forward_features
    else:
        from torchvision.models.feature_extraction import create_feature_extractor

        graph = create_feature_extractor(model, return_nodes={node: "out"}).eval()

        def extractor(x: torch.Tensor) -> torch.Tensor:
            return graph(x)["out"]
    model.eval()
    device = next(model.parameters()).device
    chunks = []
    for start in range(0, len(images), batch_size):
        # channels_last: the layout 02_cnn_training measured faster for convolutions on the CPU
        batch = normalize(_sized(images[start : start + batch_size], size), mean, std).to(
            device, memory_format=torch.channels_last
        )
        out = extractor(batch)
        chunks.append((out.mean(dim=(2, 3)) if out.ndim == 4 else out.flatten(1)).float().cpu())
    return torch.cat(chunks)


def _fingerprint(tensor: torch.Tensor) -> str:
    digest = hashlib.sha256(str((tuple(tensor.shape), str(tensor.dtype))).encode())
    digest.update(tensor.contiguous().numpy().tobytes())
    return digest.hexdigest()


def cached_features(
    model: nn.Module,
    weights_sha256: str,
    images: torch.Tensor,
    name: str,
    node: str | None = None,
    batch_size: int = 64,
    mean: Sequence[float] | None = None,
    std: Sequence[float] | None = None,
    size: int | None = None,
    root: str | os.PathLike | None = None,
) -> torch.Tensor:
    """:func:`extract_features`, computed once and cached under ``data/`` as ``features_<name>_...npz``
    with its ``.json`` sidecar. The cache is used only when the weights (``weights_sha256``), the
    images (their sha256), the node, the size, the normalization and :data:`_FEATURES_VERSION` all
    match; otherwise it is rebuilt. Introduced in 06_transfer_learning.
    """
    door.module(model, "model")
    door.text(weights_sha256, "weights_sha256", nonempty=True)
    _require_images(images, "images", torch.uint8)
    door.text(name, "name", nonempty=True)
    images_sha = _fingerprint(images)
    meta = {"features": name, "version": _FEATURES_VERSION, "weights_sha256": weights_sha256,
            "images_sha256": images_sha, "node": node, "size": size,
            "mean": list(mean) if mean else None, "std": list(std) if std else None}
    key = hashlib.sha256(repr(sorted(meta.items())).encode()).hexdigest()[:12]
    path = data_dir(root) / f"features_{name}_{key}.npz"

    def build() -> dict:
        features = extract_features(model, images, node, batch_size, mean, std, size)
        return {"features": features.numpy()}

    return torch.from_numpy(_cached_arrays(path, meta, build)["features"])
