"""The folders a build writes and deletes, and only those.

A build replaces `<out>/<audience>/` and empties `<work>/<audience>/`. It touches such a folder
only if it made it: every folder it makes carries a marker file, and a folder without one is
refused with a message, whatever it holds (a look-alike of a home folder, a site from another
tool, the records). Folders of an earlier version, which had no marker, are recognised by
their contents and adopted once. One build at a time writes into an `<out>` or a `<work>`
(a lock file each); a second is refused rather than mixing two as-of dates into one site.

Publishing swaps the finished site with the published one in a single step (Linux's
`renameat2(RENAME_EXCHANGE)`), so whenever the build is killed, `<out>/<audience>/` holds
either the old site or the new one, never nothing. Where the system cannot exchange two
folders, it falls back to two renames and says so in the README.
"""
from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import tempfile
from pathlib import Path

MARKER = ".taizhang-build"
AUDIENCE_FOLDERS = ("public", "internal")


class FolderError(Exception):
    """A folder the build would write or delete is not its own; nothing was changed."""


def mark(folder: Path, kind: str) -> None:
    (folder / MARKER).write_text(f"taizhang {kind}\n", "utf-8")


def _marked(folder: Path, kind: str) -> bool:
    try:
        return (folder / MARKER).read_text("utf-8").split() == ["taizhang", kind]
    except (OSError, UnicodeDecodeError):
        return False


def _legacy(folder: Path, kind: str) -> bool:
    """A folder an earlier version made, before markers: recognised by what only it holds."""
    if kind == "site":
        return all((folder / p).is_file() for p in ("index.html", "search/manifest.json", "assets/taizhang.css"))
    if kind == "work":
        return (folder / "mkdocs.yml").is_file() and (folder / "docs").is_dir()
    return False


def claim(folder: Path, kind: str, option: str) -> None:
    """Make sure `folder` is the build's to replace or empty: absent, or made by a build."""
    if folder.is_symlink():
        raise FolderError(f"{folder} 是符号链接，台账不会替换它。请把 {option} 指向一个普通文件夹。")
    if not folder.exists():
        return
    if not folder.is_dir():
        raise FolderError(f"{folder} 已存在，但不是文件夹。什么都没有改动；请换一个 {option}，或自己移走它。")
    if _marked(folder, kind):
        return
    if _legacy(folder, kind):
        mark(folder, kind)
        return
    label = {"site": "网站", "work": "中间文件"}[kind]
    raise FolderError(f"{folder} 已存在，但不是台账生成的{label}（里面没有 {MARKER} 标记）。"
                      f"为免删掉你的文件，什么都没有改动；请换一个 {option}，或自己移走这个文件夹。")


def _overlap(a: Path, b: Path) -> bool:
    return a == b or a.is_relative_to(b) or b.is_relative_to(a)


def check_places(records: Path, out: Path, work: Path, source: Path) -> None:
    """Refuse output folders that are, hold or lie inside the records or the generator's own
    files, and an `out` and `work` that would write into each other."""
    records, out, work, source = (p.resolve() for p in (records, out, work, source))
    for option, place in (("--out", out), ("--work", work)):
        if _overlap(place, records):
            raise FolderError(f"{option} {place} 与记录文件夹 {records} 重叠：网站不能写进记录，也不能把记录放进网站。"
                              "请换一个文件夹（默认 site 和 build）。")
        for part in ("generator", "site_templates", "tests"):
            if _overlap(place, source / part):
                raise FolderError(f"{option} {place} 与程序自己的文件夹 {source / part} 重叠；请换一个文件夹。")
    if out == work or out.is_relative_to(work) or any(
            work.is_relative_to(out / name) for name in AUDIENCE_FOLDERS):
        raise FolderError(f"--out {out} 和 --work {work} 会互相覆盖；请用两个分开的文件夹（默认 site 和 build）。")


@contextlib.contextmanager
def locked(*folders: Path):
    """Hold the build lock of each folder (made if missing); refuse if another build holds one.
    The lock is taken on the folder itself, so nothing is written into a folder that may turn
    out not to be the build's."""
    import fcntl
    descriptors = []
    try:
        for folder in sorted({f.resolve() for f in folders}):
            folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            descriptors.append(fd)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise FolderError(f"另一次生成正在写入 {folder}。请等它结束后再试（同一个文件夹一次只能有一个生成）。") from None
        yield
    finally:
        for fd in descriptors:
            os.close(fd)


def staging(out: Path, audience: str) -> Path:
    """A new marked folder beside the published site, for the site being built."""
    folder = Path(tempfile.mkdtemp(prefix=f".{audience}-new-", dir=out))
    mark(folder, "staging")
    return folder


def stale_staging(out: Path, audience: str) -> list[Path]:
    """Folders a killed build left beside the published site (the lock says none is in use);
    not the spare."""
    return [p for p in out.glob(f".{audience}-*") if p.is_dir() and not p.is_symlink()
            and p.name != f".{audience}-spare" and (_marked(p, "staging") or _marked(p, "site"))]


def spare_identity(out: Path, audience: str) -> tuple | None:
    """What tells the spare (the site the last build replaced, kept beside the published one
    for the next build to stage the new site in) from any other folder: its site folder's
    device, inode and change time; None if there is no spare of ours."""
    folder = out / f".{audience}-spare"
    if folder.is_symlink() or not _marked(folder, "staging"):
        return None
    try:
        found = os.stat(folder / "site", follow_symlinks=False)
    except OSError:
        return None
    return (found.st_dev, found.st_ino, found.st_ctime_ns)


def take_spare(out: Path, audience: str, identity: tuple | None) -> tuple[Path | None, bool]:
    """The spare, renamed as a staging folder of this build, and whether it is the one
    `identity` names (else it is only to be removed); (None, False) if there is none. Once
    taken, the spare is a staging folder like any other: a build killed while changing it
    leaves a stale one (stale_staging), never a spare that lies."""
    folder = out / f".{audience}-spare"
    if not folder.is_dir() or folder.is_symlink() or not _marked(folder, "staging"):
        return None, False
    usable = identity is not None and spare_identity(out, audience) == tuple(identity)
    taken = Path(tempfile.mkdtemp(prefix=f".{audience}-new-", dir=out))
    os.rename(folder, taken)                # onto the empty folder just made: one step
    return taken, usable


def keep_spare(container: Path, out: Path, audience: str) -> tuple | None:
    """Keep the site a swap left in `container` as the spare; its identity, or None if there
    was no site to keep."""
    if not (container / "site").is_dir():
        return None
    os.rename(container, out / f".{audience}-spare")
    return spare_identity(out, audience)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step; False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP if hasattr(errno, "ENOTSUP") else errno.EINVAL):
        return False
    raise OSError(code, os.strerror(code), str(b))


def swap_in(container: Path, target: Path) -> Path:
    """Put the finished site `container/site` at `target`. Returns the container, which then
    holds the old site, if any, and is to be removed. While an old site exists, `target` is
    never missing."""
    new = container / "site"
    mark(new, "site")
    if not target.exists():
        os.replace(new, target)
    elif not _exchange(new, target):
        os.replace(target, container / "old")      # the fallback: a moment without a site
        os.replace(new, target)
    return container
