"""`new` and `transition` through the CLI: the next id in the right folder, today's date, a
skeleton that validates once the required values are given; lifecycle-checked events appended
with every other byte of the file kept."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from generator.validate.load import parse_text
from generator.model import RECORD_TYPES

ROOT = Path(__file__).resolve().parents[1]
P = "records/problems/2017/P-2017-0001.yaml"


def cli(tree, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args, "--records", str(tree.records)], cwd=ROOT,
                          capture_output=True, text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def test_new_problem_takes_the_next_id_and_validates(make_tree):
    tree = make_tree()
    result = cli(tree, "new", "problem", "--date", "2017-04-21", "--title", "某某路乱停乱放", "--district", "panlong",
                 "--source", "complaint", "--responsible-unit", "city-management", "--deadline", "2017-05-10")
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    assert path == tree.records / "problems/2017/P-2017-0002.yaml"
    text = path.read_text("utf-8")
    assert "found: 2017-04-21" in text and "  - date: 2017-04-21\n    state: registered" in text
    assert tree.validate()[0] == 0


def test_new_meeting_and_inspection_validate_with_their_required_values(make_tree):
    tree = make_tree()
    assert cli(tree, "new", "meeting", "--date", "2017-04-21", "--kind", "sub_hq", "--title", "分指挥部工作会议",
               "--sub-hq", "subhq-city-order").returncode == 0
    assert cli(tree, "new", "inspection", "--date", "2017-04-21", "--group", "group-1").returncode == 0
    path = tree.records / "inspections/2017/I-2017-0001.yaml"
    text = path.read_text("utf-8").replace("districts:   # 被督查区（县、市）（必填）", "districts: [panlong]")
    path.write_text(text.replace("methods:   # 督查方式（必填）", "methods: [field]"), "utf-8")
    code, findings = tree.validate()
    assert code == 0, findings


@pytest.mark.parametrize("type_name", sorted(RECORD_TYPES))
def test_every_skeleton_parses_and_names_its_required_fields(make_tree, type_name):
    tree = make_tree()
    model = RECORD_TYPES[type_name]
    args = ["new", type_name, "--date", "2017-04-21"] + ([] if model.yearly else ["--id", f"new-{type_name.replace('_', '-')}"])
    result = cli(tree, *args)
    assert result.returncode == 0, result.stderr
    text = Path(result.stdout.strip()).read_text("utf-8")
    data, problem = parse_text("x", text)
    assert problem is None
    required = [n for n, f in model.model_fields.items() if f.is_required() and n != "id"]
    assert all(name in data or f"{name}:" in text for name in required)


def test_new_refuses_unknown_types_and_fields(make_tree):
    tree = make_tree()
    assert cli(tree, "new", "complaint").returncode == 2
    result = cli(tree, "new", "problem", "--titel", "x")
    assert result.returncode == 2 and "titel" in result.stderr and "Traceback" not in result.stderr


def _at_rectifying(tree) -> str:
    text = tree.read(P)
    text = text[:text.index("  - date: 2017-04-15\n")]
    tree.write(P, "# 手写的注释\n" + text.replace("deadline: 2017-04-30", "deadline: 2017-04-30   # 原定时限"))
    return tree.read(P)


def test_transition_appends_a_checked_event_and_keeps_every_other_byte(make_tree):
    tree = make_tree()
    before = _at_rectifying(tree)
    result = cli(tree, "transition", "P-2017-0001", "extended", "--date", "2017-04-20", "--by", "city-management",
                 "--reason", "需协调搬迁", "--new-deadline", "2017-05-20", "--approved-by", "hq-office")
    assert result.returncode == 0, result.stderr
    after = tree.read(P)
    assert after.startswith(before)
    assert after[len(before):] == ("  - date: 2017-04-20\n    state: extended\n    by: city-management\n"
                                   "    reason: 需协调搬迁\n    new_deadline: 2017-05-20\n    approved_by: hq-office\n")
    assert tree.validate()[0] == 0


@pytest.mark.parametrize("args, why", [
    (["closed"], "不能从"),
    (["extended", "--reason", "x"], "--new-deadline"),
    (["nonsense"], "没有这种状态"),
    (["reported", "--date", "2017-04-01"], "早于"),
])
def test_illegal_transitions_change_nothing(make_tree, args, why):
    tree = make_tree()
    before = _at_rectifying(tree)
    result = cli(tree, "transition", "P-2017-0001", *args)
    assert result.returncode == 1 and why in result.stderr and "Traceback" not in result.stderr
    assert tree.read(P) == before


def test_closing_needs_evidence(make_tree):
    tree = make_tree()
    text = tree.read(P)
    text = text.replace("    evidence:\n      - attachments/2017/P-2017-0001-after.jpg\n", "")
    tree.write(P, text[:text.index("  - date: 2017-04-20\n")])
    result = cli(tree, "transition", "P-2017-0001", "closed", "--date", "2017-04-21")
    assert result.returncode == 1 and "佐证" in result.stderr




@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.text("备注abc 12", min_size=1, max_size=10)), min_size=1, max_size=5))
def test_transition_never_loses_a_comment_or_a_value(tmp_path_factory, inserts):
    from conftest import MINIMAL, Tree
    tree = Tree(tmp_path_factory.mktemp("t"))
    for rel, text in MINIMAL.items():
        tree.write(rel, text)
    from conftest import EVIDENCE, JPEG
    tree.write("records/" + EVIDENCE, JPEG)
    text = _at_rectifying(tree)
    lines = text.split("\n")
    for position, words in sorted(inserts, reverse=True):
        position = min(position, len(lines) - 1)
        lines.insert(position, "# " + words.strip() + "x")
    text = "\n".join(lines)
    tree.write(P, text)
    before, _ = parse_text("x", text)
    assume(before is not None)        # a comment line is valid YAML anywhere: this never filters
    result = cli(tree, "transition", "P-2017-0001", "reported", "--date", "2017-04-20")
    after_text = tree.read(P)
    after, _ = parse_text("x", after_text)
    assert result.returncode == 0, result.stderr
    assert [l for l in after_text.split("\n") if l.lstrip().startswith("#")] == \
        [l for l in text.split("\n") if l.lstrip().startswith("#")]
    assert after["history"][:-1] == before["history"] and after["history"][-1]["state"] == "reported"
    assert {k: v for k, v in after.items() if k != "history"} == {k: v for k, v in before.items() if k != "history"}


# Required values, as a staff member would pass them, for a record of every type.
REQUIRED_OPTIONS = {
    "campaign": ["--id", "campaign-2", "--name", "创建工作", "--city", "示例市"],
    "hq": ["--id", "hq-2", "--name", "总指挥部", "--kind", "general"],
    "sub_hq": ["--id", "subhq-2", "--name", "第二分指挥部", "--number", "2", "--commander-role", "副市长"],
    "inspection_group": ["--id", "group-2", "--name", "第二督查组", "--number", "2", "--leader-role", "副主任"],
    "district": ["--id", "xishan", "--name", "西山区", "--kind", "district"],
    "unit": ["--id", "unit-2", "--name", "某局", "--kind", "city_department"],
    "person": ["--id", "person-2", "--role", "局长", "--unit", "city-management"],
    "patrol_group": ["--id", "patrol-2", "--name", "老领导工作组", "--district", "panlong"],
    "media_outlet": ["--id", "daily", "--name", "日报", "--kind", "newspaper"],
    "assessor": ["--id", "assessor-2", "--name", "测评机构"],
    "assessment_item": ["--id", "item-2", "--name", "测评项目", "--order", "2"],
    "indicator": ["--id", "indicator-2", "--name", "指标", "--item", "public-order", "--method", "survey"],
    "site_type": ["--id", "park", "--name", "公园"],
    "problem": ["--title", "某路占道", "--district", "panlong", "--source", "complaint",
                "--responsible-unit", "city-management", "--deadline", "2017-05-10"],
    "meeting": ["--kind", "scheduling", "--title", "调度会"],
    "inspection": ["--group", "group-1", "--districts", "[panlong]", "--methods", "[field]"],
    "self_inspection": ["--by", "panlong", "--title", "自查报告", "--task-status", "已落实", "--progress", "九成",
                        "--measures", "挂图作战"],
    "assessment": ["--kind", "simulated", "--title", "四月模拟测评", "--period", "2017-04",
                   "--scores", "[{district: panlong, score: 88.5}, {district: wuhua, score: 91}]"],
    "media_feedback": ["--items", "[{outlet: daily, title: 报道, kind: report}]"],
    "patrol_log": ["--group", "patrol-2", "--district", "panlong"],
    "circular": ["--title", "通报", "--kind", "situation", "--issuer", "hq-office", "--body", "正文"],
    "accountability": ["--target", "city-management", "--reason", "slow_progress", "--measure", "interview",
                       "--state", "drafting"],
    "task": ["--title", "专项行动", "--sub-hq", "subhq-city-order", "--lead-unit", "city-management",
             "--deadline", "2017-06-30"],
}


def test_every_record_type_created_by_new_validates(make_tree):
    tree = make_tree()
    # the types a later record refers to are created first
    for type_name in ["media_outlet", "patrol_group"] + [t for t in REQUIRED_OPTIONS if t not in ("media_outlet", "patrol_group")]:
        result = cli(tree, "new", type_name, "--date", "2017-04-21", *REQUIRED_OPTIONS[type_name])
        assert result.returncode == 0, (type_name, result.stderr)
    code, findings = tree.validate()
    assert code == 0, [f for f in findings if f["severity"] == "error"]
    assert set(REQUIRED_OPTIONS) == set(RECORD_TYPES)
