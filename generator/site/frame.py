"""The pages MkDocs does not build (record pages and list pages; they are not in the
navigation), written straight into Material's page frame.

MkDocs builds one placeholder page per directory depth (in the output called a "shell", under
`_shell/`, removed once the pages are written). A page out of the navigation differs from the
frame at its depth only in its title and its article: relative links, the navigation, the
scripts and the Content-Security-Policy are the same. So each such page costs one template
render and one file write instead of a Markdown conversion and a Material template render, and
the build stays linear in the number of records.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from .urls import page_url

FRAME_DIR = "_shell"                # the placeholders' folder (also the overrides' `tz_shell` flag)
TITLE = "TZSHELLTITLE"
BODY = "TZSHELLBODY"
_BODY_HTML = f"<h1>{BODY}</h1>"


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
    """Material's page at one depth, cut where the title and the article go."""
    head: tuple[str, ...]        # text between the title's occurrences, before the article
    tail: str                    # text after the article

    @classmethod
    def parse(cls, text: str) -> "Frame":
        if text.count(_BODY_HTML) != 1:
            raise FrameError("页面框架中找不到正文占位符（Material 模板可能已变化）")
        before, tail = text.split(_BODY_HTML)
        if TITLE in tail or before.count(TITLE) < 1:
            raise FrameError("页面框架中的标题占位符位置不符合预期（Material 模板可能已变化）")
        return cls(tuple(before.split(TITLE)), tail)

    def page(self, title: str, body: str) -> str:
        return html.escape(title).join(self.head) + body + self.tail


def read_frames(site: Path, levels: set[int]) -> dict[int, Frame]:
    return {level: Frame.parse(output_file(site, placeholder_path(level)).read_text("utf-8")) for level in levels}


def output_file(site: Path, docs_path: str) -> Path:
    """Where MkDocs (directory URLs) would have written the page for `docs_path`."""
    return site / page_url(docs_path) / "index.html"
