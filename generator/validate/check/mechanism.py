"""Pass 3, across the campaign: the article's rules that tie records together, other than
cadence (cadence.py calls this with the entries it has sorted by type):

- the organisation the campaign settings describe: the HQ's commanders-in-chief, the count and
  numbering of sub-HQs and inspection groups (errors);
- statements owed at scheduling meetings: low-ranked districts, districts exposed by the media,
  city departments with overdue problems (`model.mechanism.owed_statements`);
- time limits: district meetings reported to the HQ office, self-inspection reports after an
  inspection, important matters reported to the HQ;
- what records say of each other: a supervised media item's problem comes from that feedback,
  an accountability case names problems of its target that were overdue or sent back.
"""
from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections import defaultdict

from ...findings import Finding, finding
from ...model.mechanism import on, owed_statements
from ...model.ranking import ranking
from .entries import P_DISTRICT, P_ID, P_OVERDUE, P_RETURNED, P_SOURCE_REF, P_UNIT, CampaignEntry
from .schema import Valid

_STATEMENT_CODE = {"low_rank": "W-STATEMENT-MISSING", "media_exposure": "W-STATEMENT-EXPOSED",
                   "problem_department": "W-STATEMENT-DEPARTMENT"}
_BODIES = {"sub_hq": ("分指挥部", "sub_hqs"), "inspection_group": ("督查组", "inspection_groups")}


def _organisation(types, c: CampaignEntry, here: str) -> list[Finding]:
    out = []
    for hq in types["hq"]:
        have, want = hq.record.commanders, c.commanders
        if have == 0 or (want is not None and have != want):
            out.append(finding("E-ORG-COMMANDER", hq.file, ("leaders",), hq=hq.record.name, count=have,
                               expected=f"{want} 位" if want is not None else "至少一位"))
    for type_name, (label, setting) in _BODIES.items():
        bodies = sorted(types[type_name], key=lambda v: v.record.number)
        want = getattr(c, setting)
        count = want if want is not None else len(bodies)
        seen: dict[int, str] = {}
        for body in bodies:
            number = body.record.number
            if not 1 <= number <= count:
                out.append(finding("E-ORG-NUMBER", body.file, ("number",), kind=label, number=number,
                                   detail=f"超出 1—{count}" + ("" if want is None else f"（创建工作设置：{count} 个{label}）")))
            elif number in seen:
                out.append(finding("E-ORG-NUMBER", body.file, ("number",), kind=label, number=number,
                                   detail=f"已被 {seen[number]} 使用"))
            else:
                seen[number] = body.record.name
        if want is not None:
            missing = [str(n) for n in range(1, want + 1) if n not in seen]
            if missing:
                out.append(finding("E-ORG-COUNT", here, ("organisation", setting), kind=label, count=want,
                                   numbers="、".join(missing), have=len(bodies)))
    return out


def _statements(types, problems, c: CampaignEntry, scheduling: list[Valid]) -> list[Finding]:
    names = {d.record.id: d.record.name for d in types["district"]}
    departments = {u.record.id: u.record.name for u in types["unit"]}
    meetings = [(m.record.date, m.record.stated) for m in scheduling]
    bottoms = [(a.record.date, a.record.title, [row.district for row in ranking(a.record, c.bottom_n) if row.bottom])
               for a in types["assessment"]]
    exposures = [(f.record.date, district) for f in types["media_feedback"]
                 for _i, district, _problem in f.record.supervised if district]
    overdue = [(p[P_UNIT], p[P_OVERDUE]) for p in problems
               if type(p) is tuple and p[P_OVERDUE] and p[P_UNIT] in departments]
    out = []
    for owed in owed_statements(meetings, bottoms, exposures, overdue, set(departments),
                                c.statement_exposures, c.statement_overdue):
        if owed.made:
            continue
        meeting = scheduling[owed.meeting]
        name = names.get(owed.by) or departments.get(owed.by) or owed.by
        out.append(finding(_STATEMENT_CODE[owed.reason], meeting.file, ("statements",), district=name, unit=name,
                           assessment=owed.basis, count=owed.count, meeting=meeting.record.title,
                           date=meeting.record.date))
    return out


def _district_reports(held: list[Valid], c: CampaignEntry, end: dt.date) -> list[Finding]:
    out = []
    limit = c.district_report_days
    for m in held:
        if m.record.kind != "district":
            continue
        reported = m.record.reported_to_office
        if reported is None and (end - m.record.date).days > limit:
            out.append(finding("W-DISTRICT-REPORT", m.file, ("date",), meeting=m.record.title, limit=limit,
                               detail=f"会后已 {(end - m.record.date).days} 天仍未上报"))
        elif reported is not None and (reported - m.record.date).days > limit:
            out.append(finding("W-DISTRICT-REPORT", m.file, ("reported_to_office",), meeting=m.record.title,
                               limit=limit, detail=f"会后 {(reported - m.record.date).days} 天才上报"))
    return out


def _self_inspections(types, c: CampaignEntry, start: dt.date, end: dt.date, as_of: dt.date) -> list[Finding]:
    reports: dict[str, list[dt.date]] = defaultdict(list)
    for s in types["self_inspection"]:
        reports[s.record.by].append(s.record.date)
    for dates in reports.values():
        dates.sort()
    names = {d.record.id: d.record.name for d in types["district"]}
    limit = c.self_inspection_days
    out = []
    for inspection in types["inspection"]:
        i = inspection.record
        due = i.date + dt.timedelta(days=limit)
        if not start <= i.date <= end or due >= end:      # not yet due (or due after the campaign)
            continue
        for k, district in enumerate(i.districts):
            dates = reports.get(district, ())
            at = bisect_left(dates, i.date)
            if at == len(dates) or dates[at] > due:
                out.append(finding("W-SELF-INSPECTION", inspection.file, ("districts", k),
                                   district=names.get(district, district), date=i.date, limit=limit))
    return out


def _major_matters(types, c: CampaignEntry, as_of: dt.date) -> list[Finding]:
    out = []
    limit = c.major_report_days
    for m in types["major_matter"]:
        found, reported = m.record.found, m.record.reported
        if reported is None and (as_of - found).days > limit:
            out.append(finding("W-MAJOR-LATE", m.file, ("found",), title=m.record.title, limit=limit,
                               detail=f"发现已 {(as_of - found).days} 天仍未上报"))
        elif reported is not None and (reported - found).days > limit:
            out.append(finding("W-MAJOR-LATE", m.file, ("reported",), title=m.record.title, limit=limit,
                               detail=f"发现 {(reported - found).days} 天后才上报"))
    return out


def _links(types, entries) -> list[Finding]:
    """Supervised media items and accountability cases against the problems they name (a
    problem whose entry is its id alone was never overdue or sent back and is not from the
    media)."""
    wanted = {problem for f in types["media_feedback"] for _i, _d, problem in f.record.supervised if problem}
    wanted |= {problem for a in types["accountability"] for problem in a.record.problems}
    problems = {}
    if wanted:
        for p in entries:
            pid = p if type(p) is str else p[P_ID]
            if pid in wanted:
                problems[pid] = p
    out = []
    for f in types["media_feedback"]:
        for i, _district, pid in f.record.supervised:
            p = problems.get(pid)
            if p is None:
                continue
            actual = "不是媒体反馈" if type(p) is str else (
                f"记录是 {p[P_SOURCE_REF]}" if p[P_SOURCE_REF] else "记录没有填写")
            if type(p) is str or p[P_SOURCE_REF] != f.record.id:
                out.append(finding("E-SOURCE-LINK", f.file, ("items", i, "problem"), problem=pid,
                                   actual=actual, feedback=f.record.id))
    for a in types["accountability"]:
        case = a.record
        if not case.problems:
            out.append(finding("W-ACCOUNTABILITY-BASIS", a.file, ("problems",),
                               detail="没有列出涉及的问题"))
        for i, pid in enumerate(case.problems):
            p = problems.get(pid)
            if p is None:
                continue
            if type(p) is str or not (on(p[P_OVERDUE], case.date) or on(p[P_RETURNED], case.date)):
                out.append(finding("W-ACCOUNTABILITY-BASIS", a.file, ("problems", i),
                                   detail=f"涉及问题 {pid} 在立案日 {case.date} 既未逾期，也不在退回重办中"))
            elif case.target not in (p[P_UNIT], p[P_DISTRICT]):
                out.append(finding("W-ACCOUNTABILITY-BASIS", a.file, ("problems", i),
                                   detail=f"涉及问题 {pid} 的责任单位和责任区都不是被追究单位 {case.target}"))
    return out


def check_mechanism(types, problems, c: CampaignEntry, here: str, scheduling: list[Valid], held: list[Valid],
                    start: dt.date, end: dt.date, as_of: dt.date) -> list[Finding]:
    return (_organisation(types, c, here) + _statements(types, problems, c, scheduling)
            + _district_reports(held, c, end) + _self_inspections(types, c, start, end, as_of)
            + _major_matters(types, c, as_of) + _links(types, problems))
