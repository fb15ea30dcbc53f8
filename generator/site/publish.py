"""Publish, the MkDocs stage: the pages in the navigation → <work>/<audience>/docs → MkDocs
(Material) → <work>/<audience>/site, and the swap that publishes a finished site.

site/incremental.py runs a build: `write_data` (the dashboards' numbers, open data and the
feed), `prepare_docs` (the pages MkDocs builds, one placeholder page per depth for the frames of
the other pages, assets, the form editor where the view shows it), `run_mkdocs`, `apply_csp`, then the other pages written
into the frames, and `swap` (folders.swap_in). The site is built into a staging folder next to
the published one and swapped in only when it is complete, so a failed or killed build leaves
the published site as it was. Output depends only on the records, the templates and the as-of
date (SOURCE_DATE_EPOCH is set from it), so two builds of the same input are byte-identical.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import jinja2
import yaml

from ..catalog.view import View
from .context import Download, Site
from .dashboards import Dashboard, compute
from .folders import keep_spare, stale_staging, staging, swap_in, take_spare
from .frame import placeholder_markdown, placeholder_path
from .opendata import Table, atom_feed, write_open_data
from .pages import SITE_MAP, Page, nav
from .render import Renderer
from .urls import depth

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "site_templates"
BASE_CONFIG = ROOT / "mkdocs.yml"
KEPT = ("taizhang-store", ".taizhang-build")      # what emptying the work folder keeps: store, marker


class PublishError(Exception):
    """MkDocs failed (or Material's page no longer fits the frames); the published site was left as it was."""


@dataclass(frozen=True)
class Downloads:
    """Files for staff made before the site (the meeting papers) from `dashboard`, the Dashboard
    of the view they are for. A site whose view shows them (Disclosure.meeting_papers) renders
    its dashboards from that same object and writes the files under docs/; any other ignores
    them. The site stage does not make papers (papers/ reads the site's dashboards): the pipeline
    hands them in."""
    dashboard: Dashboard
    files: tuple[tuple[Download, bytes], ...]       # what each file is (its path under docs/), its bytes

    def write(self, docs: Path) -> tuple[Download, ...]:
        for download, data in self.files:
            target = docs / download.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return tuple(download for download, _data in self.files)


@dataclass(frozen=True)
class Published:
    audience: str
    path: Path
    pages: int
    seconds: float          # view → render → MkDocs → pages → search → publish
    peak_mb: int            # the most memory the building process, or a program it ran, held
    written: int = 0        # pages written in this build (the others were kept from the published site)
    full: bool = True       # whether the navigation pages, open data and feed were made again

    def summary(self) -> str:
        """What the build command prints for this site."""
        kept = "" if self.written == self.pages or self.pages == 0 else f"，重写 {self.written} 页，其余沿用"
        return f"已生成 {self.audience}：{self.path}（{self.pages} 页{kept}，用时 {self.seconds:.0f} 秒）"


def footer_note(site: Site, dated: bool) -> str:
    """The footer's note: the as-of date on pages whose content depends on it, and whether the
    records are made-up examples."""
    parts = [f"数据截至 {site.as_of.year}年{site.as_of.month}月{site.as_of.day}日"] if dated else []
    if site.illustrative:
        parts.append("示例数据（虚构）")
    return " · ".join(parts)


def _config(site: Site, pages, work: Path, site_dir: Path) -> Path:
    config = yaml.safe_load(BASE_CONFIG.read_text("utf-8"))
    # Material prints site_name unescaped; it comes from a record, so it is escaped here.
    config["site_name"] = html.escape(site.name + ("（内部）" if site.audience == "internal" else ""))
    config["docs_dir"] = str(work / "docs")
    config["site_dir"] = str(site_dir)
    config["nav"] = nav(pages)
    config["not_in_nav"] = "/**"
    config["theme"]["custom_dir"] = str(TEMPLATES / "overrides")
    config["extra"] = {"audience": site.audience, "icp": html.escape(site.icp or ""),
                       "footer_note": html.escape(footer_note(site, dated=True))}
    path = work / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8")
    return path


_HEADING = re.compile(r"\n(?=#{1,6} )")


def _markdown_page(title: str, body: str, searchable: bool = True) -> str:
    # MkDocs and Material print the title unescaped (<title>, header): escape it once, here.
    # A Markdown heading must follow a blank line, also right after an HTML block; record text
    # cannot start a line with "#": it is entity-escaped.
    meta = "" if searchable else "tz_nosearch: true\n"
    return (f"---\ntitle: {json.dumps(html.escape(title), ensure_ascii=False)}\n{meta}---\n\n"
            + _HEADING.sub("\n\n", body))


def empty_work(work: Path) -> None:
    """Empty the build's own work folder (folders.claim), keeping the store."""
    work.mkdir(parents=True, exist_ok=True)
    for entry in work.iterdir():
        if entry.name in KEPT:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def prepare_docs(view: View, site: Site, pages: list[Page], renderer: Renderer, work: Path) -> Path:
    """Write the pages MkDocs builds (navigation pages and one placeholder per depth for the
    frames), the assets and the form editor for one audience into `work`/docs; return the
    MkDocs configuration. The open data and the feed are there already (`write_data`)."""
    docs = work / "docs"
    for page in pages:
        if page.in_mkdocs:
            target = docs / page.context.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_markdown_page(page.context.title, renderer.render(page.template, page.context),
                                             searchable=page.context.path != SITE_MAP), "utf-8")
    for level in {depth(p.context.path) for p in pages if not p.in_mkdocs}:
        target = docs / placeholder_path(level)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(placeholder_markdown(), "utf-8")
    shutil.copytree(TEMPLATES / "assets", docs / "assets")
    if view.shows.form_editor:
        from .cms import write_admin
        write_admin(view.catalog, docs)
    return _config(site, pages, work, work / "site")


def write_data(view: View, site: Site, docs: Path, dashboard: Dashboard | None = None) -> tuple[Dashboard, list[Table]]:
    """The dashboards' numbers (for their pages; computed here unless given), the open data files
    and the Atom feed."""
    docs.mkdir(parents=True, exist_ok=True)
    dashboard = dashboard if dashboard is not None else compute(view.catalog)
    tables = write_open_data(view.catalog, dashboard, docs)
    (docs / "feed.xml").write_text(atom_feed(view.catalog, site.name), "utf-8")
    return dashboard, tables


def run_mkdocs(config_path: Path, as_of: dt.date) -> None:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    os.environ["SOURCE_DATE_EPOCH"] = str(int(dt.datetime(as_of.year, as_of.month, as_of.day,
                                                          tzinfo=dt.timezone.utc).timestamp()))
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    try:
        config = load_config(str(config_path))
        config.plugins.on_startup(command="build", dirty=False)
        try:
            mkdocs_build(config)
        finally:
            config.plugins.on_shutdown()
    except (MkDocsException, OSError) as error:
        raise PublishError(f"MkDocs 生成失败：{error}") from error
    except jinja2.TemplateError as error:       # a broken theme override (site_templates/overrides/)
        raise PublishError(template_error(error)) from error


def template_error(error: jinja2.TemplateError) -> str:
    """Where a template is broken, for the person who edited it."""
    where = getattr(error, "filename", None) or getattr(error, "name", None) or "模板"
    line = getattr(error, "lineno", None)
    return f"模板 {where}{f' 第 {line} 行' if line else ''} 有错误：{error.message or error}。请改正 site_templates/ 中的模板"


def peak_mb() -> int:
    try:
        import resource
    except ImportError:          # not on Windows
        return 0
    return max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) // 1024


def new_staging(out: Path, audience: str, spare: tuple | None = None) -> tuple[Path, bool]:
    """A marked staging folder beside the published site (stale ones, left by a killed build,
    removed first); the new site goes into its `site` folder. With `spare`, the identity of the
    site the last build replaced and kept (folders.keep_spare), that site is taken as the staging
    folder when it is still the one named: (folder, True), the new site to be made from it."""
    taken, usable = take_spare(out, audience, spare)
    if taken is not None and not usable:
        _remove_in_background(taken)            # a whole site: removing it takes a while
    for stale in stale_staging(out, audience):
        if stale != taken:
            shutil.rmtree(stale, ignore_errors=True)
    return (taken, True) if usable else (staging(out, audience), False)


def swap(container: Path, out: Path, audience: str, keep: bool) -> tuple[Path, tuple | None]:
    """Swap the finished site `container`/site in (folders.swap_in). With `keep`, the old site
    is kept as the spare for the next build; else it is removed after the swap. Returns the
    site's path and the spare's identity (None: none kept)."""
    target = out / audience
    container = swap_in(container, target)
    kept = keep_spare(container, out, audience) if keep else None
    if kept is None and container.exists():
        _remove(container)
    return target, kept


def _remove(container: Path) -> None:
    """Remove a container a swap left. An old site in it goes in the background (below); one
    without (the first build) at once, so that when the build returns, `out` holds only the
    sites and the spares."""
    if any(entry.is_dir() for entry in container.iterdir()):
        _remove_in_background(container)
    else:
        shutil.rmtree(container)


def _remove_in_background(folder: Path) -> None:
    """Deleting a site of 100,000 pages takes minutes on some disks, and the new site is already
    in place: a detached process removes the old one (if it is killed, the next build does)."""
    subprocess.Popen([sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)",
                      str(folder)], start_new_session=True, stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
