"""What a page reads besides records, noted as its dependencies (catalog/book.py notes records;
the date the ledger last changed is noted where a page is dated by it, site/render.py): the
site's data date, a record's Git history, and what the renderer keeps between pages (a link, the assessments' rankings), whose dependencies are noted
again each time it is used."""
from __future__ import annotations

from typing import Callable

from ..catalog.book import SEP, Book, Tracker
from ..catalog.git_history import Change, GitHistory
from .context import Site


class TrackedSite:
    """The site as templates see it; reading the data date makes a page dated."""
    __slots__ = ("_site", "_book")

    def __init__(self, site: Site, book: Book):
        self._site, self._book = site, book

    def __getattr__(self, name: str):
        if name == "as_of":
            return self._book.as_of           # noted by the book
        return getattr(self._site, name)


class TrackedHistory:
    """The records' Git history: a page that shows a file's changes depends on them."""

    def __init__(self, history: GitHistory, book: Book):
        self._history, self._book = history, book

    def of(self, file: str) -> tuple[Change, ...]:
        track(self._book, f"H{SEP}{file}")
        return self._history.of(file)


class Memo:
    """Results kept between pages, each with what computing it read, noted again on every use."""

    def __init__(self, book: Book):
        self._book = book
        self._kept: dict = {}

    def get(self, key, compute: Callable[[], object]):
        book = self._book
        if not isinstance(book, Book):          # a plain catalog: nothing to note
            if key not in self._kept:
                self._kept[key] = compute()
            return self._kept[key]
        found = self._kept.get(key)
        if found is None:
            outer, inner = book.tracker, Tracker()
            book.tracker = inner
            try:
                value = compute()
            finally:
                book.tracker = outer
            found = self._kept[key] = (value, frozenset(inner.keys), inner.dated)
        value, keys, dated = found
        if book.tracker is not None:
            book.tracker.keys.update(keys)
            book.tracker.dated = book.tracker.dated or dated
        return value


def track(catalog, key: str) -> None:
    """Note `key` as read by the page being written, where `catalog` is a `Book`."""
    if isinstance(catalog, Book):
        catalog.track(key)
