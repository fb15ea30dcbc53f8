"""What is on disk under records/, and what the last run knew of it, for `validate`.

Every file in report order with its stat signature; a file whose signature is the one the
cache's index holds for it (and was settled then) has the text hash recorded there, and is
not read. At 100,000 files this is most of a run that finds nothing changed, hence plain
strings instead of Paths, lookups relative to an open folder, and half the stat calls in a
second process (as git does for its index).
"""
from __future__ import annotations

import bisect
import marshal
import os
import stat
import struct
from dataclasses import dataclass
from pathlib import Path

from ...findings import finding
from .. import load
from ..check import Examined, Interface, attachments, unreadable
from ..locate import Positions
from .workers import Item

PARALLEL_STAT_MIN = 20_000   # files; below this a second process for the stat calls does not pay
SIG = struct.Struct("<QQqqq?")   # device, inode, size, mtime, ctime, settled
NO_SIG = bytes(SIG.size)          # never matches: not settled
SPECIAL = "special"               # a FIFO, socket, device or folder named like a file


@dataclass(slots=True)
class File:
    """One file in this run."""
    file: str
    folder: str                         # absolute
    name: str
    type_name: str | None
    year: str | None
    sig: bytes | None = None            # SIG packed, when a regular file
    hash: bytes | None = None           # text hash; None when unreadable or not yet known
    examined: Examined | None = None    # made or loaded in this run
    positions: Positions | None = None
    before: Interface | None = None     # its interface in the last run, when examined anew
    changed: bool = True                # not known to have the last run's text
    listed: bool = False                # its index entry (signature and hash) is the last run's
    text: str | None = None             # the would-be text (validate's overlay), not the file's

    @property
    def path(self) -> str:
        return f"{self.folder}/{self.name}"

    def item(self, before: bytes | None, need: bool) -> Item:
        return Item(self.file, self.path, self.type_name, self.year, before,
                    self.hash if not self.changed else None, need, self.text)


def _lstat_range(entries: list[tuple[str, str]], start: int, stop: int, settle: int) -> list:
    """Each file's stat signature (`SIG`, settled if neither time is after `settle`), False
    for a symlink, SPECIAL for anything else that is not a regular file (a FIFO would block
    the read), None if it cannot be looked at. Each lookup is relative to its open
    folder, which spares the kernel the walk down the path."""
    out: list = []
    pack_sig = SIG.pack
    is_link = stat.S_ISLNK
    is_regular = stat.S_ISREG
    fd, fd_dir = None, None
    try:
        for dirpath, name in entries[start:stop]:
            if dirpath != fd_dir:
                if fd is not None:
                    os.close(fd)
                fd, fd_dir = None, dirpath
                try:
                    fd = os.open(dirpath, os.O_RDONLY | os.O_DIRECTORY)
                except OSError:
                    pass
            try:
                st = os.stat(name, dir_fd=fd, follow_symlinks=False) if fd is not None \
                    else os.lstat(f"{dirpath}/{name}")
            except OSError:
                out.append(None)
                continue
            if is_link(st.st_mode):
                out.append(False)
                continue
            if not is_regular(st.st_mode):
                out.append(SPECIAL)
                continue
            mtime, ctime = st.st_mtime_ns, st.st_ctime_ns
            out.append(pack_sig(st.st_dev, st.st_ino, st.st_size, mtime, ctime,
                                mtime < settle and ctime < settle))
    finally:
        if fd is not None:
            os.close(fd)
    return out


def _lstat_all(entries: list[tuple[str, str]], settle: int) -> list:
    """`_lstat_range` over all entries; for a large tree half of them in a forked child, as
    the system calls are most of a run that finds little changed (git does the same)."""
    n = len(entries)
    if n < PARALLEL_STAT_MIN or (os.cpu_count() or 1) < 2 or not hasattr(os, "fork"):
        return _lstat_range(entries, 0, n, settle)
    half = n // 2
    r, w = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(r)
        os.close(w)
        return _lstat_range(entries, 0, n, settle)
    if pid == 0:                                    # the child: stat, send, leave at once
        try:
            os.close(r)
            data = marshal.dumps(_lstat_range(entries, 0, half, settle))
            with os.fdopen(w, "wb") as out:
                out.write(data)
        finally:
            os._exit(0)
    os.close(w)
    mine = _lstat_range(entries, half, n, settle)
    with os.fdopen(r, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    try:
        theirs = marshal.loads(data)
        if len(theirs) != half:
            raise ValueError
    except (ValueError, EOFError, TypeError):
        theirs = _lstat_range(entries, 0, half, settle)
    return theirs + mine


def scan(records: Path, index: dict[str, bytes], now_ns: int) -> list[File]:
    """Every file under records/ in order, with what its name and stat tell (plain strings,
    no Paths: at 100,000 files this loop is a good part of a run that finds nothing changed)."""
    entries = load.walk_records(records)
    # a signature is trusted only once the file has been quiet a while: see attachments.SETTLE_NS
    stats = _lstat_all(entries, now_ns - attachments.SETTLE_NS)
    files: list[File] = []
    append = files.append
    top = str(records)
    folder_of: dict[str, tuple] = {}
    size = SIG.size
    get = index.get
    for (dirpath, name), sig in zip(entries, stats):
        where = folder_of.get(dirpath)
        if where is None:
            folder = "" if dirpath == top else os.path.relpath(dirpath, top).replace(os.sep, "/")
            record_type, year = load.folder_type(folder)
            where = folder_of[dirpath] = (folder, record_type.type_name if record_type else None, year,
                                          f"{records.name}/{folder}/" if folder else f"{records.name}/")
        folder, type_name, year, prefix = where
        if sig == SPECIAL:
            file = prefix + name
            item = File(file, dirpath, name, None, year)     # never read, as a non-record
            item.examined = unreadable(file, None, finding("E-FILE-UNREADABLE", file, line=1, column=1,
                                                           detail="不是普通文件（管道、设备或套接字）"))
            append(item)
            continue
        if sig and type_name is not None and name.endswith(".yaml") and len(name) > 5:
            item = File(prefix + name, dirpath, name, type_name, year, sig)      # the usual case, spelt out
            if sig[-1]:
                known = get(item.file)
                if known is not None and known[:size] == sig:
                    item.hash, item.changed, item.listed = known[size:] or None, False, True
            append(item)
            continue
        file, record_type, year, problem = load.classify_name(records, folder, name, sig is False)
        item = File(file, dirpath, name, record_type.type_name if record_type else None, year, sig or None)
        if problem is not None:
            item.examined = unreadable(file, None, problem)
            item.sig = None
        append(item)
    return files


def _order(file: str) -> tuple:
    """A file's place in `scan`'s order (os.walk's: names sorted, a folder's files before its
    subfolders)."""
    parts = file.split("/")
    return tuple((1, part) for part in parts[:-1]) + ((0, parts[-1]),)


def overlaid(records: Path, files: list[File], overlay: dict[str, str]) -> list[File]:
    """The files of a tree as they would be with `overlay` (file → text) written, for a run
    whose last run is the one over `files`: that run's files, taken over (marked unchanged, as
    that run knows them), with the overlay's files changed and a new file where `scan` would
    have found it."""
    known = set()
    for f in files:
        known.add(f.file)
        if f.file in overlay:
            before = f.examined.interface if f.examined is not None and f.examined.load_finding is None else None
            f.hash, f.changed, f.listed, f.examined, f.positions = None, True, False, None, None
            f.text, f.before = overlay[f.file], before
        else:
            f.changed, f.listed, f.before = False, True, None
    out = list(files)
    top = str(records)
    for file, text in overlay.items():
        if file in known:
            continue
        rel = file.split("/", 1)[1]
        folder, _sep, name = rel.rpartition("/")
        _file, record_type, year, problem = load.classify_name(records, folder, name, False)
        item = File(file, f"{top}/{folder}" if folder else top, name,
                    record_type.type_name if record_type else None, year, text=text)
        if problem is not None:
            item.examined = unreadable(file, None, problem)
        bisect.insort(out, item, key=lambda f: _order(f.file))
    return out
