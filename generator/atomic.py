"""Writing a file as a database commits: all of it or nothing.

The new bytes go to a temporary file in the target's own folder (so the rename cannot cross
file systems), are flushed to disk, and replace the target in one rename; the folder is
flushed too, so the rename survives a power cut. A full disk, a kill or an encoding error
halfway leaves the old file exactly as it was, never a truncated or empty one. An existing
file keeps its permission bits; a new one gets the usual ones (umask), not mkstemp's 0600.
"""
from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _temporary(path: Path, data: bytes, mode: int) -> str:
    """`data` in a new temporary file beside `path`, on disk, with `mode`; its name."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        _discard(tmp)
        raise
    return tmp


def _discard(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass


def write_bytes(path: Path, data: bytes) -> None:
    path = Path(path)
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    tmp = _temporary(path, data, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        _discard(tmp)
        raise
    _sync_folder(path.parent)


def create_bytes(path: Path, data: bytes) -> None:
    """`write_bytes` for a file that must not exist yet: if another writer made it first (two
    `new` at once), FileExistsError and nothing is replaced."""
    path = Path(path)
    tmp = _temporary(path, data, 0o666 & ~_umask())
    try:
        os.link(tmp, path)          # fails if the name is taken; a rename would replace it
    finally:
        _discard(tmp)
    _sync_folder(path.parent)


def write_text(path: Path, text: str) -> None:
    """UTF-8; encoded before anything is opened, so text that cannot be encoded writes nothing."""
    write_bytes(path, text.encode("utf-8"))


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:         # not every system lets a folder be opened (Windows)
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
