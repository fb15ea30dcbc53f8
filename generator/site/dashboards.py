"""Dashboards: what the leaders ask, computed from a view for its as-of date.

Everything comes from the records' own event dates: rates, lights, rankings and their movement
since the end of the previous month, sources and sites, the monthly trend, assessment ranks,
the cadence of meetings, inspections and media feedback, and meeting decisions. Computed from
the audience's view, so a public number never counts a hidden record.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from ..catalog.catalog import Catalog, assessment_rankings
from ..catalog.decisions import DecisionTally, FollowUp, follow_ups, tally
from ..catalog.meetings import campaign_period, statements
from ..model.lifecycle import status_on
from ..model.periods import weekday_zh, whole_months, whole_weeks
from ..model.problem import SOURCES
from ..model.work import FIELD_METHODS
from . import signals


@dataclass(frozen=True)
class Tally:
    total: int
    closed: int
    open: int
    overdue: int
    rate: float | None              # closed / total, percent
    avg_days_to_close: float | None


@dataclass(frozen=True)
class Ranked:
    id: str
    name: str
    tally: Tally
    rank: int
    previous_rank: int | None       # at the end of the previous month
    movement: int | None            # places gained (+) or lost (−) since then


@dataclass(frozen=True)
class Labelled:
    key: str
    label: str
    tally: Tally


@dataclass(frozen=True)
class Month:
    month: str                      # YYYY-MM
    opened: int
    closed: int
    backlog: int                    # open at the month's end (or the as-of date)


@dataclass(frozen=True)
class CadenceRow:
    """One body's record against its cadence: a count per period and whether it is met."""
    name: str
    cells: tuple[tuple[str, int, bool], ...]   # (period label, count, ok)

    @property
    def gaps(self) -> int:
        return sum(not ok for _, _, ok in self.cells)


@dataclass(frozen=True)
class AssessmentTable:
    assessments: tuple                      # assessment records, oldest first
    rows: tuple[tuple[str, str, tuple], ...]  # (district id, name, ((score, rank) | None per assessment))


@dataclass(frozen=True)
class Cadences:
    """The cadence rows the article's rules added (issue 16)."""
    district_meetings: tuple[CadenceRow, ...]
    patrols: tuple[CadenceRow, ...]
    third_party: CadenceRow


@dataclass(frozen=True)
class Dashboard:
    as_of: dt.date
    previous: dt.date                       # end of the previous month: the ranking compared against
    overall: Tally
    lights: dict[str, int]
    districts: tuple[Ranked, ...]
    sub_hqs: tuple[Ranked, ...]
    red_list: tuple[Ranked, ...]            # best districts
    black_list: tuple[Ranked, ...]          # worst districts
    by_source: tuple[Labelled, ...]
    by_site_type: tuple[Labelled, ...]
    by_indicator: tuple[Labelled, ...]
    trend: tuple[Month, ...]
    assessments: AssessmentTable
    scheduling: CadenceRow                  # per fortnight since the campaign start
    sub_hq_weeks: tuple[CadenceRow, ...]
    inspection_months: tuple[CadenceRow, ...]
    media_weeks: CadenceRow
    decisions: DecisionTally
    decisions_by_owner: tuple[DecisionTally, ...]
    open_decisions: tuple[FollowUp, ...]    # not done, most overdue first (listed where the view shows urging)
    overdue_by_unit: tuple[tuple[str, str, tuple], ...]   # (unit id, name, overdue problems)
    accountability: tuple                   # cases in this view, newest first
    # the article's rules (issue 16): generator/site/signals.py
    more_cadence: Cadences | None = None
    statements: tuple = ()                  # catalog.meetings.StatementRow per scheduling meeting, the next first
    late_milestones: tuple = ()             # signals.LateMilestone, longest overdue first
    matters: tuple = ()                     # signals.MatterRow, newest first


def _tally(catalog: Catalog, problems, day: dt.date, yellow: int) -> Tally:
    total = closed = overdue = 0
    days_to_close = []
    for p in problems:
        st = catalog.status[p.id] if day == catalog.as_of else status_on(p.history, p.deadline, day, yellow)
        if st is None:
            continue
        total += 1
        if st.state == "closed":
            closed += 1
            closed_on = next(e.date for e in reversed(p.history) if e.state == "closed" and e.date <= day)
            days_to_close.append((closed_on - p.found).days)
        if st.light == "red":
            overdue += 1
    return Tally(total, closed, total - closed, overdue,
                 round(100 * closed / total, 1) if total else None,
                 round(sum(days_to_close) / len(days_to_close), 1) if days_to_close else None)


def overall_on(catalog: Catalog, day: dt.date) -> Tally:
    """The overall tally as it stood at the end of `day` (each problem's status_on that day),
    counted as `Dashboard.overall` is: the meeting papers' "change since the last meeting"."""
    return _tally(catalog, catalog.of_type("problem"), day, catalog.thresholds.yellow_days)


def _rank(rows: list[tuple[str, str, Tally]]) -> list[tuple[str, str, Tally, int]]:
    """Best first: higher rate, then fewer overdue; equal results share a rank."""
    def key(row):
        tally = row[2]
        return (-(tally.rate if tally.rate is not None else -1), tally.overdue)
    ordered = sorted(rows, key=lambda r: (key(r), r[0]))
    out, rank = [], 0
    for i, row in enumerate(ordered):
        if i == 0 or key(row) != key(ordered[i - 1]):
            rank = i + 1
        out.append((*row, rank))
    return out


def _ranked(catalog: Catalog, groups: dict[str, list], names: dict[str, str], previous: dt.date,
            yellow: int) -> tuple[Ranked, ...]:
    now = _rank([(k, names[k], _tally(catalog, groups.get(k, []), catalog.as_of, yellow)) for k in names])
    before = {k: r for k, _, t, r in _rank([(k, names[k], _tally(catalog, groups.get(k, []), previous, yellow))
                                            for k in names]) if t.total}
    return tuple(Ranked(k, name, tally, rank, before.get(k), (before[k] - rank) if k in before else None)
                 for k, name, tally, rank in now)


def _labelled(catalog, groups, labels, yellow) -> tuple[Labelled, ...]:
    return tuple(Labelled(k, labels.get(k, k), _tally(catalog, groups[k], catalog.as_of, yellow))
                 for k in sorted(groups, key=lambda k: (-len(groups[k]), k)))


def _trend(catalog: Catalog, problems) -> tuple[Month, ...]:
    opened, closed = Counter(), Counter()
    for p in problems:
        opened[p.found.strftime("%Y-%m")] += 1
        for e in p.history:
            if e.state == "closed":
                closed[e.date.strftime("%Y-%m")] += 1
    months = sorted(set(opened) | set(closed))
    out, backlog = [], 0
    for m in months:
        backlog += opened[m] - closed[m]
        out.append(Month(m, opened[m], closed[m], backlog))
    return tuple(out)


def _blocks(start: dt.date, end: dt.date, days: int) -> list[dt.date]:
    """First days of the whole blocks of `days` days from `start` up to `end`."""
    out, day = [], start
    while day + dt.timedelta(days=days - 1) <= end:
        out.append(day)
        day += dt.timedelta(days=days)
    return out


def _per_block(name: str, firsts: list[dt.date], days: int, dates: list[dt.date]) -> CadenceRow:
    return CadenceRow(name, tuple((f"{f.month}/{f.day}起", n, n >= 1) for f in firsts
                                  for n in [sum(f <= d < f + dt.timedelta(days=days) for d in dates)]))


def _cadence(catalog: Catalog, start: dt.date, end: dt.date):
    """The cadence matrix, by the campaign's cadence settings (the article's by default)."""
    c = catalog.cadence
    meetings = [m for m in catalog.of_type("meeting") if m.status == "held" and start <= m.date <= end]
    every = "每两周" if c.scheduling_days == 14 else f"每 {c.scheduling_days} 天"
    scheduling = _per_block(f"总指挥部工作调度会（{every}）", _blocks(start, end, c.scheduling_days),
                            c.scheduling_days, [m.date for m in meetings if m.kind == "scheduling"])
    weeks = list(whole_weeks(start, end))
    blocks = [weeks[i] for i in range(0, len(weeks) - c.sub_hq_weeks + 1, c.sub_hq_weeks)]
    met = Counter((m.sub_hq, m.date - dt.timedelta(days=m.date.weekday())) for m in meetings if m.kind == "sub_hq")

    def held_in(sub_hq, first):
        return sum(met[(sub_hq, first + dt.timedelta(weeks=k))] for k in range(c.sub_hq_weeks))
    sub_hq_weeks = tuple(CadenceRow(s.name, tuple((f"{w.month}/{w.day}", n, n >= 1) for w in blocks
                                                  for n in [held_in(s.id, w)]))
                         for s in sorted(catalog.of_type("sub_hq"), key=lambda s: s.number))
    months = list(whole_months(start, end))
    per_month = Counter((i.group, i.date.replace(day=1)) for i in catalog.of_type("inspection")
                        if FIELD_METHODS.intersection(i.methods))
    inspection_months = tuple(
        CadenceRow(g.name, tuple((f"{m.year}年{m.month}月", n, c.inspections_min <= n <= c.inspections_max)
                                 for m in months for n in [per_month[(g.id, m)]]))
        for g in sorted(catalog.of_type("inspection_group"), key=lambda g: g.number))
    fed = Counter(f.date - dt.timedelta(days=f.date.weekday()) for f in catalog.of_type("media_feedback"))
    day = dt.timedelta(days=c.media_weekday - 1)
    media = CadenceRow(f"新闻媒体反馈（每{weekday_zh(c.media_weekday)}）", tuple(
        (f"{(w + day).month}/{(w + day).day}", fed[w], fed[w] >= 1) for w in weeks))
    return scheduling, sub_hq_weeks, inspection_months, media


def _more_cadence(catalog: Catalog, start: dt.date, end: dt.date) -> Cadences:
    """District meetings and patrols per block of their longest interval; third-party assessments per month."""
    c = catalog.cadence
    district_dates: dict[str, list] = defaultdict(list)
    for m in catalog.of_type("meeting"):
        if m.kind == "district" and m.status == "held" and m.district and start <= m.date <= end:
            district_dates[m.district].append(m.date)
    firsts = _blocks(start, end, c.district_meeting_days)
    districts = tuple(_per_block(d.name, firsts, c.district_meeting_days, district_dates[d.id])
                      for d in sorted(catalog.of_type("district"), key=lambda d: (d.order, d.id)))
    patrol_dates: dict[str, list] = defaultdict(list)
    for p in catalog.of_type("patrol_log"):
        patrol_dates[p.group].append(p.date)
    firsts = _blocks(start, end, c.patrol_days)
    patrols = tuple(_per_block(g.name, firsts, c.patrol_days, patrol_dates[g.id]) for g in catalog.of_type("patrol_group"))
    months = list(whole_months(start, end))
    assessed = Counter(a.period for a in catalog.of_type("assessment") if a.kind == "third_party")
    step = c.third_party_months
    third_party = CadenceRow("第三方测评" + ("（每月）" if step == 1 else f"（每 {step} 个月）"), tuple(
        (f"{m.year}年{m.month}月", n, n >= 1) for i in range(0, len(months) - step + 1, step)
        for m in [months[i]] for n in [sum(assessed[f"{x.year}-{x.month:02d}"] for x in months[i:i + step])]))
    return Cadences(districts, patrols, third_party)


def _decisions(catalog: Catalog) -> tuple[DecisionTally, tuple[DecisionTally, ...], tuple[FollowUp, ...]]:
    """All decisions, per owner (most late first) and those not done yet; every count adds up:
    total = done + in progress + not started, overall and per owner."""
    items = follow_ups(catalog)
    per_owner: dict[str, list] = defaultdict(list)
    for item in items:
        per_owner[item.owner].append(item)
    by_owner = tuple(sorted((tally(o, _name(catalog, o), found) for o, found in per_owner.items()),
                            key=lambda t: (-t.late, -(t.total - t.done), -t.total, t.owner)))
    return tally("", "全部", items), by_owner, tuple(f for f in items if f.state != "done")


def _name(catalog: Catalog, record_id: str) -> str:
    record = catalog.get(record_id)
    return getattr(record, "name", None) or record_id


def compute(catalog: Catalog) -> Dashboard:
    thresholds = catalog.thresholds
    yellow = thresholds.yellow_days
    as_of = catalog.as_of
    previous = as_of.replace(day=1) - dt.timedelta(days=1)
    problems = catalog.of_type("problem")
    by = {name: defaultdict(list) for name in ("district", "sub_hq", "source", "site_type", "indicator")}
    for p in problems:
        by["district"][p.district].append(p)
        by["source"][p.source].append(p)
        for name in ("sub_hq", "site_type", "indicator"):
            if getattr(p, name):
                by[name][getattr(p, name)].append(p)
    districts = _ranked(catalog, by["district"], {d.id: d.name for d in catalog.of_type("district")}, previous, yellow)
    sub_hqs = _ranked(catalog, by["sub_hq"], {s.id: s.name for s in catalog.of_type("sub_hq")}, previous, yellow)
    active = [d for d in districts if d.tally.total]
    n_red, n_black = thresholds.red_list, thresholds.black_list

    ranked = assessment_rankings(catalog)
    ranks = [{row.district: (row.score, row.rank) for row in rows} for _a, rows in ranked]
    table = AssessmentTable(tuple(a for a, _rows in ranked), tuple(
        (d.id, d.name, tuple(r.get(d.id) for r in ranks))
        for d in sorted(catalog.of_type("district"), key=lambda d: d.order)))

    start, end = campaign_period(catalog)
    scheduling, sub_hq_weeks, inspection_months, media = _cadence(catalog, start, end)
    more_cadence = _more_cadence(catalog, start, end)
    decisions, decisions_by_owner, open_decisions = _decisions(catalog)

    overdue: dict[str, list] = defaultdict(list)
    for p in problems:
        if catalog.status[p.id].light == "red":
            overdue[p.responsible_unit].append(p)
    overdue_by_unit = tuple(sorted(((u, _name(catalog, u), tuple(ps)) for u, ps in overdue.items()),
                                   key=lambda row: (-len(row[2]), row[0])))
    lights = Counter(catalog.status[p.id].light for p in problems)
    return Dashboard(
        as_of=as_of, previous=previous, overall=_tally(catalog, problems, as_of, yellow),
        lights={k: lights.get(k, 0) for k in ("red", "yellow", "green", "done")},
        districts=districts, sub_hqs=sub_hqs,
        red_list=tuple(active[:n_red]), black_list=tuple(reversed(active[-n_black:])) if len(active) > n_red else (),
        by_source=_labelled(catalog, by["source"], SOURCES, yellow),
        by_site_type=_labelled(catalog, by["site_type"], {s.id: s.name for s in catalog.of_type("site_type")}, yellow),
        by_indicator=_labelled(catalog, by["indicator"], {i.id: i.name for i in catalog.of_type("indicator")}, yellow),
        trend=_trend(catalog, problems), assessments=table, scheduling=scheduling,
        sub_hq_weeks=sub_hq_weeks, inspection_months=inspection_months, media_weeks=media,
        decisions=decisions, decisions_by_owner=decisions_by_owner, open_decisions=open_decisions,
        overdue_by_unit=overdue_by_unit,
        accountability=tuple(sorted(catalog.of_type("accountability"), key=lambda a: (a.date, a.id), reverse=True)),
        more_cadence=more_cadence, statements=statements(catalog),
        late_milestones=signals.late_milestones(catalog), matters=signals.matters(catalog))
