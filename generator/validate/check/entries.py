"""What the work-mechanism pass (cadence.py, mechanism.py) needs of each record: a small
entry per record, made when the file is examined alone and kept in the validator's cache, so
that a run after an edit re-reads no other file. Field names are those of the record.

Problems are the one type counted in the hundred thousands. Most never stood overdue or sent
back and do not come from the media: their entry is their id alone (a string), which says just
that. The others' is a plain tuple (`problem_entry`) of ids and the spans when the problem stood
overdue or sent back, computed once from its history (`model.mechanism.spans`). A run after an
edit that changes an entry loads and saves every entry: pickle handles strings and plain tuples
several times faster than instances of any class, a tuple subclass included.
"""
from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from typing import ClassVar

from ...model import Record
from ...model.mechanism import Span, spans
from ...model.work import FIELD_METHODS
from .rules import EARLIEST_START


class Entry:
    """Pickled as a call with the field values (the dataclass default, `__setstate__`, reads
    the fields anew for every object: ten times slower for the thousands of meeting entries)."""
    __slots__ = ()

    def __reduce__(self):
        return type(self), tuple(getattr(self, name) for name in self.__slots__)


@dataclass(frozen=True, slots=True)
class CampaignEntry(Entry):
    """The campaign's period and every setting the pass reads (records/campaign/)."""
    type_name: ClassVar[str] = "campaign"
    start: dt.date
    end: dt.date | None
    bottom_n: int
    statement_exposures: int
    statement_overdue: int
    district_report_days: int
    self_inspection_days: int
    major_report_days: int
    commanders: int | None
    sub_hqs: int | None
    inspection_groups: int | None
    scheduling_days: int
    sub_hq_weeks: int
    inspections_min: int
    inspections_max: int
    media_weekday: int
    district_meeting_days: int
    patrol_days: int
    third_party_months: int


@dataclass(frozen=True, slots=True)
class HqEntry(Entry):
    type_name: ClassVar[str] = "hq"
    name: str
    commanders: int                   # leaders with position commander (总指挥长)


@dataclass(frozen=True, slots=True)
class MeetingEntry(Entry):
    type_name: ClassVar[str] = "meeting"
    kind: str
    title: str
    date: dt.date
    status: str
    sub_hq: str | None
    stated: frozenset[str]            # who made a statement
    district: str | None = None
    reported_to_office: dt.date | None = None


@dataclass(frozen=True, slots=True)
class NumberedEntry(Entry):                  # a sub-HQ or an inspection group
    type_name: str
    id: str
    name: str
    number: int


@dataclass(frozen=True, slots=True)
class InspectionEntry(Entry):
    type_name: ClassVar[str] = "inspection"
    id: str
    group: str
    date: dt.date
    field: bool                       # out in the districts (counts towards 1–2 a month)
    districts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FeedbackEntry(Entry):
    type_name: ClassVar[str] = "media_feedback"
    id: str
    date: dt.date
    supervised: tuple[tuple[int, str | None, str | None], ...]   # (item index, district, problem)


@dataclass(frozen=True, slots=True)
class Score(Entry):
    district: str
    score: float


@dataclass(frozen=True, slots=True)
class AssessmentEntry(Entry):
    type_name: ClassVar[str] = "assessment"
    title: str
    date: dt.date
    scores: tuple[Score, ...]
    kind: str = "simulated"
    period: str = ""


@dataclass(frozen=True, slots=True)
class DistrictEntry(Entry):
    type_name: ClassVar[str] = "district"
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class DepartmentEntry(Entry):                # a unit of kind city_department (市级部门)
    type_name: ClassVar[str] = "unit"
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class PatrolGroupEntry(Entry):
    type_name: ClassVar[str] = "patrol_group"
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class PatrolEntry(Entry):
    type_name: ClassVar[str] = "patrol_log"
    group: str
    date: dt.date


@dataclass(frozen=True, slots=True)
class SelfInspectionEntry(Entry):
    type_name: ClassVar[str] = "self_inspection"
    by: str
    date: dt.date


@dataclass(frozen=True, slots=True)
class MajorEntry(Entry):
    type_name: ClassVar[str] = "major_matter"
    title: str
    found: dt.date
    reported: dt.date | None


@dataclass(frozen=True, slots=True)
class AccountabilityEntry(Entry):
    type_name: ClassVar[str] = "accountability"
    date: dt.date
    target: str
    problems: tuple[str, ...]


# A problem's entry: its id (str) when it never stood overdue or sent back and does not come
# from the media, else (id, district, responsible unit, source_ref, overdue spans, returned spans).
P_ID, P_DISTRICT, P_UNIT, P_SOURCE_REF, P_OVERDUE, P_RETURNED = range(6)
ProblemEntry = tuple | str
PROBLEM_ENTRY = (tuple, str)


def _campaign(record) -> CampaignEntry | None:
    if record.start < EARLIEST_START or (record.end is not None and record.end < record.start):
        return None           # E-CAMPAIGN-RANGE (rules.py): no period to count in
    t, o, c = record.thresholds, record.organisation, record.cadence
    return CampaignEntry(record.start, record.end, t.bottom_n, t.statement_exposures, t.statement_overdue,
                         t.district_report_days, t.self_inspection_days, t.major_report_days,
                         o.commanders, o.sub_hqs, o.inspection_groups, c.scheduling_days, c.sub_hq_weeks,
                         c.inspections_min, c.inspections_max, c.media_weekday, c.district_meeting_days,
                         c.patrol_days, c.third_party_months)


def problem_entry(record) -> ProblemEntry:
    overdue, returned = spans(record.history, record.deadline)
    intern = sys.intern
    if not overdue and not returned and record.source != "media":
        return intern(record.id)
    return (intern(record.id), intern(record.district), intern(record.responsible_unit),
            intern(record.source_ref) if record.source_ref else None, overdue, returned)


def cadence_entry(record: Record):
    """What the pass needs of a record, or None for the records it does not look at."""
    kind = record.type_name
    if kind == "problem":
        return problem_entry(record)
    if kind == "campaign":
        return _campaign(record)
    if kind == "meeting":
        return MeetingEntry(record.kind, record.title, record.date, record.status, record.sub_hq,
                            frozenset(s.by for s in record.statements), record.district,
                            record.reported_to_office)
    if kind in ("sub_hq", "inspection_group"):
        return NumberedEntry(kind, record.id, record.name, record.number)
    if kind == "inspection":
        return InspectionEntry(record.id, record.group, record.date, bool(FIELD_METHODS.intersection(record.methods)),
                               tuple(record.districts))
    if kind == "media_feedback":
        return FeedbackEntry(record.id, record.date, tuple((i, item.district, item.problem)
                                                           for i, item in enumerate(record.items) if item.supervise))
    if kind == "assessment":
        return AssessmentEntry(record.title, record.date, tuple(Score(s.district, s.score) for s in record.scores),
                               record.kind, record.period)
    if kind == "district":
        return DistrictEntry(record.id, record.name)
    if kind == "unit":
        return DepartmentEntry(record.id, record.name) if record.kind == "city_department" else None
    if kind == "hq":
        return HqEntry(record.name, sum(leader.position == "commander" for leader in record.leaders)) \
            if record.kind == "general" else None
    if kind == "patrol_group":
        return PatrolGroupEntry(record.id, record.name)
    if kind == "patrol_log":
        return PatrolEntry(record.group, record.date)
    if kind == "self_inspection":
        return SelfInspectionEntry(record.by, record.date)
    if kind == "major_matter":
        return MajorEntry(record.title, record.found, record.reported)
    if kind == "accountability":
        return AccountabilityEntry(record.date, record.target, tuple(record.problems))
    return None
