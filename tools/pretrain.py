"""Rebuild the pretrained backbone of 06_transfer_learning (data/transfer_resnet_v1.shipped.pt) from
scratch, deterministically (maintainer tool, not part of the installed package; a few minutes on a
2-core CPU)::

    python -m tools.pretrain pretrain [--out PATH] [--epochs N]     # or: make pretrain
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Iterable

from course_utils.pretrained import _CHECKPOINT_NAME, _CHECKPOINT_SHA256, _pretrain
from course_utils.storage import _save_checkpoint, data_dir

__all__ = ["main"]


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.pretrain",
                                     description="Pretrain the backbone of 06_transfer_learning.")
    parser.add_argument("command", choices=["pretrain"])
    parser.add_argument("--out", default=None, help=f"checkpoint path (default: data/{_CHECKPOINT_NAME})")
    parser.add_argument("--epochs", type=int, default=None)
    args = parser.parse_args(list(argv) if argv is not None else None)
    model, accuracy = _pretrain(epochs=args.epochs)
    out = Path(args.out) if args.out else data_dir() / _CHECKPOINT_NAME
    checksum = _save_checkpoint(model.state_dict(), out)
    print(f"source test accuracy {100 * accuracy:.1f}%")
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB), sha256 {checksum}")
    if out.name == _CHECKPOINT_NAME and checksum != _CHECKPOINT_SHA256:
        print("note: this differs from _CHECKPOINT_SHA256 in course_utils/pretrained.py; update it to ship this file")


if __name__ == "__main__":
    main()
