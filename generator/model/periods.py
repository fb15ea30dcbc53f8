"""Calendar periods the work mechanism counts in: whole weeks (Monday–Sunday) and whole
months inside a date range."""
from __future__ import annotations

import datetime as dt
from typing import Iterator


WEEKDAYS = "一二三四五六日"


def weekday_zh(day: dt.date | int) -> str:
    """周一 … 周日, of a date or of an ISO weekday number (1 = Monday)."""
    number = day.isoweekday() if isinstance(day, dt.date) else day
    return "周" + WEEKDAYS[number - 1]


def whole_weeks(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """Mondays of the weeks that lie wholly between start and end."""
    monday = start + dt.timedelta(days=(7 - start.weekday()) % 7)
    while monday + dt.timedelta(days=6) <= end:
        yield monday
        monday += dt.timedelta(days=7)


def whole_months(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """First days of the months that lie wholly between start and end."""
    first = start if start.day == 1 else (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    while True:
        following = (first + dt.timedelta(days=32)).replace(day=1)
        if following - dt.timedelta(days=1) > end:
            return
        yield first
        first = following
