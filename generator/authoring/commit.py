"""Every writer of records commits through here: check the would-be tree, then write all or nothing.

`new`, `transition`, `import-xlsx --apply` and `fmt` compute the texts they would write and
hand them to `commit`. It runs `validate` on the tree as it would be (the texts as an overlay:
nothing is written to check them; the validation cache makes this about as fast as checking
the tree as it is) and refuses, raising `Refused` with the findings, if the texts would add an
error. Errors the tree already has elsewhere do not block an unrelated edit; the caller
mentions them. Otherwise each file is written atomically (atomic.py); if one write fails, the
files already written get their old bytes back and the new ones and the folders made for them
are removed, so records/ is as it was.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from .. import atomic
from ..findings import Finding
from ..validate import Cache, Checked, validate


class Refused(Exception):
    """The texts would add errors to the tree; nothing was written."""

    def __init__(self, checked: Checked):
        super().__init__("would add errors")
        self.checked = checked


@dataclass(frozen=True)
class Committed:
    written: tuple[Path, ...]
    checked: Checked

    @property
    def old_errors(self) -> list[Finding]:
        return self.checked.old_errors()


def check(records: Path, as_of: dt.date, texts: dict[Path, str], use_cache: bool = True) -> Checked:
    """The findings of the tree with `texts` written (and of the tree as it is, `.before`)."""
    cache = Cache(records) if use_cache else None
    return validate(records, as_of, cache=cache, overlay={Path(p).absolute(): t for p, t in texts.items()})


def commit(records: Path, as_of: dt.date, texts: dict[Path, str], use_cache: bool = True) -> Committed:
    """Check, then write every text (a path that does not exist yet is created; it must not
    appear meanwhile). Raises `Refused` if the texts would add an error."""
    checked = check(records, as_of, texts, use_cache)
    if checked.new_errors():
        raise Refused(checked)
    return Committed(write_all(texts), checked)


def write_all(texts: dict[Path, str]) -> tuple[Path, ...]:
    """Write each text atomically; on any failure undo the writes already made."""
    done: list[tuple[Path, bytes | None]] = []
    folders: list[Path] = []
    try:
        for path, text in texts.items():
            path = Path(path)
            missing = []
            folder = path.parent
            while not folder.exists():
                missing.append(folder)
                folder = folder.parent
            for folder in reversed(missing):
                folder.mkdir()
                folders.append(folder)
            if path.exists():
                old = path.read_bytes()
                atomic.write_text(path, text)
                done.append((path, old))
            else:
                atomic.create_bytes(path, text.encode("utf-8"))
                done.append((path, None))
    except BaseException:
        for path, old in reversed(done):
            try:
                if old is None:
                    os.unlink(path)
                else:
                    atomic.write_bytes(path, old)
            except OSError:
                pass
        for folder in reversed(folders):
            try:
                folder.rmdir()
            except OSError:
                pass
        raise
    return tuple(path for path, _old in done)
