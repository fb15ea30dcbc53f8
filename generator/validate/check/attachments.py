"""Pass 3, attachments: an evidence path names a regular file under records/attachments/,
reached without a symlink, of a type proven by its content.

A symlink could publish any file of the repository (an internal record's YAML named
`scan.pdf`), so none is followed, inside records/ or out. An image must decode in full (a
truncated JPEG would otherwise pass here and fail in the build) and stay under a size the
build can re-encode; a PDF must be one (`%PDF-` and a document pikepdf can open), since the
public site publishes a sanitised copy of it. Each distinct path is checked once per run;
what a file's content proved is kept by its stat signature for the next run.
"""
from __future__ import annotations

import os
import re
import stat
import time
import warnings
from pathlib import Path, PurePosixPath

ATTACHMENT_TYPES = (".jpg", ".jpeg", ".png", ".webp", ".pdf")
FOLDER = "attachments"
MAX_BYTES = 50_000_000
MAX_PIXELS = 50_000_000            # 8,660 × 5,773: more than any phone photo
IMAGE_FORMATS = ("JPEG", "PNG", "WEBP")
# A file modified within this long before it was looked at may be modified again without its
# timestamps changing (file systems count time in ticks; FAT in 2 s), so its stat signature is
# trusted only after that (git's "racily clean" entries): here, and by the validator's scan.
SETTLE_NS = 3_000_000_000

Problem = tuple[str, dict] | None   # (finding code, message values) or None


def signature(st: os.stat_result) -> tuple[int, int, int, int, int]:
    """What changes whenever a file's content does (ctime cannot be set back by tools)."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def settled(st: os.stat_result, now_ns: int) -> bool:
    return now_ns - max(st.st_mtime_ns, st.st_ctime_ns) > SETTLE_NS


def path_problem(value: str) -> Problem:
    """What is wrong with the path as written, before anything is looked at on disk."""
    if value.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", value) or "\\" in value:
        return "E-ATTACH-PATH", {"detail": "不能是绝对路径或含反斜杠"}
    parts = PurePosixPath(value).parts
    if ".." in parts:
        return "E-ATTACH-PATH", {"detail": "不能含 .."}
    if len(parts) < 2 or parts[0] != FOLDER:
        return "E-ATTACH-PATH", {"detail": "附件须放在 records/attachments/ 下"}
    if not value.lower().endswith(ATTACHMENT_TYPES):
        return "E-ATTACH-TYPE", {"allowed": "、".join(ATTACHMENT_TYPES)}
    return None


class Attachments:
    """Checks attachment paths against the files under records/. `known` carries from an
    earlier run what each file's content proved, by stat signature, so that unchanged photos
    are not decoded again; `images` is what to keep for the next run."""

    def __init__(self, records: Path, known: dict[str, tuple[tuple, Problem]] | None = None):
        self.records = records.resolve()
        self.known = known or {}
        self.images: dict[str, tuple[tuple, Problem]] = {}
        self.outcomes: dict[str, Problem] = {}
        self._links: dict[str, bool | None] = {}      # folder or file → is a symlink (None: absent)

    def problem(self, value: str) -> Problem:
        """None, or the code and message values of what is wrong with attachment `value`."""
        if value not in self.outcomes:
            self.outcomes[value] = path_problem(value) or self._on_disk(value)
        return self.outcomes[value]

    def _on_disk(self, value: str) -> Problem:
        parts = PurePosixPath(value).parts
        for depth in range(1, len(parts) + 1):
            where = "/".join(parts[:depth])
            if where not in self._links:
                try:
                    self._links[where] = stat.S_ISLNK(os.lstat(self.records / where).st_mode)
                except (OSError, ValueError):
                    self._links[where] = None
            if self._links[where] is None:
                return "E-ATTACH-MISSING", {}
            if self._links[where]:
                return "E-ATTACH-PATH", {"detail": "不能是符号链接或经过符号链接"}
        target = self.records / value
        try:
            st = os.lstat(target)
        except (OSError, ValueError):
            return "E-ATTACH-MISSING", {}
        if not stat.S_ISREG(st.st_mode):     # a folder, a FIFO, a device: never opened
            return "E-ATTACH-MISSING", {}
        if st.st_size > MAX_BYTES:
            return "E-ATTACH-TOO-LARGE", {"size": f"{st.st_size / 1e6:.0f} MB", "limit": f"{MAX_BYTES / 1e6:.0f} MB"}
        key = signature(st)
        known = self.known.get(value)
        found = known[1] if known is not None and known[0] == key else content_problem(target)
        if settled(st, time.time_ns()):
            self.images[value] = (key, found)
        return found


def content_problem(path: Path) -> Problem:
    """Whether the file is what its name says, read in full."""
    if path.suffix.lower() == ".pdf":
        return _pdf_problem(path)
    return _image_problem(path)


def _image_problem(path: Path) -> Problem:
    from PIL import Image, UnidentifiedImageError
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                if image.format not in IMAGE_FORMATS:
                    return "E-ATTACH-TYPE", {"allowed": "JPEG、PNG、WebP 图片或 PDF（按内容判断，不看扩展名）"}
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return "E-ATTACH-IMAGE-SIZE", {"size": f"{width}×{height}"}
                if image.format == "JPEG":
                    image.draft("RGB", (max(1, width // 8), max(1, height // 8)))   # decodes every byte, faster
                image.load()              # a truncated or corrupt file fails here, not in the build
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return "E-ATTACH-IMAGE-SIZE", {"size": "超过上限"}
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        return "E-ATTACH-TYPE", {"allowed": "能完整打开的 JPEG、PNG、WebP 图片或 PDF（文件可能已损坏或不完整）"}
    return None


def _pdf_problem(path: Path) -> Problem:
    import pikepdf
    with open(path, "rb") as f:
        if f.read(5) != b"%PDF-":
            return "E-ATTACH-TYPE", {"allowed": "真正的 PDF 文件（这个文件的内容不是 PDF）"}
    try:
        with pikepdf.open(path) as pdf:
            len(pdf.pages)
    except (pikepdf.PdfError, pikepdf.PasswordError, OSError, ValueError):
        return "E-ATTACH-TYPE", {"allowed": "能打开、未加密的 PDF（文件可能已损坏或设置了密码）"}
    return None
