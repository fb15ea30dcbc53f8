"""The audience projection, one test per record type: on the public view every internal field
is empty at every depth, internal records and internal types are gone (accountability cases
only once a public circular publishes them), and no reference points out of the view."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.catalog.catalog import build_index
from generator.model import RECORD_TYPES
from generator.model.fields import field_specs, iter_refs
from generator.pipeline import internal_catalog, validate
from generator.catalog.view import view

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def views():
    checked = validate(ROOT / "records", dt.date(2017, 5, 31))
    assert checked.ok
    catalog = internal_catalog(checked)
    return catalog, view(catalog, "public")


def _internal_values(obj, where=""):
    for spec in field_specs(type(obj)):
        value = getattr(obj, spec.name)
        if spec.internal:
            default = type(obj).model_fields[spec.name].get_default(call_default_factory=True)
            if value != default:
                yield f"{where}{spec.name}"
        elif spec.part is not None and value:
            for i, item in enumerate(value if spec.many else [value]):
                yield from _internal_values(item, f"{where}{spec.name}[{i}].")


@pytest.mark.parametrize("type_name", sorted(RECORD_TYPES))
def test_public_view_of_each_type(views, type_name):
    internal, public = views
    model = RECORD_TYPES[type_name]
    originals = internal.of_type(type_name)
    projected = public.of_type(type_name)
    if model.internal_type:
        published = {c for circ in internal.of_type("circular") for c in circ.accountability}
        assert {r.id for r in projected} == {r.id for r in originals
                                             if r.id in published and r.state == "published"}
    else:
        assert {r.id for r in projected} == {r.id for r in originals if r.visibility != "internal"}
    for record in projected:
        assert not list(_internal_values(record)), (record.id, list(_internal_values(record)))
        for loc, value, _types in iter_refs(record):
            assert value in public.records or type(record).model_fields[str(loc[0])].is_required(), (record.id, loc)


def test_the_internal_view_is_the_catalog(views):
    internal, _ = views
    assert view(internal, "internal") is internal


def test_examples_do_carry_internal_values_to_strip(views):
    internal, public = views
    assert any(list(_internal_values(r)) for r in internal.records.values())
    assert len(public.records) < len(internal.records)


def test_public_counts_do_not_count_hidden_records(views, tmp_path):
    internal, _ = views
    hidden = next(p for p in internal.of_type("problem"))
    records = [(internal.files[r.id], r.model_copy(update={"visibility": "internal"}) if r.id == hidden.id else r)
               for r in internal.records.values()]
    catalog = build_index(records, internal.as_of, "internal")
    public = view(catalog, "public")
    assert len(public.of_type("problem")) == len(internal.of_type("problem")) - 1
    assert hidden.id not in public.status
