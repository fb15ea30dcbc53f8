"""What templates receive: the documented contract between the generator and site_templates/.

Every page template gets a `PageContext` as `ctx`, with what only its kind of page has in
`ctx.extra` (one dataclass per page kind). site_templates/README.md documents every field,
global and filter, and tests/test_templates.py holds the templates, the README and these
classes together.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..catalog.catalog import Catalog, Summary
from ..catalog.view import View
from ..model import Record
from .dashboards import Dashboard
from .glossary import Term
from .opendata import Table


@dataclass(frozen=True)
class Pager:
    """Where a page sits in a list cut into pages."""
    first: str                              # docs path of page 1
    number: int                             # this page, from 1
    count: int                              # number of pages
    total: int                              # items in the whole list


@dataclass(frozen=True)
class Site:
    """What every page knows about the site it is on."""
    name: str
    city: str
    audience: str            # public | internal
    as_of: dt.date
    illustrative: bool
    icp: str | None

    @classmethod
    def of(cls, view: View) -> "Site":
        """The site of a view, named by its campaign record (if the view has one)."""
        campaign = view.catalog.campaign
        return cls(name=campaign.name if campaign else "创建全国文明城市工作台账",
                   city=campaign.city if campaign else "", audience=view.audience, as_of=view.catalog.as_of,
                   illustrative=bool(campaign and campaign.illustrative), icp=campaign.icp if campaign else None)


@dataclass(frozen=True)
class HomeExtra:
    """home.md.j2"""
    summary: Summary


@dataclass(frozen=True)
class SectionExtra:
    """record_list.html.j2: a section's index of records"""
    type_name: str


@dataclass(frozen=True)
class Download:
    """A file the build wrote beside the pages for staff to download (the meeting papers)."""
    title: str                              # what it is, e.g. 总指挥部第5次工作调度会会议材料
    format: str                             # e.g. PDF（打印用）
    path: str                               # its path under docs/, e.g. papers/briefing.pdf
    size: int                               # bytes


@dataclass(frozen=True)
class DashboardExtra:
    """dashboard*.md.j2"""
    dashboard: Dashboard
    downloads: tuple[Download, ...] = ()    # the meeting papers, where the view shows them and the build made them


@dataclass(frozen=True)
class DataExtra:
    """data.md.j2: the open data page"""
    tables: tuple[Table, ...]


@dataclass(frozen=True)
class GlossaryExtra:
    """glossary.md.j2: the words of a problem's lifecycle explained"""
    states: tuple[Term, ...]                # every state: `key`, `label`, `text`, `next` (labels that may follow)
    lights: tuple[Term, ...]                # every light: `key`, `label`, `text`


@dataclass(frozen=True)
class Section:
    """One section of a navigation group, as its overview page lists it."""
    title: str
    path: str                               # docs path of the section's index
    count: int | None                       # records in it (None: not a section of records)
    text: str                               # what it holds


@dataclass(frozen=True)
class GroupExtra:
    """group_index.md.j2: the overview page of a navigation tab that holds several sections"""
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class SiteMapExtra:
    """site_map.md.j2: the site's navigation as one page (where a record page's drawer links
    when scripts do not run)"""
    entries: tuple          # (title, docs path or None, ((title, docs path), ...) under it)


EXTRAS = (HomeExtra, SectionExtra, DashboardExtra, DataExtra, GlossaryExtra, GroupExtra, SiteMapExtra)


@dataclass(frozen=True)
class PageContext:
    """The context every template receives (see site_templates/README.md)."""
    site: Site
    catalog: Catalog                        # the view's catalog
    path: str                               # the page's path under docs/, e.g. problems/P-2017-0001.md
    title: str
    record: Record | None = None            # record pages
    problems: tuple = ()                    # problem list pages: problems to show
    records: tuple = ()                     # other list pages
    groups: tuple = ()                      # index pages: (heading, path, count)
    pager: Pager | None = None              # list pages: where this page sits in its list
    extra: (HomeExtra | SectionExtra | DashboardExtra | DataExtra | GlossaryExtra | GroupExtra | SiteMapExtra
           | None) = None
