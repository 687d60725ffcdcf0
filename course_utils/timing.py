"""Wall-clock timing with one output format, which the nbval sanitize file recognises.

Introduced in 00_setup_and_tour.
"""

from __future__ import annotations

import time
from types import TracebackType

from . import _validate as door


def format_seconds(label: str, seconds: float) -> str:
    """``"⏱ label: 12.3 s"``: the one format for timings in notebooks. Introduced in 04_data_augmentation.
    """
    door.text(label, "label")
    door.number(seconds, "seconds", low=0)
    return f"⏱ {label}: {seconds:.1f} s"


class Timer:
    """Context manager that measures wall time and prints it on exit (unless ``quiet``).
    ``timer.seconds`` holds the result. Introduced in 02_cnn_training.
    """

    def __init__(self, label: str = "elapsed", quiet: bool = False) -> None:
        self.label, self.quiet, self.seconds = label, quiet, 0.0

    def __enter__(self) -> "Timer":
        self._start = time.perf_counter()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.seconds = time.perf_counter() - self._start
        if not self.quiet and exc_type is None:
            print(format_seconds(self.label, self.seconds))
