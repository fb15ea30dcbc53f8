"""The audience view: the one place where the public site loses what the public must not see.

The public view keeps only public records of public types (plus accountability cases once a
public circular has published them), clears every field declared `internal=True`, and drops
references to records that did not make it into the view. Counts and lights are then
recomputed from what remains, so no number on the public site counts a hidden record.
The internal view is the catalog as it is.
"""
from __future__ import annotations

import copy
import functools

from pydantic import BaseModel

from .catalog import Catalog, build_index
from ..model import RECORD_TYPES, Record
from ..model.fields import field_specs

AUDIENCES = ("public", "internal")


@functools.cache
def _default(model: type[BaseModel], name: str):
    # pydantic inspects the default factory's signature on every call: ask once per field
    return model.model_fields[name].get_default(call_default_factory=True)


def _strip(obj: BaseModel, keep: set[str]) -> BaseModel:
    """A copy of `obj` without internal fields and without references leaving the view."""
    update = {}
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
            elif value not in keep and not type(obj).model_fields[spec.name].is_required():
                update[spec.name] = None
        elif spec.part is not None and value is not None:
            if spec.many:
                update[spec.name] = [_strip(item, keep) for item in value]
            else:
                update[spec.name] = _strip(value, keep)
    return obj.model_copy(update=update) if update else obj


def _is_public(record: Record, published_cases: set[str]) -> bool:
    if record.visibility == "internal":
        return False
    if RECORD_TYPES[record.type_name].internal_type:
        return record.id in published_cases and getattr(record, "state", None) == "published"
    return True


def view(catalog: Catalog, audience: str) -> Catalog:
    if audience == "internal":
        return catalog
    if audience != "public":
        raise ValueError(audience)
    published_cases = {case for c in catalog.of_type("circular") if c.visibility != "internal"
                       for case in c.accountability}
    public = [r for r in catalog.records.values() if _is_public(r, published_cases)]
    keep = {r.id for r in public}
    projected = [(catalog.files[r.id], _strip(r, keep)) for r in public]
    return build_index(projected, catalog.as_of, "public")
