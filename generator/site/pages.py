"""Which pages a view makes: one per record with a section, problem lists (by state, source,
month, light, district, sub-HQ and responsible unit), section indexes, dashboards and the home
page. Also the navigation: only index pages are in it.

Every list is cut into pages of PAGE_SIZE rows, so no page grows with the ledger and the build
stays linear in the number of records. Pages in the navigation are built by MkDocs; all others
(`Page.in_mkdocs` false: record pages and list pages) are written straight into Material's page
frame by frame.py.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..catalog.catalog import Catalog, summarize
from ..catalog.view import View
from ..model import Record, display_name
from ..model.lifecycle import STATE_LABELS
from ..model.problem import SOURCES
from .context import DashboardExtra, DataExtra, HomeExtra, PageContext, Pager, SectionExtra, Site
from .dashboards import Dashboard
from .render import DATE_FIELD, date_zh, newest_first
from .urls import SECTIONS, list_path, page_path, record_path

PAGE_SIZE = 100


@dataclass(frozen=True)
class Page:
    template: str
    context: PageContext
    in_mkdocs: bool = False


# section → nav title; NAV groups sections under tabs, in order
SECTION_INDEX = [
    ("problems", "问题"), ("hq", "总指挥部"), ("sub-hqs", "分指挥部"), ("groups", "督查组"),
    ("districts", "区（县、市）"), ("units", "责任单位"), ("meetings", "会议"), ("inspections", "实地督查"),
    ("self-inspections", "自检自查"), ("patrols", "老领导巡查"), ("assessments", "测评"), ("media", "媒体反馈"),
    ("circulars", "通报"), ("tasks", "工作任务"), ("accountability", "责任追究"),
]
# the leaders' pages; the urging list only where the view shows it (the internal site)
DASHBOARDS = [("dashboards/index.md", "dashboard.md.j2", "整改总览与排名"),
              ("dashboards/trend.md", "dashboard_trend.md.j2", "趋势与来源"),
              ("dashboards/assessments.md", "dashboard_assessments.md.j2", "测评得分与排名"),
              ("dashboards/cadence.md", "dashboard_cadence.md.j2", "工作频次"),
              ("dashboards/decisions.md", "dashboard_decisions.md.j2", "议定事项"),
              ("dashboards/urging.md", "dashboard_urging.md.j2", "催办与问责")]
NAV = [("问题", ["problems"]), ("组织", ["hq", "sub-hqs", "groups", "districts", "units"]),
       ("会议", ["meetings"]), ("督查", ["inspections", "self-inspections", "patrols"]),
       ("测评", ["assessments"]), ("媒体反馈", ["media"]), ("通报", ["circulars"]),
       ("工作任务", ["tasks"]), ("责任追究", ["accountability"])]
_TYPE_OF_SECTION = {section: type_name for type_name, section in SECTIONS.items()}
# organisation records are listed in the order of their files, the others newest first
_UNDATED = {"district", "sub_hq", "inspection_group", "unit", "hq"}


def page_title(record: Record, catalog: Catalog) -> str:
    """The title of a record's page (browser tab, header, search results)."""
    kind = record.type_name
    if kind == "problem":
        district = catalog.get(record.district)
        return f"{record.title}（{display_name(district)}）" if district else record.title
    if kind == "inspection":
        return f"{display_name(record)} {date_zh(record.date)}"
    if kind in ("media_feedback", "patrol_log"):
        return f"{'媒体反馈' if kind == 'media_feedback' else '老领导巡查'} {date_zh(record.date)}"
    if kind == "accountability":
        return f"{record.id} 责任追究"
    return display_name(record)


def plan(view: View, site: Site, dashboard: Dashboard, tables: list) -> list[Page]:
    """Every page of the view's site, in the order they are written."""
    catalog = view.catalog
    pages: list[Page] = []

    def add(template: str, path: str, title: str, in_mkdocs: bool = False, **kw) -> None:
        context = PageContext(site=site, catalog=catalog, path=path, title=title, **kw)
        pages.append(Page(template, context, in_mkdocs))

    def add_paged(template: str, first: str, title: str, items: tuple, field: str, in_mkdocs=False, **kw):
        count = max(1, -(-len(items) // PAGE_SIZE))
        for number in range(1, count + 1):
            chunk = items[(number - 1) * PAGE_SIZE: number * PAGE_SIZE]
            shown = title if number == 1 else f"{title}（第 {number} 页）"
            add(template, page_path(first, number), shown, in_mkdocs and number == 1,
                pager=Pager(first, number, count, len(items)), **{field: chunk}, **kw)

    add("home.md.j2", "index.md", site.name, True, extra=HomeExtra(summarize(catalog)))
    for record in catalog.records.values():
        path = record_path(record)
        if path:
            add(f"{record.type_name}.html.j2", path, page_title(record, catalog), record=record)

    by = {kind: defaultdict(list) for kind in ("state", "source", "month", "light", "district", "sub_hq", "unit")}
    for p in catalog.of_type("problem"):
        current = catalog.status[p.id]
        by["state"][current.state].append(p)
        by["source"][p.source].append(p)
        by["month"][p.found.strftime("%Y-%m")].append(p)
        by["light"][current.light].append(p)
        by["district"][p.district].append(p)
        by["unit"][p.responsible_unit].append(p)
        if p.sub_hq:
            by["sub_hq"][p.sub_hq].append(p)

    def org(type_name: str):
        return [(r.id, display_name(r)) for r in catalog.of_type(type_name)]
    lists = [
        ("state", "按状态", list(STATE_LABELS.items())),
        ("source", "按来源", list(SOURCES.items())),
        ("month", "按月份", [(m, f"{m[:4]}年{int(m[5:])}月") for m in sorted(by["month"], reverse=True)]),
        ("light", "按亮灯", [("red", "红灯（逾期）"), ("yellow", "黄灯（临近时限）"), ("green", "绿灯（整改中）")]),
        ("district", "按区（县、市）", org("district")),
        ("sub_hq", "按牵头分指挥部", org("sub_hq")),
        ("unit", None, org("unit")),          # linked from each unit's page, not from the index
    ]
    groups = []
    for kind, kind_label, entries in lists:
        for key, label in entries:
            chosen = by[kind][key]
            path = list_path(kind, key)
            add_paged("problem_list.html.j2", path, f"问题：{label}", newest_first(chosen), "problems")
            if kind_label:
                groups.append((kind_label, label, path, len(chosen)))
    add("problem_index.md.j2", "problems/index.md", "问题", True, groups=tuple(groups))

    add("data.md.j2", "data/index.md", "开放数据", True, extra=DataExtra(tuple(tables)))
    for path, template, title in DASHBOARDS:
        if template != "dashboard_urging.md.j2" or view.shows.urging:
            add(template, path, title, True, extra=DashboardExtra(dashboard))

    for section, title in SECTION_INDEX[1:]:
        type_name = _TYPE_OF_SECTION[section]
        records = catalog.of_type(type_name)
        if not records and section == "accountability":
            continue
        date_field = DATE_FIELD.get(type_name, "date")
        if type_name in _UNDATED:
            ordered = tuple(records)
        else:
            ordered = tuple(sorted(records, key=lambda r: (getattr(r, date_field), r.id), reverse=True))
        add_paged("record_list.html.j2", f"{section}/index.md", title, ordered, "records", True,
                  extra=SectionExtra(type_name))
    return pages


def nav(pages: list[Page]) -> list:
    """MkDocs nav: home and section indexes only; record and list pages stay out of it."""
    present = {p.context.path for p in pages if p.in_mkdocs}
    titles = dict(SECTION_INDEX)
    entries: list = [{"首页": "index.md"}]
    dashboards = [{title: path} for path, _, title in DASHBOARDS if path in present]
    entries.append({"仪表板": dashboards})
    for tab, sections in NAV:
        items = [{titles[s]: f"{s}/index.md"} for s in sections if f"{s}/index.md" in present]
        if len(sections) == 1 and items:
            entries.append({tab: items[0][titles[sections[0]]]})
        elif items:
            entries.append({tab: items})
    if "data/index.md" in present:
        entries.append({"开放数据": "data/index.md"})
    return entries
