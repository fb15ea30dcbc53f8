"""Rules of the work mechanism that the validator (on its small per-record entries) and the
dashboards (on the records) both apply, so the two always agree:

- when a problem stood overdue (红灯) or sent back (退回重办): `spans`, `on`;
- who owes a statement (表态发言) at a scheduling meeting: `owed_statements`. The article:
  “根据媒体曝光及当月测评排名靠后的区（市）和存在问题的市级部门主要负责人要在会议上作表态发言”.
"""
from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterable

from .lifecycle import UNIT_DONE

ONE_DAY = dt.timedelta(days=1)

# Days from `first` to the day before `end` (None: still running at any later date).
Span = tuple[dt.date, "dt.date | None"]
NO_SPANS: tuple = ()


def spans(history, deadline: dt.date) -> tuple[tuple[Span, ...], tuple[Span, ...]]:
    """(overdue, returned): the days at whose end the problem was red, as `status_on` has it
    (not yet reported and past the deadline in force), and the days it stood 退回重办.
    `history` in order; events on one day count as of the last of them."""
    overdue: list[list] = []
    returned: list[list] = []
    for i, event in enumerate(history):
        if event.state == "extended" and event.new_deadline:
            deadline = event.new_deadline
        end = history[i + 1].date if i + 1 < len(history) else None
        if end is not None and end <= event.date:
            continue                    # superseded on the same day (or out of order: an error)
        if event.state not in UNIT_DONE:
            _add(overdue, max(event.date, deadline + ONE_DAY), end)
        if event.state == "returned":
            _add(returned, event.date, end)
    return _frozen(overdue), _frozen(returned)


def _add(out: list[list], start: dt.date, end: dt.date | None) -> None:
    if end is not None and end <= start:
        return
    if out and out[-1][1] == start:     # continues the last span
        out[-1][1] = end
    else:
        out.append([start, end])


def _frozen(items: list[list]) -> tuple[Span, ...]:
    return tuple((_day(a), _day(b)) for a, b in items) if items else NO_SPANS


_DAYS: dict = {}


def _day(day: dt.date | None) -> dt.date | None:
    """One object per day, so that spans kept for 100,000 problems pickle each day once."""
    return _DAYS.setdefault(day, day) if day is not None else None


def on(periods: tuple[Span, ...], day: dt.date) -> bool:
    """Whether `day` lies in one of the spans."""
    return any(start <= day and (end is None or day < end) for start, end in periods)


@dataclass(frozen=True, slots=True)
class Owed:
    """A statement the article asks for at one scheduling meeting."""
    meeting: int                 # index into the meetings given
    by: str                      # district or unit id
    reason: str                  # low_rank | media_exposure | problem_department
    basis: str                   # the assessment's title (low_rank), else ""
    count: int                   # exposures or overdue problems (0 for low_rank)
    made: bool                   # the meeting records a statement by `by`


def owed_statements(meetings: list[tuple[dt.date, frozenset[str]]],
                    bottoms: Iterable[tuple[dt.date, str, Iterable[str]]],
                    exposures: Iterable[tuple[dt.date, str]],
                    overdue: Iterable[tuple[str, tuple[Span, ...]]],
                    departments: set[str], min_exposures: int, min_overdue: int) -> list[Owed]:
    """Who owes a statement at each held scheduling meeting, in meeting order.

    - `meetings`: (date, who made a statement), sorted by date;
    - `bottoms`: (date, title, districts) of each assessment's last-ranked: they speak at the
      first meeting after the assessment's date;
    - `exposures`: (date, district) of each media item put under supervision: a district with
      `min_exposures` of them since the previous meeting (on or after its date, before this
      one's) speaks;
    - `overdue`: (responsible unit, overdue spans) per problem; a city department
      (`departments`) with `min_overdue` problems overdue on the meeting's day speaks.

    Linear in the inputs (plus departments × meetings): a bisection per assessment, exposure
    and span, and running sums per department."""
    dates = [d for d, _ in meetings]
    n = len(dates)
    owed: dict[tuple[int, str], Owed] = {}

    def owe(i: int, by: str, reason: str, basis: str = "", count: int = 0) -> None:
        if 0 <= i < n and (i, by) not in owed:
            owed[(i, by)] = Owed(i, by, reason, basis, count, by in meetings[i][1])

    for date, title, districts in bottoms:
        i = bisect_right(dates, date)
        for district in districts:
            owe(i, district, "low_rank", title)
    exposed: Counter = Counter()
    for date, district in exposures:
        exposed[(bisect_right(dates, date), district)] += 1
    for (i, district), count in sorted(exposed.items()):
        if count >= min_exposures:
            owe(i, district, "media_exposure", count=count)
    change: dict[str, list[int]] = defaultdict(lambda: [0] * (n + 1))
    for unit, periods in overdue:
        if unit not in departments:
            continue
        for start, end in periods:
            first = bisect_left(dates, start)
            last = n if end is None else bisect_left(dates, end)
            if first < last:
                change[unit][first] += 1
                change[unit][last] -= 1
    for unit in sorted(change):
        running = 0
        for i in range(n):
            running += change[unit][i]
            if running >= min_overdue:
                owe(i, unit, "problem_department", count=running)
    return sorted(owed.values(), key=lambda o: (o.meeting, o.by))
