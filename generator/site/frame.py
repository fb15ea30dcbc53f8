"""The pages MkDocs does not build (record pages and list pages; they are not in the
navigation), written straight into Material's page frame.

MkDocs builds one placeholder page per directory depth (in the output called a "shell", under
`_shell/`, removed once the pages are written). A page out of the navigation differs from the
frame at its depth only in its title, its article and its footer note: relative links, the
navigation, the scripts and the Content-Security-Policy are the same. So each such page costs one
template render and one file write instead of a Markdown conversion and a Material template
render, and the build stays linear in the number of records.

The frame is lean (100,000 pages repeat it): the shell's sidebar holds a link to the site map
instead of the site's navigation, which it renders once between markers for this module to cut
out as a shared file (`NAV_FILE`, loaded into the drawer by assets/taizhang.js); every inline
SVG icon becomes a reference into one shared sprite (`ICONS_FILE`); indentation and blank lines
between tags collapse to one line break (never inside a script, a style or preformatted text);
Material's configuration block is written compactly, its Chinese as characters, not escapes.
"""
from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from .urls import page_url

FRAME_DIR = "_shell"                # the placeholders' folder (also the overrides' `tz_shell` flag)
TITLE = "TZSHELLTITLE"
BODY = "TZSHELLBODY"
NOTE = "TZSHELLNOTE"                # the footer note: the as-of date where the page depends on it
_BODY_HTML = f"<h1>{BODY}</h1>"
NAV_FILE = "assets/taizhang-nav.json"
ICONS_FILE = "assets/taizhang-icons.svg"

_NAV_SOURCE = re.compile(r"<!--tz-nav-source-->(.*?)<!--/tz-nav-source-->", re.S)
_NAV_LIST = '<ul class="md-nav__list" data-md-scrollfix>'
_UL = re.compile(r"<ul\b|</ul>")
_HREF = re.compile(r'href="([^"]*)"')
_SVG = re.compile(r'<svg xmlns="http://www.w3.org/2000/svg" viewBox="([0-9. ]+)">(.*?)</svg>', re.S)
_KEEP = re.compile(r"(<(script|style|pre|textarea)\b.*?</\2>)", re.S | re.I)
_SPACE = re.compile(r"[ \t\r]*\n\s*")
_CONFIG = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)


class FrameError(Exception):
    """Material's page did not have the shape the frame relies on (e.g. after an upgrade)."""


def placeholder_path(level: int) -> str:
    """The docs path of the placeholder page at depth `level`."""
    return "/".join([FRAME_DIR] + ["x"] * (level - 1) + ["index.md"])


def placeholder_markdown() -> str:
    # `hide: toc`: the article is not known when Material renders the table of contents
    return f'---\ntitle: {TITLE}\ntz_shell: true\nhide:\n  - toc\n---\n\n{_BODY_HTML}\n'


@dataclass(frozen=True)
class Frame:
    """Material's page at one depth, lean, cut where the title, the article and the note go."""
    head: tuple[str, ...]        # text between the title's occurrences, before the article
    middle: str                  # text after the article, before the footer note
    tail: str                    # text after the note

    @classmethod
    def parse(cls, text: str) -> "Frame":
        if text.count(_BODY_HTML) != 1:
            raise FrameError("页面框架中找不到正文占位符（Material 模板可能已变化）")
        before, after = text.split(_BODY_HTML)
        if TITLE in after or before.count(TITLE) < 1 or after.count(NOTE) != 1 or NOTE in before:
            raise FrameError("页面框架中的标题或页脚占位符位置不符合预期（Material 模板可能已变化）")
        middle, tail = after.split(NOTE)
        return cls(tuple(before.split(TITLE)), middle, tail)

    def page(self, title: str, body: str, note: str = "") -> str:
        return html.escape(title).join(self.head) + body + self.middle + html.escape(note) + self.tail


@dataclass(frozen=True)
class Frames:
    """The frames of every depth, and the files they share."""
    by_level: dict[int, Frame]
    nav: str                     # the navigation's list items, links relative to the site root
    icons: dict[str, tuple[str, str]]   # symbol id → (viewBox, SVG content)

    def __getitem__(self, level: int) -> Frame:
        return self.by_level[level]

    def write_shared(self, site: Path) -> None:
        """The navigation and the icon sprite the frames refer to."""
        # JSON, not an HTML file: a fragment, not a page (no frame, no policy of its own)
        (site / NAV_FILE).write_text(json.dumps({"items": self.nav}, ensure_ascii=False) + "\n", "utf-8")
        symbols = "".join(f'<symbol id="{i}" viewBox="{box}">{svg}</symbol>'
                          for i, (box, svg) in sorted(self.icons.items()))
        (site / ICONS_FILE).write_text(f'<svg xmlns="http://www.w3.org/2000/svg">{symbols}</svg>\n', "utf-8")


def _matching_ul(text: str, start: int) -> int:
    """The end of the <ul> element that opens at `start`."""
    level = 0
    for found in _UL.finditer(text, start):
        level += 1 if found.group() != "</ul>" else -1
        if level == 0:
            return found.end()
    raise FrameError("页面框架的导航列表没有闭合（Material 模板可能已变化）")


def _from_root(href: str, level: int) -> str:
    """A link of a page at depth `level`, made relative to the site root."""
    base = "http://site/" + "d/" * level
    absolute = urljoin(base, html.unescape(href))
    if not absolute.startswith("http://site/"):
        raise FrameError(f"导航中有指向站外的链接：{href}")
    return html.escape(absolute[len("http://site/"):] or "./")


def _navigation(source: str, level: int) -> str:
    start = source.find(_NAV_LIST)
    if start < 0:
        raise FrameError("页面框架中找不到导航列表（Material 模板可能已变化）")
    end = _matching_ul(source, start)
    items = source[start + len(_NAV_LIST): end - len("</ul>")]
    return _collapse(_HREF.sub(lambda m: f'href="{_from_root(m.group(1), level)}"', items)).strip() + "\n"


def _collapse(text: str) -> str:
    """Runs of white space that hold a line break become one line break, except inside
    scripts, styles and preformatted text (where they may mean something)."""
    parts = _KEEP.split(text)
    out = []
    for i, part in enumerate(parts):
        kind = i % 3
        if kind == 0:
            out.append(_SPACE.sub("\n", part))
        elif kind == 1:
            out.append(part)
    return "".join(out)


def _compact_config(match: re.Match) -> str:
    try:
        config = json.loads(match.group(2))
    except ValueError as error:
        raise FrameError("Material 的页面配置不是 JSON（Material 模板可能已变化）") from error
    text = json.dumps(config, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return match.group(1) + text + match.group(3)


def lean(text: str, level: int, icons: dict[str, tuple[str, str]]) -> tuple[str, str]:
    """A shell at depth `level` made lean: (the page, the navigation cut out of it). The icons
    it used are added to `icons`."""
    sources = _NAV_SOURCE.findall(text)
    if len(sources) != 1:
        raise FrameError("页面框架中找不到导航标记（site_templates/overrides/main.html）")
    nav = _navigation(sources[0], level)
    text = _NAV_SOURCE.sub("", text)
    prefix = "../" * level

    def icon(match: re.Match) -> str:
        box, svg = match.group(1), match.group(2)
        name = "i" + hashlib.sha1(f"{box}\0{svg}".encode()).hexdigest()[:10]
        icons[name] = (box, svg)
        return f'<svg><use href="{prefix}{ICONS_FILE}#{name}"/></svg>'
    text = _SVG.sub(icon, text)
    text = _CONFIG.sub(_compact_config, text)
    return _collapse(text), nav


def read_frames(site: Path, levels: set[int]) -> Frames:
    """The lean frames of the shells MkDocs built at `levels`."""
    by_level: dict[int, Frame] = {}
    icons: dict[str, tuple[str, str]] = {}
    navs = set()
    for level in sorted(levels):
        text, nav = lean(output_file(site, placeholder_path(level)).read_text("utf-8"), level, icons)
        by_level[level] = Frame.parse(text)
        navs.add(nav)
    if len(navs) > 1:
        raise FrameError("不同深度的页面框架导航不一致")
    return Frames(by_level, navs.pop() if navs else "", icons)


def output_file(site: Path, docs_path: str) -> Path:
    """Where MkDocs (directory URLs) would have written the page for `docs_path`."""
    return site / page_url(docs_path) / "index.html"
