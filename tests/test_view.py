"""The audience projection, one test per record type: on the public view every field the privacy
manifest (schemas/privacy.yaml) names is empty at every depth, internal records and internal
types are gone (accountability cases only once a public circular publishes them), and no
reference points out of the view. The records are the examples with a value planted in every
manifest field and one record of each type made internal, so none of these checks is vacuous."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.catalog.catalog import build_catalog
from generator.catalog.git_history import Change, GitHistory
from generator.catalog.view import INTERNAL, PUBLIC, own_date, view
from generator.model import RECORD_TYPES
from generator.model.fields import iter_refs, model_at
from generator.pipeline import internal_catalog
from generator.validate import validate

import privacy_manifest

ROOT = Path(__file__).resolve().parents[1]


def _planted_copy(target: Path) -> Path:
    """records/ copied, with a value in every field the privacy manifest names, in every record
    that has a place for it (the example records leave most internal fields empty)."""
    import shutil
    import yaml
    from generator.model.yamltext import dump
    records = target / "records"
    shutil.copytree(ROOT / "records", records)
    person = sorted(p.stem for p in (records / "org/people").glob("*.yaml"))[0]
    last_of_type = {}
    for path in sorted(records.rglob("*.yaml")):
        rel = path.relative_to(records).as_posix()
        last_of_type[next(m for m in RECORD_TYPES.values() if rel.startswith(m.folder + "/")).type_name] = path
    for path in sorted(records.rglob("*.yaml")):
        rel = path.relative_to(records).as_posix()
        model = next(m for m in RECORD_TYPES.values() if rel.startswith(m.folder + "/"))
        data = yaml.load(path.read_text("utf-8"), Loader=yaml.BaseLoader)     # everything as text
        privacy_manifest.plant(data, model.type_name, f"SECRET{data['id']}", {"person": person})
        if last_of_type[model.type_name] == path and model.type_name != "campaign":
            data["visibility"] = "internal"         # one record of each type is internal
        path.write_text(dump(data), "utf-8")
    return records


@pytest.fixture(scope="module")
def views(tmp_path_factory):
    records = _planted_copy(tmp_path_factory.mktemp("view"))
    checked = validate(records, dt.date(2017, 5, 31), keep_records=True)
    assert checked.ok, [f for f in checked.findings if f.severity == "error"][:5]
    catalog = internal_catalog(checked)
    return catalog, view(catalog, "public").catalog


def _internal_values(record):
    """The manifest's internal fields (schemas/privacy.yaml, not the model's flags) that hold a
    value other than the field's default, at every depth."""
    for path in privacy_manifest.fields_of(record.type_name):
        for holder, value in privacy_manifest.values_at(record, path):
            name = privacy_manifest.steps(path)[-1].name
            if value != type(holder).model_fields[name].get_default(call_default_factory=True):
                yield path


@pytest.mark.parametrize("type_name", sorted(RECORD_TYPES))
def test_public_view_of_each_type(views, type_name):
    internal, public = views
    originals = internal.of_type(type_name)
    projected = public.of_type(type_name)
    if type_name in privacy_manifest.INTERNAL_TYPES:
        listed = {c for circ in internal.of_type("circular") for c in circ.accountability}
        assert {r.id for r in projected} == {r.id for r in originals
                                             if privacy_manifest.published(type_name, r.id, getattr(r, "state", None), listed)}
    else:
        assert {r.id for r in projected} == {r.id for r in originals if r.visibility != "internal"}
    for record in projected:
        assert not list(_internal_values(record)), (record.id, list(_internal_values(record)))
        for loc, value, _types in iter_refs(record):
            # a required reference stays (the record would be invalid without it); the page names it by id
            holder = model_at(type(record), tuple(loc[:-2] if isinstance(loc[-1], int) else loc[:-1]))
            name = str(loc[-2] if isinstance(loc[-1], int) else loc[-1])
            assert value in public.records or holder.model_fields[name].is_required(), (record.id, loc)


def test_every_manifest_field_is_stripped_from_a_record_that_had_a_value(views):
    """The check above is not vacuous: for each field of the manifest some record of the
    public view had a value there before the projection."""
    internal, public = views
    had = {f"{internal.records[i].type_name}.{path}" for i in public.records
           for path in _internal_values(internal.records[i])}
    never_public = privacy_manifest.INTERNAL_TYPES - privacy_manifest.PUBLISHED_BY_CIRCULAR
    wanted = {f for f in privacy_manifest.MANIFEST["fields"] if f.split(".")[0] not in never_public}
    assert wanted - had == set()


def test_the_internal_view_is_the_catalog(views):
    internal, _ = views
    assert view(internal, "internal").catalog is internal


def test_each_type_but_the_campaign_has_records_the_public_view_drops(views):
    internal, public = views
    for type_name in set(RECORD_TYPES) - {"campaign"}:
        assert {r.id for r in internal.of_type(type_name)} - set(public.records), type_name


def test_public_counts_do_not_count_hidden_records(views, tmp_path):
    internal, before = views
    hidden = next(p for p in internal.of_type("problem") if p.id in before.records)
    records = [(internal.files[r.id], r.model_copy(update={"visibility": "internal"}) if r.id == hidden.id else r)
               for r in internal.records.values()]
    catalog = build_catalog(records, internal.as_of, "internal")
    public = view(catalog, "public").catalog
    assert len(public.of_type("problem")) == len(before.of_type("problem")) - 1
    assert hidden.id not in public.status


def test_the_public_view_carries_no_git_history_and_dates_pages_by_the_records(views):
    """Commit subjects are written for reviewers and may name people: the public view has no Git
    history at all, and its pages are dated by the records themselves; the internal view keeps
    the history and dates record pages by it."""
    internal, public = views
    hidden = next(r for r in internal.records.values() if r.id not in public.records)
    shown = next(p for p in public.of_type("problem") if len(p.history) > 1)
    first, second = Change(dt.date(2026, 4, 1), "录入 张三 13812345678", "张三"), Change(dt.date(2026, 5, 2), "更新", "李四")
    history = GitHistory({internal.files[hidden.id]: (second,), internal.files[shown.id]: (first,)}, second.date)
    seen = view(internal, "public", history)
    assert seen.history.changes == {} and seen.history.latest is None
    assert (seen.shows.git_history, seen.shows.commit_authors, seen.shows.internal_fields, seen.shows.urging) == (
        False, False, False, False)
    # a problem's page: its last event or urging (on or before the as-of date), not a commit's date
    assert seen.updated(seen.catalog.get(shown.id)) == max([shown.history[-1].date, *(u.date for u in shown.urgings)])
    # pages without a record: the latest date in the public records, never a hidden record's
    public_dates = [own_date(r, internal.as_of) for r in public.records.values()]
    assert seen.updated(None) == max(d for d in public_dates if d)
    staff = view(internal, "internal", history)
    assert staff.history is history and staff.shows == INTERNAL and seen.shows == PUBLIC
    assert staff.updated(shown) == first.date and staff.updated(None) == second.date


def test_a_record_dates_itself_by_what_happened_not_by_its_time_limits(views):
    internal, _ = views
    as_of = internal.as_of
    some = internal.of_type("problem")[0]
    problem = some.model_copy(update={"history": some.history[:1], "urgings": [],
                                      "deadline": some.history[0].date + dt.timedelta(days=5)})
    assert own_date(problem, as_of) == max(problem.found, problem.history[0].date)     # not the deadline
    later = problem.model_copy(update={"history": [*problem.history, problem.history[0].model_copy(
        update={"date": as_of + dt.timedelta(days=3), "state": "assigned"})]})
    assert own_date(later, as_of) == own_date(problem, as_of)       # after the as-of date: not yet
    meeting = next(m for m in internal.of_type("meeting") if any(d.done_date for d in m.decisions))
    done = max(d.done_date for d in meeting.decisions if d.done_date and d.done_date <= as_of)
    assert own_date(meeting, as_of) == max(meeting.date, done)
    district = internal.of_type("district")[0]
    assert own_date(district, as_of) is None


def test_a_projected_history_is_dated_by_its_own_files_only():
    """A history shown to an audience keeps the changes of its files, and when it last changed
    is computed over them: a commit touching only another record does not date it."""
    mine, other = Change(dt.date(2017, 4, 1), "录入", "张三"), Change(dt.date(2017, 5, 2), "更新", "李四")
    history = GitHistory({"records/a.yaml": (mine,), "records/b.yaml": (other,)}, other.date)
    kept = history.projected(["records/a.yaml"], authors=False)
    assert kept.changes == {"records/a.yaml": (Change(mine.date, "录入", None),)}
    assert kept.latest == mine.date
