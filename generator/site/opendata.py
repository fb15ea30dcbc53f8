"""Open data and the feed, written from a view (the public site gets the public view only).

Each table is declared once as columns (key, Chinese heading, description, value); CSV (UTF-8
with BOM, so Excel shows Chinese), JSON and XLSX are written from the same declaration, and so
is the page that documents them. Output is deterministic: no timestamps but the as-of date.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import quote
from xml.sax.saxutils import escape as xml_escape

from ..catalog.catalog import Catalog
from ..model import display_name
from ..model.fields import choice_label
from ..model.lifecycle import LIGHT_LABELS, STATE_LABELS
from ..model.problem import SOURCES
from .dashboards import Dashboard
from .urls import page_url, record_path
from .xlsx import workbook


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    description: str
    value: Callable


@dataclass(frozen=True)
class Table:
    name: str                     # file stem under data/
    title: str
    description: str
    columns: tuple[Column, ...]
    rows: tuple


def _url(record) -> str:
    path = record_path(record)
    return page_url(path) if path else ""


def _closed_on(problem) -> dt.date | None:
    return problem.history[-1].date if problem.history and problem.history[-1].state == "closed" else None


def tables(catalog: Catalog, dashboard: Dashboard) -> list[Table]:
    def name(record_id):
        record = catalog.get(record_id)
        return display_name(record) if record else ""

    st = catalog.status
    problems = Table("problems", "问题", "每个问题一行，状态与亮灯按数据截止日期推算。", (
        Column("id", "编号", "问题编号", lambda p: p.id),
        Column("title", "问题", "问题标题", lambda p: p.title),
        Column("district_id", "责任区编号", "区（县、市）编号", lambda p: p.district),
        Column("district", "责任区", "区（县、市）名称", lambda p: name(p.district)),
        Column("location", "点位", "点位地址", lambda p: p.location or ""),
        Column("source", "来源", "问题来源：" + "、".join(SOURCES.values()), lambda p: SOURCES[p.source]),
        Column("found", "发现日期", "YYYY-MM-DD", lambda p: p.found),
        Column("site_type", "点位类型", "测评体系的点位类型", lambda p: name(p.site_type) if p.site_type else ""),
        Column("indicator", "测评指标", "测评指标", lambda p: name(p.indicator) if p.indicator else ""),
        Column("responsible_unit", "责任单位", "负责整改的单位", lambda p: name(p.responsible_unit)),
        Column("deadline", "整改时限", "现行整改时限（含延期），YYYY-MM-DD", lambda p: st[p.id].deadline),
        Column("state", "状态", "当前状态：" + "、".join(STATE_LABELS.values()), lambda p: st[p.id].state_label),
        Column("light", "亮灯", "红灯逾期、黄灯临近时限、绿灯、已完成", lambda p: LIGHT_LABELS[st[p.id].light]),
        Column("overdue_days", "逾期天数", "未逾期为 0", lambda p: st[p.id].overdue_days),
        Column("closed", "销号日期", "未销号为空", lambda p: _closed_on(p) or ""),
        Column("url", "页面", "本站上的问题页（相对地址）", lambda p: _url(p)),
    ), tuple(sorted(catalog.of_type("problem"), key=lambda p: p.id)))

    ranking_rows = [("整改排名", catalog.as_of, r.rank, r.id, r.name, r.tally.rate, r.tally.total, r.tally.overdue)
                    for r in dashboard.districts]
    assessments = dashboard.assessments
    for i, assessment in enumerate(assessments.assessments):
        for district_id, district_name, cells in assessments.rows:
            if cells[i]:
                ranking_rows.append((assessment.title, assessment.date, cells[i][1], district_id, district_name,
                                     cells[i][0], None, None))
    rankings = Table("rankings", "排名", "各区（县、市）的整改排名（按销号率）和历次测评排名（按得分率）。", (
        Column("ranking", "排名", "“整改排名”或测评名称", lambda r: r[0]),
        Column("date", "日期", "整改排名为数据截止日期，测评为发布日期", lambda r: r[1]),
        Column("rank", "名次", "并列时名次相同", lambda r: r[2]),
        Column("district_id", "区编号", "区（县、市）编号", lambda r: r[3]),
        Column("district", "区（县、市）", "名称", lambda r: r[4]),
        Column("score", "得分", "整改排名为销号率（%），测评为得分率（%）", lambda r: "" if r[5] is None else r[5]),
        Column("problems", "问题数", "整改排名：问题总数", lambda r: "" if r[6] is None else r[6]),
        Column("overdue", "逾期数", "整改排名：逾期问题数", lambda r: "" if r[7] is None else r[7]),
    ), tuple(ranking_rows))

    meetings = Table("meetings", "会议", "每次会议一行，含议定事项的落实情况。", (
        Column("id", "编号", "会议编号", lambda m: m.id),
        Column("kind", "类别", "总指挥部会议、调度会、分指挥部会议、区级会议", lambda m: choice_label(m, "kind")),
        Column("title", "会议名称", "", lambda m: m.title),
        Column("date", "日期", "YYYY-MM-DD", lambda m: m.date),
        Column("status", "状态", "已召开或计划召开", lambda m: choice_label(m, "status")),
        Column("chair", "主持人职务", "", lambda m: m.chair_role or ""),
        Column("sub_hq", "分指挥部", "分指挥部会议", lambda m: name(m.sub_hq) if m.sub_hq else ""),
        Column("district", "区（县、市）", "区级会议", lambda m: name(m.district) if m.district else ""),
        Column("decisions", "议定事项", "件数", lambda m: len(m.decisions)),
        Column("decisions_done", "已完成", "件数", lambda m: sum(d.state == "done" for d in m.decisions)),
        Column("decisions_late", "逾期", "未完成且已过时限的件数",
               lambda m: sum(d.state != "done" and d.deadline < catalog.as_of for d in m.decisions)),
        Column("url", "页面", "本站上的会议页（相对地址）", lambda m: _url(m)),
    ), tuple(sorted(catalog.of_type("meeting"), key=lambda m: (m.date, m.id))))
    return [problems, rankings, meetings]


def _cell(value):
    return value.isoformat() if isinstance(value, dt.date) else value


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value):
    """A CSV cell a spreadsheet will not run: text that begins like a formula (=, +, -, @, tab,
    CR) gets a leading apostrophe, as OWASP's CSV-injection guidance advises. Numbers stay
    numbers (only text is written this way)."""
    value = _cell(value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.heading for c in table.columns])
    for row in table.rows:
        writer.writerow([csv_text(c.value(row)) for c in table.columns])
    return "\ufeff".encode("utf-8") + buffer.getvalue().encode("utf-8")


def _json(table: Table, as_of: dt.date) -> bytes:
    data = {"title": table.title, "as_of": as_of.isoformat(),
            "columns": [{"key": c.key, "heading": c.heading, "description": c.description} for c in table.columns],
            "rows": [{c.key: _cell(c.value(row)) for c in table.columns} for row in table.rows]}
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _xlsx(table: Table, as_of: dt.date) -> bytes:
    return workbook(table.title, [c.heading for c in table.columns],
                    ([c.value(row) for c in table.columns] for row in table.rows),
                    [24 if c.key in ("title", "location") else 14 for c in table.columns],
                    dt.datetime(as_of.year, as_of.month, as_of.day))


def write_open_data(catalog: Catalog, dashboard: Dashboard, docs: Path) -> list[Table]:
    folder = docs / "data"
    folder.mkdir(parents=True, exist_ok=True)
    written = tables(catalog, dashboard)
    for table in written:
        (folder / f"{table.name}.csv").write_bytes(_csv(table))
        (folder / f"{table.name}.json").write_bytes(_json(table, catalog.as_of))
        (folder / f"{table.name}.xlsx").write_bytes(_xlsx(table, catalog.as_of))
    return written


def feed_id(catalog: Catalog) -> str:
    """The feed's Atom id: the same every day (a reader that sees another id takes it for another
    feed), and not the same for two cities: a tag URI (RFC 4151) dated by the campaign's start,
    naming its city."""
    campaign = catalog.campaign
    start = campaign.start.isoformat() if campaign else "2000-01-01"
    city = quote(campaign.city if campaign and campaign.city else "taizhang", safe="")
    return f"tag:taizhang,{start}:{city}/feed"


def atom_feed(catalog: Catalog, site_name: str, limit: int = 200) -> str:
    """State changes of problems, circulars and held meetings, newest first. Entry ids are
    dated by the entry (an event, a circular, a meeting), so they never change either."""
    entries = []
    for p in catalog.of_type("problem"):
        for n, event in enumerate(p.history):
            entries.append((event.date, f"{p.id}/{n}", f"{p.title}：{STATE_LABELS[event.state]}", _url(p),
                            event.note or ""))
    for c in catalog.of_type("circular"):
        entries.append((c.date, c.id, f"通报：{c.title}", _url(c), ""))
    for m in catalog.of_type("meeting"):
        if m.status == "held":
            entries.append((m.date, m.id, f"会议：{m.title}", _url(m), m.summary or ""))
    entries.sort(key=lambda e: (e[0], e[1]), reverse=True)
    entries = entries[:limit]

    def stamp(day: dt.date) -> str:
        return f"{day.isoformat()}T00:00:00+08:00"
    updated = entries[0][0] if entries else catalog.as_of
    lines = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
             f"<title>{xml_escape(site_name)}：最新动态</title>",
             '<link rel="self" type="application/atom+xml" href="feed.xml"/>',
             '<link rel="alternate" type="text/html" href="./"/>',
             f"<id>{xml_escape(feed_id(catalog))}</id>", f"<updated>{stamp(updated)}</updated>",
             f"<author><name>{xml_escape(site_name)}</name></author>"]
    for day, key, title, url, summary in entries:
        lines += ["<entry>", f"<title>{xml_escape(title)}</title>", f'<link href="{xml_escape(url)}"/>',
                  f"<id>tag:taizhang,{day.isoformat()}:{xml_escape(key)}</id>", f"<updated>{stamp(day)}</updated>"]
        if summary:
            lines.append(f"<summary>{xml_escape(summary)}</summary>")
        lines.append("</entry>")
    lines.append("</feed>")
    return "\n".join(lines) + "\n"
