"""Pass 3, across the campaign: the work mechanism's cadence (warnings), and the other rules of
the article that look across records (mechanism.py).

The article fixes the cadence, and the campaign record's `cadence` settings hold it (Kunming's
values are the defaults): scheduling meetings every two weeks, each sub-HQ meets weekly, each
inspection group goes out to the districts 1–2 times a month, media report every Friday,
districts meet regularly, the retired leaders' groups patrol daily, a third-party assessment
ranks the districts every month. Only whole weeks and months inside the campaign period, up to
the as-of date, are checked.

The pass reads a handful of fields of each record; `entries.cadence_entry` keeps just those per
record, so the validator's cache can hold them for every run. Everything here is linear in the
number of entries (plus bodies × periods).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from ...findings import Finding, finding
from ...model.periods import weekday_zh, whole_months, whole_weeks
from .entries import (AccountabilityEntry, AssessmentEntry, CampaignEntry, DepartmentEntry,
                      DistrictEntry, FeedbackEntry, HqEntry, InspectionEntry, MajorEntry, MeetingEntry,
                      NumberedEntry, PatrolEntry, PatrolGroupEntry, ProblemEntry, SelfInspectionEntry,
                      cadence_entry)
from .mechanism import check_mechanism
from .schema import Valid

MAX_YEARS = 10


def _by_type(valid: list[Valid]) -> dict[str, list[Valid]]:
    out: dict[str, list[Valid]] = defaultdict(list)
    for item in valid:
        out[item.record.type_name].append(item)
    return out


def _gaps(dates_files, start: dt.date, end: dt.date, limit: int, here: str):
    """(file, days, from, to) for each gap longer than `limit` days between `start`, the dates
    (sorted, each with its file) and `end`; a gap is reported at the record that ends it, the
    last one at the record before it (or at `here`)."""
    previous_date, previous_file = start, here
    for date, file in list(dates_files) + [(None, None)]:
        day = date if date is not None else end
        if (day - previous_date).days > limit:
            yield (file if file is not None else previous_file), file is not None, (day - previous_date).days, \
                previous_date, day
        if date is not None:
            previous_date, previous_file = date, file


def check_cadence(valid: list[Valid], campaign: Valid | None, as_of: dt.date,
                  problems: list[ProblemEntry] = ()) -> list[Finding]:
    """`valid`: the records that passed every earlier pass, each as (file, its `cadence_entry`),
    but the problems, whose entries come alone in `problems`."""
    if campaign is None:
        return []
    c: CampaignEntry = campaign.record
    start = c.start
    end = min(c.end or as_of, as_of)
    here = campaign.file
    if (end - start).days > MAX_YEARS * 366:
        return [finding("E-CAMPAIGN-RANGE", here, ("start",),
                        detail=f"从 {start} 到 {end} 超过 {MAX_YEARS} 年，按频次检查会有成千上万条警告")]
    types = _by_type(valid)
    held = [m for m in types["meeting"] if m.record.status == "held" and start <= m.record.date <= end]
    out: list[Finding] = []

    scheduling = sorted((m for m in held if m.record.kind == "scheduling"), key=lambda m: m.record.date)
    for file, at_record, days, first, last in _gaps(((m.record.date, m.file) for m in scheduling),
                                                    start, end, c.scheduling_days, here):
        out.append(finding("W-CADENCE-SCHEDULING", file, ("date",) if at_record else (), days=days,
                           start=first, end=last, limit=c.scheduling_days))

    weeks = list(whole_weeks(start, end))
    blocks = [weeks[i:i + c.sub_hq_weeks] for i in range(0, len(weeks), c.sub_hq_weeks)]
    blocks = [b for b in blocks if len(b) == c.sub_hq_weeks]
    weeks_met = {(m.record.sub_hq, m.record.date - dt.timedelta(days=m.record.date.weekday()))
                 for m in held if m.record.kind == "sub_hq"}
    for sub_hq in sorted(types["sub_hq"], key=lambda s: s.record.number):
        for block in blocks:
            if not any((sub_hq.record.id, monday) in weeks_met for monday in block):
                out.append(finding("W-CADENCE-SUBHQ", sub_hq.file, ("id",), sub_hq=sub_hq.record.name,
                                   week=f"{block[0]} 至 {block[-1] + dt.timedelta(days=6)}",
                                   every="每周" if c.sub_hq_weeks == 1 else f"每 {c.sub_hq_weeks} 周"))

    per_month = Counter((i.record.group, i.record.date.replace(day=1)) for i in types["inspection"]
                        if i.record.field)
    months = list(whole_months(start, end))
    for group in sorted(types["inspection_group"], key=lambda g: g.record.number):
        for first in months:
            count = per_month[(group.record.id, first)]
            if count < c.inspections_min or count > c.inspections_max:
                out.append(finding("W-CADENCE-INSPECTION", group.file, ("id",), group=group.record.name,
                                   month=f"{first.year}年{first.month}月", count=count,
                                   low=c.inspections_min, high=c.inspections_max))

    feedback = types["media_feedback"]
    weeks_reported = {f.record.date - dt.timedelta(days=f.record.date.weekday()) for f in feedback}
    for monday in weeks:
        if monday not in weeks_reported:
            day = monday + dt.timedelta(days=c.media_weekday - 1)
            out.append(finding("W-CADENCE-MEDIA", here, (), day=day, weekday=weekday_zh(day)))
    for f in feedback:
        if f.record.date.isoweekday() != c.media_weekday:
            out.append(finding("W-MEDIA-WEEKDAY", f.file, ("date",), date=f.record.date,
                               weekday=weekday_zh(f.record.date), expected=weekday_zh(c.media_weekday)))

    district_meetings = defaultdict(list)
    for m in held:
        if m.record.kind == "district" and m.record.district:
            district_meetings[m.record.district].append((m.record.date, m.file))
    for district in types["district"]:
        dates = sorted(district_meetings.get(district.record.id, ()))
        for file, at_record, days, first, last in _gaps(dates, start, end, c.district_meeting_days, district.file):
            out.append(finding("W-CADENCE-DISTRICT", file, ("date",) if at_record else ("id",),
                               district=district.record.name, days=days, start=first, end=last,
                               limit=c.district_meeting_days))

    patrols = defaultdict(list)
    for p in types["patrol_log"]:
        if start <= p.record.date <= end:
            patrols[p.record.group].append((p.record.date, p.file))
    for group in types["patrol_group"]:
        dates = sorted(patrols.get(group.record.id, ()))
        for file, at_record, days, first, last in _gaps(dates, start, end, c.patrol_days, group.file):
            out.append(finding("W-CADENCE-PATROL", file, ("date",) if at_record else ("id",),
                               group=group.record.name, days=days, start=first, end=last, limit=c.patrol_days))

    assessed = {dt.date(int(a.record.period[:4]), int(a.record.period[5:7]), 1)
                for a in types["assessment"] if a.record.kind == "third_party"}
    step = c.third_party_months
    for i in range(0, len(months) - step + 1, step):
        block = months[i:i + step]
        if not any(m in assessed for m in block):
            last = block[-1]
            out.append(finding("W-CADENCE-ASSESSMENT", here, (),
                               period=f"{block[0].year}年{block[0].month}月"
                               + (f"至{last.year}年{last.month}月" if step > 1 else "")))

    out += check_mechanism(types, problems, c, here, scheduling, held, start, end, as_of)
    return out


__all__ = ["AccountabilityEntry", "AssessmentEntry", "CampaignEntry", "DepartmentEntry",
           "DistrictEntry", "FeedbackEntry", "HqEntry", "InspectionEntry", "MajorEntry", "MeetingEntry",
           "NumberedEntry", "PatrolEntry", "PatrolGroupEntry", "ProblemEntry", "SelfInspectionEntry",
           "cadence_entry", "check_cadence"]
