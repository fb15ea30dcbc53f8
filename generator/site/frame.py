"""Stage 6b, shell: the pages MkDocs does not build (record pages and list pages; they are
not in the navigation) written straight into Material's page frame.

MkDocs builds one placeholder page per directory depth (a "shell"). A page out of the
navigation differs from the shell at its depth only in its title and its article: relative
links, the navigation, the scripts and the Content-Security-Policy are the same. So each such
page costs one template render and one file write instead of a Markdown conversion and a
Material template render, and the build stays linear in the number of records.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

SHELL_DIR = "_shell"
TITLE = "TZSHELLTITLE"
BODY = "TZSHELLBODY"
_BODY_HTML = f"<h1>{BODY}</h1>"


class ShellError(Exception):
    """Material's page did not have the shape the shell relies on (e.g. after an upgrade)."""


def depth(docs_path: str) -> int:
    """Directories between the site root and the page's directory URL: index.md → 0,
    problems/index.md → 1, problems/P-2017-0001.md → 2."""
    parts = docs_path[: -len(".md")].split("/")
    return len(parts) - 1 if parts[-1] == "index" else len(parts)


def shell_path(level: int) -> str:
    return "/".join([SHELL_DIR] + ["x"] * (level - 1) + ["index.md"])


def shell_markdown() -> str:
    # `hide: toc`: the article is not known when Material renders the table of contents
    return f'---\ntitle: {TITLE}\ntz_shell: true\nhide:\n  - toc\n---\n\n{_BODY_HTML}\n'


@dataclass(frozen=True)
class Shell:
    """Material's page at one depth, cut where the title and the article go."""
    head: tuple[str, ...]        # text between the title's occurrences, before the article
    tail: str                    # text after the article

    @classmethod
    def parse(cls, text: str) -> "Shell":
        if text.count(_BODY_HTML) != 1:
            raise ShellError("页面框架中找不到正文占位符（Material 模板可能已变化）")
        before, tail = text.split(_BODY_HTML)
        if TITLE in tail or before.count(TITLE) < 1:
            raise ShellError("页面框架中的标题占位符位置不符合预期（Material 模板可能已变化）")
        return cls(tuple(before.split(TITLE)), tail)

    def page(self, title: str, body: str) -> str:
        return html.escape(title).join(self.head) + body + self.tail


def read_shells(site: Path, levels: set[int]) -> dict[int, Shell]:
    return {level: Shell.parse(output_file(site, shell_path(level)).read_text("utf-8")) for level in levels}


def page_url(docs_path: str) -> str:
    """The page's URL relative to the site root, directory form: problems/P-2017-0001.md →
    problems/P-2017-0001/, problems/index.md → problems/, index.md → ''."""
    stem = docs_path[: -len(".md")]
    return stem[: -len("index")] if stem.endswith("index") else stem + "/"


def output_file(site: Path, docs_path: str) -> Path:
    """Where MkDocs (directory URLs) would have written the page for `docs_path`."""
    return site / page_url(docs_path) / "index.html"
