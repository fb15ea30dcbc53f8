"""The full way: every file judged from its examined facts against tables of all ids.

In this process (`full`, also the way that keeps the records, for building sites), or by a
crew of forked workers that keep the facts (`full_by_crew`, for a large tree): the same
passes, the per-file ones in the workers, which send back each file's interface and findings.
"""
from __future__ import annotations

from ..check import Interface, cadence_pass, cross_check, duplicates, tables
from .state import CrossFileTables, Outcome, ValidationRun, alone, packed
from .workers import Crew


def full(run: ValidationRun) -> Outcome:
    """Every file judged in this process (`check.cross_check`)."""
    files = run.files
    run.examine([f for f in files if f.examined is None], need=True)
    by_file = {f.file: f for f in files}
    for f in files:
        if f.positions:
            run.positions[f.file] = f.positions
    cross = cross_check([f.examined.interface for f in files], lambda name: by_file[name].examined,
                        run.as_of, run.attachments)
    per_file = {f.file: alone(f.examined) for f in files}
    per_file = {name: parts for name, parts in per_file.items() if parts[0] or parts[1]}
    duplicate = dict(zip(cross.duplicate, run.locate(list(cross.duplicate.values()))))
    judged = packed(run.located(cross.judged))
    found = run.locate(cross.cadence)
    kept = CrossFileTables(cross.tables.by_id, cross.tables.all_ids.difference(cross.tables.by_id), cross.entries,
                           cross.referenced)
    return run.finish(per_file, duplicate, judged, found, run.attachments.outcomes, run.attachments.images,
                      kept, tuple(cross.valid))


def full_by_crew(run: ValidationRun, size: int) -> Outcome:
    """`full` by a crew of `size` workers (see workers.py)."""
    files = run.files
    items = [f.item(run.last.hash_of(f.file), True) for f in files if f.type_name is not None]
    with Crew(size, run.records, run.cache, run.overlay) as crew:
        sent = {row.file: row for row in crew.facts(items)}
        interfaces: list[Interface] = []
        per_file = {}
        for f in files:
            if f.type_name is None:             # not a record by its name or place
                interfaces.append(f.examined.interface)
                per_file[f.file] = alone(f.examined)
                continue
            row = sent[f.file]
            f.hash = row.digest
            f.changed = f.hash is None or f.hash != run.last.hash_of(f.file)
            interfaces.append(row.interface)
            if row.alone:
                per_file[f.file] = row.alone
        duplicate = duplicates([(i.file, i.record_id) for i in interfaces if not i.unreadable])
        table = tables(interfaces, duplicate)
        judged: dict[str, tuple[tuple, tuple]] = {}
        broken: set[str] = set()
        outcomes, images = {}, {}
        referenced: set[str] = set()
        for verdicts in crew.judge(table, frozenset(duplicate), run.as_of, run.attachments.known):
            judged.update(verdicts.judged)
            broken |= verdicts.broken
            outcomes.update(verdicts.outcomes)
            images.update(verdicts.images)
            referenced |= verdicts.referenced
    entries = {i.file: i.cadence for i in interfaces
               if i.cadence is not None and i.target is not None and i.file not in duplicate and i.file not in broken}
    duplicate = dict(zip(duplicate, run.locate(list(duplicate.values()))))
    found = run.locate(cadence_pass(entries, run.as_of))
    kept = CrossFileTables(table.by_id, table.all_ids.difference(table.by_id), entries, referenced)
    return run.finish(per_file, duplicate, judged, found, outcomes, images, kept)
