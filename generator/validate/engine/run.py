"""`validate`: load → check → locate over a records tree, remembering what it can.

Per file (a pure function of its path and text): read, parse, pass 1 and the parts of passes
2–3 that need nothing else (`check.examine`), with positions. Kept in the cache under the
file's path and the SHA-1 of its text (`workers.py`, shards in `cache.py`).

Across files: duplicate ids, references, the as-of date, attachments, cadence. Two ways:

- in full (full.py): every file's facts, from the shards or examined anew, judged against
  tables of all ids (`check.cross_check`; for a large tree by a crew of worker processes that
  keep the facts). Taken with no cache, on the first run, when the as-of date or an
  attachment changed, when a file went, when many files must be read, and when a file changed
  what other files can see of it (its `Interface`: id, type, whether it passed pass 1, a
  district's streets, a cadence entry) other than by adding new ids;
- incrementally (incremental.py): only changed files (and, when new ids appear, files with a
  missing reference, which a new id might resolve) are judged again, against the id tables
  kept from the last run; every other file's findings are the last run's.

A file's text hash is known without reading it from its stat signature (device, inode,
size, mtime, ctime), trusted once the file has been quiet for a few seconds (`check.attachments.SETTLE_NS`).
With the cache off the full way runs with nothing kept, so the findings are the same.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import gc
import time
from pathlib import Path
from typing import Mapping

from ...model import Record
from .. import load
from ..check import Attachments, Checked, Source, Valid
from .cache import Cache, Sections
from .full import full, full_by_crew
from .incremental import incremental
from .scan import NO_SIG, overlaid, scan
from .state import CrossFileTables, LastRun, Outcome, ValidationRun
from .workers import crew_size, examine_text, text_hash


def validate(records: Path, as_of: dt.date, *, cache: Cache | None = None,
             keep_records: bool = False, overlay: Mapping[Path | str, str] | None = None) -> Checked:
    """load → check → locate: every finding, located and in report order. With `cache`, what
    earlier runs learnt is used and kept, so files whose text did not change are not checked
    again. With `keep_records` the valid records come back too (to build sites from): that run
    checks every file in this process and neither reads nor writes the cache (records are not
    kept in it).

    With `overlay` (path → text: files a writer is about to write, new or replacing), the tree
    is checked as it would be with those texts written, without writing anything: the tree
    as it is first (as any run, so the cache is used and kept), then, starting from that run,
    the would-be tree, where usually only the overlay's files are judged again. The findings
    are the would-be tree's; `Checked.before` holds the others, so a writer can refuse only
    errors it would add (`Checked.new_errors`)."""
    records = records.resolve()
    if keep_records:
        cache = None
        if overlay:
            raise ValueError("keep_records and overlay do not go together")
    with _collector_paused():
        last = LastRun.load(cache)
        files = scan(records, last.index, time.time_ns())
        attachments = Attachments(records, last.report.images if last.report else None)
        run = ValidationRun(records, as_of, files, last, cache, attachments, keep_records)
        outcome = _check(run)
        index = _remember(run, outcome) if cache is not None else None
        if overlay:
            before = tuple(outcome.findings)
            outcome = _check(_would_be(run, outcome, _overlay_files(records, overlay), index))
    if overlay:
        return Checked((), tuple(outcome.findings), as_of, before)
    valid = ()
    if keep_records:
        by_file = {f.file: f.examined for f in files}
        valid = tuple(Valid(name, by_file[name].record) for name in outcome.valid)
    sources = {f.file: Source(f.path, f.type_name, f.year, f.hash) for f in files
               if f.type_name is not None and f.hash is not None}
    return Checked(valid, tuple(outcome.findings), as_of, sources=sources)


class ChangedDuringBuild(Exception):
    """A record file's text is no longer the text that was validated."""


def read_records(sources: Mapping[str, Source]) -> dict[str, Record]:
    """The records of the given files, made exactly as `validate(keep_records=True)` makes them,
    from texts that must still be the ones validated (their hash); for a build that already
    holds the other records."""
    out: dict[str, Record] = {}
    for file, source in sources.items():
        text, problem = load.read_record(file, Path(source.path))
        if text is None or text_hash(text) != source.hash:
            raise ChangedDuringBuild(file)
        examined, _positions = examine_text(file, source.path, source.type_name, source.year, text, keep_record=True)
        if examined.record is None:
            raise ChangedDuringBuild(file)
        out[file] = examined.record
    return out


def _overlay_files(records: Path, overlay: Mapping[Path | str, str]) -> dict[str, str]:
    """The overlay by the names findings use (`records/problems/2017/P-2017-0042.yaml`)."""
    out = {}
    for where, text in overlay.items():
        if isinstance(where, Path):
            where = f"{records.name}/{where.resolve().relative_to(records).as_posix()}"
        out[where] = text
    return out


def _would_be(run: ValidationRun, outcome: Outcome, overlay: dict[str, str],
              index: dict[str, bytes] | None) -> ValidationRun:
    """A run over the tree with `overlay` written, whose last run is `run` (kept in memory, not
    in the cache: the would-be tree is not the tree on disk); `index`: that run's, if known."""
    if index is None:
        index = {f.file: (f.sig or NO_SIG) + (f.hash or b"") for f in run.files}
    state = Sections.held({"index": index, "report": outcome.report, "tables": outcome.tables})
    last = LastRun(state, index, outcome.report)
    files = overlaid(run.records, run.files, overlay)
    return ValidationRun(run.records, run.as_of, files, last, run.cache, run.attachments, overlay=overlay)


@contextlib.contextmanager
def _collector_paused():
    """100,000 files' facts are long-lived: generational garbage collection would rescan them."""
    collect = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collect:
            gc.enable()


def _check(run: ValidationRun) -> Outcome:
    """The cheapest exact way. Files whose text the stat signature does not vouch for are read
    (examined if new): a few here, and then perhaps only the changed ones judged again; many
    by the workers, who then check everything."""
    if not run.keep_records:
        unread = [f for f in run.files if f.examined is None and f.hash is None]
        if crew_size(len(unread)) == 1:
            run.examine(unread, need=False)
            previous = run.last.report
            if previous is not None and previous.as_of == run.as_of:
                outcome = incremental(run, previous)
                if outcome is not None:
                    return outcome
        if crew_size(len(run.files)) > 1:
            try:
                return full_by_crew(run, crew_size(len(run.files)))
            except (OSError, EOFError):     # no process could be started, or one died: do it here
                pass
    return full(run)


def _remember(run: ValidationRun, outcome: Outcome) -> dict[str, bytes]:
    """Save what the next run starts from, unless it is what the cache already holds: every
    file (no signature for one that is not a regular file, no hash for one whose text could
    not be read), the report and the tables. Returns the index of files saved (or held)."""
    files, last = run.files, run.last

    def entry(f) -> bytes:
        return (f.sig or NO_SIG) + (f.hash or b"")
    same = len(files) == len(last.index) and all(f.listed or last.index.get(f.file) == entry(f) for f in files)
    if (last.state is not None and same and isinstance(outcome.tables, bytes)
            and (outcome.report is last.report or outcome.report == last.report)):
        return last.index
    index = (last.state.raw["index"] if last.state else last.index) if same else {f.file: entry(f) for f in files}
    tables = outcome.tables.packed() if isinstance(outcome.tables, CrossFileTables) else outcome.tables
    run.cache.save("state", {"index": index, "report": outcome.report, "tables": tables})
    run.cache.prune()
    return last.index if same else index
