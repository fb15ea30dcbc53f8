"""Pass 2: every reference resolves to a record of a type it may name.

Split in two so the validator's cache can keep the first half per file: `outgoing` and
`target` read one record alone (what it names; what a record naming it needs to know), and
`check_outgoing` judges one record's references against the table of all records' targets.

`check_related` (run with pass 3, once the references hold) judges what a record says against
what the records it names say: a problem is not found before the record it came from, and in a
district that record covers; a scheduling meeting heard the reports the article lists.
"""
from __future__ import annotations

import datetime as dt
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
    and street ids that a problem's or patrol's `street` is checked against; for a record a
    problem may come from, its date and the districts it covers (None: any), for a patrol
    group the district it is stationed in."""
    type_name: str
    name: str | None = None
    streets: frozenset[str] | None = None
    date: dt.date | None = None
    districts: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Outgoing:
    """The references one record makes, in the order they are checked, and what
    `check_related` compares with the records they name."""
    refs: tuple[tuple[Loc, str, tuple[str, ...]], ...]    # (where, id, types it may name)
    street: str | None = None
    district: str | None = None
    group: str | None = None            # patrol log: its work group
    found: dt.date | None = None        # problem: found date (compared with its source_ref)
    heard: tuple[str, ...] | None = None  # held scheduling meeting: who reported
    footage: bool = False               # … and whether it played undercover footage


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
    kind = record.type_name
    if kind == "district":
        return Target("district", record.name, frozenset(s.id for s in record.streets))
    if kind == "patrol_group":
        return Target(kind, record.name, districts=frozenset((record.district,)))
    if kind in _SOURCE_DISTRICTS:
        date = record.date
        if kind == "assessment":        # found during the month assessed, published later
            date = dt.date(int(record.period[:4]), int(record.period[5:7]), 1)
        return Target(kind, date=date, districts=_SOURCE_DISTRICTS[kind](record))
    return _PLAIN[record.type_name]


def _feedback_districts(record) -> frozenset[str] | None:
    named = [item.district for item in record.items]
    return frozenset(named) if named and all(named) else None


# The districts a record a problem comes from covers (None: it does not say).
_SOURCE_DISTRICTS = {
    "inspection": lambda r: frozenset(r.districts),
    "assessment": lambda r: frozenset(s.district for s in r.scores),
    "media_feedback": _feedback_districts,
    "patrol_log": lambda r: frozenset((r.district,)),
    "self_inspection": lambda r: frozenset((r.by,)),      # a district, or a unit (then no check)
    "meeting": lambda r: frozenset((r.district,)) if r.district else None,
}


# One shared object per type: a pickle of 100,000 problems' targets then holds one.
_PLAIN = {name: Target(name) for name in RECORD_TYPES}


def outgoing(record: Record) -> Outgoing:
    refs = [(shared(loc), sys.intern(value), types) for loc, value, types in iter_refs(record)]
    if record.type_name == "problem" and record.source_ref:
        types = SOURCE_REF_TYPES.get(record.source) or ("inspection", "media_feedback", "patrol_log")
        refs.append((shared(("source_ref",)), sys.intern(record.source_ref), types))
    kind = record.type_name
    heard = None
    if kind == "meeting" and record.kind == "scheduling" and record.status == "held":
        heard = tuple(sys.intern(r.by) for r in record.reports_heard)
    return Outgoing(tuple(refs), getattr(record, "street", None), getattr(record, "district", None),
                    record.group if kind == "patrol_log" else None,
                    record.found if kind == "problem" and record.source_ref else None, heard,
                    bool(heard is not None and record.footage_played))


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
    group = tables.by_id.get(out.group or "")
    if group is not None and group.type_name == "patrol_group" and out.district not in group.districts:
        home = next(iter(group.districts))
        home_target = tables.by_id.get(home)
        findings.append(finding("E-PATROL-DISTRICT", file, ("district",), value=out.district,
                                group=group.name, home=home_target.name if home_target and home_target.name else home))
    return findings


_HEARD = (("sub_hq",), "听取各指挥部工作推进汇报（reports_heard 中没有分指挥部）"), \
         (("inspection_group", "assessor", "hq"), "听取各督查和测评情况报告（reports_heard 中没有督查组、测评机构或总指挥部办公室）")


def check_related(file: str, out: Outgoing, tables: Tables) -> list[Finding]:
    """What the record says against what the records it names say (their references hold)."""
    findings: list[Finding] = []
    if out.found is not None:
        loc, source_id, _types = out.refs[-1]           # outgoing() puts source_ref last
        source = tables.by_id.get(source_id)
        if source is not None and source.date is not None and out.found < source.date:
            findings.append(finding("E-SOURCE-DATE", file, ("found",), found=out.found, source=source_id,
                                    source_date=source.date, days=(source.date - out.found).days))
        if source is not None and source.districts is not None and out.district not in source.districts:
            covered = sorted(d for d in source.districts if (tables.by_id.get(d) or _NONE).type_name == "district")
            if covered:
                findings.append(finding("W-SOURCE-DISTRICT", file, ("district",), value=out.district,
                                        source=source_id, districts="、".join(covered)))
    if out.heard is not None:
        kinds = {(tables.by_id.get(by) or _NONE).type_name for by in out.heard}
        missing = [text for types, text in _HEARD if not kinds.intersection(types)]
        if not out.footage:
            missing.append("播放媒体暗访素材（footage_played 为空）")
        if missing:
            findings.append(finding("W-MEETING-CONTENT", file, ("reports_heard",), missing="；".join(missing)))
    return findings


_NONE = Target("")
