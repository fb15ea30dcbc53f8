"""What one `validate` run works with, what it returns and what it leaves for the next.

- `LastRun`: what the cache kept of the last run (the index of files, its `Report`);
- `Report`: a run's findings by file and pass, packed (`findings.pack`);
- `CrossFileTables`: every file's id and cadence entry, as the incremental way needs them;
- `Outcome`: what each way of checking (full.py, incremental.py) returns;
- `ValidationRun`: one run's files and what it knows of them; it examines files in this
  process, locates findings and puts them in report order.
"""
from __future__ import annotations

import datetime as dt
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from ...findings import Finding, pack, packed_file, packed_sort_key, unpack
from ..check import Attachments, Examined, Interface, Judged
from ..locate import Positions, locate
from .cache import Cache, Sections, unpickle
from .scan import SIG, File
from .workers import Alone, by_shard, examine_shard


@dataclass
class Report:
    """A run's findings, by file and pass, packed."""
    as_of: dt.date
    alone: dict[str, Alone]                            # file → findings of the file alone
    duplicate: dict[str, tuple]                        # file → its duplicate-id finding
    judged: dict[str, tuple[tuple, tuple]]             # file → (references, rules)
    cadence: list[tuple]
    positions: dict[str, Positions]                    # of files with duplicate or cadence findings
    outcomes: dict[str, tuple | None]                  # attachment path → what was wrong with it
    images: dict[str, tuple[tuple, bool]]


@dataclass
class CrossFileTables:
    """What the incremental way needs of every file, kept by the last run."""
    by_id: dict[str, object]            # check.Tables.by_id
    others: set[str]                    # all ids that are not in by_id
    cadence: dict[str, object] | bytes  # file → cadence entry, of files valid in every pass; kept
                                        # pickled (`packed`) and read only when an entry changed
    referenced: set[str] = field(default_factory=set)   # ids some record refers to (or did: a superset)

    def entries(self) -> dict[str, object]:
        """The cadence entries (unpickled on first use)."""
        if isinstance(self.cadence, bytes):
            self.cadence = unpickle(self.cadence)
        return self.cadence

    def packed(self) -> "CrossFileTables":
        """The same with the entries pickled: a run after an edit that changes no entry (a
        problem's description, say) then never unpickles 100,000 problems' entries."""
        if isinstance(self.cadence, bytes):
            return self
        return CrossFileTables(self.by_id, self.others, pickle.dumps(self.cadence, protocol=pickle.HIGHEST_PROTOCOL),
                               self.referenced)


@dataclass(frozen=True)
class Outcome:
    """What a way of checking returns: the findings, and what the next run starts from."""
    findings: list[Finding]                     # located, in report order
    report: Report
    tables: CrossFileTables | bytes | None      # bytes: the last run's, unchanged and still pickled
    valid: tuple[str, ...] = ()                 # files whose record passed every pass (full way, here)


@dataclass(frozen=True)
class LastRun:
    """What the cache holds of the last run over this tree (nothing without a cache)."""
    state: Sections | None
    index: dict[str, bytes]                     # file → stat signature (scan.SIG) + text hash
    report: Report | None

    @classmethod
    def load(cls, cache: Cache | None) -> "LastRun":
        state = cache.load("state") if cache else None
        index = state.get("index") if state else None
        if not isinstance(index, dict):
            return cls(None, {}, None)
        report = state.get("report")
        return cls(state, index, report if isinstance(report, Report) else None)

    def hash_of(self, file: str) -> bytes | None:
        """The file's text hash in the last run (None: not there, or not readable then)."""
        return self.index.get(file, b"")[SIG.size:] or None


def alone(e: Examined) -> Alone:
    first, model = e.alone
    return tuple(map(pack, first)), tuple(map(pack, model))


def packed(pairs: dict[str, tuple[tuple, tuple]]) -> dict[str, tuple[tuple, tuple]]:
    return {k: (tuple(map(pack, a)), tuple(map(pack, b))) for k, (a, b) in pairs.items()}


@dataclass
class ValidationRun:
    """One run over a records tree."""
    records: Path
    as_of: dt.date
    files: list[File]                           # every file under records/, in report order
    last: LastRun
    cache: Cache | None
    attachments: Attachments
    keep_records: bool = False
    positions: dict[str, Positions] = field(default_factory=dict)   # file → places known
    overlay: dict[str, str] = field(default_factory=dict)           # file → would-be text

    def examine(self, todo: list[File], need: bool) -> None:
        """Read (or, for files whose text is known, take from the shards) and examine files,
        in this process. Without `need`, a file whose text is the last run's is only marked
        unchanged."""
        by_file = {f.file: f for f in todo}
        items = [f.item(self.last.hash_of(f.file), need) for f in todo]
        for group in by_shard(items).values():
            for row in examine_shard(group, self.cache, keep_record=self.keep_records):
                f = by_file[row.file]
                f.hash, f.before = row.digest, row.before or f.before
                f.changed = row.digest is None or row.digest != self.last.hash_of(row.file)
                if row.facts is not None:
                    f.examined, f.positions = row.facts

    def locate(self, findings: list[Finding]) -> list[Finding]:
        return locate(findings, self.records, self.positions, self.overlay)

    def located(self, judged: dict[str, Judged]) -> dict[str, tuple[tuple, tuple]]:
        """Pass 2–3 findings with positions, located together (one parse per file that needs one)."""
        flat = [f for j in judged.values() for f in (*j.references, *j.rules)]
        found = iter(self.locate(flat))
        return {name: (tuple(next(found) for _ in j.references), tuple(next(found) for _ in j.rules))
                for name, j in judged.items()}

    def relocated(self, findings: list[Finding], changed: list[File]) -> list[Finding]:
        """Findings kept from the last run, located again where their file changed (a line
        added above moves them, though what they say stays the same)."""
        moved = {f.file for f in changed}
        return self.locate([f.located(0, 0) if f.file in moved else f for f in findings])

    def ordered(self, alone, duplicate, judged, cadence) -> list[Finding]:
        """All findings (given packed), sorted by place. Findings at the same place keep the
        order the passes made them in; that order matters only within a file, so each file's
        are put together in pass order (load or id, duplicate id, model, references, rules),
        cadence last."""
        out: list[tuple] = []
        empty = ((), ())
        for name in alone.keys() | duplicate.keys() | judged.keys():
            first, model = alone.get(name, empty)
            out += first
            if name in duplicate:
                out.append(duplicate[name])
            out += model
            references, rules = judged.get(name, empty)
            out += references
            out += rules
        out += cadence
        out.sort(key=packed_sort_key)
        return list(map(unpack, out))

    def finish(self, alone: dict[str, Alone], duplicate: dict[str, Finding], judged, cadence: list[Finding],
               outcomes, images, tables: CrossFileTables | bytes | None, valid: tuple[str, ...] = ()) -> Outcome:
        """The run's findings in order, and its report. `alone` and `judged` come packed."""
        duplicate = {k: pack(v) for k, v in duplicate.items()}
        cadence = [pack(f) for f in cadence]
        across = set(duplicate) | {packed_file(t) for t in cadence}
        report = Report(self.as_of, alone, duplicate, judged, cadence,
                        {name: self.positions[name] for name in across if name in self.positions},
                        dict(outcomes), dict(images))
        return Outcome(self.ordered(alone, duplicate, judged, cadence), report, tables, valid)


def unreadable_interface(file: str) -> Interface:
    """What other files saw of a file whose text could not be read."""
    return Interface(file, None, True, None, None)
