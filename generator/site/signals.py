"""The dashboards' signals from the article's rules (issue 16): statements owed at scheduling
meetings (the cadence dashboard), task milestones past due and important matters reported to the
HQ (the internal urging dashboard). Computed from the view, with the rules the validator applies
(`model.mechanism`), so a page and a warning never disagree."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..catalog.catalog import Catalog
from ..model.mechanism import owed_statements, spans
from ..model.ranking import ranking

REASONS = {"low_rank": "测评排名靠后", "media_exposure": "媒体曝光", "problem_department": "存在逾期问题的市级部门"}


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


@dataclass(frozen=True)
class LateMilestone:
    task: object
    title: str
    due: dt.date
    days: int                       # past due, as of the data date


@dataclass(frozen=True)
class MatterRow:
    matter: object                  # the major_matter record
    status: str                     # 按时上报 | 逾期上报 | 尚未上报（逾期）| 尚未上报
    days: int                       # found → reported (or → the data date)
    late: bool


def statements(catalog: Catalog, start: dt.date, end: dt.date) -> tuple[StatementRow, ...]:
    """Each held scheduling meeting in the campaign period, newest first; while the campaign runs,
    first of all the next one, owed as of the data date."""
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


def late_milestones(catalog: Catalog) -> tuple[LateMilestone, ...]:
    """Milestones not done and past due (推进创建任务按序时落实), longest overdue first."""
    out = [LateMilestone(t, s.title, s.due, (catalog.as_of - s.due).days)
           for t in catalog.of_type("task") for s in t.milestones if s.state != "done" and s.due < catalog.as_of]
    return tuple(sorted(out, key=lambda m: (-m.days, m.task.id, m.title)))


def matters(catalog: Catalog) -> tuple[MatterRow, ...]:
    """Important matters and major problems, newest first, with whether they were reported in time."""
    limit = catalog.thresholds.major_report_days
    out = []
    for b in catalog.of_type("major_matter"):
        if b.reported is None:
            days = (catalog.as_of - b.found).days
            out.append(MatterRow(b, "尚未上报（逾期）" if days > limit else "尚未上报", days, days > limit))
        else:
            days = (b.reported - b.found).days
            out.append(MatterRow(b, "逾期上报" if days > limit else "按时上报", days, days > limit))
    return tuple(sorted(out, key=lambda r: (r.matter.found, r.matter.id), reverse=True))


__all__ = ["LateMilestone", "MatterRow", "Owing", "StatementRow", "late_milestones", "matters", "statements"]
