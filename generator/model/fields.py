"""What each field of a model is, read once from its declaration and cached.

Walkers over records (references, public text, audience projection) use these specs instead
of probing values, so they cost one pass over the fields that matter.
"""
from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Iterator, Literal, get_args, get_origin

from pydantic import BaseModel

from ..findings import Loc, format_loc
from .base import INTERNAL, Identifier, Ref


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    title: str
    internal: bool
    many: bool                          # a list of values
    refs: tuple[str, ...] = ()          # record types a reference may name
    part: type[BaseModel] | None = None  # nested model
    text: bool = False                  # free text a person writes
    labels: dict | None = None          # choice value → Chinese label


def _unwrap(annotation) -> tuple[object, tuple]:
    """Strip Optional and Annotated; return the bare type and the Annotated metadata."""
    metadata: tuple = ()
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            args = get_args(annotation)
            annotation, metadata = args[0], metadata + tuple(args[1:])
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else annotation
            if len(args) != 1:
                return annotation, metadata
        else:
            return annotation, metadata


def _labels(extra: dict, metadata) -> dict | None:
    """x-labels of a choice: pydantic merges a top-level Annotated Field into the field's own
    json_schema_extra; inside a list it stays in the metadata."""
    for candidate in (extra, *(getattr(m, "json_schema_extra", None) for m in metadata)):
        if isinstance(candidate, dict) and "x-labels" in candidate:
            return candidate["x-labels"]
    return None


@cache
def field_specs(model: type[BaseModel]) -> tuple[FieldSpec, ...]:
    specs = []
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        bare, metadata = _unwrap(info.annotation)
        metadata = tuple(info.metadata) + metadata
        many = get_origin(bare) is list
        if many:
            bare, inner = _unwrap(get_args(bare)[0])
            metadata += inner
        refs = next((m.types for m in metadata if isinstance(m, Ref)), ())
        part = bare if isinstance(bare, type) and issubclass(bare, BaseModel) else None
        specs.append(FieldSpec(
            name=name, title=info.title or name, internal=extra.get("x-visibility") == INTERNAL,
            many=many, refs=refs, part=part,
            text=bare is str and not refs and not any(isinstance(m, Identifier) for m in metadata),
            labels=_labels(extra, metadata) if get_origin(bare) is Literal else None))
    return tuple(specs)


@cache
def spec_at(model: type[BaseModel], loc: Loc) -> FieldSpec | None:
    """The spec of the field at `loc` (e.g. ('history', 2, 'date')) inside `model`."""
    spec = None
    for part in loc:
        if isinstance(part, int):
            continue
        if model is None:
            return None
        spec = next((s for s in field_specs(model) if s.name == part), None)
        if spec is None:
            return None
        model = spec.part
    return spec


@cache
def model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The nested model that holds the keys at `loc` (the record model for `()`)."""
    for part in loc:
        if isinstance(part, int):
            continue
        spec = next((s for s in field_specs(model) if s.name == part), None)
        if spec is None or spec.part is None:
            return None
        model = spec.part
    return model


def _values(obj: BaseModel, spec: FieldSpec, loc: Loc) -> Iterator[tuple[Loc, object]]:
    value = getattr(obj, spec.name)
    if value is None:
        return
    if spec.many:
        for i, item in enumerate(value):
            yield loc + (spec.name, i), item
    else:
        yield loc + (spec.name,), value


def iter_refs(obj: BaseModel, loc: Loc = ()) -> Iterator[tuple[Loc, str, tuple[str, ...]]]:
    """Every reference in a record: (location, id, allowed types)."""
    for spec in field_specs(type(obj)):
        if spec.refs:
            for where, value in _values(obj, spec, loc):
                yield where, value, spec.refs
        elif spec.part is not None:
            for where, item in _values(obj, spec, loc):
                yield from iter_refs(item, where)


def iter_text(obj: BaseModel, public_only: bool, loc: Loc = ()) -> Iterator[tuple[Loc, str, FieldSpec]]:
    """Every free-text value in a record; with `public_only`, those the public site may show."""
    for spec in field_specs(type(obj)):
        if public_only and spec.internal:
            continue
        if spec.text:
            for where, value in _values(obj, spec, loc):
                yield where, value, spec
        elif spec.part is not None:
            for where, item in _values(obj, spec, loc):
                yield from iter_text(item, public_only, where)


def field_label(model: type[BaseModel], loc: Loc) -> str:
    """How messages name a field: its Chinese title and where it is, “整改时限”（deadline）."""
    spec = spec_at(model, tuple(loc))
    path = format_loc(loc) or "记录"
    return f"“{spec.title}”（{path}）" if spec else path


def choice_label(record: BaseModel, field_name: str, value=None) -> str:
    """The Chinese label of a choice value, e.g. choice_label(meeting, "kind") → 分指挥部工作会议."""
    value = getattr(record, field_name) if value is None else value
    spec = next(s for s in field_specs(record.__class__) if s.name == field_name)   # __class__: also an entry's
    return (spec.labels or {}).get(value, value)
