"""The scheduling meeting's pack (调度会材料), gathered from the records.

The article: the scheduling meeting 听取各分指挥部工作推进情况汇报，听取督查和测评情况报告，播放媒体暗访
素材，协调解决困难问题; districts ranked low in the month's assessment or exposed by the media,
and departments with problems, make a statement. The pack has eight sections:

1. 上次会议议定事项落实情况 — each decision of the previous scheduling meeting: owner, time
   limit, state, light, days overdue; all meetings' decisions counted; earlier ones still late.
2. 整改总体情况 — totals, lights, closure rate, and the change since the previous meeting.
3. 各区（县、市）排名 — the rectification ranking with its movement, 红榜/黑榜, and the latest
   assessment's ranking with the movement since the previous assessment of its kind.
4. 逾期问题 — overdue problems per responsible unit (counts and the list), urged and extended ones marked.
5. 本期新立项问题 — problems registered since the previous meeting, by source and listed.
6. 督查、测评、媒体反馈 — inspections, assessments and media feedback since the previous meeting,
   and the undercover footage (暗访素材) to be played.
7. 需表态发言 — who must make a statement and why (catalog/meetings.py).
8. 逾期任务节点与重要事项 — task milestones past due; important matters reported to the HQ.

Every number comes from the `Dashboard` the internal site renders (site/dashboards.py) or from
the catalog functions it is made of (decisions, statements, status_on), formatted as the site
formats them, so the pack and the dashboards cannot disagree. The audience is the staff's: the
internal view, with internal fields (the footage) shown.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter

from ..catalog.catalog import Catalog, assessment_rankings
from ..catalog.decisions import FollowUp, of_meeting, tally
from ..catalog.meetings import Meetings
from ..model.fields import choice_label
from ..model.problem import SOURCES
from ..site.dashboards import Dashboard, Ranked, overall_on
from .document import Column, Paper, Section, Table, chinese_date
from .occasion import Occasion, owed

ONE_DAY = dt.timedelta(days=1)


def number(value: int) -> str:
    """As the site prints counts (site/render.py number_zh): 25,000."""
    return f"{value:,}"


def pct(value: float | None) -> str:
    """As the dashboards print a rate: 44.4% (— when there is nothing to divide)."""
    return "—" if value is None else f"{value}%"


def day(value: dt.date | None) -> str:
    return chinese_date(value) if value else "—"


def cell_day(value: dt.date | None) -> str:
    """A date in a table cell, compact so that it fits its column on one line: 2017.4.21."""
    return f"{value.year}.{value.month}.{value.day}" if value else "—"


# Column widths are in em of the tables' 五号 (10.5 pt): the 版心 holds 42 em. A table cell has
# 0.6 em of padding, a date (2017.12.31) takes 5 em, an id (P-2017-12345) 6.7 em.
NO = Column("序号", 2.8, "center")
ID = Column("编号", 7.4)


def date_column(title: str) -> Column:
    return Column(title, 5.8, "center")


def movement(value: int | None) -> str:
    """As the dashboards show a change of rank: ↑2, ↓1, — (unchanged or not ranked before)."""
    return "—" if not value else f"↑{value}" if value > 0 else f"↓{-value}"


def signed(value: int) -> str:
    return f"+{value:,}" if value > 0 else f"−{-value:,}" if value < 0 else "0"


def name(catalog: Catalog, record_id: str | None) -> str:
    record = catalog.get(record_id)
    return getattr(record, "name", None) or getattr(record, "title", None) or record_id or "—"


def gather(catalog: Catalog, dashboard: Dashboard, meetings: Meetings, occasion: Occasion) -> Paper:
    """The pack for `occasion` (papers/occasion.py) from the catalog, its dashboard and its meetings."""
    sections = (_decisions(catalog, dashboard, occasion), _overall(catalog, dashboard, occasion),
                _rankings(catalog, dashboard), _overdue(catalog, dashboard), _new(catalog, occasion),
                _feedback(catalog, occasion), _statements(catalog, meetings, occasion), _late(catalog, dashboard))
    when = f"（{day(occasion.date)}）" if occasion.recorded else f"（预计{day(occasion.date)}召开，会议尚未登记）"
    office = next((h.name for h in catalog.of_type("hq") if h.kind == "office"), "总指挥部办公室")
    return Paper(f"{occasion.title}会议材料", catalog.as_of, sections, subtitle=when, author=office)


def _period(occasion: Occasion) -> str:
    return f"{day(occasion.since + ONE_DAY)}至{day(occasion.until)}"


# ---------------------------------------------------------------- 1. decisions

_DECISION_COLUMNS = (NO, Column("议定事项", 15.6), Column("责任单位", 7.5), date_column("完成时限"),
                     Column("状态", 3.8, "center"), Column("亮灯", 3.8, "center"), Column("逾期天数", 3, "right"))


def _decision_row(catalog: Catalog, i: int, f: FollowUp) -> tuple[str, ...]:
    return (str(i), f.text, name(catalog, f.owner), cell_day(f.deadline), f.state_label, f.light_label,
            str(f.overdue_days) if f.overdue_days else "")


def _decisions(catalog: Catalog, dashboard: Dashboard, occasion: Occasion) -> Section:
    paragraphs, tables = [], []
    previous = occasion.previous
    if previous is None:
        paragraphs.append("此前没有已召开的调度会。")
    else:
        items = of_meeting(catalog, previous)
        t = tally("", "", items)
        paragraphs.append(f"{previous.title}（{day(previous.date)}）议定事项 {number(t.total)} 项：已完成 {number(t.done)} 项，"
                          f"推进中 {number(t.in_progress)} 项，未启动 {number(t.not_started)} 项；逾期未完成 {number(t.late)} 项，"
                          f"临近时限 {number(t.due_soon)} 项。")
        tables.append(Table(f"{previous.title}议定事项落实情况", _DECISION_COLUMNS,
                            [_decision_row(catalog, i, f) for i, f in enumerate(items, 1)],
                            emphasis={i for i, f in enumerate(items) if f.light == "red"}, empty="该次会议没有议定事项。"))
    d = dashboard.decisions
    paragraphs.append(f"截至{day(catalog.as_of)}，各次会议议定事项共 {number(d.total)} 项：已完成 {number(d.done)} 项，"
                      f"推进中 {number(d.in_progress)} 项，未启动 {number(d.not_started)} 项；逾期未完成 {number(d.late)} 项，"
                      f"临近时限 {number(d.due_soon)} 项。")
    earlier = [f for f in dashboard.open_decisions
               if f.light == "red" and (previous is None or f.meeting.id != previous.id)]
    if earlier:
        tables.append(Table("此前各次会议逾期未完成的议定事项（逾期最久的在前）",
                            (NO, Column("议定事项", 13.3), Column("会议", 10), Column("责任单位", 7.4), date_column("完成时限"),
                             Column("逾期天数", 3, "right")),
                            [(str(i), f.text, f.meeting.title, name(catalog, f.owner), cell_day(f.deadline), str(f.overdue_days))
                             for i, f in enumerate(earlier, 1)]))
    return Section("上次会议议定事项落实情况", tuple(paragraphs), tuple(tables))


# ---------------------------------------------------------------- 2. overall

def _overall(catalog: Catalog, dashboard: Dashboard, occasion: Occasion) -> Section:
    o, lights = dashboard.overall, dashboard.lights
    average = "—" if o.avg_days_to_close is None else f"{o.avg_days_to_close}"
    paragraphs = [f"截至{day(catalog.as_of)}，共立项问题 {number(o.total)} 个，已销号 {number(o.closed)} 个，未销号 {number(o.open)} 个，"
                  f"整改销号率 {pct(o.rate)}，平均销号天数 {average}。",
                  f"红灯（逾期）{number(lights['red'])} 个，黄灯（临近时限）{number(lights['yellow'])} 个，"
                  f"绿灯 {number(lights['green'])} 个。"]
    previous = occasion.previous
    if previous is None:
        paragraphs.append("此前没有已召开的调度会，不作比较。")
        return Section("整改总体情况", tuple(paragraphs))
    before = overall_on(catalog, previous.date)
    if o.rate is None or before.rate is None:
        rate_change = "—"
    else:
        change = round(o.rate - before.rate, 1)
        rate_change = f"{'+' if change > 0 else '−' if change < 0 else ''}{abs(change)} 个百分点"
    paragraphs.append(f"与上次调度会（{day(previous.date)}）时相比：新立项 {number(o.total - before.total)} 个，"
                      f"新销号 {number(o.closed - before.closed)} 个，逾期问题 {signed(o.overdue - before.overdue)} 个，"
                      f"销号率 {rate_change}。")
    rows = [("问题总数", before.total, o.total), ("已销号", before.closed, o.closed), ("未销号", before.open, o.open),
            ("红灯（逾期）", before.overdue, o.overdue)]
    table = Table(f"整改情况变化（上次调度会{day(previous.date)}—{day(catalog.as_of)}）",
                  (Column("项目", 14), Column("上次调度会时", 9.4, "right"), Column("现在", 9.4, "right"),
                   Column("变化", 9.3, "right")),
                  [(label, number(a), number(b), signed(b - a)) for label, a, b in rows]
                  + [("整改销号率", pct(before.rate), pct(o.rate), rate_change)])
    return Section("整改总体情况", tuple(paragraphs), (table,))


# ---------------------------------------------------------------- 3. rankings

def _names(rows: tuple[Ranked, ...]) -> str:
    return "、".join(f"{r.name}（{pct(r.tally.rate)}）" for r in rows) or "无"


def _rankings(catalog: Catalog, dashboard: Dashboard) -> Section:
    black = {r.id for r in dashboard.black_list}
    paragraphs = [f"整改排名按销号率从高到低，销号率相同按逾期数从少到多；“较上月末”与{day(dashboard.previous)}的名次相比。",
                  f"红榜（整改最好）：{_names(dashboard.red_list)}。黑榜（整改最差）：{_names(dashboard.black_list)}。"]
    tables = [Table(f"各区（县、市）整改排名（截至{day(catalog.as_of)}）",
                    (Column("名次", 3, "center"), Column("区（县、市）", 12), Column("问题", 5, "right"),
                     Column("未销号", 5, "right"), Column("逾期", 5, "right"), Column("销号率", 6, "right"),
                     Column("较上月末", 6, "center")),
                    [(str(r.rank), r.name, number(r.tally.total), number(r.tally.open), number(r.tally.overdue),
                      pct(r.tally.rate), movement(r.movement)) for r in dashboard.districts],
                    emphasis={i for i, r in enumerate(dashboard.districts) if r.id in black})]
    ranked = [(a, rows) for a, rows in assessment_rankings(catalog) if a.date <= catalog.as_of]
    if not ranked:
        paragraphs.append("暂无测评。")
        return Section("各区（县、市）排名", tuple(paragraphs), tuple(tables))
    latest, rows = ranked[-1]
    before = next(((a, r) for a, r in reversed(ranked[:-1]) if a.kind == latest.kind), None)
    earlier = {row.district: row.rank for row in before[1]} if before else {}
    bottom = [row for row in rows if row.bottom]
    paragraphs.append(f"最近一次测评：{latest.title}（{day(latest.date)}发布），前三名："
                      f"{'、'.join(name(catalog, row.district) for row in rows[:3])}；"
                      + (f"排名后 {len(bottom)} 位：{'、'.join(name(catalog, row.district) for row in bottom)}，"
                         "须在调度会上作表态发言。" if bottom else "没有排名靠后须表态的区（县、市）。"))
    tables.append(Table(f"{latest.title}各区（县、市）排名" + (f"（名次变化与{before[0].title}相比）" if before else ""),
                        (Column("名次", 4, "center"), Column("区（县、市）", 18), Column("得分率（%）", 10, "right"),
                         Column("名次变化", 10, "center")),
                        [(str(row.rank), name(catalog, row.district), str(row.score),
                          movement(earlier[row.district] - row.rank if row.district in earlier else None)) for row in rows],
                        emphasis={i for i, row in enumerate(rows) if row.bottom}))
    return Section("各区（县、市）排名", tuple(paragraphs), tuple(tables))


# ---------------------------------------------------------------- 4. overdue

def _urged(catalog: Catalog, problem) -> int:
    return sum(u.date <= catalog.as_of for u in problem.urgings)


def _extended(problem) -> bool:
    return any(e.state == "extended" for e in problem.history)


def _mark(catalog: Catalog, problem) -> str:
    urged = _urged(catalog, problem)
    marks = ([f"已催办{urged}次" if urged > 1 else "已催办"] if urged else []) + (["已延期"] if _extended(problem) else [])
    return "；".join(marks)


def _overdue(catalog: Catalog, dashboard: Dashboard) -> Section:
    units = dashboard.overdue_by_unit
    problems = [p for _u, _n, ps in units for p in ps]
    urged = sum(_urged(catalog, p) > 0 for p in problems)
    extended = sum(_extended(p) for p in problems)
    paragraphs = (f"截至{day(catalog.as_of)}，逾期问题（红灯）{number(len(problems))} 个，涉及责任单位 {number(len(units))} 个；"
                  f"其中已催办 {number(urged)} 个，延期后仍逾期 {number(extended)} 个。清单按责任单位排列，同一单位逾期最久的在前。",)
    status = catalog.status
    by_unit = Table("逾期问题（按责任单位，逾期多者在前）",
                    (NO, Column("责任单位", 16), Column("逾期问题", 5.5, "right"), Column("其中已催办", 6, "right"),
                     Column("其中已延期", 6, "right"), Column("最长逾期天数", 5.8, "right")),
                    [(str(i), unit_name, number(len(ps)), number(sum(_urged(catalog, p) > 0 for p in ps)),
                      number(sum(_extended(p) for p in ps)), str(max(status[p.id].overdue_days for p in ps)))
                     for i, (_u, unit_name, ps) in enumerate(units, 1)], empty="没有逾期问题。")
    rows = []
    for _u, unit_name, ps in units:
        for p in sorted(ps, key=lambda p: (-status[p.id].overdue_days, p.id)):
            rows.append((str(len(rows) + 1), p.id, p.title, unit_name, cell_day(status[p.id].deadline),
                         str(status[p.id].overdue_days), _mark(catalog, p)))
    listing = Table("逾期问题清单",
                    (NO, ID, Column("问题", 11.8), Column("责任单位", 7.8), date_column("整改时限"),
                     Column("逾期天数", 2.8, "right"), Column("催办/延期", 3.7, "center")),
                    rows, empty="没有逾期问题。")
    return Section("逾期问题", paragraphs, (by_unit, listing))


# ---------------------------------------------------------------- 5. new problems

def new_problems(catalog: Catalog, occasion: Occasion) -> list:
    """Problems registered (立项, their first event) in the period: exactly those the overall total
    gained since the previous meeting."""
    found = [p for p in catalog.of_type("problem") if p.history and occasion.since < p.history[0].date <= occasion.until]
    return sorted(found, key=lambda p: (p.history[0].date, p.id))


def _new(catalog: Catalog, occasion: Occasion) -> Section:
    problems = new_problems(catalog, occasion)
    status = catalog.status
    counts = Counter(p.source for p in problems)
    still = Counter(p.source for p in problems if status[p.id].state != "closed")
    red = Counter(p.source for p in problems if status[p.id].light == "red")
    rows = [(label, number(counts[key]), number(still[key]), number(red[key])) for key, label in SOURCES.items() if counts[key]]
    rows.append(("合计", number(len(problems)), number(sum(still.values())), number(sum(red.values()))))
    paragraphs = (f"{_period(occasion)}（上次调度会后）新立项问题 {number(len(problems))} 个。",)
    by_source = Table("本期新立项问题（按来源）", (Column("来源", 18), Column("新立项", 8, "right"),
                                           Column("其中未销号", 8, "right"), Column("其中逾期", 8, "right")),
                      rows if problems else [], emphasis={len(rows) - 1} if problems else set(), empty="本期没有新立项问题。")
    order = {key: i for i, key in enumerate(SOURCES)}
    listed = sorted(problems, key=lambda p: (order.get(p.source, len(order)), p.history[0].date, p.id))
    listing = Table("本期新立项问题清单（按来源）",
                    (NO, ID, Column("问题", 12), Column("来源", 5.8), date_column("立项日期"), Column("责任单位", 8.3)),
                    [(str(i), p.id, p.title, SOURCES.get(p.source, p.source), cell_day(p.history[0].date),
                      name(catalog, p.responsible_unit)) for i, p in enumerate(listed, 1)], empty="本期没有新立项问题。")
    return Section("本期新立项问题", paragraphs, (by_source, listing))


# ---------------------------------------------------------------- 6. inspections, assessments, media

def _in(occasion: Occasion, date: dt.date) -> bool:
    return occasion.since < date <= occasion.until


def footage(catalog: Catalog, occasion: Occasion) -> list[tuple[str, str, str, str]]:
    """(source, report, district, footage) of the undercover footage to be played: what the
    meeting record lists, then the media feedback's undercover items of the period."""
    out = [("会议记录", "", "", f) for f in getattr(occasion.meeting, "footage_played", ()) or ()]
    for feedback in sorted(catalog.of_type("media_feedback"), key=lambda f: (f.date, f.id)):
        if not _in(occasion, feedback.date):
            continue
        for item in feedback.items:
            if item.footage or item.kind == "undercover":
                out.append((name(catalog, item.outlet), item.title, name(catalog, item.district) if item.district else "—",
                            "、".join(item.footage) or "（未登记素材）"))
    return out


def _feedback(catalog: Catalog, occasion: Occasion) -> Section:
    inspections = sorted((i for i in catalog.of_type("inspection") if _in(occasion, i.date)), key=lambda i: (i.date, i.id))
    assessments = sorted((a for a in catalog.of_type("assessment") if _in(occasion, a.date)), key=lambda a: (a.date, a.id))
    feedback = sorted((f for f in catalog.of_type("media_feedback") if _in(occasion, f.date)), key=lambda f: (f.date, f.id))
    played = footage(catalog, occasion)
    paragraphs = (f"{_period(occasion)}：实地督查 {len(inspections)} 次，发布测评 {len(assessments)} 次，"
                  f"媒体反馈 {len(feedback)} 期（报道与暗访 {sum(len(f.items) for f in feedback)} 条，"
                  f"其中立项督查 {sum(i.supervise for f in feedback for i in f.items)} 条）；拟播放暗访素材 {len(played)} 条。",
                  "暗访素材为内部资料，只在会上播放，不得外传。")
    bottom_n = catalog.thresholds.bottom_n
    rankings = {a.id: rows for a, rows in assessment_rankings(catalog)}
    tables = (
        Table("实地督查", (date_column("日期"), Column("督查组", 5.5), Column("被督查区（县、市）", 9),
                        Column("发现问题", 4.6, "right"), Column("督查情况", 17.2)),
              [(cell_day(i.date), name(catalog, i.group), "、".join(name(catalog, d) for d in i.districts), str(len(i.findings)),
                i.summary or "、".join(choice_label(i, "methods", m) for m in i.methods)) for i in inspections],
              empty="本期没有实地督查。"),
        Table("测评", (date_column("发布日期"), Column("测评", 12), Column("类别", 5.6),
                     Column("第一名", 6.5), Column(f"排名后 {bottom_n} 位", 12.2)),
              [(cell_day(a.date), a.title, choice_label(a, "kind"), name(catalog, rankings[a.id][0].district) if rankings[a.id] else "—",
                "、".join(name(catalog, r.district) for r in rankings[a.id] if r.bottom) or "—") for a in assessments],
              empty="本期没有发布测评。"),
        Table("媒体反馈", (date_column("反馈日期"), Column("报道与暗访", 5.6, "right"),
                       Column("其中暗访追踪", 4.2, "right"), Column("立项督查", 4.6, "right"), Column("办公室梳理汇总", 21.9)),
              [(cell_day(f.date), str(len(f.items)), str(sum(i.kind == "undercover" for i in f.items)),
                str(sum(i.supervise for i in f.items)), f.summary or "") for f in feedback],
              empty="本期没有媒体反馈。"),
        Table("拟播放的暗访素材（内部资料）", (NO, Column("来源", 8), Column("报道", 14),
                                      Column("涉及区（县、市）", 7), Column("素材", 10.3)),
              [(str(i), *row) for i, row in enumerate(played, 1)], empty="本期没有暗访素材。"),
    )
    return Section("督查、测评、媒体反馈", paragraphs, tables)


# ---------------------------------------------------------------- 7. statements

def _statements(catalog: Catalog, meetings: Meetings, occasion: Occasion) -> Section:
    owing, held = owed(meetings, occasion)
    t = catalog.thresholds
    paragraphs = ["《工作机制》：根据媒体曝光及当月测评排名靠后的区（市）和存在问题的市级部门主要负责人要在调度会上作表态发言。"
                  f"按创建工作设置：最近一次测评排名后 {t.bottom_n} 位的区，两次调度会之间被媒体曝光并立项督查达 "
                  f"{t.statement_exposures} 次的区，逾期问题达 {t.statement_overdue} 个的市级部门。",
                  f"本次须表态发言的单位 {len(owing)} 个" + (f"，已表态 {sum(o.made for o in owing)} 个。" if held else "。")]
    columns = (NO, Column("单位", 11), Column("原因", 10), Column("依据", 9.7 if held else 14.3))
    rows = [(str(i), name(catalog, o.by), o.reason, o.basis) for i, o in enumerate(owing, 1)]
    if held:
        columns += (Column("是否表态", 4.6, "center"),)
        rows = [(*row, "已表态" if o.made else "未表态") for row, o in zip(rows, owing)]
    table = Table("须表态发言的单位", columns, rows, emphasis={i for i, o in enumerate(owing) if held and not o.made},
                  empty="没有须表态发言的单位。")
    return Section("需表态发言", tuple(paragraphs), (table,))


# ---------------------------------------------------------------- 8. milestones and major matters

def _late(catalog: Catalog, dashboard: Dashboard) -> Section:
    late, matters = dashboard.late_milestones, dashboard.matters
    paragraphs = (f"逾期未完成的任务节点 {number(len(late))} 个（《工作机制》：推进创建任务按序时落实）。",
                  f"重要事项和重大问题 {number(len(matters))} 件，其中逾期上报或尚未上报 {number(sum(r.late for r in matters))} 件"
                  f"（上报时限 {catalog.thresholds.major_report_days} 天）。")
    milestones = Table("逾期的任务节点（逾期最久的在前）",
                       (Column("任务", 15.4), Column("节点", 9), Column("牵头单位", 8.5), date_column("时限"),
                        Column("逾期天数", 3.4, "right")),
                       [(m.task.title, m.title, name(catalog, m.task.lead_unit), cell_day(m.due), str(m.days)) for m in late],
                       empty="没有逾期的任务节点。")
    reported = Table("重要事项和重大问题上报情况（最近的在前）",
                     (Column("事项", 11.3), Column("类别", 4.6), Column("报告单位", 7.2), date_column("发现日期"),
                      Column("上报", 8.4), Column("处理意见", 4.8, "center")),
                     [(r.matter.title, choice_label(r.matter, "kind"), name(catalog, r.matter.by), cell_day(r.matter.found),
                       f"{r.status}（{r.days} 天）", "已处理" if r.matter.response else "待处理") for r in matters],
                     emphasis={i for i, r in enumerate(matters) if r.late}, empty="没有上报的重要事项和重大问题。")
    return Section("逾期任务节点与重要事项", paragraphs, (milestones, reported))
