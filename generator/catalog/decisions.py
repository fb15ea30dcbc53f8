"""Meeting decisions (议定事项) followed up as of a date.

A decision is agreed at a meeting, owned by a unit, district, sub-HQ or the HQ, and due by a
deadline; its state (未启动, 推进中, 已完成) is recorded in the meeting. Whether it is late is
derived here, the way a problem's light is (model/lifecycle.py): done → done; not done and past
its deadline → red, with the days overdue; due within the campaign's `yellow_days` → yellow;
else green. Dashboards, organisation pages and meeting pages all read it from here.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..model import Record
from ..model.lifecycle import LIGHT_LABELS
from ..model.work import ITEM_STATES
from .catalog import Catalog


@dataclass(frozen=True, slots=True)
class FollowUp:
    """One decision of a meeting, where it stands as of the catalog's date."""
    meeting: Record                 # the meeting it came from
    number: int                     # its place among the meeting's decisions, from 1
    text: str
    owner: str
    deadline: dt.date
    state: str                      # open | in_progress | done
    done_date: dt.date | None
    light: str                      # red | yellow | green | done
    overdue_days: int               # > 0 only when red

    @property
    def state_label(self) -> str:
        return ITEM_STATES[self.state]

    @property
    def light_label(self) -> str:
        return LIGHT_LABELS[self.light]


def _follow_up(meeting, number: int, decision, as_of: dt.date, yellow_days: int) -> FollowUp:
    light, overdue = "done", 0
    if decision.state != "done":
        days_left = (decision.deadline - as_of).days
        light = "red" if days_left < 0 else "yellow" if days_left <= yellow_days else "green"
        overdue = max(0, -days_left)
    return FollowUp(meeting, number, decision.text, decision.owner, decision.deadline, decision.state,
                    decision.done_date, light, overdue)


def _order(item: FollowUp):
    """Most overdue first, then by deadline, meeting and place."""
    return (-item.overdue_days, item.deadline, item.meeting.date, item.meeting.id, item.number)


def follow_ups(catalog: Catalog) -> tuple[FollowUp, ...]:
    """Every decision of every meeting in the catalog, most overdue first."""
    yellow = catalog.thresholds.yellow_days
    return tuple(sorted((_follow_up(m, i, d, catalog.as_of, yellow) for m in catalog.of_type("meeting")
                         for i, d in enumerate(m.decisions, 1)), key=_order))


def of_meeting(catalog: Catalog, meeting) -> tuple[FollowUp, ...]:
    """A meeting's decisions in the order it agreed them."""
    yellow = catalog.thresholds.yellow_days
    return tuple(_follow_up(meeting, i, d, catalog.as_of, yellow) for i, d in enumerate(meeting.decisions, 1))


def owned_by(catalog: Catalog, owner_id: str) -> tuple[FollowUp, ...]:
    """The decisions `owner_id` owns: not yet done first (most overdue first), then the done
    ones, latest deadline first."""
    yellow = catalog.thresholds.yellow_days
    items = [_follow_up(m, i, d, catalog.as_of, yellow) for m in catalog.referring(owner_id, "meeting", "decisions")
             for i, d in enumerate(m.decisions, 1) if d.owner == owner_id]
    pending = sorted((f for f in items if f.state != "done"), key=_order)
    done = sorted((f for f in items if f.state == "done"), key=lambda f: (f.deadline, f.meeting.id, f.number),
                  reverse=True)
    return tuple(pending + done)


@dataclass(frozen=True)
class DecisionTally:
    """How an owner's (or all) decisions stand: total = done + in_progress + not_started; late
    and due_soon count the undone ones past or near their deadline."""
    owner: str
    name: str
    total: int
    done: int
    in_progress: int
    not_started: int
    late: int
    due_soon: int


def tally(owner: str, name: str, items) -> DecisionTally:
    items = list(items)
    return DecisionTally(owner, name, len(items), sum(f.state == "done" for f in items),
                         sum(f.state == "in_progress" for f in items), sum(f.state == "open" for f in items),
                         sum(f.light == "red" for f in items), sum(f.light == "yellow" for f in items))
