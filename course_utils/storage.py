"""Files the course writes and reads back: the data folder, atomic writes, sha256 checksums, checked
caches of arrays and checked checkpoints.

Every cache or checkpoint ``name.ext`` has one sidecar, ``name.json``, holding the file's sha256,
its name and what it was built from; loading checks all three and says what is wrong.
Introduced in 00_setup_and_tour.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from . import _validate as door


class CacheError(RuntimeError):
    """A cache file is missing, truncated or altered. Introduced in 00_setup_and_tour."""


class CheckpointError(CacheError):
    """A checkpoint is missing, truncated or altered. Introduced in 06_transfer_learning."""


def _missing(error: type[CacheError], message: str) -> CacheError:
    """``error(message)`` that is also a ``FileNotFoundError``: a missing file is both."""
    return type(error.__name__, (error, FileNotFoundError), {"__module__": __name__})(message)


_SHIPPED_DIR = Path(__file__).resolve().parent.parent / "data"  # the repository's data/, with the shipped files
_CACHE_FOLDER_NAME = "feature-extraction-course"
_announced: set[Path] = set()


def _shipped_dir() -> Path:
    """The repository's ``data/`` folder, where files that ship with the course (the pretrained
    checkpoint) are read from, writable or not. Introduced in 06_transfer_learning.
    """
    return _SHIPPED_DIR


def _user_cache_dir() -> Path:
    """The per-user folder for caches and saved models when ``data/`` is read-only: the
    ``COURSE_CACHE_DIR`` environment variable, else the platform's cache folder
    (``~/.cache/feature-extraction-course`` on Linux, ``~/Library/Caches/...`` on macOS,
    ``%LOCALAPPDATA%\\...`` on Windows). Introduced in 00_setup_and_tour.
    """
    if os.environ.get("COURSE_CACHE_DIR"):
        return Path(os.environ["COURSE_CACHE_DIR"]).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / _CACHE_FOLDER_NAME


def _writable(path: Path) -> bool:
    """Whether a file can be created in ``path`` (tried, not guessed from permission bits)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            return True
    except OSError:
        return False


def data_dir(root: str | os.PathLike | None = None) -> Path:
    """The folder where datasets are built and cached and models saved. Introduced in 02_cnn_training.

    Order: the ``root`` argument, the ``COURSE_DATA_DIR`` environment variable, then the repository's
    ``data/`` folder; when ``data/`` is not writable (a shared, read-only install), the per-user
    :func:`_user_cache_dir`, said once per session.
    """
    chosen = root if root is not None else os.environ.get("COURSE_DATA_DIR")
    if chosen:
        path = Path(chosen)
        if not _writable(path):
            raise PermissionError(f"cannot write to the data folder {path}: choose a writable folder "
                                  "(the root argument or COURSE_DATA_DIR)")
        return path
    if _writable(_SHIPPED_DIR):
        return _SHIPPED_DIR
    path = _user_cache_dir()
    if not _writable(path):
        raise PermissionError(f"the course folder's data/ is read-only and the user cache {path} is not writable "
                              "either: set COURSE_CACHE_DIR (or COURSE_DATA_DIR) to a writable folder")
    if path not in _announced:
        _announced.add(path)
        print(f"note: the course's data/ folder is read-only, so datasets, features and saved models are cached "
              f"in {path} (set COURSE_CACHE_DIR to choose another folder)", file=sys.stderr)
    return path


def _sha256_file(path: str | os.PathLike) -> str:
    """The sha256 of a file, read in 1 MiB blocks. Introduced in 00_setup_and_tour."""
    door.path(path, "path", exists=True)
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _atomic_write_bytes(path: str | os.PathLike, payload: bytes) -> None:
    """Write ``payload`` to ``path`` atomically: a temporary file in the same folder, flushed to
    disk, then renamed over ``path``, so a reader never sees a half-written file.
    Introduced in 00_setup_and_tour.
    """
    door.path(path, "path")
    door.instance(payload, "payload", (bytes, bytearray, memoryview), "bytes")
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; caches are ordinary readable files
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------------------------------
# The one sidecar format: name.ext -> name.json = {**meta, "sha256": ..., "file": "name.ext"}


def _sidecar_path(path: str | os.PathLike) -> Path:
    """The sidecar of a cache or checkpoint: ``name.ext`` -> ``name.json``. Introduced in
    00_setup_and_tour.
    """
    door.path(path, "path", suffix=True)
    return Path(path).with_suffix(".json")


def _write_sidecar(path: str | os.PathLike, checksum: str, meta: dict | None = None) -> None:
    """Write ``path``'s sidecar atomically: ``meta``, the file's ``sha256`` and its name.
    Introduced in 00_setup_and_tour.
    """
    door.path(path, "path", suffix=True)
    door.sha256(checksum, "checksum")
    if meta is not None:
        door.mapping(meta, "meta")
    path = Path(path)
    sidecar = {**(meta or {}), "sha256": checksum, "file": path.name}
    _atomic_write_bytes(_sidecar_path(path), json.dumps(sidecar, indent=2).encode())


def _verify_sidecar(path: str | os.PathLike, expected_meta: dict | None = None, sha256: str | None = None,
                   error: type[CacheError] = CacheError) -> None:
    """Check ``path`` against its sidecar (or against ``sha256`` when given, without a sidecar):
    the file exists, every ``expected_meta`` entry matches, and its sha256 is the recorded one.

    Raises ``error`` (a :class:`CacheError`) naming the problem (a missing file: one that is also a
    ``FileNotFoundError``). Introduced in 00_setup_and_tour.
    """
    door.path(path, "path")
    _optional_mapping(expected_meta, "expected_meta")
    if sha256 is not None:
        door.text(sha256, "sha256")
    door.require(isinstance(error, type) and issubclass(error, CacheError), "error", "CacheError or a subclass",
                 error, TypeError)
    path = Path(path)
    kind = "checkpoint" if issubclass(error, CheckpointError) else "cache"
    if not path.exists():
        raise _missing(error, f"{kind} {path.name} is missing: no file at path {str(path)!r}")
    if sha256 is None:
        side = _sidecar_path(path)
        if not side.exists():
            raise error(f"{kind} {path.name} has no checksum file {side.name}")
        try:
            recorded = json.loads(side.read_text())
        except (OSError, ValueError) as problem:
            raise error(f"checksum file {side.name} is unreadable ({problem})") from problem
        if not isinstance(recorded, dict):
            raise error(f"checksum file {side.name} does not hold a JSON object")
        for key, value in (expected_meta or {}).items():
            if recorded.get(key) != value:
                raise error(f"{kind} {path.name} was built with {key}={recorded.get(key)!r}, expected {value!r}")
        sha256 = str(recorded.get("sha256"))
    actual = _sha256_file(path)
    if actual != sha256:
        raise error(
            f"{kind} {path.name} is truncated or altered: sha256 {actual[:12]}... does not match "
            f"the recorded {sha256[:12]}..."
        )


# --------------------------------------------------------------------------------------------------
# Array caches: a zip of .npy arrays with fixed timestamps (so equal arrays give equal bytes).


def _optional_mapping(value: object, name: str) -> None:
    if value is not None:
        door.mapping(value, name)


def _save_arrays_atomic(path: str | os.PathLike, arrays: dict[str, np.ndarray], meta: dict) -> str:
    """Write ``arrays`` to ``path`` (a deterministic zip of .npy files) and its ``.json`` sidecar
    holding ``meta`` and the file's sha256; both are written atomically. Returns the sha256.

    Introduced in 00_setup_and_tour.
    """
    door.path(path, "path", suffix=True)
    door.mapping(arrays, "arrays", "a dict {name: NumPy array}")
    door.require(all(isinstance(k, str) and isinstance(a, np.ndarray) for k, a in arrays.items()), "arrays",
                 "a dict {name: NumPy array}", arrays, TypeError)
    door.mapping(meta, "meta")
    path = Path(path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for key in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(arrays[key]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            archive.writestr(info, member.getvalue())
    payload = buffer.getvalue()
    checksum = hashlib.sha256(payload).hexdigest()
    _atomic_write_bytes(path, payload)
    _write_sidecar(path, checksum, meta)
    return checksum


def _load_arrays_checked(path: str | os.PathLike, expected_meta: dict) -> dict[str, np.ndarray]:
    """Load arrays written by :func:`_save_arrays_atomic`, verifying the sha256 and the metadata.

    Raises :class:`CacheError` naming the problem when the file or its sidecar is missing,
    truncated, altered or from another builder version. Introduced in 00_setup_and_tour.
    """
    door.path(path, "path", suffix=True)
    door.mapping(expected_meta, "expected_meta")
    path = Path(path)
    if not path.exists() or not _sidecar_path(path).exists():
        raise _missing(CacheError, f"cache {path.name} or its checksum file {_sidecar_path(path).name} is missing "
                       f"(path {str(path)!r})")
    _verify_sidecar(path, expected_meta)
    with np.load(path, allow_pickle=False) as archive:
        return {key: archive[key] for key in archive.files}


def _cached_arrays(path: Path, meta: dict, build: Callable[[], dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Load ``path`` if it is intact (checksum and ``meta`` match), otherwise warn, call ``build()``,
    save its arrays atomically and return them. Introduced in 00_setup_and_tour.
    """
    door.path(path, "path", suffix=True)
    door.mapping(meta, "meta")
    door.function(build, "build")
    path = Path(path)
    if path.exists() or _sidecar_path(path).exists():
        try:
            return _load_arrays_checked(path, meta)
        except CacheError as problem:
            warnings.warn(f"{problem}; rebuilding it.", stacklevel=3)
    arrays = build()
    _save_arrays_atomic(path, arrays, meta)
    return arrays


# --------------------------------------------------------------------------------------------------
# Checkpoints: state dicts saved with torch.save and read back with weights_only=True.


def _save_checkpoint(state_dict: dict[str, torch.Tensor], path: str | os.PathLike, meta: dict | None = None) -> str:
    """Write ``state_dict`` to ``path`` atomically (temp file, then ``os.replace``) and its ``.json``
    sidecar (``meta`` and the sha256); return the file's sha256. Introduced in 06_transfer_learning.
    """
    door.mapping(state_dict, "state_dict", "a state dict {name: tensor}")
    door.require(all(isinstance(v, torch.Tensor) for v in state_dict.values()), "state_dict",
                 "a state dict {name: tensor}", state_dict, TypeError)
    door.path(path, "path", suffix=True)
    _optional_mapping(meta, "meta")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    torch.save({k: v.detach().cpu().contiguous() for k, v in state_dict.items()}, buffer)
    payload = buffer.getvalue()
    checksum = hashlib.sha256(payload).hexdigest()
    _atomic_write_bytes(path, payload)
    _write_sidecar(path, checksum, meta)
    return checksum


def _load_checkpoint(path: str | os.PathLike, sha256: str | None = None,
                    expected_meta: dict | None = None) -> dict[str, torch.Tensor]:
    """Load a state dict with ``torch.load(path, weights_only=True)`` (no arbitrary unpickling),
    after checking its sha256 against ``sha256`` (or the ``.json`` sidecar when ``None``).

    Raises :class:`CheckpointError` naming the problem. Introduced in 06_transfer_learning.
    """
    door.path(path, "path")
    path = Path(path)
    _verify_sidecar(path, expected_meta, sha256, error=CheckpointError)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as problem:  # a file with the right hash but unreadable by this torch version
        raise CheckpointError(f"checkpoint {path.name} could not be read ({problem})") from problem
    if not isinstance(state, dict):
        raise CheckpointError(f"checkpoint {path.name} does not hold a state dict")
    return state
