"""Precompressed copies of a built site's text files, for nginx's `gzip_static` (deploy/nginx/).

Every text file of at least MIN_SIZE bytes gets a sibling `<name>.gz`, and every `.gz` sibling
that is left decompresses to exactly its file: nginx sends the `.gz` without looking at the
original, so a stale one would serve old content. The bytes depend only on the file's bytes
(gzip header with no name and mtime 0, raw deflate at a fixed level), so two builds of the same
site are byte-identical.

Compressing costs about a quarter of the public site's cold build (README, “预压缩”), so it is
incremental: when a file has the same bytes as in the previously published site (`previous`),
that site's `.gz` is hard-linked in (its gzip trailer's CRC-32 and length checked against the
file); a `.gz` already in the site (one staged by hard links) is kept only if it is that very
link or decompresses to the file. Only the rest is compressed, on threads: zlib releases the GIL
while it deflates.
"""
from __future__ import annotations

import os
import shutil
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

TEXT_SUFFIXES = frozenset({".html", ".css", ".js", ".json", ".map", ".xml", ".svg", ".csv", ".txt"})
MIN_SIZE = 1024          # below one network packet gzip saves nothing worth a second file
LEVEL = 6                # level 9 took 2.3× as long here for 1 % smaller files

# RFC 1952 header: deflate, no flags (no file name), mtime 0, no extra flags, OS 255 (unknown).
# Written by hand, not by zlib, whose OS byte depends on the platform it was built for.
_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"


@dataclass(frozen=True)
class Precompressed:
    compressed: int      # files deflated in this run
    reused: int          # .gz kept from the site or linked from the previous site
    removed: int         # stale .gz whose file is now too small, or gone
    bytes_in: int        # total size of the files that have a .gz
    bytes_out: int       # total size of their .gz


def gzip_bytes(data: bytes, level: int = LEVEL) -> bytes:
    """`data` as a deterministic gzip member."""
    deflate = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = deflate.compress(data) + deflate.flush()
    return _HEADER + body + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)


def _gunzip(path: Path) -> bytes | None:
    try:
        return zlib.decompress(path.read_bytes(), 16 + zlib.MAX_WBITS)
    except (OSError, zlib.error):
        return None


def _text_files(site: Path) -> list[Path]:
    found: list[Path] = []
    stack = [site]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False) and os.path.splitext(entry.name)[1] in TEXT_SUFFIXES:
                    found.append(Path(entry.path))
    return sorted(found)


def _replace(target: Path, data: bytes | None = None, link_from: Path | None = None) -> None:
    """Write (or hard-link) `target` through a temporary name and a rename: a `.gz` that is a
    hard link into a published site is replaced, never written through."""
    temp = target.with_name(f".{target.name}.tmp")
    temp.unlink(missing_ok=True)
    if link_from is not None:
        try:
            os.link(link_from, temp)
        except OSError:              # another file system, or links not supported
            shutil.copyfile(link_from, temp)
    else:
        temp.write_bytes(data)
    os.replace(temp, target)


def _same_file(a: Path, b: Path, data: bytes) -> bool:
    """Whether `b` holds `data`, the bytes of `a`: the same inode (a site staged by hard links
    from the published one), or the same size and bytes."""
    try:
        sa, sb = a.stat(), b.stat()
        return (sa.st_ino, sa.st_dev) == (sb.st_ino, sb.st_dev) or (sb.st_size == len(data) and b.read_bytes() == data)
    except OSError:
        return False


def _trailer_matches(gz: Path, data: bytes) -> bool:
    """The gzip trailer (CRC-32 and length of the original) agrees with `data`: a cheap guard
    that a `.gz` taken over from the published site belongs to its file."""
    try:
        with gz.open("rb") as f:
            f.seek(-8, os.SEEK_END)
            crc, size = struct.unpack("<II", f.read(8))
    except OSError:
        return False
    return crc == zlib.crc32(data) and size == len(data) & 0xFFFFFFFF


def _one(path: Path, site: Path, previous: Path | None, min_size: int, level: int) -> tuple[str, int, int]:
    gz = path.with_name(path.name + ".gz")
    data = path.read_bytes()
    old = old_gz = None
    if previous is not None:
        old = previous / path.relative_to(site)
        old_gz = old.with_name(gz.name)
    unchanged = old is not None and old_gz.is_file() and _same_file(path, old, data) \
        and _trailer_matches(old_gz, data)
    # A .gz already here: the published one linked in with its unchanged file, or else checked.
    if gz.exists() and ((unchanged and gz.samefile(old_gz)) or _gunzip(gz) == data):
        return "reused", len(data), gz.stat().st_size
    if len(data) < min_size:
        if gz.exists():
            gz.unlink()
            return "removed", 0, 0
        return "small", 0, 0
    if unchanged:
        _replace(gz, link_from=old_gz)
        return "reused", len(data), gz.stat().st_size
    packed = gzip_bytes(data, level)
    _replace(gz, packed)
    return "compressed", len(data), len(packed)


def is_text(name: str) -> bool:
    return os.path.splitext(name)[1] in TEXT_SUFFIXES


def precompress(site: Path, previous: Path | None = None, *, min_size: int = MIN_SIZE,
                level: int = LEVEL, workers: int | None = None, only: list[Path] | None = None) -> Precompressed:
    """Give every text file of `site` of at least `min_size` bytes an up-to-date `.gz` sibling,
    reusing those of `site` itself or of `previous` (the published site) that still match.
    With `only`, just those files (a build that kept the others and their `.gz` as they were)."""
    removed = 0
    if only is None:
        files = _text_files(site)
        names = {str(p) for p in files}
        for gz in site.rglob("*.gz"):      # a .gz whose file is gone (a page deleted) must go too
            original = gz.with_name(gz.name[:-3])
            if original.suffix in TEXT_SUFFIXES and str(original) not in names and not original.exists():
                gz.unlink()
                removed += 1
    else:
        files = sorted(p for p in only if is_text(p.name))
    if previous is not None and not previous.is_dir():
        previous = None
    workers = workers or min(8, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda p: _one(p, site, previous, min_size, level), files))
    counts = {kind: sum(1 for r in results if r[0] == kind) for kind in ("compressed", "reused", "removed")}
    return Precompressed(counts["compressed"], counts["reused"], removed + counts["removed"],
                         sum(r[1] for r in results), sum(r[2] for r in results))
