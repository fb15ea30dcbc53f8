"""Which pages changed since the last build (site/incremental.py).

A page that MkDocs does not build is kept as its `spec` (template, path, title, the ids of the
records it shows, its place in a list), so that the next build can write it again without
planning the site, and with the dependency keys its last rendering noted (catalog/book.py).
It is written again when its spec changed, when its frame changed, or when one of its keys
changed value; `changed_keys` compares the records' facts, the problems' statuses, who refers to
whom, the records' Git history, the dashboard's rankings and the data date between two builds.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from array import array

from ..catalog.book import SEP, Book, referrers
from ..catalog.facts import Facts, digest
from ..catalog.git_history import GitHistory
from ..catalog.view import latest_before
from ..model.lifecycle import light
from .context import EXTRAS, PageContext, Pager
from .pages import Page

_EXTRA = {cls.__name__: cls for cls in EXTRAS}
_PLAIN = (str, int, float, bool, type(None))


class Unstorable(Exception):
    """A page whose context the store cannot keep (the build after it is a full one)."""


class Keys:
    """The dependency keys of a site, numbered; pages keep the numbers of theirs."""

    def __init__(self, keys: list[str] | None = None):
        self.keys = list(keys or ())
        self.index = {k: i for i, k in enumerate(self.keys)}

    def numbers(self, keys) -> bytes:
        out = array("I")
        for key in sorted(keys):
            n = self.index.get(key)
            if n is None:
                n = self.index[key] = len(self.keys)
                self.keys.append(key)
            out.append(n)
        return out.tobytes()

    def known(self, keys) -> set[int]:
        return {self.index[k] for k in keys if k in self.index}


def touches(deps: bytes, changed: set[int]) -> bool:
    if not changed:
        return False
    found = array("I")
    found.frombytes(deps)
    return not changed.isdisjoint(found)


def spec_of(page: Page) -> tuple:
    """What a page out of the navigation is, in plain data."""
    c = page.context
    extra = None
    if c.extra is not None:
        values = tuple(getattr(c.extra, f.name) for f in dataclasses.fields(c.extra))
        if type(c.extra).__name__ not in _EXTRA or not all(isinstance(v, _PLAIN) for v in values):
            raise Unstorable(c.path)
        extra = (type(c.extra).__name__, values)
    if not all(isinstance(v, _PLAIN) or (isinstance(v, tuple) and all(isinstance(x, _PLAIN) for x in v))
               for v in c.groups):
        raise Unstorable(c.path)
    return (page.template, c.path, c.title, c.record.id if c.record is not None else None,
            tuple(p.id for p in c.problems), tuple(r.id for r in c.records), tuple(c.groups),
            tuple(dataclasses.astuple(c.pager)) if c.pager else None, extra)


def page_of(spec: tuple, book: Book, site) -> Page:
    """The page a spec describes, its records the book's."""
    template, path, title, record, problems, records, groups, pager, extra = spec
    get = book.entry
    return Page(template, PageContext(
        site=site, catalog=book, path=path, title=title, record=get(record) if record else None,
        problems=tuple(get(i) for i in problems), records=tuple(get(i) for i in records), groups=groups,
        pager=Pager(*pager) if pager else None,
        extra=_EXTRA[extra[0]](*extra[1]) if extra else None))


def history_digests(history: GitHistory) -> dict[str, bytes]:
    """Each file's changes as the view shows them, as a digest."""
    return {file: digest(*((c.date, c.subject, c.author) for c in changes))
            for file, changes in history.changes.items()}


@dataclasses.dataclass(frozen=True)
class Moment:
    """What a build's dependency values rest on besides the records."""
    as_of: dt.date
    yellow_days: int
    latest: dt.date | None             # when the view's data last changed (View.last_change)
    history: dict[str, bytes]          # file → digest of its changes (history_digests)
    standing: dict[str, tuple]         # district or sub-HQ id → its row in the ranking (render.standings)


def changed_keys(old: list[Facts], new: list[Facts], before: Moment, now: Moment, structure: bool) -> set[str]:
    """The dependency keys whose value differs between two builds. Without `structure` the two
    hold the same records in the same order with the same references (only texts changed)."""
    keys: set[str] = set()
    old_by = {f.id: f for f in old}
    new_by = {f.id: f for f in new}
    dated = before.as_of != now.as_of or before.yellow_days != now.yellow_days
    for record_id in old_by.keys() | new_by.keys():
        o, n = old_by.get(record_id), new_by.get(record_id)
        if o is None or n is None:
            keys.update(f"{kind}{SEP}{record_id}" for kind in "RACSU")
            continue
        if o is n:
            if dated and n.status is not None and _status(o, before) != _status(n, now):
                keys.add(f"S{SEP}{record_id}")
            if before.as_of != now.as_of and latest_before(o.dates, before.as_of) != latest_before(n.dates, now.as_of):
                keys.add(f"U{SEP}{record_id}")
            continue
        if o.full != n.full:
            keys.add(f"R{SEP}{record_id}")
        if o.agg != n.agg:
            keys.add(f"A{SEP}{record_id}")
        if latest_before(o.dates, before.as_of) != latest_before(n.dates, now.as_of):
            keys.add(f"U{SEP}{record_id}")
        if o.cheap != n.cheap or o.type_name != n.type_name:
            keys.add(f"C{SEP}{record_id}")
        if (o.status is None) != (n.status is None) or (n.status is not None and _status(o, before) != _status(n, now)):
            keys.add(f"S{SEP}{record_id}")
    if structure:
        if [f.id for f in old] != [f.id for f in new]:
            keys.add("ALL")
        for kind in {f.type_name for f in old} | {f.type_name for f in new}:
            if [f.id for f in old if f.type_name == kind] != [f.id for f in new if f.type_name == kind]:
                keys.add(f"T{SEP}{kind}")
        was, now_refs = referrers(old), referrers(new)
        for key in was.keys() | now_refs.keys():
            if was.get(key) != now_refs.get(key):
                keys.add(f"F{SEP}{SEP.join(key)}")
    if before.as_of != now.as_of:
        keys.add(f"G{SEP}as_of")
    if before.latest != now.latest:
        keys.add(f"G{SEP}last_change")
    for key in before.standing.keys() | now.standing.keys():
        if before.standing.get(key) != now.standing.get(key):
            keys.add(f"D{SEP}{key}")
    for file in before.history.keys() | now.history.keys():
        if before.history.get(file) != now.history.get(file):
            keys.add(f"H{SEP}{file}")
    return keys


def _status(f: Facts, moment: Moment):
    return light(f.status[0], f.status[1], moment.as_of, moment.yellow_days)
