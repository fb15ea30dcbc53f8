"""The human-reviewed privacy manifest (schemas/privacy.yaml) for the tests that look for leaks.

The leak tests must not pick the fields they plant canaries in by the same flag the audience
view strips by (`internal=True`): a field whose flag is removed by mistake would then simply no
longer be tested. They read this manifest instead; tests/test_privacy.py holds the model to it.

A field is named `type.path`: `problem.reporter.name`, `problem.history[].internal_note`
(`[]`: every item of a list). The model is consulted only for a field's shape (text, list,
nested part, reference), never for whether it is internal.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from generator.model import RECORD_TYPES
from generator.model.fields import field_specs
from generator.validate.load import parse_text

MANIFEST_FILE = Path(__file__).resolve().parents[1] / "schemas" / "privacy.yaml"


def load() -> dict[str, dict[str, str]]:
    """{"types": {type: why}, "fields": {"type.path": why}}, read with the records' own loader
    (a duplicated line is an error, not silently the last one)."""
    data, problem = parse_text("schemas/privacy.yaml", MANIFEST_FILE.read_text("utf-8"))
    assert problem is None, problem
    assert set(data) == {"types", "fields"}, set(data)
    return {"types": dict(data["types"]), "fields": dict(data["fields"])}


MANIFEST = load()
INTERNAL_TYPES: set[str] = set(MANIFEST["types"])
# internal types of which some records reach the public site: an accountability case listed by a
# published circular, once its state is published; the others never do
PUBLISHED_BY_CIRCULAR = {"accountability"}


def published(type_name: str, record_id: str, state: str | None, circulars: set[str]) -> bool:
    """Whether a record of an internal type is on the public site (`circulars`: ids listed by
    public circulars)."""
    return type_name in PUBLISHED_BY_CIRCULAR and state == "published" and record_id in circulars


@dataclass(frozen=True)
class Step:
    name: str
    many: bool          # a list: the path goes on into every item


def steps(path: str) -> tuple[Step, ...]:
    """'history[].internal_note' → (Step('history', True), Step('internal_note', False))."""
    return tuple(Step(part.removesuffix("[]"), part.endswith("[]")) for part in path.split("."))


def fields_of(type_name: str) -> list[str]:
    """The manifest's internal field paths of one record type, parents before their parts."""
    prefix = type_name + "."
    return sorted((key[len(prefix):] for key in MANIFEST["fields"] if key.startswith(prefix)),
                  key=lambda p: (p.count("."), p))


def spec_of(type_name: str, path: str):
    """The model's FieldSpec at a manifest path (for its shape only)."""
    model, spec = RECORD_TYPES[type_name], None
    for step in steps(path):
        assert model is not None, f"{type_name}.{path}: {step.name} 不在嵌套字段里"
        spec = next((s for s in field_specs(model) if s.name == step.name), None)
        assert spec is not None, f"{type_name}.{path}: 模型中没有字段 {step.name}"
        model = spec.part
    return spec


def _containers(data: dict, path: tuple[Step, ...]):
    """The dicts that hold the last step of `path` in a record's data (none if a parent is absent)."""
    holders = [data]
    for step in path[:-1]:
        nxt = []
        for holder in holders:
            value = holder.get(step.name)
            if isinstance(value, list):
                nxt += [v for v in value if isinstance(v, dict)]
            elif isinstance(value, dict):
                nxt.append(value)
        holders = nxt
    return holders


def value_for(spec, token: str, ref_target: str | None):
    """A value of the field's shape that carries `token` in every piece of text it holds."""
    if spec.refs:
        assert ref_target, f"{spec.name}：需要一条可以引用的记录"
        return [ref_target] if spec.many else ref_target
    if spec.part is not None:
        part = {}
        for inner in field_specs(spec.part):
            if inner.text:
                part[inner.name] = [f"{token}{inner.name}"] if inner.many else f"{token}{inner.name}"
        return [part] if spec.many else part
    if spec.text:
        return [f"{token}a", f"{token}b"] if spec.many else token
    raise AssertionError(f"{spec.name}：清单中的内部字段不是文字、嵌套或引用，测试还不会给它放金丝雀")


def plant(data: dict, type_name: str, token: str, ref_targets: dict[str, str] | None = None) -> dict[str, list]:
    """Put a value carrying a token derived from `token` into every manifest field of a record's
    data (YAML level, as text), at every depth where the parent exists. Returns, per manifest
    path, the values planted (empty if the record has no place for it)."""
    planted: dict[str, list] = {}
    for path in fields_of(type_name):
        spec = spec_of(type_name, path)
        target = (ref_targets or {}).get(spec.refs[0]) if spec.refs else None
        chain = steps(path)
        planted[path] = []
        for i, holder in enumerate(_containers(data, chain)):
            where = hashlib.sha1(f"{path}#{i}".encode()).hexdigest()[:6]
            value = value_for(spec, f"{token}{where}", target)
            last = chain[-1]
            holder[last.name] = value
            planted[path].append(value)
    return planted


def values_at(obj, path: str) -> list:
    """The values at a manifest path in a record object (pydantic), one per holder."""
    holders = [obj]
    chain = steps(path)
    for step in chain[:-1]:
        nxt = []
        for holder in holders:
            value = getattr(holder, step.name)
            if value is None:
                continue
            nxt += list(value) if step.many else [value]
        holders = nxt
    return [(holder, getattr(holder, chain[-1].name)) for holder in holders]
