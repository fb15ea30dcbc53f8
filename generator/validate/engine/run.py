"""`validate`: load → check → locate over a records tree, remembering what it can.

Per file (a pure function of its path and text): read, parse, pass 1 and the parts of passes
2–3 that need nothing else (`check.examine`), with positions. Kept in the cache under the
file's path and the SHA-1 of its text (`workers.py`, shards in `cache.py`).

Across files: duplicate ids, references, the as-of date, attachments, cadence. Two ways:

- in full: every file's facts, from the shards or examined anew, judged against tables of
  all ids (`check.cross_check`; for a large tree by a crew of worker processes that keep the
  facts, `workers.Crew`). Taken with no cache, on the first run, when the as-of date or an
  attachment changed, when a file went, when many files must be read, and when a file
  changed what other files can see of it (its `Interface`: id, type, whether it passed
  pass 1, a district's streets, a cadence view) other than by adding new ids;
- incrementally: only changed files (and, when new ids appear, files with a missing
  reference, which a new id might resolve) are judged again, against the id tables kept
  from the last run; every other file's findings are the last run's. Exact because a file's
  cross-file findings depend on nothing else that could have changed.

A file's text hash is known without reading it from its stat signature (device, inode,
size, mtime, ctime), trusted once the file has been quiet for a few seconds (`cache.settled`).
With the cache off the full way runs with nothing kept, so the findings are the same.
"""
from __future__ import annotations

import datetime as dt
import gc
import operator
import time
from dataclasses import dataclass
from pathlib import Path

from .cache import Cache, Sections
from ..check import (Attachments, Checked, Examined, Interface, Judged, Tables, Valid, cadence,
                    cross_check, duplicates, id_key, judge, tables)
from ...findings import Finding, pack, unpack
from ..locate import Positions, locate
from .scan import NO_SIG, SIG, File, scan
from .workers import (Crew, by_shard, crew_size, examine_file, examine_shard, load_shard, shard_name,
                      shard_of)


@dataclass
class Report:
    """The last run's findings, by file and pass, as plain tuples (`findings.pack`)."""
    as_of: dt.date
    own: dict[str, tuple[tuple, tuple]]                # file → (load or id findings, model findings)
    duplicate: dict[str, tuple]
    judged: dict[str, tuple[tuple, tuple]]             # file → (references, rules)
    cadence: list[tuple]
    positions: dict[str, Positions]                    # of files with duplicate or cadence findings
    outcomes: dict[str, tuple | None]                  # attachment path → what was wrong with it
    images: dict[str, tuple[tuple, bool]]


@dataclass
class Known:
    """What the incremental way needs of every file, kept by the last run."""
    by_id: dict[str, object]            # Tables.by_id
    others: set[str]                    # all_ids not in by_id
    views: dict[str, object]            # file → cadence view, of files valid in every pass


def _gone(file: str) -> Interface:
    return Interface(file, None, True, None, None)      # what an unreadable file shows


def _last_hash(index: dict[str, bytes], file: str) -> bytes | None:
    return index.get(file, b"")[SIG.size:] or None


def _examine(todo: list[File], index: dict[str, bytes], cache: Cache | None, need: bool) -> None:
    """Read (or, for files whose text is known, take from the shards) and examine files, in
    this process: a run that comes here has few to do. Without `need`, a file whose text is
    the last run's is only marked unchanged."""
    by_file = {f.file: f for f in todo}
    items = [f.item(_last_hash(index, f.file), need) for f in todo]
    for group in by_shard(items).values():
        for file, digest, previous, fact in examine_shard(group, cache):
            f = by_file[file]
            f.hash, f.before = digest, previous
            f.changed = digest is None or digest != _last_hash(index, file)
            if fact is not None:
                f.examined, f.positions = fact


def validate(records: Path, as_of: dt.date, *, cache: Cache | None = None,
             keep_records: bool = False) -> Checked:
    """load → check → locate; findings located and sorted, ready to print. With
    `keep_records` the valid records come back too (for building sites); such a run neither
    reads nor writes the cache."""
    records = records.resolve()
    collect = gc.isenabled()
    gc.disable()            # 100,000 files' facts are long-lived; generational GC would rescan them
    try:
        if keep_records:
            return _validate_keeping(records, as_of)
        return _validate(records, as_of, cache)
    finally:
        if collect:
            gc.enable()


def _validate_keeping(records: Path, as_of: dt.date) -> Checked:
    files = scan(records, {}, 0)
    for f in files:
        if f.examined is None:
            f.hash, f.examined, f.positions = examine_file(f.file, f.path, f.type_name, f.year, keep_record=True)
    run = _Run(records, files, {})
    findings, _report, _known, cross = _full(run, {}, as_of, Attachments(records), None)
    by_file = {f.file: f.examined for f in files}
    return Checked(tuple(Valid(name, by_file[name].record) for name in cross.valid), tuple(findings), as_of)


def _own(e: Examined) -> tuple[tuple, tuple]:
    first = (e.load_finding,) if e.load_finding is not None else e.id_findings
    return first, e.model_findings


def _validate(records: Path, as_of: dt.date, cache: Cache | None) -> Checked:
    now_ns = time.time_ns()
    state: Sections | None = cache.load("state") if cache else None
    index = state.get("index") if state else None
    if not isinstance(index, dict):
        index, state = {}, None
    files = scan(records, index, now_ns)
    previous = state.get("report") if state else None
    previous = previous if isinstance(previous, Report) else None
    attachments = Attachments(records, previous.images if previous else None)
    run = _Run(records, files, {})
    # Files whose text the stat signature does not vouch for are read (examined if new):
    # a few here, and then perhaps only the changed ones judged again; many by the workers,
    # who then check everything.
    unread = [f for f in files if f.examined is None and f.hash is None]
    result = None
    if crew_size(len(unread)) == 1:
        _examine(unread, index, cache, need=False)
        if previous is not None and previous.as_of == as_of:
            result = _incremental(run, previous, state, index, as_of, attachments, cache)
    if result is None and crew_size(len(files)) > 1:
        try:
            result = _full_crew(run, crew_size(len(files)), index, as_of, attachments, cache)
        except (OSError, EOFError):     # no process could be started, or one died: do it here
            result = None
    if result is None:
        result = _full(run, index, as_of, attachments, cache)[:3]
    findings, report, known = result
    if cache is not None:
        # every file; no signature for one that is not a regular file, no hash for one whose
        # text could not be read
        entry = lambda f: (f.sig or NO_SIG) + (f.hash or b"")   # noqa: E731
        same = len(files) == len(index) and all(f.listed or index.get(f.file) == entry(f) for f in files)
        if state is None or not same or not isinstance(known, bytes) or (report is not previous and report != previous):
            new_index = index if same else {f.file: entry(f) for f in files}
            cache.save("state", {"index": state.raw["index"] if same and state else new_index,
                                 "report": report, "known": known})
            cache.prune()
    return Checked((), tuple(findings), as_of)


class _Run:
    """Locating and ordering the findings of one run."""

    def __init__(self, records: Path, files: list[File], positions: dict[str, Positions]):
        self.records, self.files, self.positions = records, files, positions

    def locate(self, findings: list[Finding]) -> list[Finding]:
        return locate(findings, self.records, self.positions)

    def report(self, own, duplicate, judged, cadence) -> list[Finding]:
        """All findings (given packed, `findings.pack`), sorted by place. Findings at the
        same place keep the order the passes made them in; that order matters only within a
        file, so each file's are put together in pass order (own, duplicate id, model,
        references, rules), cadence last."""
        out: list[tuple] = []
        empty = ((), ())
        for name in own.keys() | duplicate.keys() | judged.keys():
            first, model = own.get(name, empty)
            out += first
            if name in duplicate:
                out.append(duplicate[name])
            out += model
            references, rules = judged.get(name, empty)
            out += references
            out += rules
        out += cadence
        out.sort(key=_PLACE)
        return list(map(unpack, out))


_PLACE = operator.itemgetter(2, 3, 4, 0, 5)     # Finding.sort_key of a packed finding


def _full(run: _Run, index: dict[str, bytes], as_of: dt.date, attachments: Attachments, cache: Cache | None):
    """Every file judged from its examined facts, in this process (`check.cross_check`)."""
    files = run.files
    _examine([f for f in files if f.examined is None], index, cache, need=True)
    by_file = {f.file: f for f in files}
    for f in files:
        if f.positions:
            run.positions[f.file] = f.positions
    cross = cross_check([f.examined.interface for f in files], lambda name: by_file[name].examined,
                        as_of, attachments)
    own = {f.file: _own(f.examined) for f in files}
    own = {name: parts for name, parts in own.items() if parts[0] or parts[1]}
    duplicate = dict(zip(cross.duplicate, run.locate(list(cross.duplicate.values()))))
    judged = _located(run, cross.judged)
    found = run.locate(cross.cadence)
    findings, report = _finish(run, as_of, _packed(own), duplicate, _packed(judged), found,
                               attachments.outcomes, attachments.images)
    others = cross.tables.all_ids.difference(cross.tables.by_id)
    return findings, report, Known(cross.tables.by_id, others, cross.views), cross


def _full_crew(run: _Run, size: int, index: dict[str, bytes], as_of: dt.date, attachments: Attachments,
               cache: Cache | None):
    """`_full` by a crew of workers: the same passes, the per-file ones in the workers, which
    send back each file's interface and findings (see workers.py)."""
    files = run.files
    items = [f.item(_last_hash(index, f.file), True) for f in files if f.type_name is not None]
    with Crew(size, run.records, cache) as crew:
        rows = {file: (digest, interface, own) for file, digest, interface, own in crew.facts(items)}
        interfaces: list[Interface] = []
        own: dict[str, tuple[tuple, tuple]] = {}
        for f in files:
            if f.type_name is None:             # not a record by its name or place
                interfaces.append(f.examined.interface)
                own[f.file] = ((pack(f.examined.load_finding),), ())
                continue
            f.hash, interface, parts = rows[f.file]
            f.changed = f.hash is None or f.hash != _last_hash(index, f.file)
            interfaces.append(interface)
            if parts:
                own[f.file] = parts
        duplicate = duplicates([(i.file, i.record_id) for i in interfaces if not i.unreadable])
        table = tables(interfaces, duplicate)
        judged: dict[str, tuple[tuple, tuple]] = {}
        broken: set[str] = set()
        outcomes, images = {}, {}
        for part, failed, checked, seen in crew.judge(table, frozenset(duplicate), as_of, attachments.known):
            judged.update(part)
            broken |= failed
            outcomes.update(checked)
            images.update(seen)
    views = {i.file: i.view for i in interfaces
             if i.view is not None and i.target is not None and i.file not in duplicate and i.file not in broken}
    duplicate = dict(zip(duplicate, run.locate(list(duplicate.values()))))
    found = run.locate(cadence(views, as_of))
    findings, report = _finish(run, as_of, own, duplicate, judged, found, outcomes, images)
    return findings, report, Known(table.by_id, table.all_ids.difference(table.by_id), views)


def _finish(run: _Run, as_of: dt.date, own, duplicate: dict[str, Finding], judged, found: list[Finding],
            outcomes, images) -> tuple[list[Finding], Report]:
    """The run's findings in order, and its report. `own` and `judged` come packed."""
    duplicate = {k: pack(v) for k, v in duplicate.items()}
    found = [pack(f) for f in found]
    across = set(duplicate) | {t[2] for t in found}
    report = Report(as_of, own, duplicate, judged, found,
                    {name: run.positions[name] for name in across if name in run.positions},
                    dict(outcomes), dict(images))
    return run.report(own, duplicate, judged, found), report


def _located(run: _Run, judged: dict[str, Judged]) -> dict[str, tuple[tuple, tuple]]:
    """Pass 2–3 findings with positions, located together (one parse per file that needs one)."""
    flat = [f for j in judged.values() for f in (*j.references, *j.rules)]
    located = iter(run.locate(flat))
    return {name: (tuple(next(located) for _ in j.references), tuple(next(located) for _ in j.rules))
            for name, j in judged.items()}


def _packed(pairs: dict[str, tuple[tuple, tuple]]) -> dict[str, tuple[tuple, tuple]]:
    return {k: (tuple(map(pack, a)), tuple(map(pack, b))) for k, (a, b) in pairs.items()}


def _incremental(run: _Run, previous: Report, state: Sections, index: dict[str, bytes], as_of: dt.date,
                 attachments: Attachments, cache: Cache | None):
    """The last run's findings with the changed files judged again, or None when that would
    not be exact (then the caller judges everything)."""
    files = run.files
    changed = [f for f in files if f.changed]
    gone = {f.file for f in changed}
    added = [f.examined.interface for f in changed if f.file not in index]
    if len(files) - len(added) != len(index):
        return None         # a file went: references to it may now be missing anywhere
    if any(attachments.problem(value) != outcome for value, outcome in previous.outcomes.items()):
        return None         # an attachment appeared, went or changed
    for f, before in zip(changed, _interfaces_before(changed, index, cache)):
        if f.file in index and before != f.examined.interface:
            return None     # what other files see of it changed (or is not known)

    known: Known | None = None
    duplicate = {k: unpack(v) for k, v in previous.duplicate.items()}
    recheck: set[str] = set()
    if added:
        known = state.get("known")
        if not isinstance(known, Known) or not _add(known, added, duplicate):
            return None
        # a new id may resolve a reference that was missing (or change its "did you mean")
        recheck = {name for name, (references, _rules) in previous.judged.items()
                   if any(t[0] == "E-REF-MISSING" for t in references)}
        gone |= recheck
    again = [f for f in files if f.file in gone and f.file not in duplicate]
    _examine([f for f in again if f.examined is None], index, cache, need=True)
    again = [f for f in again if f.examined.facts is not None]

    fresh: dict[str, Judged] = {}
    views_changed = bool(added)
    if again:
        known = known or state.get("known")
        if not isinstance(known, Known):
            return None
        table = Tables(known.by_id, known.others.union(known.by_id))
        for f in again:
            e = f.examined
            j = judge(f.file, e.type_name, e.facts, table, as_of, attachments)
            if j.references or j.rules:
                fresh[f.file] = j
            if e.facts.view is not None and (f.file in known.views) == bool(j.references):
                views_changed = True        # it joined or left the cadence pass
    for f in changed:
        if f.positions:
            run.positions[f.file] = f.positions
    for name, spots in previous.positions.items():
        if name not in gone:
            run.positions.setdefault(name, spots)
    judged = {k: v for k, v in previous.judged.items() if k not in gone}
    judged.update(_packed(_located(run, fresh)))

    if views_changed:
        views = dict(known.views)
        for f in again:
            if f.examined.facts.view is not None:
                if f.file in fresh and fresh[f.file].references:
                    views.pop(f.file, None)
                else:
                    views[f.file] = f.examined.facts.view
        known.views = {f.file: views[f.file] for f in files if f.file in views}
        found = run.locate(cadence(known.views, as_of))
    else:
        found = _relocated(run, [unpack(t) for t in previous.cadence], changed)

    own = {k: v for k, v in previous.own.items() if k not in gone}
    for f in changed:
        first, model = _own(f.examined)
        if first or model:
            own[f.file] = (tuple(map(pack, first)), tuple(map(pack, model)))
    duplicate = dict(zip(duplicate, _relocated(run, list(duplicate.values()), changed)))
    keep = known if (added or views_changed) else state.raw.get("known")
    if not changed and attachments.outcomes == previous.outcomes and attachments.images == previous.images:
        # nothing changed: the last run's report stands (and is not written again)
        return run.report(previous.own, previous.duplicate, previous.judged, previous.cadence), previous, keep
    findings, report = _finish(run, as_of, own, duplicate, judged, found, attachments.outcomes, attachments.images)
    return findings, report, keep


def _relocated(run: _Run, findings: list[Finding], changed: list[File]) -> list[Finding]:
    """Findings kept from the last run, located again where their file changed (a line
    added above moves them, though what they say stays the same)."""
    moved = {f.file for f in changed}
    return run.locate([f.located(0, 0) if f.file in moved else f for f in findings])


def _interfaces_before(changed: list[File], index: dict[str, bytes], cache: Cache | None) -> list[Interface | None]:
    """What each changed file showed in the last run: an unreadable file's interface if its
    text could not be read then, else that of the shard entry with the last run's hash."""
    out = []
    for f in changed:
        before = index.get(f.file, b"")[SIG.size:]
        if f.file not in index:
            out.append(None)
        elif not before:
            out.append(_gone(f.file))
        elif f.before is not None:
            out.append(f.before)
        else:
            hit = load_shard(cache, shard_name(shard_of(f.file))).get(f.file)
            out.append(hit[1].interface if hit is not None and hit[0] == before else None)
    return out


def _add(known: Known, added: list[Interface], duplicate: dict[str, Finding]) -> bool:
    """Take new files' ids into the tables; False if one is already in use (as an id, or as
    the name of an unreadable file), since duplicates and references would then shift."""
    all_ids = known.others.union(known.by_id)
    keys = {id_key(i) for i in all_ids}
    for item in added:
        names = {item.record_id} if item.record_id else set()
        if item.unreadable:
            names.add(Path(item.file).stem)
        if names & all_ids or (item.record_id and id_key(item.record_id) in keys):
            return False
    new = duplicates([(i.file, i.record_id) for i in added if not i.unreadable])
    for item in added:
        if item.record_id is not None:
            known.others.add(item.record_id)
        if item.unreadable:
            known.others.add(Path(item.file).stem)
        if item.target is not None and item.file not in new:
            known.by_id[item.record_id] = item.target
            known.others.discard(item.record_id)
    duplicate.update(new)
    return True
