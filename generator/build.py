"""Stage 6, build: a view's pages → build/<audience>/docs → MkDocs (Material) → site/<audience>/.

The site is built into a staging folder next to the published one and swapped in only when
MkDocs has finished, so a failed or killed build leaves the published site as it was.
Output depends only on the records, the templates and the as-of date (SOURCE_DATE_EPOCH is
set from it), so two builds of the same input are byte-identical.
"""
from __future__ import annotations

import datetime as dt
import html
import io
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from .csp import apply_csp
from .dashboards import compute
from .history import EMPTY, History
from .index import Catalog
from .opendata import atom_feed, write_open_data
from .pages import nav, plan
from .render import Renderer, Site
from .view import view

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "site_templates"
BASE_CONFIG = ROOT / "mkdocs.yml"

# Domain words jieba should keep whole when it segments the search index.
DOMAIN_WORDS = ("占道经营", "乱停乱放", "乱张贴", "背街小巷", "农贸市场", "公益广告", "督查组", "分指挥部",
                "总指挥部", "调度会", "自检自查", "第三方测评", "模拟测评", "责任单位", "整改", "销号",
                "延期", "逾期", "催办", "通报", "问责", "暗访", "文明城市")


class BuildError(Exception):
    """MkDocs failed; the published site was left as it was."""


@dataclass(frozen=True)
class Built:
    audience: str
    path: Path
    pages: int


def _user_dictionary(catalog: Catalog) -> str:
    words = set(DOMAIN_WORDS)
    for type_name in ("district", "unit", "sub_hq", "site_type", "indicator"):
        for record in catalog.of_type(type_name):
            words.add(record.name)
            if type_name == "district":
                words.update(s.name for s in record.streets)
    return "".join(f"{w} 20000\n" for w in sorted(words) if " " not in w)


def _copy_attachments(catalog: Catalog, records: Path, docs: Path, strip_metadata: bool) -> None:
    for problem in catalog.of_type("problem"):
        for event in problem.history:
            for rel in event.evidence:
                source, target = records / rel, docs / rel
                if target.exists() or not source.is_file():
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                if strip_metadata and source.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp"):
                    target.write_bytes(_without_metadata(source))
                else:
                    shutil.copyfile(source, target)


def _without_metadata(path: Path) -> bytes:
    """The image re-encoded from its pixels alone: no EXIF (GPS, camera), no comments."""
    from PIL import Image, ImageOps
    fmt = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}[path.suffix.lower()]
    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image)
        image = image.convert("RGB" if fmt == "JPEG" or "A" not in image.getbands() else "RGBA")
        clean = Image.frombytes(image.mode, image.size, image.tobytes())
    buffer = io.BytesIO()
    clean.save(buffer, format=fmt, **({"quality": 85} if fmt == "JPEG" else {}))
    return buffer.getvalue()


def _config(site: Site, pages, work: Path, site_dir: Path) -> Path:
    config = yaml.safe_load(BASE_CONFIG.read_text("utf-8"))
    # Material prints site_name unescaped; it comes from a record, so it is escaped here.
    config["site_name"] = html.escape(site.name + ("（内部）" if site.audience == "internal" else ""))
    config["docs_dir"] = str(work / "docs")
    config["site_dir"] = str(site_dir)
    config["nav"] = nav(pages)
    config["not_in_nav"] = "/**"
    config["theme"]["custom_dir"] = str(TEMPLATES / "overrides")
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "search" in plugin:
            plugin["search"]["jieba_dict_user"] = str(work / "jieba_user_dict.txt")
    note = f"数据截至 {site.as_of.year}年{site.as_of.month}月{site.as_of.day}日"
    if site.illustrative:
        note += " · 示例数据（虚构）"
    config["extra"] = {"audience": site.audience, "icp": html.escape(site.icp or ""),
                       "footer_note": html.escape(note)}
    path = work / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def render_docs(catalog: Catalog, site: Site, records: Path, work: Path,
                history: History = EMPTY) -> tuple[Path, int]:
    """Write the Markdown pages, assets and search dictionary for one audience."""
    if work.exists():
        shutil.rmtree(work)
    docs = work / "docs"
    docs.mkdir(parents=True)
    dashboard = compute(catalog)
    tables = write_open_data(catalog, dashboard, docs)
    (docs / "feed.xml").write_text(atom_feed(catalog, site.name), "utf-8")
    pages = plan(catalog, site, dashboard, tables)
    renderer = Renderer(TEMPLATES, catalog, site, history)
    for page in pages:
        target = docs / page.context.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(renderer.render(page.template, page.context), "utf-8")
    shutil.copytree(TEMPLATES / "assets", docs / "assets")
    _copy_attachments(catalog, records, docs, strip_metadata=site.audience == "public")
    (work / "jieba_user_dict.txt").write_text(_user_dictionary(catalog), "utf-8")
    return _config(site, pages, work, work / "site"), len(pages)


def run_mkdocs(config_path: Path, as_of: dt.date) -> None:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    os.environ["SOURCE_DATE_EPOCH"] = str(int(dt.datetime(as_of.year, as_of.month, as_of.day,
                                                          tzinfo=dt.timezone.utc).timestamp()))
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    import jieba
    jieba.setLogLevel(logging.ERROR)
    try:
        config = load_config(str(config_path))
        config.plugins.on_startup(command="build", dirty=False)
        try:
            mkdocs_build(config)
        finally:
            config.plugins.on_shutdown()
    except (MkDocsException, OSError) as error:
        raise BuildError(str(error)) from error


def publish(staged: Path, target: Path) -> None:
    """Swap a finished site into place; the old one is removed only after the swap."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
        os.replace(target, old / "site")
    os.replace(staged, target)
    if old is not None:
        shutil.rmtree(old)


def build_site(catalog: Catalog, site_for, records: Path, out: Path, work_root: Path,
               audience: str, history: History = EMPTY) -> Built:
    audience_view = view(catalog, audience)
    site = site_for(audience_view, audience)
    work = work_root / audience
    config_path, count = render_docs(audience_view, site, records, work, history)
    run_mkdocs(config_path, catalog.as_of)
    apply_csp(work / "site")
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob(f".{audience}-*"):      # left by a build that was killed
        shutil.rmtree(stale, ignore_errors=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{audience}-new-", dir=out))
    shutil.rmtree(staged)
    shutil.move(str(work / "site"), staged)
    publish(staged, out / audience)
    return Built(audience, out / audience, count)
