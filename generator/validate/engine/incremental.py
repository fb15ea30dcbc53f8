"""The incremental way: the last run's findings, with only the changed files judged again.

Exact because a file's cross-file findings depend on nothing else that could have changed: it
gives up (returns None, and the run takes the full way) when a file went, an attachment
changed, or a changed file now shows other files something else than before (its `Interface`)
other than new ids, whether a record no other record refers to is valid (the tables keep
every id referred to), or its cadence entry. When new ids appear, or an id becomes valid or not,
files with a missing reference are judged again too, since that may resolve it (or change its
"did you mean"). A changed cadence entry (a problem moved along its lifecycle, a meeting's
statements) is read by the cadence pass alone, which then runs again over all entries.
"""
from __future__ import annotations

from pathlib import Path

from ...findings import Finding, packed_code, unpack
from ..check import Interface, Judged, Tables, cadence_pass, duplicates, id_key, judge, refers_to
from .scan import File
from .state import CrossFileTables, LastRun, Outcome, Report, ValidationRun, alone, packed, unreadable_interface
from .workers import load_shard, shard_name, shard_of


def incremental(run: ValidationRun, previous: Report) -> Outcome | None:
    """The last run's findings with the changed files judged again, or None when that would
    not be exact."""
    files, last = run.files, run.last
    changed = [f for f in files if f.changed]
    stale = {f.file for f in changed}           # files whose last-run cross-file findings may not hold
    added = [f.examined.interface for f in changed if f.file not in last.index]
    if len(files) - len(added) != len(last.index):
        return None         # a file went: references to it may now be missing anywhere
    if any(run.attachments.problem(value) != outcome for value, outcome in previous.outcomes.items()):
        return None         # an attachment appeared, went or changed
    entries_changed = bool(added)
    in_pass: set[str] = set()           # changed files whose entry the last cadence pass read
    retargeted: list[Interface] = []
    for f, before in zip(changed, _interfaces_before(changed, last, run)):
        if f.file not in last.index:
            continue
        now = f.examined.interface
        if before is None or before._replace(target=now.target, cadence=now.cadence) != now:
            return None         # what other files see of it changed (or is not known)
        if before.target != now.target:
            retargeted.append(now)      # only whether it is a valid record to refer to
        if before.cadence != now.cadence:
            entries_changed = True      # only the cadence pass reads it
        if (before.cadence is not None and f.file not in previous.duplicate
                and not previous.judged.get(f.file, ((), ()))[0]):
            in_pass.add(f.file)

    tables: CrossFileTables | None = None
    duplicate = {k: unpack(v) for k, v in previous.duplicate.items()}
    if added or retargeted:
        tables = last.state.get("tables")
        if not isinstance(tables, CrossFileTables):
            return None
    if retargeted and not _retarget(tables, retargeted, duplicate):
        return None
    if added and not _add(tables, added, duplicate):
        return None
    if added or retargeted:     # a new or newly valid id may resolve a missing reference, or change its "did you mean"
        stale |= {name for name, (references, _rules) in previous.judged.items()
                  if any(packed_code(t) == "E-REF-MISSING" for t in references)}
    rejudge = [f for f in files if f.file in stale and f.file not in duplicate]
    run.examine([f for f in rejudge if f.examined is None], need=True)
    rejudge = [f for f in rejudge if f.examined.facts is not None]

    rejudged: dict[str, Judged] = {}
    tables_changed = bool(added or retargeted)
    if rejudge:
        tables = tables or last.state.get("tables")
        if not isinstance(tables, CrossFileTables):
            return None
        table = Tables(tables.by_id, tables.others.union(tables.by_id))
        for f in rejudge:
            e = f.examined
            new_refs = set(refers_to(e.facts)) - tables.referenced
            if new_refs:                # kept a superset: a retargeted id must be known to be referred to
                tables.referenced |= new_refs
                tables_changed = True
            j = judge(f.file, e.type_name, e.facts, table, run.as_of, run.attachments)
            if j.references or j.rules:
                rejudged[f.file] = j
            if (e.facts.cadence is not None and not j.references) != (f.file in in_pass):
                entries_changed = True      # it joined or left the cadence pass
    for f in changed:
        if f.positions:
            run.positions[f.file] = f.positions
    for name, spots in previous.positions.items():
        if name not in stale:
            run.positions.setdefault(name, spots)
    judged = {k: v for k, v in previous.judged.items() if k not in stale}
    judged.update(packed(run.located(rejudged)))

    if entries_changed:
        tables = tables or last.state.get("tables")
        if not isinstance(tables, CrossFileTables):
            return None
        entries = dict(tables.entries())
        for f in rejudge:
            cadence = f.examined.facts.cadence
            if cadence is None or (f.file in rejudged and rejudged[f.file].references):
                entries.pop(f.file, None)
            else:
                entries[f.file] = cadence
        tables.cadence = {f.file: entries[f.file] for f in files if f.file in entries}
        found = run.locate(cadence_pass(tables.cadence, run.as_of))
    else:
        found = run.relocated([unpack(t) for t in previous.cadence], changed)

    per_file = {k: v for k, v in previous.alone.items() if k not in stale}
    for f in changed:
        first, model = alone(f.examined)
        if first or model:
            per_file[f.file] = (first, model)
    duplicate = dict(zip(duplicate, run.relocated(list(duplicate.values()), changed)))
    kept = tables if (tables_changed or entries_changed) else last.state.raw.get("tables")
    attachments = run.attachments
    if not changed and attachments.outcomes == previous.outcomes and attachments.images == previous.images:
        # nothing changed: the last run's report stands (and is not written again)
        findings = run.ordered(previous.alone, previous.duplicate, previous.judged, previous.cadence)
        return Outcome(findings, previous, kept)
    return run.finish(per_file, duplicate, judged, found, attachments.outcomes, attachments.images, kept)


def _interfaces_before(changed: list[File], last: LastRun, run: ValidationRun) -> list[Interface | None]:
    """What each changed file showed in the last run: an unreadable file's interface if its
    text could not be read then, else that of the shard entry with the last run's hash."""
    out = []
    for f in changed:
        before = last.hash_of(f.file)
        if f.file not in last.index:
            out.append(None)
        elif before is None:
            out.append(unreadable_interface(f.file))
        elif f.before is not None:
            out.append(f.before)
        else:
            hit = load_shard(run.cache, shard_name(shard_of(f.file))).get(f.file)
            out.append(hit[1].interface if hit is not None and hit[0] == before else None)
    return out


def _retarget(tables: CrossFileTables, changed: list[Interface], duplicate: dict[str, Finding]) -> bool:
    """Take in changed files that became, or stopped being, valid records to refer to; False
    if another record refers to one (its findings would change: the full way decides them)."""
    for item in changed:
        if item.record_id is None or item.file in duplicate:
            continue
        if item.record_id in tables.referenced:
            return False
        if item.target is None:
            tables.by_id.pop(item.record_id, None)
            tables.others.add(item.record_id)
        else:
            tables.by_id[item.record_id] = item.target
            tables.others.discard(item.record_id)
    return True


def _add(tables: CrossFileTables, added: list[Interface], duplicate: dict[str, Finding]) -> bool:
    """Take new files' ids into the tables; False if one is already in use (as an id, or as
    the name of an unreadable file), since duplicates and references would then shift."""
    all_ids = tables.others.union(tables.by_id)
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
            tables.others.add(item.record_id)
        if item.unreadable:
            tables.others.add(Path(item.file).stem)
        if item.target is not None and item.file not in new:
            tables.by_id[item.record_id] = item.target
            tables.others.discard(item.record_id)
    duplicate.update(new)
    return True
