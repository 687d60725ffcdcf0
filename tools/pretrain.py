"""Rebuild the pretrained backbone of 06_transfer_learning (data/transfer_resnet_v1.shipped.pt) from
scratch, deterministically (maintainer tool, not part of the installed package; a few minutes on a
2-core CPU)::

    python -m tools.pretrain pretrain [--out PATH] [--epochs N]     # or: make pretrain
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Iterable

from course_utils.pretrained import CHECKPOINT_NAME, CHECKPOINT_SHA256, pretrain
from course_utils.storage import data_dir, save_checkpoint

__all__ = ["main"]


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.pretrain",
                                     description="Pretrain the backbone of 06_transfer_learning.")
    parser.add_argument("command", choices=["pretrain"])
    parser.add_argument("--out", default=None, help=f"checkpoint path (default: data/{CHECKPOINT_NAME})")
    parser.add_argument("--epochs", type=int, default=None)
    args = parser.parse_args(list(argv) if argv is not None else None)
    model, accuracy = pretrain(epochs=args.epochs)
    out = Path(args.out) if args.out else data_dir() / CHECKPOINT_NAME
    checksum = save_checkpoint(model.state_dict(), out)
    print(f"source test accuracy {100 * accuracy:.1f}%")
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB), sha256 {checksum}")
    if out.name == CHECKPOINT_NAME and checksum != CHECKPOINT_SHA256:
        print("note: this differs from CHECKPOINT_SHA256 in course_utils/pretrained.py; update it to ship this file")


if __name__ == "__main__":
    main()
