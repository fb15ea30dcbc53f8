"""Render: a view → Markdown pages (front matter + escaped HTML) for MkDocs.

Templates live in site_templates/pages/ and receive a view (its catalog, its records' Git
history, what it may show) through the PageContext and the helpers documented in
site_templates/README.md, never raw records of another audience. Every value printed is
escaped for HTML *and* Markdown (Markdown punctuation becomes numeric entities), so record
text can never become a link, an emphasis or a tag; fields that allow Markdown go through
`markdown_safe`, which renders and then sanitises.
"""
from __future__ import annotations

import datetime as dt
import html
import re
from collections import defaultdict
from pathlib import Path

import markdown as markdown_lib
import nh3
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from ..catalog.catalog import Catalog, assessment_rankings, problem_counts
from ..catalog.decisions import of_meeting, owned_by
from ..catalog.meetings import Meetings
from ..catalog.view import View
from ..model import RECORD_TYPES, Record, display_name
from ..model.fields import choice_label
from ..model.lifecycle import LIGHT_LABELS, STATE_LABELS, Status
from ..model.problem import SOURCES
from ..model.ranking import ranking
from .charts import bar_chart, line_chart
from .context import PageContext, Site
from .dashboards import Dashboard
from .glossary import next_steps
from .urls import depth, list_path, page_path, page_url, record_path

# the date a list of records of a type is sorted and shown by
DATE_FIELD = {"task": "assigned", "major_matter": "found"}

_MD_PUNCT = re.compile(r"[\\`*_{}\[\]()#+\-.!|~<>&\"':=$]")


def text_escape(value) -> Markup:
    """Escape for HTML and neutralise Markdown: record text is data, never markup."""
    if isinstance(value, Markup):
        return value
    if value is None:
        return Markup("")
    return Markup(_MD_PUNCT.sub(lambda m: f"&#{ord(m.group())};", str(value)))


_ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote", "a", "code",
                 "pre", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "hr"}


def markdown_safe(text: str | None) -> Markup:
    """Markdown from a field that allows it, rendered and sanitised: safe tags only, links
    only to http(s) or relative addresses."""
    if not text:
        return Markup("")
    rendered = markdown_lib.markdown(text, extensions=["tables"], output_format="html")
    clean = nh3.clean(rendered, tags=_ALLOWED_TAGS, attributes={"a": {"href", "title"}},
                      url_schemes={"http", "https"}, link_rel="noopener noreferrer nofollow")
    return Markup(clean)


def newest_first(problems) -> tuple:
    """Problems as every list shows them: latest found first."""
    return tuple(sorted(problems, key=lambda p: (p.found, p.id), reverse=True))


def date_zh(value: dt.date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else "—"


def number_zh(value) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


class Renderer:
    """The templates of site_templates/pages/ with this view's helpers; `render` fills one page."""

    def __init__(self, templates: Path, view: View, site: Site, dashboard: Dashboard | None = None):
        catalog = view.catalog
        self.catalog, self.site, self.history = catalog, site, view.history
        self.env = Environment(loader=FileSystemLoader(templates / "pages"), autoescape=True,
                               finalize=text_escape, undefined=StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
        self.env.filters.update(date_zh=date_zh, number=number_zh, md=markdown_safe,
                                state=lambda s: STATE_LABELS.get(s, s),
                                light=lambda s: LIGHT_LABELS.get(s, s),
                                source=lambda s: SOURCES.get(s, s))
        bottom_n = catalog.thresholds.bottom_n
        self.env.globals.update(
            label=choice_label, labels=self.labels, type_label=lambda t: RECORD_TYPES[t].label,
            street_name=self.street_name, ranking=lambda a: ranking(a, bottom_n),
            district_rankings=self.district_rankings, counts=lambda r: problem_counts(catalog, r),
            sorted_problems=newest_first,
            date_field=lambda t: DATE_FIELD.get(t, "date"), kind_label=self.kind_label,
            list_path=list_path, page_path=page_path,
            chart_bars=lambda rows, title, table_id: bar_chart(
                [(r.name, r.tally.rate) for r in rows], title, table_id, maximum=100, unit="%"),
            chart_labelled=lambda rows, title, table_id: bar_chart(
                [(r.label, r.tally.total) for r in rows], title, table_id),
            chart_trend=lambda months, title, table_id: line_chart(
                [m.month for m in months], [("新增", [m.opened for m in months]), ("销号", [m.closed for m in months]),
                                            ("积压", [m.backlog for m in months])], title, table_id),
            chart_assessment=self.assessment_chart,
            changes_of=lambda r: self.history.of(catalog.files.get(r.id, "")), updated_of=view.updated,
            shows=view.shows,
            decisions_of=lambda r: owned_by(catalog, r.id), meeting_decisions=lambda m: of_meeting(catalog, m),
            meeting_around=lambda m: self.meetings.around(m), statements_expected=lambda m: self.meetings.expected(m),
            standing=self.standing, next_steps=next_steps)
        self._standing = {}
        if dashboard is not None:
            for rows in (dashboard.districts, dashboard.sub_hqs):
                for row in rows:
                    self._standing[row.id] = (row, len(rows))
        self._meetings = None
        self._rankings = None
        self._links: dict[str, dict[str, Markup]] = {}     # per depth: record id → its link

    @property
    def meetings(self) -> Meetings:
        if self._meetings is None:
            self._meetings = Meetings(self.catalog)
        return self._meetings

    def standing(self, record: Record):
        """(its row in the dashboard's ranking, number ranked) for a district or sub-HQ, else None."""
        return self._standing.get(record.id)

    def labels(self, record: Record, field_name: str) -> list[str]:
        return [choice_label(record, field_name, v) for v in getattr(record, field_name)]

    def kind_label(self, record: Record) -> str:
        return choice_label(record, "kind") if "kind" in type(record).model_fields else ""

    def street_name(self, record: Record) -> str | None:
        district = self.catalog.get(getattr(record, "district", None))
        if not record.street or district is None or district.type_name != "district":
            return None
        return next((s.name for s in district.streets if s.id == record.street), None)

    def district_rankings(self, district_id: str) -> list:
        """(assessment, its row for the district, number ranked), oldest first."""
        if self._rankings is None:
            self._rankings = defaultdict(list)
            for a, rows in assessment_rankings(self.catalog):
                for row in rows:
                    self._rankings[row.district].append((a, row, len(rows)))
        return self._rankings.get(district_id, [])

    def assessment_chart(self, assessment, table_id: str) -> Markup:
        rows = ranking(assessment, self.catalog.thresholds.bottom_n)
        names = {r.district: display_name(self.catalog.get(r.district)) if self.catalog.get(r.district)
                 else r.district for r in rows}
        return bar_chart([(names[r.district], r.score) for r in rows], f"{assessment.title}各区得分率", table_id,
                         maximum=100, unit="", highlight={names[r.district] for r in rows if r.bottom}, note="靠后")

    def page_values(self, context: PageContext) -> dict:
        """What a template sees besides the globals: the context and its shortcuts, and the
        helpers that depend on where the page is."""
        catalog = self.catalog
        # Every page's URL is a directory at a known depth: a link climbs to the site root and
        # down to its target. Paths are built from ids, which their patterns keep to safe characters.
        prefix = "../" * depth(context.path)
        links = self._links.setdefault(prefix, {})

        def url(path: str) -> Markup:
            target = page_url(path) if path.endswith(".md") else path
            return Markup(html.escape(prefix + target) or "./")

        def link(record_or_id, text: str | None = None) -> Markup:
            if record_or_id is None:
                return Markup("—")
            key = record_or_id if isinstance(record_or_id, str) else record_or_id.id
            if text is None and key in links:
                return links[key]
            record = catalog.get(record_or_id) if isinstance(record_or_id, str) else record_or_id
            if record is None:
                return Markup("—")
            shown = text_escape(text or display_name(record))
            path = record_path(record)
            made = Markup(f'<a href="{url(path)}">{shown}</a>') if path else shown
            if text is None:
                links[key] = made
            return made

        def status(problem) -> Status:
            return catalog.status[problem.id]

        return dict(ctx=context, site=context.site, catalog=catalog, record=context.record,
                    url=url, link=link, status=status, name=display_name)

    def render(self, template: str, context: PageContext) -> str:
        values = self.page_values(context)
        return self.env.get_template(template).render(**values) + self.env.get_template("_footer.html.j2").render(**values)
