"""Publish: a view's pages → build/<audience>/docs → MkDocs (Material) → site/<audience>/.

`publish_site` runs the steps in order: `render_docs` (dashboards, open data and the feed,
the pages MkDocs builds, assets, photos, the form editor where the view shows it), `run_mkdocs`,
`apply_csp`, `write_pages` (the pages out of the navigation, into the frames, and the search
index), `publish` (the swap). The site is built into a staging folder next to the published one and swapped in only when
MkDocs has finished, so a failed or killed build leaves the published site as it was.
Output depends only on the records, the templates and the as-of date (SOURCE_DATE_EPOCH is
set from it), so two builds of the same input are byte-identical.
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
import time
from dataclasses import dataclass
from pathlib import Path

import jinja2
import yaml

from ..catalog.catalog import Catalog
from ..catalog.view import View
from .context import Download, Site
from .csp import apply_csp
from .dashboards import Dashboard, compute
from .folders import FolderError, claim, mark, stale_staging, staging, swap_in
from .frame import FRAME_DIR, FrameError, output_file, placeholder_markdown, placeholder_path, read_frames
from .opendata import Table, atom_feed, write_open_data
from .pages import Page, nav, plan
from .precompress import precompress
from .render import Renderer
from .sanitize import public_copy
from .search import SearchIndex, marked
from .urls import depth, page_url

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "site_templates"
BASE_CONFIG = ROOT / "mkdocs.yml"


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
    seconds: float          # render → MkDocs → pages → search → publish (the pipeline adds the view)
    peak_mb: int            # the most memory the building process, or a program it ran, held


def _copy_attachments(catalog: Catalog, records: Path, docs: Path, strip_metadata: bool) -> None:
    """Evidence of the view's problems; validate has proven each a regular file under
    records/attachments/ of its type. The public site gets sanitised copies."""
    for problem in catalog.of_type("problem"):
        for event in problem.history:
            for rel in event.evidence:
                source, target = records / rel, docs / rel
                if target.exists() or not source.is_file() or source.is_symlink():
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                if strip_metadata:
                    target.write_bytes(public_copy(source))
                else:
                    shutil.copyfile(source, target)


def _config(site: Site, pages, work: Path, site_dir: Path) -> Path:
    config = yaml.safe_load(BASE_CONFIG.read_text("utf-8"))
    # Material prints site_name unescaped; it comes from a record, so it is escaped here.
    config["site_name"] = html.escape(site.name + ("（内部）" if site.audience == "internal" else ""))
    config["docs_dir"] = str(work / "docs")
    config["site_dir"] = str(site_dir)
    config["nav"] = nav(pages)
    config["not_in_nav"] = "/**"
    config["theme"]["custom_dir"] = str(TEMPLATES / "overrides")
    note = f"数据截至 {site.as_of.year}年{site.as_of.month}月{site.as_of.day}日"
    if site.illustrative:
        note += " · 示例数据（虚构）"
    config["extra"] = {"audience": site.audience, "icp": html.escape(site.icp or ""),
                       "footer_note": html.escape(note)}
    path = work / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8")
    return path


@dataclass(frozen=True)
class Prepared:
    """One audience's docs folder and MkDocs configuration, and the pages MkDocs will not build."""
    config: Path
    renderer: Renderer
    pages: list[Page]


_HEADING = re.compile(r"\n(?=#{1,6} )")


def _markdown_page(title: str, body: str) -> str:
    # MkDocs and Material print the title unescaped (<title>, header): escape it once, here.
    # A Markdown heading must follow a blank line, also right after an HTML block; record text
    # cannot start a line with "#": it is entity-escaped.
    return f"---\ntitle: {json.dumps(html.escape(title), ensure_ascii=False)}\n---\n\n" + _HEADING.sub("\n\n", body)


def render_docs(view: View, site: Site, records: Path, work: Path, downloads: Downloads | None = None) -> Prepared:
    """Write the pages MkDocs builds (navigation pages and one placeholder per depth for the
    frames), the assets, the open data and the feed for one audience, and the downloads (the
    meeting papers) where the view shows them. `work` is the build's own (folders.claim): it is
    emptied first."""
    if work.exists():
        shutil.rmtree(work)
    docs = work / "docs"
    docs.mkdir(parents=True)
    mark(work, "work")
    shown = downloads if downloads is not None and view.shows.meeting_papers else None
    dashboard, tables = write_data(view, site, docs, shown.dashboard if shown else None)
    pages = plan(view, site, dashboard, tables, shown.write(docs) if shown else ())
    renderer = Renderer(TEMPLATES, view, site, dashboard)
    for page in pages:
        if page.in_mkdocs:
            target = docs / page.context.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_markdown_page(page.context.title, renderer.render(page.template, page.context)),
                              "utf-8")
    for level in {depth(p.context.path) for p in pages if not p.in_mkdocs}:
        target = docs / placeholder_path(level)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(placeholder_markdown(), "utf-8")
    shutil.copytree(TEMPLATES / "assets", docs / "assets")
    _copy_attachments(view.catalog, records, docs, strip_metadata=not view.shows.original_evidence)
    if view.shows.form_editor:
        from .cms import write_admin
        write_admin(view.catalog, docs)
    return Prepared(_config(site, pages, work, work / "site"), renderer, pages)


def write_data(view: View, site: Site, docs: Path, dashboard: Dashboard | None = None) -> tuple[Dashboard, list[Table]]:
    """The dashboards' numbers (for their pages; computed here unless given), the open data files
    and the Atom feed."""
    dashboard = dashboard if dashboard is not None else compute(view.catalog)
    tables = write_open_data(view.catalog, dashboard, docs)
    (docs / "feed.xml").write_text(atom_feed(view.catalog, site.name), "utf-8")
    return dashboard, tables


def write_pages(prepared: Prepared, site_dir: Path) -> None:
    """The pages out of the navigation, each written into the frame of its depth, and the
    search index of the site's articles."""
    direct = [p for p in prepared.pages if not p.in_mkdocs]
    frames = read_frames(site_dir, {depth(p.context.path) for p in direct})
    shutil.rmtree(site_dir / FRAME_DIR, ignore_errors=True)
    index = SearchIndex()
    for page in prepared.pages:
        if page.in_mkdocs:
            index.add_built_page(site_dir, output_file(site_dir, page.context.path))
    for page in direct:
        body = prepared.renderer.render(page.template, page.context)
        if page.context.record is not None:
            body = marked(body)
            index.add(page_url(page.context.path), page.context.title, body)
        target = output_file(site_dir, page.context.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(frames[depth(page.context.path)].page(page.context.title, body), "utf-8")
    index.write(site_dir / "search")


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


def _peak_mb() -> int:
    try:
        import resource
    except ImportError:          # not on Windows
        return 0
    return max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) // 1024


def publish(built: Path, out: Path, audience: str) -> Path:
    """Move a finished site into a marked staging folder beside the published one, then swap
    it in (folders.swap_in); the old site is removed after the swap. Returns the site's path."""
    for stale in stale_staging(out, audience):      # left by a build that was killed
        shutil.rmtree(stale, ignore_errors=True)
    container = staging(out, audience)
    shutil.move(str(built), container / "site")
    target = out / audience
    _remove(swap_in(container, target))
    return target


def _remove(container: Path) -> None:
    """Remove the container a swap left. Deleting a site of 100,000 pages takes minutes on some
    disks, and the new site is already in place: a detached process removes an old site (if it is
    killed, the next build does). A container without one (the first build) goes at once, so
    that when the build returns, `out` holds only the sites."""
    if not any(entry.is_dir() for entry in container.iterdir()):
        shutil.rmtree(container)
        return
    subprocess.Popen([sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)",
                      str(container)], start_new_session=True, stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def publish_site(view: View, records: Path, out: Path, work_root: Path, downloads: Downloads | None = None) -> Published:
    """One audience's site from its view, swapped into `out/<audience>` once it is complete.
    The caller holds the lock of `out` and `work_root` (folders.locked)."""
    started = time.perf_counter()
    audience = view.audience
    site = Site.of(view)
    work = work_root / audience
    try:
        claim(work, "work", "--work")
        claim(out / audience, "site", "--out")
    except FolderError as error:
        raise PublishError(str(error)) from None
    try:
        prepared = render_docs(view, site, records, work, downloads)
    except jinja2.TemplateError as error:       # a broken page template (site_templates/pages/)
        raise PublishError(template_error(error)) from error
    run_mkdocs(prepared.config, view.catalog.as_of)
    apply_csp(work / "site")          # before write_pages: the frames carry the policy to every page
    try:
        write_pages(prepared, work / "site")
    except FrameError as error:
        raise PublishError(str(error)) from error
    except jinja2.TemplateError as error:
        raise PublishError(template_error(error)) from error
    if audience == "public":         # .gz siblings for nginx's gzip_static (deploy/nginx/)
        precompress(work / "site", previous=out / audience)
    target = publish(work / "site", out, audience)
    return Published(audience, target, len(prepared.pages), time.perf_counter() - started, _peak_mb())
