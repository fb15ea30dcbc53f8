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
from ..catalog.book import SEP, Book
from ..catalog.meetings import owed, series
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
from .tracking import Memo, TrackedHistory, track
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


def standings(dashboard: Dashboard | None) -> dict[str, tuple]:
    """id → (its row in the dashboard's ranking, number ranked), for every district and sub-HQ."""
    out: dict[str, tuple] = {}
    if dashboard is not None:
        for rows in (dashboard.districts, dashboard.sub_hqs):
            for row in rows:
                out[row.id] = (row, len(rows))
    return out


class Renderer:
    """The templates of site_templates/pages/ with this view's helpers; `render` fills one page.
    The view's catalog is a `Book` (catalog/book.py): every helper reads through it, so what a
    page reads is noted; what is kept between pages is noted again on each use (`Memo`). The
    dashboard's rankings come from `dashboard`, or as `standing` (`standings`) where the build
    kept them from the last one."""

    def __init__(self, templates: Path, view: View, site: Site, dashboard: Dashboard | None = None,
                 standing: dict | None = None):
        catalog = view.catalog
        history = TrackedHistory(view.history, catalog)
        self.catalog, self.site, self.history = catalog, site, history
        self.memo = Memo(catalog)
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
            changes_of=lambda r: history.of(catalog.files.get(r.id, "")), updated_of=self.updated_of,
            shows=view.shows,
            decisions_of=lambda r: owned_by(catalog, r.id), meeting_decisions=lambda m: of_meeting(catalog, m),
            meeting_around=self.meeting_around, statements_expected=self.statements_expected,
            standing=self.standing, next_steps=next_steps)
        self.view = view
        self._standing = standings(dashboard) if standing is None else standing

    def meeting_around(self, meeting) -> tuple:
        """(previous, next) meeting of the same series, or None."""
        return self.memo.get("around", lambda: series(self.catalog)).get(meeting.id, (None, None))

    def statements_expected(self, meeting) -> tuple:
        """The statements a scheduling meeting owes (catalog/meetings.py)."""
        if meeting.kind != "scheduling":        # only scheduling meetings owe any: read nothing else
            return ()
        return self.memo.get("owed", lambda: owed(self.catalog)).get(meeting.id, ())

    def standing(self, record: Record):
        """(its row in the dashboard's ranking, number ranked) for a district or sub-HQ, else None."""
        track(self.catalog, f"D{SEP}{record.id}")
        return self._standing.get(record.id)

    def updated_of(self, record: Record | None, listed: tuple = ()):
        """The page's 最后更新 as the view dates it (`View.updated`), each thing it read noted:
        the records' Git history, their own latest dates as of the data date, the view's last change."""
        catalog, view = self.catalog, self.view
        if not isinstance(catalog, Book):
            return view.updated(record, listed)

        def dated(r: Record) -> dt.date | None:
            changes = self.history.of(catalog.files.get(r.id, ""))
            return changes[0].date if changes else catalog.own_date(r.id)
        found = view.updated(record, listed, dated)
        if found == view.last_change:       # perhaps by it: noted (noting more than read is safe)
            catalog.track(f"G{SEP}last_change")
        return found

    def labels(self, record: Record, field_name: str) -> list[str]:
        return [choice_label(record, field_name, v) for v in getattr(record, field_name)]

    def kind_label(self, record: Record) -> str:
        return choice_label(record, "kind") if "kind" in record.__class__.model_fields else ""

    def street_name(self, record: Record) -> str | None:
        district = self.catalog.get(getattr(record, "district", None))
        if not record.street or district is None or district.type_name != "district":
            return None
        return next((s.name for s in district.streets if s.id == record.street), None)

    def district_rankings(self, district_id: str) -> list:
        """(assessment, its row for the district, number ranked), oldest first."""
        def compute():
            found = defaultdict(list)
            for a, rows in assessment_rankings(self.catalog):
                for row in rows:
                    found[row.district].append((a, row, len(rows)))
            return found
        return self.memo.get("rankings", compute).get(district_id, [])

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
        memo = self.memo

        def url(path: str) -> Markup:
            target = page_url(path) if path.endswith(".md") else path
            return Markup(html.escape(prefix + target) or "./")

        def make_link(record_or_id, text: str | None) -> Markup:
            # through the catalog also when given a record: what the link shows is then noted
            key = record_or_id if isinstance(record_or_id, str) else record_or_id.id
            record = catalog.get(key)
            if record is None and not isinstance(record_or_id, str):
                record = record_or_id
            if record is None:
                return Markup("—")
            shown = text_escape(text or display_name(record))
            path = record_path(record)
            return Markup(f'<a href="{url(path)}">{shown}</a>') if path else shown

        def link(record_or_id, text: str | None = None) -> Markup:
            if record_or_id is None:
                return Markup("—")
            if text is not None:
                return make_link(record_or_id, text)
            key = record_or_id if isinstance(record_or_id, str) else record_or_id.id
            return memo.get(("link", prefix, key), lambda: make_link(record_or_id, None))

        def status(problem) -> Status:
            return catalog.status[problem.id]

        return dict(ctx=context, site=context.site, catalog=catalog, record=context.record,
                    url=url, link=link, status=status, name=display_name)

    def render(self, template: str, context: PageContext) -> str:
        values = self.page_values(context)
        return self.env.get_template(template).render(**values) + self.env.get_template("_footer.html.j2").render(**values)
