"""The records' Git history: when each record file changed, with the commit subject and author,
read in one pass over the log of records/ (not one Git call per record), following renames.

Outside a Git repository (or with Git missing) there is simply no history.
"""
from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable


@dataclass(frozen=True, slots=True)
class Change:
    date: dt.date
    subject: str
    author: str | None       # None in a view whose audience may not see who committed (catalog/view.py)


@dataclass(frozen=True)
class GitHistory:
    changes: dict[str, tuple[Change, ...]]    # file (as in findings: records/…) → newest first
    latest: dt.date | None = None             # when any record last changed

    def of(self, file: str) -> tuple[Change, ...]:
        return self.changes.get(file, ())

    def projected(self, files: Iterable[str], *, authors: bool) -> "GitHistory":
        """The changes of `files` only, without the authors an audience may not see. `latest` is
        recomputed over these files: a commit that touched only other records does not date them."""
        made: dict[int, Change] = {}            # one commit touches many files: one Change each

        def shown(c: Change) -> Change:
            found = made.get(id(c))
            if found is None:
                found = made[id(c)] = Change(c.date, c.subject, c.author if authors else None)
            return found
        kept = {f: tuple(map(shown, self.changes[f])) for f in files if f in self.changes}
        return GitHistory(kept, max((c[0].date for c in kept.values() if c), default=None))


EMPTY = GitHistory({})


def _git(cwd: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(["git", "-c", "core.quotePath=false", *args], cwd=cwd, capture_output=True,
                                text=True, encoding="utf-8")
    except OSError:
        return None
    return result.stdout if result.returncode == 0 else None


def read_git_history(records: Path) -> GitHistory:
    records = records.resolve()
    top = _git(records, "rev-parse", "--show-toplevel")
    if not top:
        return EMPTY
    top_path = Path(top.strip())
    prefix = records.relative_to(top_path).as_posix()        # e.g. "records"
    shown_base = records.parent.relative_to(top_path).as_posix()
    log = _git(top_path, "log", "-M", "--name-status", "--format=%x1e%cs%x1f%s%x1f%an", "--", prefix)
    if log is None:
        return EMPTY
    changes: dict[str, list[Change]] = {}
    alias: dict[str, str] = {}              # path in an older commit → path today
    for block in log.split("\x1e")[1:]:
        header, _, files = block.partition("\n")
        day, subject, author = header.split("\x1f", 2)
        change = Change(dt.date.fromisoformat(day), subject, author)
        for line in files.splitlines():
            parts = line.split("\t")
            if len(parts) < 2:
                continue
            status, path = parts[0], parts[-1]
            current = alias.get(path, path)
            changes.setdefault(current, []).append(change)
            if status.startswith("R") and len(parts) == 3:
                alias[parts[1]] = current
    def shown(path: str) -> str:
        return path if shown_base in ("", ".") else path[len(shown_base) + 1:]
    found = {shown(path): tuple(items) for path, items in changes.items() if path.startswith(prefix + "/")}
    return GitHistory(found, max((c[0].date for c in found.values() if c), default=None))
