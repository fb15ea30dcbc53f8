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
from ..model import RECORD_TYPES, Record, display_name
from ..model.lifecycle import STATE_LABELS
from ..model.problem import SOURCES
from .context import (DashboardExtra, DataExtra, GlossaryExtra, GroupExtra, HomeExtra, PageContext, Pager, Section,
                      SectionExtra, Site, SiteMapExtra)
from .dashboards import Dashboard
from .glossary import lights, states
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
    ("major-matters", "重要事项报告"),
]
# the leaders' pages; the urging list only where the view shows it (the internal site)
DASHBOARDS = [("dashboards/index.md", "dashboard.md.j2", "整改总览与排名"),
              ("dashboards/trend.md", "dashboard_trend.md.j2", "趋势与来源"),
              ("dashboards/assessments.md", "dashboard_assessments.md.j2", "测评得分与排名"),
              ("dashboards/cadence.md", "dashboard_cadence.md.j2", "工作频次"),
              ("dashboards/decisions.md", "dashboard_decisions.md.j2", "议定事项"),
              ("dashboards/urging.md", "dashboard_urging.md.j2", "催办与问责")]
NAV = [("问题", ["problems"]), ("组织", ["hq", "sub-hqs", "groups", "districts", "units"]),
       ("会议", ["meetings"]), ("督查", ["inspections", "self-inspections", "patrols", "major-matters"]),
       ("测评", ["assessments"]), ("媒体反馈", ["media"]), ("通报", ["circulars"]),
       ("工作任务", ["tasks"]), ("责任追究", ["accountability"])]
# A tab that holds several sections opens on an overview page of its own name (its title is the
# tab's), listing the sections: the tab 督查 leads to a page 督查, not to the first section (实地督查).
GROUP_PAGES = {"仪表板": "dashboards/overview.md", "组织": "org/index.md", "督查": "checks/index.md"}
DASHBOARD_TEXT = {
    "dashboards/index.md": "问题总数、销号率、红黄绿灯；各区（县、市）和各分指挥部的整改排名与名次变化，红榜与黑榜。",
    "dashboards/trend.md": "每月新增、销号和积压的问题；按问题来源、点位类型和测评指标统计。",
    "dashboards/assessments.md": "各区历次模拟测评和第三方测评的得分率与名次。",
    "dashboards/cadence.md": "调度会、分指挥部会议、督查组督查和媒体反馈是否达到规定的频次。",
    "dashboards/decisions.md": "各次会议议定事项的落实情况，按责任单位统计。",
    "dashboards/urging.md": "按责任单位列出的逾期问题（发催办通知用）和责任追究案件。",
}
SECTION_TEXT = {
    "hq": "总指挥部和总指挥部办公室：领导、职责、总指挥部会议。",
    "sub-hqs": "分指挥部：成员单位、工作任务、会议和牵头整改的问题。",
    "groups": "督查组：带队领导、负责的区和实地督查。",
    "districts": "各区（县、市）和开发（度假）园区：问题、整改排名、测评排名和议定事项。",
    "units": "市级部门、区级部门和街道：负责整改的问题和议定事项。",
    "inspections": "督查组到各区实地督查，发现的问题立项整改。",
    "self-inspections": "各区、各单位对照测评体系上报的自检自查报告。",
    "patrols": "市级老领导工作组进驻各区的日常巡查和意见建议。",
    "major-matters": "各区、各单位向总指挥部报告的重要事项和重大问题，是否在时限内上报。",
}
GLOSSARY = "problems/states.md"
_TYPE_OF_SECTION = {section: type_name for type_name, section in SECTIONS.items()}
# organisation records are listed in the order of their files, the others newest first
_UNDATED = {"district", "sub_hq", "inspection_group", "unit", "hq"}


def page_title(record: Record, catalog: Catalog) -> str:
    """The title of a record's page (browser tab, header, search results); pages whose record has
    no title of its own show it as their heading too, so the two always agree."""
    kind = record.type_name
    if kind == "problem":
        district = catalog.get(record.district)
        return f"{record.title}（{display_name(district)}）" if district else record.title
    if kind == "inspection":           # the page's heading too: 第一督查组实地督查（2017年4月6日）
        group = catalog.get(record.group)
        return f"{display_name(group) if group else ''}实地督查（{date_zh(record.date)}）"
    if kind == "media_feedback":
        return f"媒体反馈（{date_zh(record.date)}）"
    if kind == "patrol_log":
        group = catalog.get(record.group)
        return f"{display_name(group) if group else '老领导工作组'}巡查（{date_zh(record.date)}）"
    if kind == "accountability":
        target = catalog.get(record.target)
        return f"{record.id} 责任追究：{display_name(target)}" if target else f"{record.id} 责任追究"
    return display_name(record)


def plan(view: View, site: Site, dashboard: Dashboard, tables: list, downloads: tuple = ()) -> list[Page]:
    """Every page of the view's site, in the order they are written; `downloads` (the meeting
    papers the build wrote) are linked from the dashboards."""
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
    add("glossary.md.j2", GLOSSARY, "问题状态说明", True,
        extra=GlossaryExtra(states(), lights(catalog.thresholds.yellow_days)))

    add("data.md.j2", "data/index.md", "开放数据", True, extra=DataExtra(tuple(tables)))
    for path, template, title in DASHBOARDS:
        if template != "dashboard_urging.md.j2" or view.shows.urging:
            add(template, path, title, True, extra=DashboardExtra(dashboard, downloads))

    for section, title in SECTION_INDEX[1:]:
        type_name = _TYPE_OF_SECTION[section]
        records = catalog.of_type(type_name)
        if not records and RECORD_TYPES[type_name].internal_type:
            continue                # accountability, major matters: none in the public view
        date_field = DATE_FIELD.get(type_name, "date")
        if type_name in _UNDATED:
            ordered = tuple(records)
        else:
            ordered = tuple(sorted(records, key=lambda r: (getattr(r, date_field), r.id), reverse=True))
        add_paged("record_list.html.j2", f"{section}/index.md", title, ordered, "records", True,
                  extra=SectionExtra(type_name))
    shown = [(path, title) for path, _, title in DASHBOARDS if any(p.context.path == path for p in pages)]
    add("group_index.md.j2", GROUP_PAGES["仪表板"], "仪表板", True, extra=GroupExtra(tuple(
        Section(title, path, None, DASHBOARD_TEXT[path]) for path, title in shown)))
    titles = dict(SECTION_INDEX)
    for tab, sections in NAV:
        if tab in GROUP_PAGES:
            listed = tuple(Section(titles[s], f"{s}/index.md", len(catalog.of_type(_TYPE_OF_SECTION[s])), SECTION_TEXT[s])
                           for s in sections)
            add("group_index.md.j2", GROUP_PAGES[tab], tab, True, extra=GroupExtra(listed))
    add("site_map.md.j2", SITE_MAP, "网站地图", True, extra=SiteMapExtra(site_map(nav(pages))))
    return pages


SITE_MAP = "site-map.md"        # linked from the drawer of every record and list page (frame.py)


def site_map(entries: list) -> tuple:
    """The navigation (as `nav` gives it to MkDocs) as the site map's entries."""
    out = []
    for entry in entries:
        (title, target), = entry.items()
        if isinstance(target, list):
            out.append((title, None, tuple(next(iter(item.items())) for item in target)))
        else:
            out.append((title, target, ()))
    return tuple(out)


def nav(pages: list[Page]) -> list:
    """MkDocs nav: home and section indexes only; record and list pages stay out of it."""
    present = {p.context.path for p in pages if p.in_mkdocs}
    titles = dict(SECTION_INDEX)
    entries: list = [{"首页": "index.md"}]
    dashboards = [{title: path} for path, _, title in DASHBOARDS if path in present]
    entries.append({"仪表板": [{"仪表板": GROUP_PAGES["仪表板"]}] + dashboards})
    for tab, sections in NAV:
        items = [{titles[s]: f"{s}/index.md"} for s in sections if f"{s}/index.md" in present]
        if len(sections) == 1 and items:
            entries.append({tab: items[0][titles[sections[0]]]})
        elif items:
            overview = [{tab: GROUP_PAGES[tab]}] if GROUP_PAGES.get(tab) in present else []
            entries.append({tab: overview + items})
    if "data/index.md" in present:
        entries.append({"开放数据": "data/index.md"})
    return entries
