"""Meetings in their series: the previous and next meeting of the same kind (the scheduling
meetings, one sub-HQ's meetings, one district's), and who is expected to give a statement
(表态发言) at a scheduling meeting.

The mechanism: a district ranked among the last `bottom_n` in an assessment states at the next
scheduling meeting after the assessment is published (validate/check/cadence.py warns when it
did not; this says so on the meeting's page, for held and planned meetings alike).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..model import Record
from .catalog import Catalog, assessment_rankings


def _series(meeting) -> tuple:
    return (meeting.kind, meeting.sub_hq if meeting.kind == "sub_hq" else None,
            meeting.district if meeting.kind == "district" else None)


@dataclass(frozen=True)
class Expected:
    """A statement the mechanism expects at a scheduling meeting."""
    district: str
    assessment: Record          # the assessment that ranked the district low
    rank: int
    ranked: int                 # districts ranked in it
    made: bool                  # the meeting records a statement by the district


class Meetings:
    """The catalog's meetings in series, built once."""

    def __init__(self, catalog: Catalog):
        series: dict[tuple, list] = defaultdict(list)
        for m in catalog.of_type("meeting"):
            series[_series(m)].append(m)
        self._around: dict[str, tuple] = {}
        for items in series.values():
            items.sort(key=lambda m: (m.date, m.id))
            for i, m in enumerate(items):
                self._around[m.id] = (items[i - 1] if i else None, items[i + 1] if i + 1 < len(items) else None)
        scheduling = series.get(("scheduling", None, None), [])
        self._expected: dict[str, list[Expected]] = defaultdict(list)
        for assessment, rows in assessment_rankings(catalog):
            following = next((m for m in scheduling if m.date > assessment.date), None)
            if following is None:
                continue
            stated = {s.by for s in following.statements}
            for row in rows:
                if row.bottom:
                    self._expected[following.id].append(
                        Expected(row.district, assessment, row.rank, len(rows), row.district in stated))

    def around(self, meeting) -> tuple:
        """(previous, next) meeting of the same series, or None."""
        return self._around.get(meeting.id, (None, None))

    def expected(self, meeting) -> tuple[Expected, ...]:
        """The statements expected at this meeting (scheduling meetings only), by assessment."""
        return tuple(self._expected.get(meeting.id, ()))
