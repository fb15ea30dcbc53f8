"""The catalog: valid records → one catalog with references resolved both ways and each
problem's state derived as of a date.

Everything here is computed in one pass over the records (plus a pass over their
references), so building it stays linear in the number of records.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from ..model import Record
from ..model.fields import iter_refs
from ..model.lifecycle import STATE_LABELS, Status, status
from ..model.org import Cadence, Thresholds
from ..model.ranking import RankRow, ranking


@dataclass(frozen=True)
class Catalog:
    as_of: dt.date
    audience: str                                   # "internal" or "public"
    records: dict[str, Record]                      # id → record, in file order
    files: dict[str, str]                           # id → file under records/
    by_type: dict[str, tuple[Record, ...]]
    status: dict[str, Status]                       # problem id → status as of `as_of`
    # (target id, referring type, field) → ids of the records that refer to it
    referrers: dict[tuple[str, str, str], tuple[str, ...]] = field(repr=False)
    # id → (target id, top-level field) of each reference it makes, first use, in order
    outgoing: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict, repr=False)

    @property
    def campaign(self):
        found = self.by_type.get("campaign", ())
        return found[0] if found else None

    @property
    def thresholds(self) -> Thresholds:
        """The campaign's lights and list sizes, or the defaults when there is no campaign record."""
        return self.campaign.thresholds if self.campaign else Thresholds()

    @property
    def cadence(self) -> Cadence:
        """The campaign's cadence settings, or the defaults (the article's) without a campaign record."""
        return self.campaign.cadence if self.campaign else Cadence()

    def of_type(self, type_name: str) -> tuple[Record, ...]:
        return self.by_type.get(type_name, ())

    def get(self, record_id: str | None) -> Record | None:
        return self.records.get(record_id) if record_id else None

    def referring(self, target_id: str, type_name: str, field_name: str) -> list[Record]:
        """Records of `type_name` whose `field_name` (top-level) names `target_id`."""
        return [self.records[i] for i in self.referrers.get((target_id, type_name, field_name), ())]


def build_catalog(records: list[tuple[str, Record]], as_of: dt.date, audience: str) -> Catalog:
    """(file, record) in file order → the catalog of `audience`'s records as of `as_of`."""
    by_id: dict[str, Record] = {}
    files: dict[str, str] = {}
    by_type: dict[str, list[Record]] = defaultdict(list)
    for file, record in records:
        by_id[record.id] = record
        files[record.id] = file
        by_type[record.type_name].append(record)
    campaign = by_type.get("campaign")
    yellow_days = (campaign[0].thresholds if campaign else Thresholds()).yellow_days
    statuses = {p.id: status(p.history, p.deadline, as_of, yellow_days) for p in by_type.get("problem", ())}
    referrers: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    outgoing: dict[str, tuple[tuple[str, str], ...]] = {}
    for record in by_id.values():
        seen: dict[tuple[str, str], None] = {}
        for loc, value, _types in iter_refs(record):
            seen.setdefault((value, str(loc[0])), None)
        outgoing[record.id] = tuple(seen)
        kind = record.type_name
        for value, name in seen:
            if value in by_id:
                referrers[(value, kind, name)].append(record.id)
    return Catalog(as_of=as_of, audience=audience, records=by_id, files=files,
                   by_type={k: tuple(v) for k, v in by_type.items()}, status=statuses,
                   referrers={k: tuple(v) for k, v in referrers.items()}, outgoing=outgoing)


@dataclass(frozen=True)
class Summary:
    """The campaign at a glance, as of the catalog's date."""
    total: int
    by_state: dict[str, int]
    by_light: dict[str, int]
    closed: int
    open: int
    closed_rate: float | None                   # percent of problems closed
    recently_closed: tuple                      # (problem, close date), newest first
    due_soon: tuple                             # yellow problems, earliest deadline first
    overdue: tuple                              # red problems, most overdue first
    upcoming_meetings: tuple                    # planned meetings, soonest first
    recent_meetings: tuple                      # held meetings, newest first


def summarize(catalog: Catalog, limit: int = 10) -> Summary:
    problems = catalog.of_type("problem")
    by_state: dict[str, int] = defaultdict(int)
    by_light: dict[str, int] = defaultdict(int)
    closed_on, due, late = [], [], []
    for p in problems:
        st = catalog.status[p.id]
        by_state[st.state] += 1
        by_light[st.light] += 1
        if st.state == "closed":
            closed_on.append((p, p.history[-1].date))
        elif st.light == "yellow":
            due.append(p)
        elif st.light == "red":
            late.append(p)
    closed = by_state.get("closed", 0)
    meetings = catalog.of_type("meeting")
    return Summary(
        total=len(problems), by_state={s: by_state[s] for s in STATE_LABELS if by_state.get(s)},
        by_light=dict(by_light), closed=closed,
        open=len(problems) - closed,
        closed_rate=round(100 * closed / len(problems), 1) if problems else None,
        recently_closed=tuple(sorted(closed_on, key=lambda pc: (pc[1], pc[0].id), reverse=True)[:limit]),
        due_soon=tuple(sorted(due, key=lambda p: (catalog.status[p.id].deadline, p.id))[:limit]),
        overdue=tuple(sorted(late, key=lambda p: (-catalog.status[p.id].overdue_days, p.id))),
        upcoming_meetings=tuple(sorted((m for m in meetings if m.status == "planned"),
                                       key=lambda m: (m.date, m.id))[:limit]),
        recent_meetings=tuple(sorted((m for m in meetings if m.status == "held"),
                                     key=lambda m: (m.date, m.id), reverse=True)[:limit]))


def assessment_rankings(catalog: Catalog) -> tuple[tuple[object, tuple[RankRow, ...]], ...]:
    """Every assessment with its ranking, oldest first."""
    bottom_n = catalog.thresholds.bottom_n
    return tuple((a, ranking(a, bottom_n))
                 for a in sorted(catalog.of_type("assessment"), key=lambda a: (a.date, a.id)))


@dataclass(frozen=True)
class Counts:
    total: int
    open: int
    red: int


_PROBLEM_FIELD = {"district": "district", "sub_hq": "sub_hq", "unit": "responsible_unit"}


def problem_counts(catalog: Catalog, record) -> Counts:
    """Problems that name `record` as their district, sub-HQ or responsible unit; for an
    inspection group, the problems its inspections found."""
    if record.type_name == "inspection_group":
        problems = [catalog.records[f.problem] for i in catalog.referring(record.id, "inspection", "group")
                    for f in i.findings if f.problem in catalog.records]
    else:
        problems = catalog.referring(record.id, "problem", _PROBLEM_FIELD[record.type_name])
    statuses = [catalog.status[p.id] for p in problems]
    return Counts(len(problems), sum(s.state != "closed" for s in statuses),
                  sum(s.light == "red" for s in statuses))
