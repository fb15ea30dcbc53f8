"""Pass 3, across the campaign: the work mechanism's cadence (warnings).

The article fixes it: scheduling meetings every two weeks, each sub-HQ meets weekly, each
inspection group inspects 1–2 times a month, media report every Friday, and districts ranked
low in a month's assessment make a statement at the next scheduling meeting. Only whole
weeks and months inside the campaign period, up to the as-of date, are checked.

The pass reads a handful of fields of a few thousand records; `cadence_entry` keeps just those
per record (same names as on the record), so the validator's cache can hold them for every run.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import ClassVar

from ...findings import Finding, finding
from ...model import Record
from ...model.periods import whole_months, whole_weeks
from ...model.ranking import ranking
from .rules import EARLIEST_START
from .schema import Valid

MAX_YEARS = 10


@dataclass(frozen=True, slots=True)
class CampaignEntry:
    type_name: ClassVar[str] = "campaign"
    start: dt.date
    end: dt.date | None
    bottom_n: int


@dataclass(frozen=True, slots=True)
class MeetingEntry:
    type_name: ClassVar[str] = "meeting"
    kind: str
    title: str
    date: dt.date
    status: str
    sub_hq: str | None
    stated: frozenset[str]            # who made a statement


@dataclass(frozen=True, slots=True)
class NumberedEntry:                  # a sub-HQ or an inspection group
    type_name: str
    id: str
    name: str
    number: int


@dataclass(frozen=True, slots=True)
class DatedEntry:                     # an inspection (with its group) or a media feedback
    type_name: str
    date: dt.date
    group: str | None = None


@dataclass(frozen=True, slots=True)
class Score:
    district: str
    score: float


@dataclass(frozen=True, slots=True)
class AssessmentEntry:
    type_name: ClassVar[str] = "assessment"
    title: str
    date: dt.date
    scores: tuple[Score, ...]


@dataclass(frozen=True, slots=True)
class DistrictEntry:
    type_name: ClassVar[str] = "district"
    id: str
    name: str


def cadence_entry(record: Record):
    """What this pass needs of a record, or None for the types it does not look at."""
    kind = record.type_name
    if kind == "campaign":
        if record.start < EARLIEST_START or (record.end is not None and record.end < record.start):
            return None           # E-CAMPAIGN-RANGE (rules.py): no period to count in
        return CampaignEntry(record.start, record.end, record.thresholds.bottom_n)
    if kind == "meeting":
        return MeetingEntry(record.kind, record.title, record.date, record.status, record.sub_hq,
                           frozenset(s.by for s in record.statements))
    if kind in ("sub_hq", "inspection_group"):
        return NumberedEntry(kind, record.id, record.name, record.number)
    if kind == "inspection":
        return DatedEntry(kind, record.date, record.group)
    if kind == "media_feedback":
        return DatedEntry(kind, record.date)
    if kind == "assessment":
        return AssessmentEntry(record.title, record.date,
                              tuple(Score(s.district, s.score) for s in record.scores))
    if kind == "district":
        return DistrictEntry(record.id, record.name)
    return None


def _by_type(valid: list[Valid]) -> dict[str, list[Valid]]:
    out: dict[str, list[Valid]] = defaultdict(list)
    for item in valid:
        out[item.record.type_name].append(item)
    return out


def check_cadence(valid: list[Valid], campaign: Valid | None, as_of: dt.date) -> list[Finding]:
    """`valid`: the records that passed every earlier pass, each as (file, its `cadence_entry`)."""
    if campaign is None:
        return []
    start = campaign.record.start
    end = min(campaign.record.end or as_of, as_of)
    here = campaign.file
    if (end - start).days > MAX_YEARS * 366:
        return [finding("E-CAMPAIGN-RANGE", here, ("start",),
                        detail=f"从 {start} 到 {end} 超过 {MAX_YEARS} 年，按频次检查会有成千上万条警告")]
    types = _by_type(valid)
    held = [m for m in types["meeting"] if m.record.status == "held" and start <= m.record.date <= end]
    out: list[Finding] = []

    scheduling = sorted((m for m in held if m.record.kind == "scheduling"), key=lambda m: m.record.date)
    previous_date, previous_file = start, here
    for meeting in scheduling + [None]:
        date = meeting.record.date if meeting else end
        if (date - previous_date).days > 14:
            out.append(finding("W-CADENCE-SCHEDULING", meeting.file if meeting else previous_file,
                               ("date",) if meeting else (), days=(date - previous_date).days,
                               start=previous_date, end=date))
        if meeting:
            previous_date, previous_file = date, meeting.file

    weeks_met = {(m.record.sub_hq, m.record.date - dt.timedelta(days=m.record.date.weekday()))
                 for m in held if m.record.kind == "sub_hq"}
    for sub_hq in sorted(types["sub_hq"], key=lambda s: s.record.number):
        for monday in whole_weeks(start, end):
            if (sub_hq.record.id, monday) not in weeks_met:
                out.append(finding("W-CADENCE-SUBHQ", sub_hq.file, ("id",), sub_hq=sub_hq.record.name,
                                   week=f"{monday} 至 {monday + dt.timedelta(days=6)}"))

    per_month = Counter((i.record.group, i.record.date.replace(day=1)) for i in types["inspection"])
    for group in sorted(types["inspection_group"], key=lambda g: g.record.number):
        for first in whole_months(start, end):
            count = per_month[(group.record.id, first)]
            if count == 0 or count > 2:
                out.append(finding("W-CADENCE-INSPECTION", group.file, ("id",), group=group.record.name,
                                   month=f"{first.year}年{first.month}月", count=count))

    weeks_reported = {f.record.date - dt.timedelta(days=f.record.date.weekday())
                      for f in types["media_feedback"]}
    for monday in whole_weeks(start, end):
        if monday not in weeks_reported:
            out.append(finding("W-CADENCE-MEDIA", here, (), friday=monday + dt.timedelta(days=4)))

    bottom_n = campaign.record.bottom_n
    names = {d.record.id: d.record.name for d in types["district"]}
    for assessment in types["assessment"]:
        bottom = [row.district for row in ranking(assessment.record, bottom_n) if row.bottom]
        following = next((m for m in scheduling if m.record.date > assessment.record.date), None)
        if following is None:
            continue
        stated = following.record.stated
        for district in bottom:
            if district not in stated:
                out.append(finding("W-STATEMENT-MISSING", following.file, ("statements",),
                                   district=names.get(district, district),
                                   assessment=assessment.record.title, meeting=following.record.title))
    return out
