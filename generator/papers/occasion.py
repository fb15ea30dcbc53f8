"""Which scheduling meeting (总指挥部工作调度会) the pack is for, and the period it reports on.

Without a meeting named, the pack is for the next scheduling meeting on or after the data date:
the first one recorded (usually `status: planned`); when none is recorded yet, the one the
cadence expects (the last held meeting plus `cadence.scheduling_days`, not before the data date).
The period reported on (本期) runs from the day after the previous held scheduling meeting to
the data date; "change since the last meeting" compares with the end of that meeting's day.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..catalog.catalog import Catalog
from ..catalog.meetings import Meetings, Owing, campaign_period


class UnknownMeeting(ValueError):
    """The meeting named is not a scheduling meeting of the records (a usage error)."""


@dataclass(frozen=True)
class Occasion:
    meeting: object | None          # the meeting record; None: the next one, not yet recorded
    date: dt.date                   # the meeting's date (expected, when not recorded)
    title: str                      # e.g. 总指挥部第5次工作调度会
    previous: object | None         # the last held scheduling meeting before it
    since: dt.date                  # the period reported on: since (exclusive) …
    until: dt.date                  # … until the data date (inclusive)

    @property
    def recorded(self) -> bool:
        return self.meeting is not None


def _scheduling(catalog: Catalog) -> list:
    return sorted((m for m in catalog.of_type("meeting") if m.kind == "scheduling"), key=lambda m: (m.date, m.id))


def _previous(catalog: Catalog, before: dt.date, exclude: str | None = None):
    """The last held scheduling meeting before `before` and not after the data date."""
    held = [m for m in _scheduling(catalog) if m.status == "held" and m.date < before
            and m.date <= catalog.as_of and m.id != exclude]
    return held[-1] if held else None


def _occasion(catalog: Catalog, meeting, date: dt.date, title: str) -> Occasion:
    previous = _previous(catalog, date, meeting.id if meeting is not None else None)
    since = previous.date if previous is not None else campaign_period(catalog)[0] - dt.timedelta(days=1)
    return Occasion(meeting, date, title, previous, since, catalog.as_of)


def next_occasion(catalog: Catalog) -> Occasion:
    """The next scheduling meeting on or after the data date, recorded or expected by the cadence."""
    upcoming = [m for m in _scheduling(catalog) if m.date >= catalog.as_of and m.status != "held"]
    if upcoming:
        return _occasion(catalog, upcoming[0], upcoming[0].date, upcoming[0].title)
    last = _previous(catalog, catalog.as_of + dt.timedelta(days=1))
    expected = max(catalog.as_of, last.date + dt.timedelta(days=catalog.cadence.scheduling_days)) if last else catalog.as_of
    return _occasion(catalog, None, expected, "下次总指挥部工作调度会")


def occasion(catalog: Catalog, meeting_id: str | None) -> Occasion:
    """The occasion of `meeting_id` (a scheduling meeting of the records), or the next one."""
    if meeting_id is None:
        return next_occasion(catalog)
    meeting = catalog.get(meeting_id)
    if meeting is None or meeting.type_name != "meeting":
        known = [m.id for m in _scheduling(catalog)][-5:]
        raise UnknownMeeting(f"没有编号为 {meeting_id} 的会议记录。提示：最近的调度会是 {'、'.join(known) or '（无）'}；"
                             "不写 --meeting 即为 --as-of 之后的下一次调度会。")
    if meeting.kind != "scheduling":
        raise UnknownMeeting(f"{meeting_id}（{meeting.title}）不是总指挥部工作调度会，会议材料只为调度会准备。"
                             "提示：不写 --meeting 即为 --as-of 之后的下一次调度会。")
    return _occasion(catalog, meeting, meeting.date, meeting.title)


def owed(meetings: Meetings, occ: Occasion) -> tuple[tuple[Owing, ...], bool]:
    """Who owes a statement at the occasion, and whether the meeting was held (then each row
    says whether the statement was made). A held meeting owes what the catalog worked out for
    it; a meeting still to come owes what is owed as of the data date (catalog/meetings.py)."""
    if occ.meeting is not None and occ.meeting.status == "held":
        return meetings.expected(occ.meeting), True
    upcoming = next((row.owed for row in meetings.statements if row.meeting is None), ())
    return upcoming, False
