"""Per-file work for `validate`, in this process or over the cores.

`examine_text` checks one file alone (`check.examine`, findings located, positions of the
places later findings often point at). `examine_shard` does it for the files of one cache
shard: a file whose text (by SHA-1) the shard already holds is not parsed again.

For a large tree, a `Crew` of forked workers does the full check: each owns a share of the
shards, examines its files and keeps their facts in memory, sends back only what the other
files need to know (`check.Interface`) and the findings of the file alone; then, given the id
tables, judges its files (references, dates, attachments) and sends back their findings.
The main process never receives the facts of 100,000 files (unpickling them alone would
take seconds) and the judging runs on every core.
"""
from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from ...findings import pack
from .. import load
from ..check import Attachments, Examined, Interface, Judged, Tables, examine, judge, refers_to, unreadable
from ..locate import Positions, locate, locate_in, position_in
from .cache import Cache

SHARDS = 256            # per-file results are kept in this many files, so one change rewrites one
POOL_MIN_FILES = 1500   # below this, starting worker processes costs more than it saves

class Item(NamedTuple):
    """A file to examine."""
    file: str
    path: str
    type_name: str | None
    year: str | None                # its year folder
    before: bytes | None            # the last run's text hash
    trusted: bytes | None           # the hash its unchanged stat signature vouches for: then the
                                    # shard's facts are taken without reading the file
    need: bool                      # the facts are wanted even if the text is the last run's
    text: str | None = None         # the text to check instead of the file's (validate's overlay)


Facts = tuple[Examined, Positions]


class Row(NamedTuple):
    """What examining an `Item` tells."""
    file: str
    digest: bytes | None            # the text hash; None if the file could not be read
    before: Interface | None        # the interface the file had in the last run, if the shard knows it
    facts: Facts | None             # None if not wanted (the text is the last run's)


# Packed findings (`findings.pack`) of one file alone: (the load finding or the id findings,
# the model findings).
Alone = tuple[tuple, tuple]


class Sent(NamedTuple):
    """What a worker sends back of one file it examined (it keeps the facts)."""
    file: str
    digest: bytes | None
    interface: Interface
    alone: Alone | None             # None when the file alone has no findings


def text_hash(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8")).digest()


def shard_of(file: str) -> int:
    return hashlib.sha1(file.encode()).digest()[0] * SHARDS // 256


def shard_name(number: int) -> str:
    return f"files-{number:03d}"


def examine_text(file: str, path: str, type_name: str, year: str | None, text: str,
                 keep_record: bool = False) -> tuple[Examined, Positions]:
    from ...model import RECORD_TYPES
    data, root, problem = load.parse_nodes(file, text)
    if problem is not None:
        return unreadable(file, type_name, problem), {}
    e = examine(load.Document(file, Path(path), RECORD_TYPES[type_name], data, year), keep_record)
    known: Positions = {}
    e = replace(e, id_findings=tuple(locate_in(root, e.id_findings, known)),
                model_findings=tuple(locate_in(root, e.model_findings, known)))
    if e.facts is not None:
        rules = e.facts.rules
        rules = replace(rules, lifecycle=tuple(locate_in(root, rules.lifecycle, known)),
                        kind_and_text=tuple(locate_in(root, rules.kind_and_text, known)))
        e = replace(e, facts=replace(e.facts, rules=rules))
        # overdue problems and decisions are the common warnings, a duplicate id the common
        # error; their places cost nothing now and a second parse later
        spots = [("id",)] + ([("deadline",)] if rules.open is not None else [])
        spots += [("decisions", i, "deadline") for i, _text, _deadline in rules.decisions]
        spots += [("milestones", i, "due") for i, _title, _due in rules.milestones]
        for loc in spots:
            known[(loc, False)] = position_in(root, loc)
    return e, known


def examine_shard(items: list[Item], cache: Cache | None, complete: bool = False,
                  keep_record: bool = False) -> list[Row]:
    """The files of one shard (see `Item`, `Row`). Updates the shard file; with `complete`
    the items are all the shard's files, and entries of files gone are dropped. With
    `keep_record` (and no cache: records are not kept in it) the facts hold the record."""
    name = shard_name(shard_of(items[0].file))
    shard = load_shard(cache, name)
    rows: list[Row] = []
    changed = False
    if complete:
        keep = {item.file for item in items}
        if not shard.keys() <= keep:
            shard, changed = {file: entry for file, entry in shard.items() if file in keep}, True
    for file, path, type_name, year, before, trusted, need, given in items:
        hit = shard.get(file)
        previous = hit[1].interface if hit is not None and before is not None and hit[0] == before else None
        if trusted is not None and hit is not None and hit[0] == trusted:
            rows.append(Row(file, trusted, previous, (hit[1], hit[2]) if need else None))
            continue
        text, problem = load.read_record(file, Path(path)) if given is None else load.given_text(file, given)
        if text is None:
            rows.append(Row(file, None, previous, (unreadable(file, type_name, problem), {})))
            continue
        digest = text_hash(text)
        if digest == before and not need:
            rows.append(Row(file, digest, previous, None))
        elif hit is not None and hit[0] == digest:
            rows.append(Row(file, digest, previous, (hit[1], hit[2])))
        else:
            e, positions = examine_text(file, path, type_name, year, text, keep_record)
            if given is None:           # the shard keeps what is on disk, never a would-be text
                shard[file] = (digest, e, positions)
                changed = True
            rows.append(Row(file, digest, previous, (e, positions)))
    if cache is not None and changed:
        cache.save(name, {"files": shard})
    return rows


def load_shard(cache: Cache | None, name: str) -> dict:
    """A shard's entries, file → (text hash, Examined, positions); {} if none or damaged."""
    sections = cache.load(name) if cache else None
    shard = sections.get("files") if sections else None
    if not isinstance(shard, dict):
        return {}
    return {file: entry for file, entry in shard.items()
            if isinstance(entry, tuple) and len(entry) == 3 and isinstance(entry[0], bytes)
            and isinstance(entry[1], Examined) and isinstance(entry[2], dict)}


def by_shard(items: list[Item]) -> dict[int, list[Item]]:
    groups: dict[int, list[Item]] = {}
    for item in items:
        groups.setdefault(shard_of(item.file), []).append(item)
    return groups


def crew_size(files: int) -> int:
    """How many workers a run over `files` files should use (1: none)."""
    if files < POOL_MIN_FILES or "fork" not in mp.get_all_start_methods():
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


class Crew:
    """Forked workers; worker w owns the shards whose number is w modulo their count."""

    def __init__(self, size: int, records: Path, cache: Cache | None, texts: dict[str, str] | None = None):
        context = mp.get_context("fork")
        self.conns, self.processes = [], []
        for number in range(size):
            parent, child = context.Pipe()
            process = context.Process(target=_serve, args=(child, records, cache, texts), daemon=True)
            process.start()
            child.close()
            self.conns.append(parent)
            self.processes.append(process)

    def __enter__(self) -> "Crew":
        return self

    def __exit__(self, *exc) -> None:
        for conn in self.conns:
            try:
                conn.send(None)
                conn.close()
            except OSError:
                pass
        for process in self.processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()

    def _ask(self, requests: list) -> list:
        for conn, request in zip(self.conns, requests):
            conn.send(request)
        replies = [conn.recv() for conn in self.conns]
        for reply in replies:
            if isinstance(reply, BaseException):
                raise reply
        return replies

    def facts(self, items: list[Item]) -> list[Sent]:
        """Examine (or take from the shards) every item's file, all shards' files given in
        full; each worker keeps the facts and sends back what the others need."""
        groups = [[] for _ in self.conns]
        for number, group in by_shard(items).items():
            groups[number % len(self.conns)].append(group)
        return [row for reply in self._ask([("facts", g) for g in groups]) for row in reply]

    def judge(self, tables: Tables, duplicate: frozenset[str], as_of, images: dict) -> list[Verdicts]:
        """Passes 2–3 for every file the workers hold that passed pass 1 and is no duplicate,
        one `Verdicts` per worker."""
        return self._ask([("judge", tables, duplicate, as_of, images)] * len(self.conns))


def _serve(conn, records: Path, cache: Cache | None, texts: dict[str, str] | None = None) -> None:
    """A worker: answers the crew's requests until told to stop (or the parent is gone)."""
    held: dict[str, tuple[Examined, Positions]] = {}
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        try:
            if request[0] == "facts":
                conn.send(_facts(request[1], cache, held))
            else:
                conn.send(_judge(records, held, *request[1:], texts=texts))
        except Exception as error:      # the parent raises it
            conn.send(error)


def _facts(groups: list[list[Item]], cache: Cache | None, held: dict) -> list[Sent]:
    out = []
    for items in groups:
        for file, digest, _before, facts in examine_shard(items, cache, complete=True):
            held[file] = facts
            e = facts[0]
            first, model = e.alone
            alone = (tuple(map(pack, first)), tuple(map(pack, model))) if first or model else None
            out.append(Sent(file, digest, e.interface, alone))
    return out


class Verdicts(NamedTuple):
    """Passes 2–3 over one worker's files."""
    judged: dict[str, tuple[tuple, tuple]]   # file → packed (references, rules), files with any
    broken: set[str]                         # files whose references failed
    outcomes: dict                           # attachment path → what was wrong with it (Attachments)
    images: dict                             # the image memo to keep (Attachments)
    referenced: set[str]                     # every id these files refer to


def _judge(records: Path, held: dict, table: Tables, duplicate: frozenset[str], as_of, images: dict,
           texts: dict[str, str] | None = None) -> Verdicts:
    attachments = Attachments(records, images)
    judged: dict[str, Judged] = {}
    broken = set()
    referenced: set[str] = set()
    for file, (e, _positions) in held.items():
        if e.facts is None or file in duplicate:
            continue
        referenced.update(refers_to(e.facts))
        result = judge(file, e.type_name, e.facts, table, as_of, attachments)
        if result.references:
            broken.add(file)
        if result.references or result.rules:
            judged[file] = result
    positions = {file: held[file][1] for file in judged}
    flat = [f for j in judged.values() for f in (*j.references, *j.rules)]
    located = iter(locate(flat, records, positions, texts))
    packed = {file: (tuple(pack(next(located)) for _ in j.references), tuple(pack(next(located)) for _ in j.rules))
              for file, j in judged.items()}
    return Verdicts(packed, broken, attachments.outcomes, attachments.images, referenced)
