"""Meetings in their series: the previous and next meeting of the same kind (the scheduling
meetings, one sub-HQ's meetings, one district's), and who owes a statement (表态发言) at each
scheduling meeting.

The article: 根据媒体曝光及当月测评排名靠后的区（市）和存在问题的市级部门主要负责人要在调度会上作表态发言.
Who owes one is decided by `model.mechanism.owed_statements`, the rule the validator warns by
(validate/check/mechanism.py), over the held scheduling meetings of the campaign period; the
meeting pages and the cadence dashboard both read it from here, so a page, a dashboard and a
warning never disagree.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from ..model.mechanism import owed_statements, spans
from ..model.ranking import ranking
from .catalog import Catalog

REASONS = {"low_rank": "测评排名靠后", "media_exposure": "媒体曝光", "problem_department": "存在逾期问题的市级部门"}


def _series(meeting) -> tuple:
    return (meeting.kind, meeting.sub_hq if meeting.kind == "sub_hq" else None,
            meeting.district if meeting.kind == "district" else None)


def campaign_period(catalog: Catalog) -> tuple[dt.date, dt.date]:
    """The days the mechanism's cadences are counted over: the campaign's start (else the first
    problem found) to its end or the data date, whichever is earlier."""
    campaign, as_of = catalog.campaign, catalog.as_of
    if campaign is None:
        return min((p.found for p in catalog.of_type("problem")), default=as_of), as_of
    return campaign.start, min(campaign.end or as_of, as_of)


@dataclass(frozen=True)
class Owing:
    by: str                         # district or unit id
    reason: str                     # Chinese: 测评排名靠后 | 媒体曝光 | 存在逾期问题的市级部门
    basis: str                      # the assessment, the exposures or the overdue problems, in words
    made: bool                      # the meeting records the statement


@dataclass(frozen=True)
class StatementRow:
    """The statements one scheduling meeting owes; `meeting` None: the next one, as of the data date."""
    meeting: object | None
    date: dt.date
    owed: tuple[Owing, ...]

    @property
    def missing(self) -> int:
        return sum(not o.made for o in self.owed)


def statements(catalog: Catalog) -> tuple[StatementRow, ...]:
    """Each held scheduling meeting in the campaign period, newest first; while the campaign runs,
    first of all the next one, owed as of the data date."""
    start, end = campaign_period(catalog)
    t = catalog.thresholds
    held = sorted((m for m in catalog.of_type("meeting") if m.kind == "scheduling" and m.status == "held"
                   and start <= m.date <= end), key=lambda m: (m.date, m.id))
    meetings = [(m.date, frozenset(s.by for s in m.statements)) for m in held] + [(catalog.as_of, frozenset())]
    bottoms = [(a.date, a.title, [r.district for r in ranking(a, t.bottom_n) if r.bottom])
               for a in catalog.of_type("assessment")]
    exposures = [(f.date, i.district) for f in catalog.of_type("media_feedback") for i in f.items
                 if i.supervise and i.district]
    departments = {u.id for u in catalog.of_type("unit") if u.kind == "city_department"}
    overdue = [(p.responsible_unit, spans(p.history, p.deadline)[0]) for p in catalog.of_type("problem")
               if p.responsible_unit in departments]
    rows: dict[int, list[Owing]] = {}
    for o in owed_statements(meetings, bottoms, exposures, overdue, departments,
                             t.statement_exposures, t.statement_overdue):
        basis = {"low_rank": o.basis, "media_exposure": f"被曝光并立项督查 {o.count} 次",
                 "problem_department": f"{o.count} 个问题逾期"}[o.reason]
        rows.setdefault(o.meeting, []).append(Owing(o.by, REASONS[o.reason], basis, o.made))
    out = [StatementRow(m, m.date, tuple(rows.get(i, ()))) for i, m in enumerate(held)]
    if end >= catalog.as_of:             # the campaign still runs: who will owe one next
        out.append(StatementRow(None, catalog.as_of, tuple(rows.get(len(held), ()))))
    return tuple(reversed(out))


def series(catalog: Catalog) -> dict[str, tuple]:
    """Each meeting's (previous, next) meeting of the same series (None where there is none)."""
    found: dict[tuple, list] = defaultdict(list)
    for m in catalog.of_type("meeting"):
        found[_series(m)].append(m)
    around: dict[str, tuple] = {}
    for items in found.values():
        items.sort(key=lambda m: (m.date, m.id))
        for i, m in enumerate(items):
            around[m.id] = (items[i - 1] if i else None, items[i + 1] if i + 1 < len(items) else None)
    return around


def owed(catalog: Catalog, rows: tuple[StatementRow, ...] | None = None) -> dict[str, tuple[Owing, ...]]:
    """The statements each scheduling meeting owes, by its id: a held one what `statements` says,
    the next planned one what is owed as of the data date. Built apart from `series` so that a
    page that shows a meeting's neighbours does not depend on what the statements read (every
    city department's problems; site/incremental.py)."""
    rows = statements(catalog) if rows is None else rows
    out = {row.meeting.id: row.owed for row in rows if row.meeting is not None}
    upcoming = next((row.owed for row in rows if row.meeting is None), ())
    planned = sorted((m for m in catalog.of_type("meeting") if m.kind == "scheduling"
                      and m.status != "held" and m.date >= catalog.as_of), key=lambda m: (m.date, m.id))
    if planned:                          # the next meeting owes what is owed as of the data date
        out[planned[0].id] = upcoming
    return out


class Meetings:
    """What the meeting papers read (papers/), worked out once: the statements owed, in rows
    (`statements`) and by meeting."""

    def __init__(self, catalog: Catalog):
        self.statements = statements(catalog)
        self._owed = owed(catalog, self.statements)

    def expected(self, meeting) -> tuple[Owing, ...]:
        """The statements this meeting owes (scheduling meetings only)."""
        return self._owed.get(meeting.id, ())
