"""Pass 3, per record: dates, the problem lifecycle, attachments, required-by-kind fields,
control characters and personal data in public text. Rules that look across the whole
campaign (cadence, statements) are in cadence.py.

Split in two so the validator's cache can keep the first half per file: `rule_facts` reads
one record alone and returns the findings that depend on nothing else, plus the few dates and
paths that do (the as-of date, files under records/attachments); `check_dated` judges those.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from ...findings import Finding, Loc, finding
from ...model import RECORD_TYPES, Record
from ...model.fields import field_label, iter_text
from ...model.lifecycle import light
from ...model.rulebook import CONTROL
from .attachments import Attachments
from .lifecycle import check_dates, check_kind, check_lifecycle
from .references import shared

# Dates of things that have happened, per type: they may not lie after the as-of date.
_HAPPENED: dict[str, tuple[str, ...]] = {
    "problem": ("found",), "inspection": ("date",), "self_inspection": ("date",),
    "assessment": ("date",), "media_feedback": ("date",), "patrol_log": ("date",),
    "circular": ("date",), "accountability": ("date",), "task": ("assigned",),
    "major_matter": ("found", "reported", "responded"), "meeting": ("reported_to_office",),
}
_HAPPENED_PARTS: dict[str, tuple[tuple[str, str], ...]] = {
    "problem": (("history", "date"), ("urgings", "date")),
    "meeting": (("decisions", "done_date"),),
    "task": (("milestones", "done_date"),),
}

_CONTROL = re.compile(CONTROL)
_PII = (
    ("身份证号", re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")),
    ("手机号码", re.compile(r"(?<![0-9])1[3-9][0-9][- ]?[0-9]{4}[- ]?[0-9]{4}(?![0-9])")),
    ("车牌号码", re.compile(r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][·・ ]?[A-HJ-NP-Z0-9]{5,6}(?![A-Za-z0-9])")),
    ("固定电话", re.compile(r"(?<![0-9])(0[1-9][0-9]{1,2}[-－ ]?[2-9][0-9]{6,7}|[（(]0[1-9][0-9]{1,2}[）)][2-9][0-9]{6,7})(?![0-9])")),
)
_PII_HOME = {"problem": "reporter（反映人）或 note（内部备注）"}


def _mask(text: str) -> str:
    return text[:3] + "*" * (len(text) - 5) + text[-2:] if len(text) > 6 else "***"


def _dates_happened(record: Record) -> list[tuple[Loc, dt.date]]:
    out = [((name,), getattr(record, name)) for name in _HAPPENED.get(record.type_name, ())]
    if record.type_name == "meeting" and record.status == "held":
        out.append((("date",), record.date))
    out = [(loc, value) for loc, value in out if value is not None]     # None: unreadable (schema.py)
    for list_name, date_name in _HAPPENED_PARTS.get(record.type_name, ()):
        for i, part in enumerate(getattr(record, list_name) or ()):
            value = getattr(part, date_name)
            if value is not None:
                out.append(((list_name, i, date_name), value))
    return out


# Dates that may not come before another date of the same record: (later, earlier).
_ORDERED = {"meeting": (("reported_to_office", "date"),),
            "major_matter": (("reported", "found"), ("responded", "reported"), ("responded", "found"))}


def _article(file: str, record: Record) -> list[Finding]:
    """The work mechanism's rules that one record decides alone."""
    kind = record.type_name
    model = type(record)
    out = []
    for later, earlier in _ORDERED.get(kind, ()):
        a, b = getattr(record, later), getattr(record, earlier)
        if a is not None and b is not None and a < b:
            out.append(finding("E-DATE-RANGE", file, (later,), field=field_label(model, (later,)), value=a,
                               other_field=model.model_fields[earlier].title, other=b))
            break
    if kind == "media_feedback":
        week_of = record.week_of
        if week_of is not None and record.date is not None and (week_of.weekday() != 0 or not 0 <= (record.date - week_of).days <= 6):
            detail = ("不是周一" if week_of.weekday() != 0
                      else f"所在的周不含反馈日期 {record.date}")
            out.append(finding("E-MEDIA-WEEK", file, ("week_of",), value=week_of, detail=detail,
                               monday=record.date - dt.timedelta(days=record.date.weekday())))
        for i, item in enumerate(record.items or ()):
            if item.supervise and not item.problem:
                out.append(finding("E-MEDIA-SUPERVISE", file, ("items", i, "supervise"), title=item.title))
            if item.supervise and not item.indicator:
                out.append(finding("W-MEDIA-INDICATOR", file, ("items", i), title=item.title))
    if kind == "inspection" and not record.basis and not record.indicators:
        out.append(finding("W-INSPECTION-BASIS", file, ("methods",)))
    if kind == "campaign" and record.cadence is not None and record.cadence.inspections_min > record.cadence.inspections_max:
        out.append(finding("E-SCHEMA-RANGE", file, ("cadence", "inspections_min"),
                           field=field_label(model, ("cadence", "inspections_min")),
                           detail=f"{record.cadence.inspections_min} 大于每月最多次数 {record.cadence.inspections_max}"))
    return out


def _text(file: str, record: Record) -> list[Finding]:
    out = []
    for loc, text, _spec in iter_text(record, public_only=False):
        bad = _CONTROL.search(text)
        if bad:
            out.append(finding("E-TEXT-CONTROL", file, loc, field=field_label(type(record), loc),
                               char=f"U+{ord(bad.group()):04X}"))
    if record.visibility != "public":        # internal, or unreadable (schema.py `partial`)
        return out
    for loc, text, _spec in iter_text(record, public_only=True):
        plain = unicodedata.normalize("NFKC", text)    # full-width digits typed with a Chinese IME
        for what, pattern in _PII:
            match = pattern.search(plain)
            if match:
                out.append(finding("E-PRIVACY-PII", file, loc, field=field_label(type(record), loc), what=what,
                                   excerpt=_mask(match.group()),
                                   internal_field=_PII_HOME.get(record.type_name, "note（内部备注）")))
                break
    for loc, value in _evidence(record):          # a file name is printed in a public link
        name = unicodedata.normalize("NFKC", value.rsplit("/", 1)[-1])
        match = next(((what, m) for what, pattern in _PII if (m := pattern.search(name))), None)
        if match:
            out.append(finding("E-ATTACH-NAME", file, loc, what=match[0], excerpt=_mask(match[1].group())))
    return out


def _evidence(record: Record) -> list[tuple[Loc, str]]:
    if record.type_name != "problem":
        return []
    return [(("history", i, "evidence", j), value) for i, event in enumerate(record.history or ())
            for j, value in enumerate(event.evidence)]


EARLIEST_START = dt.date(2000, 1, 1)


def _campaign(file: str, record: Record) -> list[Finding]:
    """A campaign's period bounds every cadence check: an impossible one is an error, not
    hundreds of thousands of warnings."""
    if record.type_name != "campaign" or record.start is None:
        return []
    if record.start < EARLIEST_START:
        return [finding("E-CAMPAIGN-RANGE", file, ("start",), detail=f"开始日期 {record.start} 早于 2000 年")]
    if record.end is not None and record.end < record.start:
        return [finding("E-CAMPAIGN-RANGE", file, ("end",), detail=f"结束日期 {record.end} 早于开始日期 {record.start}")]
    return []


@dataclass(frozen=True, slots=True)
class RuleFacts:
    """Pass 3 for one record, as far as the record alone decides it."""
    happened: tuple[tuple[Loc, dt.date], ...]      # dates that may not lie after the as-of date
    lifecycle: tuple[Finding, ...]
    open: tuple[str, dt.date] | None               # problem: state and deadline in force
    attachments: tuple[tuple[Loc, str], ...]       # evidence paths, checked against records/
    kind_and_text: tuple[Finding, ...]             # required-by-kind fields, control characters, PII
    decisions: tuple[tuple[int, str, dt.date], ...]  # meeting: open decisions (index, text, deadline)
    milestones: tuple[tuple[int, str, dt.date], ...] = ()  # task: open milestones (index, title, due)


def rule_facts(file: str, record: Record) -> RuleFacts:
    lifecycle, open_, attachments, decisions, milestones = check_dates(file, record), None, (), (), ()
    if record.type_name == "problem":
        found, open_ = check_lifecycle(file, record)
        lifecycle += found
        attachments = tuple(_evidence(record))
    if record.type_name == "meeting":
        decisions = tuple((i, d.text[:30], d.deadline) for i, d in enumerate(record.decisions or ())
                          if d.state != "done")
    if record.type_name == "task":
        milestones = tuple((i, s.title[:30], s.due) for i, s in enumerate(record.milestones or ()) if s.state != "done")
    happened = tuple((shared(loc), value) for loc, value in _dates_happened(record))
    return RuleFacts(happened, tuple(lifecycle), open_, attachments,
                     tuple(check_kind(file, record) + _article(file, record) + _text(file, record)
                           + _campaign(file, record)),
                     decisions, milestones)


def check_dated(file: str, type_name: str, facts: RuleFacts, as_of: dt.date,
                attachments: Attachments) -> list[Finding]:
    """All pass-3 findings of one record, in the order the rules run."""
    model = RECORD_TYPES[type_name]
    findings = [finding("E-DATE-FUTURE", file, loc, field=field_label(model, loc), value=value, as_of=as_of)
                for loc, value in facts.happened if value > as_of]
    findings += facts.lifecycle
    if facts.open is not None:
        current = light(*facts.open, as_of)
        if current.light == "red":
            findings.append(finding("W-PROBLEM-OVERDUE", file, ("deadline",), days=current.overdue_days,
                                    deadline=current.deadline, state_label=current.state_label))
    for loc, value in facts.attachments:
        problem = attachments.problem(value)
        if problem is not None:
            findings.append(finding(problem[0], file, loc, value=value, **problem[1]))
    findings += facts.kind_and_text
    findings += [finding("W-DECISION-OVERDUE", file, ("decisions", i, "deadline"), text=text, deadline=deadline)
                 for i, text, deadline in facts.decisions if deadline < as_of]
    findings += [finding("W-MILESTONE-OVERDUE", file, ("milestones", i, "due"), title=title, due=due,
                         days=(as_of - due).days)
                 for i, title, due in facts.milestones if due < as_of]
    return findings
