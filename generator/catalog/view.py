"""The audience view: the one place where the public site loses what the public must not see.

Everything a page can show passes through here. The public view keeps only public records of
public types (plus accountability cases once a public circular has published them), clears
every field declared `internal=True`, and drops references to records that did not make it
into the view. Counts and lights are then recomputed from what remains, so no number on the
public site counts a hidden record. The records' Git history is cut down the same way: only
the view's records, and only what `Disclosure` lets the audience see of a commit. What else a
site may show (sections for internal fields, the urging dashboard, the form editor, evidence as
uploaded) is decided here too, in `Disclosure`, never by a template asking who the audience is.
The internal view is the catalog as it is.
"""
from __future__ import annotations

import copy
import functools

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
    urging: bool                # the 催办与问责 dashboard
    form_editor: bool           # /admin/, the form that edits records
    original_evidence: bool     # evidence files as uploaded (else sanitised: photos without EXIF,
                                # PDFs without metadata; site/sanitize.py)
    commit_subjects: bool       # record pages' Git history: what each commit says
    commit_authors: bool        # … and who committed


INTERNAL = Disclosure(internal_fields=True, urging=True, form_editor=True, original_evidence=True,
                      commit_subjects=True, commit_authors=True)
PUBLIC = Disclosure(internal_fields=False, urging=False, form_editor=False, original_evidence=False,
                    commit_subjects=True,       # shown for now; to take them off public pages: False
                    commit_authors=False)


@dataclass(frozen=True)
class View:
    """What one audience sees: the catalog of its records, their Git history, what else it may see."""
    audience: str
    catalog: Catalog
    history: GitHistory
    shows: Disclosure


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


def view(catalog: Catalog, audience: str, history: GitHistory = EMPTY) -> View:
    """The view of the internal catalog (and the records' Git history) for `audience`."""
    if audience == "internal":
        return View(audience, catalog, history, INTERNAL)
    if audience != "public":
        raise ValueError(audience)
    published_cases = {case for c in catalog.of_type("circular") if c.visibility != "internal"
                       for case in c.accountability}
    public = [r for r in catalog.records.values() if _is_public(r, published_cases)]
    keep = {r.id for r in public}
    projected = build_catalog([(catalog.files[r.id], _strip(r, keep)[0]) for r in public], catalog.as_of, "public")
    shown = history.projected(projected.files.values(), subjects=PUBLIC.commit_subjects, authors=PUBLIC.commit_authors)
    return View(audience, projected, shown, PUBLIC)
