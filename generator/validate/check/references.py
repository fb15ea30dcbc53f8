"""Pass 2: every reference resolves to a record of a type it may name.

Split in two so the validator's cache can keep the first half per file: `outgoing` and
`target` read one record alone (what it names; what a record naming it needs to know), and
`check_outgoing` judges one record's references against the table of all records' targets.
"""
from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass
from typing import NamedTuple

from ...findings import Finding, Loc, finding
from ...model import RECORD_TYPES, Record
from ...model.fields import field_label, iter_refs
from ...model.problem import SOURCE_REF_TYPES


class Target(NamedTuple):
    """What a reference to this record can see of it: its type, and for a district the name
    and street ids that a problem's or patrol's `street` is checked against."""
    type_name: str
    name: str | None = None
    streets: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Outgoing:
    """The references one record makes, in the order they are checked."""
    refs: tuple[tuple[Loc, str, tuple[str, ...]], ...]    # (where, id, types it may name)
    street: str | None = None
    district: str | None = None


class Tables:
    """Every record's id, as the reference pass needs them."""

    def __init__(self, by_id: dict[str, Target], all_ids: set[str]):
        self.by_id = by_id          # records that passed pass 1 (and are no duplicate), by id
        self.all_ids = all_ids      # every id seen, valid or not (no "missing" for a broken one)
        self._by_type: dict[str, list[str]] | None = None

    def ids_of(self, type_name: str) -> list[str]:
        """Valid ids of a type, for "did you mean" (any order: difflib breaks ties by the text)."""
        if self._by_type is None:
            self._by_type = {}
            for record_id, found in self.by_id.items():
                self._by_type.setdefault(found.type_name, []).append(record_id)
        return self._by_type.get(type_name, [])


def target(record: Record) -> Target:
    if record.type_name == "district":
        return Target("district", record.name, frozenset(s.id for s in record.streets))
    return _PLAIN[record.type_name]


# One shared object per type: a pickle of 100,000 problems' targets then holds one.
_PLAIN = {name: Target(name) for name in RECORD_TYPES}


def outgoing(record: Record) -> Outgoing:
    refs = [(shared(loc), sys.intern(value), types) for loc, value, types in iter_refs(record)]
    if record.type_name == "problem" and record.source_ref:
        types = SOURCE_REF_TYPES.get(record.source) or ("inspection", "media_feedback", "patrol_log")
        refs.append((shared(("source_ref",)), sys.intern(record.source_ref), types))
    return Outgoing(tuple(refs), getattr(record, "street", None), getattr(record, "district", None))


_SHARED: dict = {}


def shared(loc: Loc) -> Loc:
    """One object per distinct place (and id, via sys.intern): the facts of 100,000 records
    repeat a few hundred of them, and a pickle then stores each once."""
    return _SHARED.setdefault(loc, loc)


def _labels(types) -> str:
    return "或".join(RECORD_TYPES[t].label for t in types)


def check_outgoing(file: str, type_name: str, out: Outgoing, tables: Tables) -> list[Finding]:
    model = RECORD_TYPES[type_name]
    findings: list[Finding] = []
    for loc, value, types in out.refs:
        found = tables.by_id.get(value)
        if found is None:
            if value in tables.all_ids:
                continue  # the target has errors of its own, reported in its file
            candidates = [i for t in types for i in tables.ids_of(t)]
            close = difflib.get_close_matches(value, candidates, n=1, cutoff=0.6)
            findings.append(finding("E-REF-MISSING", file, loc, field=field_label(model, loc),
                                    value=value, targets=_labels(types),
                                    suggestion=f"，是不是 {close[0]}？" if close else ""))
        elif found.type_name not in types:
            findings.append(finding("E-REF-TYPE", file, loc, field=field_label(model, loc),
                                    value=value, actual=RECORD_TYPES[found.type_name].label,
                                    targets=_labels(types)))
    district = tables.by_id.get(out.district or "")
    if out.street and district is not None and district.type_name == "district":
        if out.street not in district.streets:
            findings.append(finding("E-REF-STREET", file, ("street",), value=out.street,
                                    district=district.name))
    return findings
