"""No number on the public site counts what the public may not see, for every record type.

Two synthetic cities are built, public site only:

- A: records of every type made internal (`visibility: internal`), the accountability cases no
  public circular has published, and a value in every field of the privacy manifest
  (schemas/privacy.yaml);
- B: the same city as the public is allowed to know it: those records deleted, the references
  to them removed, the manifest's fields left empty.

The two public sites must be byte for byte the same. A unit page, a dashboard, a ranking, a
cadence matrix, an open-data file or a search shard that counted an internal meeting,
inspection, accountability case or problem, or that showed anything of an internal field,
makes them differ, and the test names the files that do.
"""
from __future__ import annotations

import difflib
import hashlib
import shutil
from pathlib import Path

import pytest
import yaml

from generator.model import RECORD_TYPES
from generator.model.fields import field_specs
from generator.model.yamltext import dump

import privacy_manifest
from test_site import build, cli

pytestmark = pytest.mark.slow

HIDE_EVERY = 4          # of the records nothing refers to, every 4th of each type is hidden


def _model_of(records: Path, path: Path):
    rel = path.relative_to(records).as_posix()
    return next(m for m in RECORD_TYPES.values() if rel.startswith(m.folder + "/"))


def _strings(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


def _drop_refs(data: dict, model, gone: set[str]) -> None:
    """Remove references to `gone` records, as the public view does: list items dropped,
    optional single references emptied (the model is asked for the shape of each field only)."""
    for spec in field_specs(model):
        value = data.get(spec.name)
        if value is None:
            continue
        if spec.refs:
            if spec.many:
                data[spec.name] = [v for v in value if v not in gone]
            elif value in gone:
                del data[spec.name]
        elif spec.part is not None:
            for item in (value if spec.many else [value]):
                if isinstance(item, dict):
                    _drop_refs(item, spec.part, gone)


def _clear_manifest_fields(data: dict, type_name: str) -> None:
    for path in privacy_manifest.fields_of(type_name):
        chain = privacy_manifest.steps(path)
        for holder in privacy_manifest._containers(data, chain):
            holder.pop(chain[-1].name, None)


@pytest.fixture(scope="module")
def twin_sites(tmp_path_factory):
    base = tmp_path_factory.mktemp("twins")
    assert cli("synth", "--out", str(base / "a"), "--problems", "60", "--seed", "6").returncode == 0
    records_a = base / "a" / "records"
    files = {path: yaml.load(path.read_text("utf-8"), Loader=yaml.BaseLoader)
             for path in sorted(records_a.rglob("*.yaml"))}
    models = {path: _model_of(records_a, path) for path in files}
    referenced = {s for data in files.values() for key, v in data.items() if key != "id" for s in _strings(v)}
    person = next(d["id"] for p, d in files.items() if models[p].type_name == "person")

    # which records the public may not see
    hidden: dict[str, list[Path]] = {}
    for path, data in files.items():
        kind = models[path].type_name
        if kind == "campaign":
            continue
        if kind in privacy_manifest.INTERNAL_TYPES:
            listed = {c for p, d in files.items() if models[p].type_name == "circular" for c in d.get("accountability", [])}
            if not privacy_manifest.published(kind, data["id"], data.get("state"), listed):
                hidden.setdefault(kind, []).append(path)
            continue
        if data["id"] not in referenced:
            hidden.setdefault(kind, []).append(path)
    hidden = {kind: paths[::HIDE_EVERY] if kind not in privacy_manifest.INTERNAL_TYPES else paths
              for kind, paths in hidden.items()}
    # a type every record of which is referred to (districts, assessments…) gets a new, internal one
    for kind, model in RECORD_TYPES.items():
        if kind == "campaign" or hidden.get(kind):
            continue
        same = sorted((p for p in files if models[p] is model), key=lambda p: files[p]["id"])
        path, data = same[-1], dict(files[same[-1]])
        if model.yearly:        # the next number of the year: P-2017-0060 → P-2017-0061
            head, number = data["id"].rsplit("-", 1)
            data["id"] = f"{head}-{int(number) + 1:0{len(number)}d}"
        else:
            data["id"] = data["id"] + "-hidden"
        if "number" in data:    # an organisation's next number
            data["number"] = max(int(files[p]["number"]) for p in same) + 1
        clone = path.with_name(data["id"] + ".yaml")
        files[clone], models[clone] = data, model
        hidden[kind] = [clone]
    assert set(hidden) == set(RECORD_TYPES) - {"campaign"}
    # the city is compared with and without its hidden records, so its organisation counts are
    # left open (留空: numbered from 1 without gaps) rather than fixed at the examples' 9 and 8
    campaign = next(p for p in files if models[p].type_name == "campaign")
    files[campaign] = {k: v for k, v in files[campaign].items() if k != "organisation"}

    # A: hidden records marked internal, every manifest field filled
    gone = {files[p]["id"] for paths in hidden.values() for p in paths}
    for path, data in files.items():
        data = yaml.load(dump(data), Loader=yaml.BaseLoader)         # a copy
        token = f"SECRET{hashlib.sha1(data['id'].encode()).hexdigest()[:10]}"
        privacy_manifest.plant(data, models[path].type_name, token, {"person": person})
        if data["id"] in gone and models[path].type_name not in privacy_manifest.INTERNAL_TYPES:
            data["visibility"] = "internal"
        path.write_text(dump(data), "utf-8")

    # B: what the public may know; the attachments are the same files
    records_b = base / "b" / "records"
    shutil.copytree(records_a / "attachments", records_b / "attachments")
    for path, data in files.items():
        if data["id"] in gone:
            continue
        data = yaml.load(dump(data), Loader=yaml.BaseLoader)
        _drop_refs(data, models[path], gone)
        _clear_manifest_fields(data, models[path].type_name)
        target = records_b / path.relative_to(records_a)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dump(data), "utf-8")

    for name in ("a", "b"):
        result = build(base / name / "records", base / name / "site", "--audience", "public")
        assert result.returncode == 0, result.stdout + result.stderr
    return base / "a/site/public", base / "b/site/public", {k: len(v) for k, v in hidden.items()}


def test_hidden_records_change_nothing_on_the_public_site(twin_sites):
    a, b, hidden = twin_sites
    assert set(hidden) == set(RECORD_TYPES) - {"campaign"} and all(hidden.values()), hidden

    def files(site: Path) -> dict[str, bytes]:
        return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*")
                if p.is_file() and p.suffix != ".gz"}
    with_hidden, without = files(a), files(b)
    assert with_hidden.keys() == without.keys(), sorted(with_hidden.keys() ^ without.keys())[:20]
    differ = sorted(name for name in with_hidden if with_hidden[name] != without[name])
    if differ:
        first = differ[0]
        diff = difflib.unified_diff(without[first].decode("utf-8", "replace").splitlines(),
                                    with_hidden[first].decode("utf-8", "replace").splitlines(), lineterm="", n=1)
        pytest.fail(f"{len(differ)} 个文件因内部记录或内部字段而不同：{differ[:15]}\n" + "\n".join(list(diff)[:40]))
