"""The audience view: the one place where the public site loses what the public must not see.

Everything a page can show passes through here. The public view keeps only public records of
public types (plus accountability cases once a public circular has published them), clears
every field declared `internal=True`, and drops references to records that did not make it
into the view. Counts and lights are then recomputed from what remains, so no number on the
public site counts a hidden record.

The records' Git history is the staff's: commit subjects are written for reviewers and may name
people, authors are people. A view that does not show it (`Disclosure.git_history`, the public
one) carries no history at all, and its pages date themselves by the records: a record page's
最后更新 is the latest date in the record on or before the as-of date (an event, a meeting, a
completed decision; never a time limit), any other page's the latest such date over the view's
records. A view that shows it keeps the changes of its own records only (and their authors if
`commit_authors`). What else a site may show (sections for internal fields, the urging
dashboard, the form editor, evidence as uploaded, the meeting papers) is decided here too, in `Disclosure`, never by
a template asking who the audience is. The internal view is the catalog as it is.
"""
from __future__ import annotations

import copy
import datetime as dt
import functools
import typing
from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import BaseModel

from ..model import RECORD_TYPES, Record
from ..model.fields import field_specs
from .catalog import Catalog, build_catalog
from .git_history import EMPTY, GitHistory

AUDIENCES = ("public", "internal")


@dataclass(frozen=True)
class Disclosure:
    """What the pages of a view may show besides the records it holds."""
    internal_fields: bool       # a section for internal fields (a problem's 内部信息)
    urging: bool                # the urging lists: the 催办与问责 dashboard, the open decisions to chase
    form_editor: bool           # /admin/, the form that edits records
    original_evidence: bool     # evidence files as uploaded (else sanitised: photos without EXIF,
                                # PDFs without metadata; site/sanitize.py)
    git_history: bool           # record pages list the record's Git commits (date, what the commit
                                # says) and 最后更新 follows them; else pages date themselves by the records
    commit_authors: bool        # … and who committed
    meeting_papers: bool        # the scheduling meeting's papers (PDF, DOCX), when the build makes them


INTERNAL = Disclosure(internal_fields=True, urging=True, form_editor=True, original_evidence=True,
                      git_history=True, commit_authors=True, meeting_papers=True)
PUBLIC = Disclosure(internal_fields=False, urging=False, form_editor=False, original_evidence=False,
                    git_history=False, commit_authors=False, meeting_papers=False)


def disclosure(audience: str) -> Disclosure:
    """What `audience`'s view shows besides its records (before the view is made)."""
    if audience not in AUDIENCES:
        raise ValueError(audience)
    return INTERNAL if audience == "internal" else PUBLIC


@dataclass(frozen=True)
class View:
    """What one audience sees: the catalog of its records, their Git history, what else it may see."""
    audience: str
    catalog: Catalog
    history: GitHistory                 # empty where the view does not show the Git history
    shows: Disclosure
    last_change: dt.date | None = None  # when the view's data last changed (pages without a record)

    def updated(self, record: Record | None, listed: tuple = (), dated=None) -> dt.date | None:
        """The 最后更新 date of a page: its record's latest Git change where the view shows the
        history, else the latest date in the record itself (on or before the as-of date); for a
        list page, the latest such date of the records it lists; for any other page, or where
        there is no such date, `last_change`. (A list is not dated by the whole ledger: a change
        elsewhere does not change its page.) `dated`: how a record is dated, if not `record_date`."""
        dates = [d for d in map(dated or self.record_date, listed if record is None else (record,)) if d is not None]
        return max(dates, default=None) or self.last_change

    def record_date(self, record: Record) -> dt.date | None:
        changes = self.history.of(self.catalog.files.get(record.id, ""))
        return changes[0].date if changes else own_date(record, self.catalog.as_of)


# Date fields that set a time limit or a period, not a day something happened: a record is not
# "updated" when its deadline passes.
_LIMITS = frozenset({"deadline", "due", "new_deadline", "start", "end", "week_of"})


def _is_date(annotation) -> bool:
    if annotation is dt.date:
        return True
    return any(_is_date(a) for a in typing.get_args(annotation))


@functools.cache
def _dated(model: type[BaseModel]) -> tuple[tuple[str, type[BaseModel] | None], ...]:
    """The fields of `model` that hold event dates (part None) or parts that may hold them."""
    out = []
    for spec in field_specs(model):
        if spec.part is not None:
            if _dated(spec.part):
                out.append((spec.name, spec.part))
        elif spec.name not in _LIMITS and _is_date(model.model_fields[spec.name].annotation):
            out.append((spec.name, None))
    return tuple(out)


def event_dates(obj: BaseModel) -> Iterator[dt.date]:
    """Every day on which, by its own fields, something happened to a record: a problem's
    events, a meeting's date or a decision done, a task's milestone completed … Time limits do
    not count (`_LIMITS`)."""
    for name, part in _dated(type(obj)):
        value = getattr(obj, name)
        if value is None:
            continue
        if part is None:
            yield value
        else:
            for item in (value if isinstance(value, list) else (value,)):
                yield from event_dates(item)


def own_date(obj: BaseModel, as_of: dt.date) -> dt.date | None:
    """The latest of the record's `event_dates` on or before `as_of`."""
    return latest_before(event_dates(obj), as_of)


def latest_before(dates, as_of: dt.date) -> dt.date | None:
    return max((d for d in dates if d <= as_of), default=None)


@functools.cache
def _default(model: type[BaseModel], name: str):
    # pydantic inspects the default factory's signature on every call: ask once per field
    return model.model_fields[name].get_default(call_default_factory=True)


HIDDEN = ""      # a required reference to a record the view does not hold: pages show "—"


def _strip(obj: BaseModel, keep: set[str]) -> tuple[BaseModel, bool]:
    """A copy of `obj` without internal fields and without references leaving the view, and
    whether a required reference of its own had to be hidden. A list item that names a hidden
    record where it must name one (a score of an internal district, a decision owned by an
    internal unit) is dropped; a record keeps its place with the name blanked, so its id
    cannot reach a page title, a download or the search index."""
    update = {}
    hidden = False
    for spec in field_specs(type(obj)):
        value = getattr(obj, spec.name)
        if spec.internal:
            default = _default(type(obj), spec.name)
            if value != default:
                update[spec.name] = copy.copy(default)
        elif spec.refs and value is not None:
            if spec.many:
                kept = [v for v in value if v in keep]
                if len(kept) != len(value):
                    update[spec.name] = kept
            elif value not in keep:
                required = type(obj).model_fields[spec.name].is_required()
                update[spec.name] = HIDDEN if required else None
                hidden = hidden or required
        elif spec.part is not None and value is not None:
            if spec.many:
                stripped = [_strip(item, keep) for item in value]
                update[spec.name] = [item for item, lost in stripped if not lost]
            else:
                update[spec.name] = _strip(value, keep)[0]
    return (obj.model_copy(update=update) if update else obj), hidden


def _is_public(record: Record, published_cases: set[str]) -> bool:
    if record.visibility == "internal":
        return False
    if RECORD_TYPES[record.type_name].internal_type:
        return record.id in published_cases and getattr(record, "state", None) == "published"
    return True


def public_ids(records) -> set[str]:
    """The ids of the records the public may see, of all `records` (or of anything that has
    their id, type_name, visibility, state and a circular's accountability)."""
    records = list(records)
    published_cases = {case for c in records if c.type_name == "circular" and c.visibility != "internal"
                       for case in c.accountability}
    return {r.id for r in records if _is_public(r, published_cases)}


def project(record: Record, keep: set[str]) -> Record:
    """The record as the public view shows it, given the ids the view keeps."""
    return _strip(record, keep)[0]


def shown_history(audience: str, history: GitHistory, files) -> GitHistory:
    """The records' Git history as `audience` sees it: staff all of it; anyone else (where the
    view shows any) only that of the view's record `files`, with authors as the view says."""
    shows = disclosure(audience)
    if not shows.git_history:
        return EMPTY
    return history if audience == "internal" else history.projected(files, authors=shows.commit_authors)


def _dated_view(audience: str, catalog: Catalog, history: GitHistory, shows: Disclosure) -> View:
    last = history.latest
    if last is None:
        last = max((d for r in catalog.records.values() if (d := own_date(r, catalog.as_of)) is not None),
                   default=None)
    return View(audience, catalog, history, shows, last)


def view(catalog: Catalog, audience: str, history: GitHistory = EMPTY) -> View:
    """The view of the internal catalog (and the records' Git history) for `audience`."""
    if audience == "internal":
        return _dated_view(audience, catalog, shown_history(audience, history, ()), INTERNAL)
    if audience != "public":
        raise ValueError(audience)
    keep = public_ids(catalog.records.values())
    public = [r for r in catalog.records.values() if r.id in keep]
    projected = build_catalog([(catalog.files[r.id], project(r, keep)) for r in public], catalog.as_of, "public")
    return _dated_view(audience, projected, shown_history(audience, history, projected.files.values()), PUBLIC)
