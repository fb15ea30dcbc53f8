"""The internal urging dashboard's signals from the article's rules (issue 16): task milestones
past due (推进创建任务按序时落实) and important matters reported to the HQ (及时上报重要事项和重大问题),
computed from the view with the validator's thresholds. Statements owed at scheduling meetings
are the catalog's (catalog/meetings.py)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..catalog.catalog import Catalog


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


__all__ = ["LateMilestone", "MatterRow", "late_milestones", "matters"]
