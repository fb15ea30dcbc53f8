"""The rectification lifecycle of a problem (督查督办 chain) and what is derived from it.

States are stored as history events; "overdue" and the traffic light are derived from the
deadline (moved by extensions) and the as-of date, never stored.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

STATE_LABELS = {
    "registered": "立项",
    "assigned": "交办",
    "acknowledged": "签收",
    "rectifying": "整改中",
    "extended": "延期",
    "reported": "已反馈",
    "returned": "退回重办",
    "verified": "复核通过",
    "closed": "销号",
}

START = "registered"        # every history begins here

# state → states that may follow it
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "registered": ("assigned",),
    "assigned": ("acknowledged", "extended"),
    "acknowledged": ("rectifying", "extended", "reported"),
    "rectifying": ("reported", "extended"),
    "extended": ("rectifying", "reported", "extended"),
    "reported": ("verified", "returned"),
    "returned": ("rectifying", "reported", "extended"),
    "verified": ("closed",),
    "closed": (),
}



@dataclass(frozen=True, slots=True)
class EventRule:
    """What an event entering a state must carry, beyond a date and the state."""
    requires: tuple[str, ...] = ()      # event fields that must be filled in
    moves_deadline: str | None = None   # this field becomes the deadline in force, and must be later
    needs_evidence: bool = False        # evidence on this event or an earlier one


# What each event requires. Who may approve an extension is the type of `approved_by`
# (model/problem.py: an hq or sub_hq record). Evidence: a problem is closed (销号) only once
# some event of its history up to and including the closing one lists evidence: usually the
# 已反馈 event, else the 销号 event itself (so a problem verified without evidence can still be
# closed, with the photo, through `transition … closed --evidence …` or the form).
EVENT_RULES: dict[str, EventRule] = {
    "extended": EventRule(requires=("reason", "new_deadline", "approved_by"), moves_deadline="new_deadline"),
    "closed": EventRule(needs_evidence=True),
}

# The responsible unit has done its part once it has reported; a deadline no longer runs.
UNIT_DONE = frozenset({"reported", "verified", "closed"})
OPEN = frozenset(STATE_LABELS) - {"closed"}

LIGHT_LABELS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "done": "已完成"}


@dataclass(frozen=True, slots=True)
class Status:
    """Where a problem stands as of a date."""
    state: str
    deadline: dt.date          # the deadline in force, after extensions
    light: str                 # red | yellow | green | done
    overdue_days: int          # > 0 only when red

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def light_label(self) -> str:
        return LIGHT_LABELS[self.light]


def status(history, deadline: dt.date, as_of: dt.date, yellow_days: int = 3) -> Status:
    """Derive state, deadline in force and light from a problem's history (events in order)."""
    state = history[-1].state if history else "registered"
    for event in history:
        rule = EVENT_RULES.get(event.state)
        if rule is not None and rule.moves_deadline and getattr(event, rule.moves_deadline):
            deadline = getattr(event, rule.moves_deadline)
    return light(state, deadline, as_of, yellow_days)


def light(state: str, deadline: dt.date, as_of: dt.date, yellow_days: int = 3) -> Status:
    """The light of a problem in `state` with `deadline` in force (the validator keeps only
    these two per problem, so that a later as-of date needs no other field)."""
    if state in UNIT_DONE:
        return Status(state, deadline, "done", 0)
    days_left = (deadline - as_of).days
    if days_left < 0:
        return Status(state, deadline, "red", -days_left)
    colour = "yellow" if days_left <= yellow_days else "green"
    return Status(state, deadline, colour, 0)


def status_on(history, deadline: dt.date, day: dt.date, yellow_days: int = 3) -> Status | None:
    """Where a problem stood at the end of `day` (None if not yet registered then)."""
    past = [e for e in history if e.date <= day]
    return status(past, deadline, day, yellow_days) if past else None
