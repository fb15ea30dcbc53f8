"""The shipped records, the committed schemas and synth, through the CLI."""
from __future__ import annotations

import filecmp
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True,
                          text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def test_example_records_validate_without_errors():
    result = run("validate", "--as-of", "2017-05-31", "--format", "json")
    assert result.returncode == 0, result.stdout[-2000:]
    findings = json.loads(result.stdout)
    assert all(f["severity"] == "warning" for f in findings)
    # warnings only where the data means them: overdue problems, decisions and task milestones
    assert {f["code"] for f in findings} <= {"W-PROBLEM-OVERDUE", "W-DECISION-OVERDUE", "W-MILESTONE-OVERDUE"}


def test_example_records_cover_the_mechanism():
    import yaml
    records = ROOT / "records"
    problems = [yaml.safe_load(p.read_text("utf-8")) for p in records.glob("problems/*/*.yaml")]
    assert len(problems) >= 60
    states = {p["history"][-1]["state"] for p in problems}
    assert states == {"registered", "assigned", "acknowledged", "rectifying", "extended", "reported",
                      "returned", "verified", "closed"}
    assert {p["source"] for p in problems} == {
        "inspection", "simulated_assessment", "media", "complaint", "leadership_instruction",
        "superior_inspection", "patrol", "third_party_assessment", "self_inspection"}
    sub_hqs = [yaml.safe_load(p.read_text("utf-8"))["name"] for p in records.glob("org/sub-hqs/*.yaml")]
    assert len(sub_hqs) == 9 and "人文环境整治和未成年人成长环境建设指挥部" in sub_hqs
    assert len(list(records.glob("org/inspection-groups/*.yaml"))) == 8
    for folder in ("meetings", "inspections", "assessments", "media-feedback", "patrols",
                   "self-inspections", "accountability", "circulars", "tasks", "major-matters"):
        assert list(records.glob(f"{folder}/2017/*.yaml")), folder


def test_example_records_show_every_rule_of_the_article():
    """Each field and record the article's rules added appears at least once (issue 16)."""
    import yaml

    def load(pattern):
        return [yaml.safe_load(p.read_text("utf-8")) for p in sorted((ROOT / "records").glob(pattern))]
    campaign = load("campaign/campaign.yaml")[0]
    assert campaign["organisation"] == {"commanders": 2, "sub_hqs": 9, "inspection_groups": 8}
    assert campaign["cadence"]["media_weekday"] == 5 and campaign["thresholds"]["self_inspection_days"] == 7
    meetings = load("meetings/2017/*.yaml")
    reasons = {s["reason"] for m in meetings for s in m.get("statements", [])}
    assert reasons == {"low_rank", "media_exposure", "problem_department"}
    assert all(m.get("reported_to_office") for m in meetings if m["kind"] == "district" and m["date"].day == 10
               and m["date"].month == 4)
    inspections = load("inspections/2017/*.yaml")
    assert all(i.get("basis") for i in inspections)
    assert any("work_meeting" in i["methods"] and "field" not in i["methods"] for i in inspections)
    assert any({"site_visit", "onsite_office"} <= set(i["methods"]) for i in inspections)
    items = [item for f in load("media-feedback/2017/*.yaml") for item in f["items"] if item.get("supervise")]
    assert items and all(item.get("indicator") and item.get("problem") for item in items)
    assert any(c["kind"] == "assessment" and c.get("assessment") for c in load("circulars/2017/*.yaml"))
    matters = load("major-matters/2017/*.yaml")
    assert matters and all(m["reported"] for m in matters)


def test_committed_schemas_are_current(tmp_path):
    result = run("schema", "--out", str(tmp_path))
    assert result.returncode == 0
    fresh = sorted(p.name for p in tmp_path.iterdir())
    # beside the generated schemas only the hand-written, reviewed privacy manifest (test_privacy.py)
    assert sorted(fresh + ["privacy.yaml"]) == sorted(p.name for p in (ROOT / "schemas").iterdir())
    _, mismatch, errors = filecmp.cmpfiles(tmp_path, ROOT / "schemas", fresh, shallow=False)
    assert not mismatch and not errors, f"run `make schemas`: {mismatch}"


def test_example_records_match_their_json_schema():
    jsonschema = pytest.importorskip("jsonschema")
    from conftest import record_data
    for type_name, file, data in record_data(ROOT / "records"):
        schema = json.loads((ROOT / "schemas" / f"{type_name}.schema.json").read_text("utf-8"))
        errors = list(jsonschema.Draft202012Validator(schema).iter_errors(data))
        assert not errors, (file, errors[0].message)


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_synth_is_valid_and_deterministic(tmp_path):
    for name in ("a", "b"):
        assert run("synth", "--out", str(tmp_path / name), "--problems", "300", "--seed", "7").returncode == 0
    first, second = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert first == second
    assert sum(1 for k in first if k.startswith("records/problems/")) == 300
    result = run("validate", "--records", str(tmp_path / "a" / "records"), "--format", "json")
    assert result.returncode == 0, result.stdout[-2000:]


def test_synth_seed_changes_the_city(tmp_path):
    run("synth", "--out", str(tmp_path / "a"), "--problems", "100", "--seed", "1")
    run("synth", "--out", str(tmp_path / "b"), "--problems", "100", "--seed", "2")
    assert _tree(tmp_path / "a") != _tree(tmp_path / "b")
