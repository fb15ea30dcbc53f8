"""The command line: text and JSON output, exit codes, and `schema --out`."""
from __future__ import annotations

import json
import re

import pytest

P = "records/problems/2017/P-2017-0001.yaml"
UNIT = "records/org/units/broken-unit.yaml"
M1 = "records/meetings/2017/M-2017-0001.yaml"
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"

# One valid record of each type the minimal tree lacks, so that every schema has a record to
# check against. All dates fall inside the minimal campaign (2017-04-05 to 2017-04-08).
EXTRA: dict[str, tuple[str, str]] = {
    "person": ("records/org/people/cuihu-director.yaml", """\
id: cuihu-director
role: 翠湖街道办事处主任
unit: panlong
name: 李四
phone: "13912345678"
"""),
    "patrol_group": ("records/org/patrol-groups/patrol-1.yaml", """\
id: patrol-1
name: 第一老领导工作组
district: panlong
members:
  - 原市人大常委会副主任
"""),
    "media_outlet": ("records/org/media/city-daily.yaml", """\
id: city-daily
name: 示例日报
kind: newspaper
"""),
    "assessor": ("records/org/assessors/survey-co.yaml", """\
id: survey-co
name: 某调查研究中心
"""),
    "meeting": (M1, """\
id: M-2017-0001
kind: scheduling
title: 第一次工作调度会
date: 2017-04-07
chair_role: 常务副指挥长
attendees:
  - 各分指挥部指挥长
agenda:
  - 通报第一周督查情况
reports_heard:
  - by: subhq-city-order
    summary: 占道经营整治进展
  - by: group-1
    summary: 第一周督查情况
footage_played:
  - 暗访视频第1期
decisions:
  - text: 清理某某路占道经营
    owner: city-management
    deadline: 2017-04-08
    state: done
    done_date: 2017-04-08
statements:
  - by: wuhua
    speaker_role: 区长
    reason: low_rank
summary: 会议要求各区加快整改。
"""),
    "inspection": ("records/inspections/2017/I-2017-0001.yaml", """\
id: I-2017-0001
group: group-1
date: 2017-04-06
districts:
  - panlong
methods:
  - field
  - assignment
basis:
  - national
indicators:
  - street-order
sites:
  - 某某路
findings:
  - text: 某某路占道经营
    district: panlong
    problem: P-2017-0001
"""),
    "self_inspection": ("records/self-inspections/2017/S-2017-0001.yaml", """\
id: S-2017-0001
by: panlong
date: 2017-04-07
inspection: I-2017-0001
title: 盘龙区第一周自检自查报告
task_status: 已完成主次干道排查
progress: 完成 80%
measures: 网格化巡查
"""),
    "assessment": ("records/assessments/2017/A-2017-0001.yaml", """\
id: A-2017-0001
kind: third_party
title: 四月第三方测评
period: 2017-04
date: 2017-04-06
assessor: survey-co
scores:
  - district: panlong
    score: 85.5
    by_indicator:
      - indicator: street-order
        score: 90
  - district: wuhua
    score: 78
"""),
    "media_feedback": ("records/media-feedback/2017/F-2017-0001.yaml", """\
id: F-2017-0001
date: 2017-04-07
week_of: 2017-04-03
items:
  - outlet: city-daily
    title: 某某路占道经营回头看
    kind: undercover
    district: panlong
    indicator: street-order
    supervise: false
"""),
    "patrol_log": ("records/patrols/2017/R-2017-0001.yaml", """\
id: R-2017-0001
group: patrol-1
date: 2017-04-06
district: panlong
street: panlong-cuihu
places:
  - 某某路
findings:
  - text: 占道经营
    problem: P-2017-0001
"""),
    "circular": ("records/circulars/2017/C-2017-0001.yaml", """\
id: C-2017-0001
title: 关于第一周督查情况的通报
date: 2017-04-08
kind: situation
issuer: hq-office
body: |
  ## 总体情况
  各区整改进展顺利。
districts:
  - panlong
problems:
  - P-2017-0001
assessment: A-2017-0001
"""),
    "accountability": ("records/accountability/2017/Q-2017-0001.yaml", """\
id: Q-2017-0001
date: 2017-04-08
target: panlong
reason: slow_progress
measure: interview
state: decided
problems:
  - P-2017-0002
draft: 拟约谈分管副区长
"""),
    "major_matter": ("records/major-matters/2017/B-2017-0001.yaml", """\
id: B-2017-0001
title: 某某农贸市场周边占道经营反复回潮
kind: problem
by: group-1
found: 2017-04-06
reported: 2017-04-06
to: hq
inspection: I-2017-0001
district: panlong
problems:
  - P-2017-0001
summary: 需总指挥部协调。
response: 请分指挥部牵头拿出方案。
responded: 2017-04-07
"""),
    "task": ("records/tasks/2017/T-2017-0001.yaml", """\
id: T-2017-0001
title: 主次干道占道经营专项整治
sub_hq: subhq-city-order
lead_unit: city-management
supporting_units:
  - city-management
assigned: 2017-04-05
deadline: 2017-06-30
milestones:
  - title: 完成排查
    due: 2017-04-08
    state: done
    done_date: 2017-04-08
"""),
}


def broken(tree):
    """Two files with errors and one with a warning."""
    tree.edit(P, "source: inspection", "source: inspektion")
    tree.write(UNIT, "id: broken-unit\nname: 某局\nkind: ministry\n")
    tree.write(M1, "id: M-2017-0001\nkind: hq\ntitle: 总指挥部会议\ndate: 2017-04-07\n"
                   "decisions:\n  - text: 清理\n    owner: city-management\n    deadline: 2017-05-15\n")


def validate_text(tree, *extra):
    return tree.cli("validate", "--records", str(tree.records), "--as-of", tree.AS_OF, *extra)


# --- text output ---------------------------------------------------------------------------------

LOCATION = re.compile(r"^  (?P<file>\S+):(?P<line>\d+):(?P<column>\d+): (?P<label>错误|警告) (?P<code>[EW]-[A-Z-]+)\b")


def test_text_output_groups_by_file_with_positions(make_tree):
    tree = make_tree()
    broken(tree)
    proc = validate_text(tree)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    headers = [line for line in lines if line.startswith("records/")]
    assert headers == [M1, UNIT, P]                 # one header per file, in sorted order
    located = []
    current = None
    for line in lines:
        if line.startswith("records/"):
            current = line
        elif match := LOCATION.match(line):
            assert match["file"] == current         # each finding sits under its file's header
            located.append((match["file"], int(match["line"]), match["code"], match["label"]))
    assert located == [(M1, 8, "W-DECISION-OVERDUE", "警告"), (UNIT, 3, "E-SCHEMA-ENUM", "错误"),
                       (P, 7, "E-SCHEMA-ENUM", "错误")]
    assert lines[-1].startswith("共 2 个错误、1 个警告，涉及 3 个文件")


def test_text_and_json_report_the_same_findings(make_tree):
    tree = make_tree()
    broken(tree)
    text = validate_text(tree).stdout
    _, findings = tree.validate()
    from_text = [(m["file"], int(m["line"]), int(m["column"]), m["code"])
                 for m in map(LOCATION.match, text.splitlines()) if m]
    assert from_text == [(f["file"], f["line"], f["column"], f["code"]) for f in findings]


def test_text_summary_when_valid_and_when_only_warnings(make_tree):
    tree = make_tree()
    proc = validate_text(tree)
    assert (proc.returncode, proc.stdout.strip()) == (0, "全部记录有效。")
    tree.write(M1, "id: M-2017-0001\nkind: hq\ntitle: 总指挥部会议\ndate: 2017-04-07\n"
                   "decisions:\n  - text: 清理\n    owner: city-management\n    deadline: 2017-05-15\n")
    proc = validate_text(tree)
    assert proc.returncode == 0
    assert proc.stdout.splitlines()[-1].startswith("全部记录有效（1 个警告")


# --- JSON output ---------------------------------------------------------------------------------

def test_json_items_have_exactly_the_documented_keys(make_tree):
    tree = make_tree()
    broken(tree)
    code, findings = tree.validate(subprocess=True)
    assert code == 1
    assert len(findings) == 3
    for f in findings:
        assert set(f) == {"file", "line", "column", "severity", "code", "message"}
        assert f["severity"] == {"E": "error", "W": "warning"}[f["code"][0]]
        assert isinstance(f["line"], int) and f["line"] >= 1
        assert isinstance(f["column"], int) and f["column"] >= 1
        assert f["message"]
    assert findings == sorted(findings, key=lambda f: (f["file"], f["line"], f["column"], f["code"]))


def test_json_files_are_relative_to_the_records_folders_parent(make_tree):
    tree = make_tree()
    broken(tree)
    ledger = tree.root / "city" / "ledger"
    ledger.parent.mkdir()
    tree.records.rename(ledger)
    code, findings = tree.validate(records=ledger)
    assert code == 1
    assert {f["file"] for f in findings} == {p.replace("records/", "ledger/", 1) for p in (M1, UNIT, P)}


def test_json_output_is_an_empty_list_for_a_valid_tree(make_tree):
    tree = make_tree()
    proc = validate_text(tree, "--format", "json")
    assert (proc.returncode, json.loads(proc.stdout)) == (0, [])


# --- exit codes ----------------------------------------------------------------------------------

def test_exit_codes_0_and_1(make_tree):
    tree = make_tree()
    assert tree.validate(subprocess=True)[0] == 0
    tree.write(M1, "id: M-2017-0001\nkind: hq\ntitle: 总指挥部会议\ndate: 2017-04-07\n"
                   "decisions:\n  - text: 清理\n    owner: city-management\n    deadline: 2017-05-15\n")
    assert tree.validate(subprocess=True)[0] == 0           # warnings only
    tree.write(UNIT, "id: broken-unit\nname: 某局\nkind: ministry\n")
    assert tree.validate(subprocess=True)[0] == 1


@pytest.mark.parametrize("args", [
    ["validate", "--records", "{root}/no-such-folder"],
    ["validate", "--records", "{root}/records/campaign/campaign.yaml"],    # a file, not a folder
    ["validate", "--records", "{root}/records", "--as-of", "2017-02-30"],
    ["validate", "--records", "{root}/records", "--as-of", "tomorrow"],
    ["validate", "--records", "{root}/records", "--format", "xml"],
    ["validate", "--no-such-option"],
    ["frobnicate"],
    [],
    ["schema"],                                                            # --out is required
])
def test_exit_code_2_for_bad_usage(make_tree, args):
    tree = make_tree()
    proc = tree.cli(*[a.format(root=tree.root) for a in args])
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip()                  # says what is wrong
    assert proc.stdout == ""


def test_usage_error_in_process_returns_2(make_tree, capsys):
    from generator.cli import main
    tree = make_tree()
    assert main(["validate", "--records", str(tree.root / "missing")]) == 2
    assert "missing" in capsys.readouterr().err


def test_text_output_in_process_goes_to_the_current_stdout(make_tree):
    import contextlib
    import io
    from generator.cli import main
    tree = make_tree()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["validate", "--records", str(tree.records), "--as-of", tree.AS_OF]) == 0
    assert "全部记录有效。" in out.getvalue()


def test_default_as_of_is_today(make_tree):
    """Without --as-of the run is as of today: a date in 2999 is in the future, and an open
    problem due in 2017 is overdue."""
    tree = make_tree()
    tree.edit(P, "  - date: 2017-04-20\n    state: closed\n", "  - date: 2999-01-01\n    state: closed\n")
    code, findings = tree.validate(as_of=None)
    assert code == 1
    assert tree.triples(findings) == [(P, tree.line_of(tree.read(P), "2999-01-01"), "E-DATE-FUTURE")]
    tree.write(P, tree.read(P).split("  - date: 2017-04-10")[0])      # still acknowledged: open
    code, findings = tree.validate(as_of=None)
    assert (code, tree.triples(findings)) == (
        0, [(P, tree.line_of(tree.read(P), "deadline:"), "W-PROBLEM-OVERDUE")])


# --- schema --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def schemas(tmp_path_factory):
    """Run `schema --out DIR` (into a folder it must create); return {type name: schema}."""
    from generator.model import RECORD_TYPES
    out = tmp_path_factory.mktemp("schemas") / "nested" / "dir"
    proc = tmp_cli("schema", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(f"{name}.schema.json" for name in RECORD_TYPES)
    assert len(proc.stdout.splitlines()) == len(RECORD_TYPES)
    return {name: json.loads((out / f"{name}.schema.json").read_text(encoding="utf-8"))
            for name in RECORD_TYPES}


def tmp_cli(*args):
    import subprocess
    import sys
    from pathlib import Path
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=Path(__file__).resolve().parent.parent, timeout=60)


def test_schema_one_file_per_type_draft_2020_12(schemas):
    for name, schema in schemas.items():
        assert schema["$schema"] == DRAFT_2020_12
        assert schema["$id"] == f"{name}.schema.json"
        assert schema["type"] == "object"
        assert "id" in schema["properties"] and "id" in schema["required"]


def test_schema_visibility_marks(schemas):
    problem = schemas["problem"]
    assert problem["properties"]["reporter"]["x-visibility"] == "internal"
    assert problem["properties"]["responsible_person"]["x-visibility"] == "internal"
    assert "x-visibility" not in problem["properties"]["title"]
    assert "x-visibility" not in problem
    assert schemas["accountability"]["x-visibility"] == "internal"


def test_schema_id_patterns(schemas):
    assert schemas["problem"]["properties"]["id"]["pattern"] == r"^P-[0-9]{4}-[0-9]{4,6}$"
    assert re.match(schemas["unit"]["properties"]["id"]["pattern"], "city-management")


# A problem that was overdue on the accountability case's date (and has since been reported).
LATE_PROBLEM = """\
id: P-2017-0002
title: 某某巷垃圾乱堆
district: panlong
source: complaint
found: 2017-04-05
responsible_unit: city-management
deadline: 2017-04-07
history:
  - date: 2017-04-05
    state: registered
  - date: 2017-04-05
    state: assigned
  - date: 2017-04-06
    state: acknowledged
  - date: 2017-04-10
    state: reported
"""


def _tree_with_every_type(make_tree):
    tree = make_tree()
    for rel, text in EXTRA.values():
        tree.write(rel, text)
    tree.write("records/problems/2017/P-2017-0002.yaml", LATE_PROBLEM)
    return tree


def test_extra_records_of_every_type_are_valid(make_tree):
    """The sample records used for the schema checks are themselves valid records."""
    from generator.model import RECORD_TYPES
    tree = _tree_with_every_type(make_tree)
    code, findings = tree.validate()
    assert (code, findings) == (0, [])
    present = set(EXTRA) | {"campaign", "hq", "sub_hq", "inspection_group", "district", "unit",
                            "site_type", "assessment_item", "indicator", "problem"}
    assert present == set(RECORD_TYPES)


def _records_by_type(tree):
    from conftest import record_data
    return record_data(tree.records)


def test_schema_fits_a_record_of_each_type(make_tree, schemas):
    """Without jsonschema: every key of each record is a schema property and every required
    property is present (the schemas forbid other keys)."""
    tree = _tree_with_every_type(make_tree)
    seen = set()
    for type_name, file, data in _records_by_type(tree):
        schema = schemas[type_name]
        assert schema["additionalProperties"] is False
        assert set(data) <= set(schema["properties"]), file
        assert set(schema["required"]) <= set(data), file
        seen.add(type_name)
    assert seen == set(schemas)


def test_schema_validates_a_record_of_each_type(make_tree, schemas):
    jsonschema = pytest.importorskip(
        "jsonschema", reason="jsonschema is not installed in .venv; the structural check in "
                             "test_schema_fits_a_record_of_each_type still runs")
    tree = _tree_with_every_type(make_tree)
    for type_name, file, data in _records_by_type(tree):
        validator = jsonschema.Draft202012Validator(
            schemas[type_name], format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        errors = [e.message for e in validator.iter_errors(data)]
        assert errors == [], (file, errors)
        if type_name == "problem":      # and the schema does reject what the validator rejects
            bad = {**data, "source": "inspektion", "titel": "x", "found": "2017-02-30"}
            assert len(list(validator.iter_errors(bad))) == 3


def test_json_output_is_what_json_module_writes():
    """The JSON report is written by a fast formatter; it must be byte for byte what
    json.dumps(..., ensure_ascii=False, indent=1) writes."""
    from generator.formats import json_list
    tricky = ["", "引号\"与反斜杠\\", "换行\n回车\r制表\t", "\x00\x1f\x7f\u2028\u2029", "😀 emoji", "</script>"]
    items = [{"file": f"records/x{i}.yaml", "line": i, "column": -i, "severity": "error",
              "code": "E-X", "message": text} for i, text in enumerate(tricky)]
    for sample in ([], items[:1], items):
        assert json_list(sample) == json.dumps(sample, ensure_ascii=False, indent=1)


def test_the_taizhang_command_runs_from_any_folder(make_tree, tmp_path):
    """`make setup` installs the command line as .venv/bin/taizhang (pyproject's [project.scripts]):
    it runs outside the repository, where `python -m generator` would not find the package, and
    its help names it as it was typed."""
    import subprocess
    import sys
    from pathlib import Path
    exe = Path(sys.executable).parent / "taizhang"
    if not exe.is_file():
        pytest.skip("the command is installed by `make setup` (pip install -e . into .venv)")
    tree = make_tree()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}            # no PYTHONPATH: the installed package
    result = subprocess.run([str(exe), "validate", "--records", str(tree.root / "records"), "--as-of", "2017-05-31",
                             "--no-cache", "--format", "json"], cwd=elsewhere, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    usage = subprocess.run([str(exe), "--help"], cwd=elsewhere, capture_output=True, text=True, env=env).stdout
    assert usage.startswith("usage: taizhang ")
    bare = subprocess.run([sys.executable, "-m", "generator", "--help"], cwd=elsewhere, capture_output=True, text=True,
                          env=env).stdout
    assert bare.startswith("usage: python -m generator ")
