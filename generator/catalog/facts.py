"""What a build keeps of each record of a view, so that the next build knows it without reading
its file again (catalog/book.py, site/incremental.py).

`Facts` of a record in a view: its cheap fields (`CHEAP`: what titles, links, list rows and
sorting read), the references it makes, a problem's state and deadline in force (its light
follows from them and the data date), the attachments its page shows, and two digests:

- `full`: the record as the view shows it, from its file name, the hash of its text and the
  referenced records the view hides (the projection, catalog/view.py, depends on nothing
  else);
- `agg`: what the site's aggregates (dashboards, lists, open data, the feed, the navigation
  pages) may read of it: every field but `PAGE_ONLY`, which only the record's own page shows.
  tests/test_incremental.py edits each field listed here and compares the incremental build
  (which then rewrites only that page) with a full one: an aggregate that read one would differ.
"""
from __future__ import annotations

import hashlib
from typing import NamedTuple

from ..model import RECORD_TYPES, Record
from ..model.fields import field_specs, iter_refs
from .view import event_dates

# fields that lists, titles, links and sorting read: answered without making the record
CHEAP = ("id", "title", "name", "role", "district", "responsible_unit", "sub_hq", "source", "found", "date",
         "assigned", "kind", "number", "order", "visibility", "state", "status")
# fields only the record's own page shows (never a list, a dashboard, open data, the feed)
PAGE_ONLY = {"problem": frozenset({"description", "measures", "note", "reporter", "instruction",
                                   "undercover_footage"})}


def _cheap_fields(model: type[Record]) -> tuple[str, ...]:
    scalar = {s.name for s in field_specs(model) if not s.many and s.part is None}
    return tuple(name for name in CHEAP if name in model.model_fields and name in scalar)


CHEAP_FIELDS = {name: _cheap_fields(model) for name, model in RECORD_TYPES.items()}
CHEAP_SLOTS = {name: {field: i for i, field in enumerate(fields)} for name, fields in CHEAP_FIELDS.items()}


class Facts(NamedTuple):
    file: str                       # as in findings: records/…
    id: str
    type_name: str
    text: bytes                     # hash of the file's text as validated
    cheap: tuple                    # values of CHEAP_FIELDS[type_name], in order
    refs: tuple                     # ((target id, top-level field), …) of the record as shown, first use
    links: tuple                    # ids the record as written refers to (what the view may hide)
    status: tuple | None            # a problem's (state, deadline in force)
    evidence: tuple                 # attachment paths (records/attachments/…) its page shows
    dates: tuple                    # the days something happened to it, sorted (view.event_dates)
    full: bytes                     # digest: the record as the view shows it
    agg: bytes                      # digest: all but PAGE_ONLY


class Origin(NamedTuple):
    """A record as written, whatever the view: what decides which records a view holds
    (catalog/view.py `public_ids`), and the digest of what aggregates may read of it."""
    file: str
    id: str
    type_name: str
    text: bytes                     # hash of the file's text as validated
    visibility: str
    state: str | None               # an accountability case's state
    accountability: tuple           # a circular's published cases
    agg: bytes                      # digest of all but PAGE_ONLY


def origin_of(file: str, text: bytes, record: Record) -> Origin:
    return Origin(file, record.id, record.type_name, text, record.visibility, getattr(record, "state", None),
                  tuple(getattr(record, "accountability", ())) if record.type_name == "circular" else (),
                  agg_digest(record))


def agg_digest(record: Record) -> bytes:
    exclude = PAGE_ONLY.get(record.type_name)
    return digest(record.type_name, record.model_dump_json(exclude=set(exclude) if exclude else None))


def digest(*parts) -> bytes:
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=8).digest()


def links_of(record: Record) -> tuple[str, ...]:
    return tuple(sorted({value for _loc, value, _types in iter_refs(record)}))


def ref_pairs(record: Record) -> tuple[tuple[str, str], ...]:
    """(target, top-level field) of every reference, each once, in order (catalog.build_catalog)."""
    seen: dict[tuple[str, str], None] = {}
    for loc, value, _types in iter_refs(record):
        seen.setdefault((value, str(loc[0])), None)
    return tuple(seen)


def _evidence(record: Record) -> tuple[str, ...]:
    if record.type_name != "problem":
        return ()
    return tuple(rel for event in record.history for rel in event.evidence)


def facts_of(file: str, text: bytes, written: Record, shown: Record, keep: set[str] | None, status,
             agg: bytes | None = None, pairs: tuple | None = None, links: tuple | None = None) -> Facts:
    """The facts of `shown`, the view's projection of `written` (the record in `file`, whose text
    has hash `text`); `keep` is the view's set of ids (None: it keeps every record). What the
    caller knows already may be given: `agg`, the written record's aggregate digest (used when
    `shown` is `written`); `pairs`, the references of `shown` (ref_pairs); `links`, those of
    `written` (links_of)."""
    if pairs is None:
        pairs = ref_pairs(shown)
    if links is None:
        links = tuple(sorted({target for target, _ in pairs})) if shown is written else links_of(written)
    hidden = () if keep is None else tuple(x for x in links if x not in keep)
    kind = shown.type_name
    return Facts(
        file=file, id=shown.id, type_name=kind, text=text,
        cheap=tuple(getattr(shown, name) for name in CHEAP_FIELDS[kind]),
        refs=pairs, links=links,
        status=(status.state, status.deadline) if status is not None else None,
        evidence=_evidence(shown),
        dates=tuple(sorted(set(event_dates(shown)))),
        full=digest(file, text, hidden),
        agg=agg if agg is not None and shown is written else agg_digest(shown))
