"""Which pages a view makes: one per record with a section, list pages by district, sub-HQ,
source, state and month, section indexes and the home page. Also the navigation: only the
index pages are in it, so page size and build time stay linear in the number of records."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .dashboards import Dashboard
from .index import Catalog, summarize
from .lifecycle import STATE_LABELS
from .model.problem import SOURCES
from .render import SECTIONS, PageContext, Site, display_name, record_path


@dataclass(frozen=True)
class Page:
    template: str
    context: PageContext


# section → nav title; NAV groups sections under tabs, in order
SECTION_INDEX = [
    ("problems", "问题"), ("hq", "总指挥部"), ("sub-hqs", "分指挥部"), ("groups", "督查组"),
    ("districts", "区（县、市）"), ("units", "责任单位"), ("meetings", "会议"), ("inspections", "实地督查"),
    ("self-inspections", "自检自查"), ("patrols", "老领导巡查"), ("assessments", "测评"), ("media", "媒体反馈"),
    ("circulars", "通报"), ("tasks", "工作任务"), ("accountability", "责任追究"),
]
# the leaders' pages; the urging list is internal only
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


def _sorted_problems(problems) -> tuple:
    return tuple(sorted(problems, key=lambda p: (p.found, p.id), reverse=True))


def plan(catalog: Catalog, site: Site, dashboard: Dashboard, tables: list) -> list[Page]:
    pages: list[Page] = []

    def add(template: str, path: str, title: str, **kw) -> None:
        pages.append(Page(template, PageContext(site=site, catalog=catalog, path=path, title=title, **kw)))

    add("home.md.j2", "index.md", site.name, extra={"summary": summarize(catalog)})
    for record in catalog.records.values():
        path = record_path(record)
        if path:
            add(f"{record.type_name}.md.j2", path, display_name(record), record=record)

    problems = catalog.of_type("problem")
    by = {kind: defaultdict(list) for kind in ("state", "source", "month", "light")}
    for p in problems:
        current = catalog.status[p.id]
        by["state"][current.state].append(p)
        by["source"][p.source].append(p)
        by["month"][p.found.strftime("%Y-%m")].append(p)
        by["light"][current.light].append(p)
    lists = [
        ("state", "按状态", [(s, label, by["state"][s]) for s, label in STATE_LABELS.items()]),
        ("source", "按来源", [(s, label, by["source"][s]) for s, label in SOURCES.items()]),
        ("month", "按月份", [(m, f"{m[:4]}年{int(m[5:])}月", by["month"][m])
                          for m in sorted(by["month"], reverse=True)]),
        ("light", "按亮灯", [(light, label, by["light"][light])
                           for light, label in (("red", "红灯（逾期）"), ("yellow", "黄灯（临近时限）"),
                                                ("green", "绿灯（整改中）"))]),
    ]
    groups = []
    for kind, kind_label, entries in lists:
        for key, label, chosen in entries:
            path = f"problems/{kind}/{key}.md"
            add("problem_list.md.j2", path, f"问题：{label}", problems=_sorted_problems(chosen),
                extra={"kind": kind_label})
            groups.append((kind_label, label, path, len(chosen)))
    add("problem_index.md.j2", "problems/index.md", "问题", groups=tuple(groups))

    add("data.md.j2", "data/index.md", "开放数据", extra={"tables": tables})
    for path, template, title in DASHBOARDS:
        if template != "dashboard_urging.md.j2" or site.audience == "internal":
            add(template, path, title, extra={"dashboard": dashboard})

    for section, title in SECTION_INDEX[1:]:
        type_name = _TYPE_OF_SECTION[section]
        records = catalog.of_type(type_name)
        if not records and section == "accountability":
            continue
        add("record_list.md.j2", f"{section}/index.md", title, records=records,
            extra={"type_name": type_name})
    return pages


def nav(pages: list[Page]) -> list:
    """MkDocs nav: home and section indexes only; record and list pages stay out of it."""
    present = {p.context.path for p in pages}
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
