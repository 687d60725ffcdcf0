"""Reproducibility and devices: seeding, deterministic algorithms, thread count, the banner.

Introduced in 00_setup_and_tour.
"""

from __future__ import annotations

import os
import platform
import random
import sys

import numpy as np
import torch

from . import _validate as door

# Outputs stored in the notebooks were produced with 2 threads; a different count can change the
# order of floating-point sums and so the last digits of a result.
_DEFAULT_THREADS = 2


def seed_everything(seed: int = 0, threads: int | None = None) -> torch.Generator:
    """Seed Python, NumPy and torch, turn on deterministic algorithms and fix the CPU thread count.

    Returns a ``torch.Generator`` seeded with ``seed`` for code that wants its own stream.
    The ``COURSE_SEED_OFFSET`` environment variable (default 0) is added to every seed: the
    maintainers' spread measurement (``tools/claim_spread.py``) runs whole notebooks with offsets
    1, 2, ... to see how much each measured result moves with the seed. ``threads`` defaults to the
    ``COURSE_THREADS`` environment variable, else :data:`_DEFAULT_THREADS`; ``make test`` runs two
    test streams side by side with one thread each. Introduced in 00_setup_and_tour.
    """
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    if threads is None:
        setting = os.environ.get("COURSE_THREADS", "")
        if setting and not (setting.isdigit() and int(setting) >= 1):
            raise ValueError(
                f"COURSE_THREADS must be a positive integer, got {setting!r}; "
                f"unset it to use {_DEFAULT_THREADS} threads"
            )
        threads = int(setting) if setting else _DEFAULT_THREADS
    door.positive_int(threads, "threads")
    offset = os.environ.get("COURSE_SEED_OFFSET", "0")
    if not offset.isdigit():
        raise ValueError(
            f"COURSE_SEED_OFFSET must be a non-negative integer, got {offset!r}; "
            f"unset it for the stored results"
        )
    seed += int(offset)
    # cuBLAS needs this set before its first call to be deterministic.
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    # Deterministic mode also fills the memory of every new tensor with NaN, to expose code that reads
    # memory it never wrote. PyTorch's own operations never do, so the results are the same bit for bit,
    # and skipping the fill makes a training step of the course's CNNs about 15% faster on a CPU.
    torch.utils.deterministic.fill_uninitialized_memory = False
    torch.backends.cudnn.benchmark = False
    torch.set_num_threads(threads)
    return torch.Generator().manual_seed(seed)


def get_device(prefer: str | None = None) -> torch.device:
    """The best available device: CUDA, then Apple's MPS, then the CPU. Introduced in
    00_setup_and_tour.

    ``prefer`` ("cuda", "mps" or "cpu") forces one; asking for one that is absent raises an error.
    The ``COURSE_DEVICE`` environment variable sets ``prefer`` for a whole session.
    """
    prefer = prefer or os.environ.get("COURSE_DEVICE") or None
    available = {
        "cuda": torch.cuda.is_available(),
        "mps": getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available(),
        "cpu": True,
    }
    if prefer is not None:
        if prefer not in available:
            raise ValueError(f"unknown device {prefer!r}; choose one of {sorted(available)}")
        if not available[prefer]:
            raise RuntimeError(f"device {prefer!r} is not available on this machine; use get_device() to pick one")
        return torch.device(prefer)
    return torch.device(next(name for name, ok in available.items() if ok))


def print_banner(device: torch.device | None = None) -> None:
    """Print the versions and the device the course runs on. Introduced in 00_setup_and_tour."""
    import matplotlib
    import torchvision

    device = device or get_device()
    lines = {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "numpy": np.__version__,
        "matplotlib": matplotlib.__version__,
        "device": str(device) + (f" ({torch.cuda.get_device_name(device)})" if device.type == "cuda" else ""),
        "cpu threads": torch.get_num_threads(),
        "deterministic": torch.are_deterministic_algorithms_enabled(),
    }
    width = max(map(len, lines))
    for key, value in lines.items():
        print(f"{key:>{width}}: {value}", file=sys.stdout)
