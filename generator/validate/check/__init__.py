"""Validate, step 2, check: loaded documents → valid records and findings, in passes.

schema (each record alone) → references (across records) → rules (dates, lifecycle, privacy,
cadence). A mistake makes unreadable only the field it is in: a record the model refused in
part goes on to the later passes with its other fields (`schema.partial`), so one run shows
all of a record's independent errors, and each mistake once, where it is. Only records that
passed pass 1 whole are seen by other records (as reference targets) and by the cadence pass.

The work is split along what it depends on, so that the validator can keep the first part
per file in its cache (validate/engine/) and redo only the second:

- `examine`: one document alone → `Examined` (the findings that depend on nothing else and the
  few facts about the record that the other passes need);
- across files: `duplicates` and `tables` from every file's small `Interface`, then `judge`
  (references, then dates, attachments) per record, then `cadence_pass` over the valid
  records' cadence entries; `cross_check` runs them in order over all files. The validator
  may run them elsewhere (worker processes) or for changed files only (`validate/engine/`).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Callable, Mapping, NamedTuple

from ...findings import Finding
from ...model import Record
from ..load import Document
from .cadence import check_cadence
from .entries import PROBLEM_ENTRY, CampaignEntry, cadence_entry
from .references import Outgoing, Tables, Target, check_outgoing, check_related, outgoing, target
from .rules import Attachments, RuleFacts, check_dated, rule_facts
from .schema import Valid, check_document, duplicates, id_key


@dataclass(frozen=True, slots=True)
class Facts:
    """What the later passes need of a record: of one that passed pass 1, or of the part that
    could be read of one that did not (then `target` is None: it is no record to refer to)."""
    target: Target | None
    outgoing: Outgoing
    rules: RuleFacts
    cadence: object | None         # cadence_entry(record)


class Interface(NamedTuple):
    """What one file shows the other files' checks. Two runs whose interfaces are all equal
    check every unchanged file's references in the same way, so its findings can be kept.
    (A named tuple: 100,000 of them are compared and pickled on every run.)"""
    file: str
    record_id: str | None          # the id when it is text, even if the record is invalid
    unreadable: bool               # the file has a load finding (its name stands in for an id)
    target: Target | None          # None unless the record passed pass 1
    cadence: object | None         # its cadence entry, when the record passed pass 1


@dataclass(frozen=True, slots=True)
class Examined:
    """One file checked alone."""
    file: str
    type_name: str | None
    load_finding: Finding | None
    record_id: str | None = None
    id_findings: tuple[Finding, ...] = ()
    model_findings: tuple[Finding, ...] = ()
    facts: Facts | None = None     # None when nothing of the record could be read
    record: Record | None = field(default=None, compare=False)   # kept only when asked for

    @property
    def interface(self) -> Interface:
        facts = self.facts
        return Interface(self.file, self.record_id, self.load_finding is not None,
                         facts.target if facts else None, facts.cadence if facts else None)

    @property
    def alone(self) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
        """The findings that depend on this file alone, in the two parts that a duplicate id
        (decided across files) goes between: (the load finding or the id findings, the model
        findings)."""
        if self.load_finding is not None:
            return (self.load_finding,), ()
        return self.id_findings, self.model_findings


def unreadable(file: str, type_name: str | None, problem: Finding) -> Examined:
    return Examined(file, type_name, problem)


def examine(doc: Document, keep_record: bool = False) -> Examined:
    schema = check_document(doc)
    facts = None
    record = schema.readable
    if schema.ok:
        facts = Facts(target(record), outgoing(record), rule_facts(doc.file, record), cadence_entry(record))
    elif record is not None:
        facts = Facts(None, outgoing(record), rule_facts(doc.file, record), None)
    return Examined(doc.file, doc.record_type.type_name, None, schema.record_id, schema.id_findings,
                    schema.model_findings, facts, record if keep_record and schema.ok else None)


@dataclass(frozen=True, slots=True)
class Judged:
    """The cross-file findings of one file: references, then pass 3."""
    references: tuple[Finding, ...]
    rules: tuple[Finding, ...]


@dataclass
class Cross:
    duplicate: dict[str, Finding]            # file → its E-ID-DUPLICATE
    judged: dict[str, Judged]                # file → its findings from passes 2 and 3
    cadence: list[Finding]
    valid: list[str]                         # files whose record passed every pass, in order
    tables: Tables
    entries: dict[str, object]               # file → cadence entry, of valid files, in order
    referenced: set[str] = field(default_factory=set)   # every id a judged record refers to


def tables(interfaces: list[Interface], duplicate: Mapping[str, Finding]) -> Tables:
    all_ids: set[str] = set()
    by_id: dict[str, Target] = {}
    for item in interfaces:
        if item.record_id is not None:
            all_ids.add(item.record_id)
        if item.unreadable:     # a file that could not be read still names its record
            all_ids.add(PurePosixPath(item.file).stem)
        if item.target is not None and item.file not in duplicate:
            by_id[item.record_id] = item.target
    return Tables(by_id, all_ids)


def judge(file: str, type_name: str, facts: Facts, table: Tables, as_of: dt.date,
          attachments: Attachments) -> Judged:
    """Passes 2 and 3 for one record (or what could be read of it). Pass 3 runs even when a
    reference is broken, except the rules that read what a reference points at (check_related)."""
    references = tuple(check_outgoing(file, type_name, facts.outgoing, table))
    rules = check_dated(file, type_name, facts.rules, as_of, attachments)
    if not references:
        rules += check_related(file, facts.outgoing, table)
    return Judged(references, tuple(rules))


def cadence_pass(entries: Mapping[str, object], as_of: dt.date) -> list[Finding]:
    """The cadence pass over the cadence entries of the records that passed every other pass.
    Problems' entries (the many) are handed on as they are, the others with their file."""
    items, problems = [], []
    for file, entry in entries.items():
        if type(entry) in PROBLEM_ENTRY:
            problems.append(entry)
        else:
            items.append(Valid(file, entry))
    campaign = next((v for v in items if isinstance(v.record, CampaignEntry)), None)
    return check_cadence(items, campaign, as_of, problems)


def cross_check(interfaces: list[Interface], examined: Callable[[str], Examined], as_of: dt.date,
                attachments: Attachments) -> Cross:
    """Passes 2 and 3 over every file, in file order; `examined(file)` for each file that
    could be read."""
    duplicate = duplicates([(i.file, i.record_id) for i in interfaces if not i.unreadable])
    table = tables(interfaces, duplicate)
    judged: dict[str, Judged] = {}
    valid: list[str] = []
    entries: dict[str, object] = {}
    referenced: set[str] = set()
    for item in interfaces:
        if item.unreadable or item.file in duplicate:
            continue
        e = examined(item.file)
        if e.facts is None:
            continue
        referenced.update(refers_to(e.facts))
        result = judge(item.file, e.type_name, e.facts, table, as_of, attachments)
        if result.references or result.rules:
            judged[item.file] = result
        if not result.references and item.target is not None:
            valid.append(item.file)
            if item.cadence is not None:
                entries[item.file] = item.cadence
    return Cross(duplicate, judged, cadence_pass(entries, as_of), valid, table, entries, referenced)


def refers_to(facts: Facts) -> list[str]:
    """The ids a record refers to (its district too: a street is checked against it)."""
    out = [value for _loc, value, _types in facts.outgoing.refs]
    if facts.outgoing.district:
        out.append(facts.outgoing.district)
    return out


class Source(NamedTuple):
    """A record file as validated: where it is and the hash of the text that was checked."""
    path: str                      # absolute
    type_name: str
    year: str | None               # its year folder
    hash: bytes                    # SHA-1 of its text (engine.workers.text_hash)


@dataclass(frozen=True)
class Checked:
    """The records that passed every pass, and all findings. A check of a would-be tree
    (`validate(…, overlay=…)`) also carries the findings of the tree as it is (`before`)."""
    valid: tuple[Valid, ...]
    findings: tuple[Finding, ...]
    as_of: dt.date
    before: tuple[Finding, ...] | None = None
    sources: Mapping[str, Source] = field(default_factory=dict)   # record file → Source, in file order

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    def new_errors(self) -> list[Finding]:
        """The errors of the would-be tree that the tree as it is does not have. Findings are
        matched by file, code, place in the record and message, not by line: an edit moves
        the lines below it."""
        def key(f: Finding) -> tuple:
            return f.file, f.code, f.path, f.message
        old = Counter(key(f) for f in self.before or () if f.severity == "error")
        out = []
        for f in self.findings:
            if f.severity == "error":
                if old[key(f)]:
                    old[key(f)] -= 1
                else:
                    out.append(f)
        return out

    def old_errors(self) -> list[Finding]:
        """The errors the tree as it is already has (an edit elsewhere is not blocked by them)."""
        return [f for f in self.before or () if f.severity == "error"]


__all__ = ["Attachments", "Checked", "Cross", "Examined", "Facts", "Interface", "Judged", "Source", "Tables",
           "Valid", "cadence_pass", "cross_check", "duplicates", "examine", "id_key", "judge", "refers_to",
           "tables", "unreadable"]
