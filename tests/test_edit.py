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
    result = cli(tree, "new", "inspection", "--date", "2017-04-21", "--group", "group-1", "--districts", "[panlong]",
                 "--methods", "[field]")
    assert result.returncode == 0, result.stderr
    code, findings = tree.validate()
    assert code == 0, findings


def _snapshot(records: Path) -> dict[str, bytes]:
    return {p.relative_to(records).as_posix(): p.read_bytes() for p in sorted(records.rglob("*")) if p.is_file()}


@pytest.mark.slow
@pytest.mark.parametrize("type_name", sorted(RECORD_TYPES))
def test_new_without_required_values_names_them_and_its_example_works(make_tree, type_name):
    """`new` never writes a record validate would reject: without its required values it
    writes nothing and lists them as options, in Chinese, with an example that does work."""
    import datetime as dt
    import shlex
    tree = make_tree()
    tree.write("records/org/media/daily.yaml", "id: daily\nname: 日报\nkind: newspaper\n")
    tree.write("records/org/patrol-groups/patrol-2.yaml", "id: patrol-2\nname: 老领导工作组\ndistrict: panlong\n")
    model = RECORD_TYPES[type_name]
    before = _snapshot(tree.records)
    result = cli(tree, "new", type_name, "--date", "2017-04-21")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert _snapshot(tree.records) == before
    automatic = {"id"} if model.yearly else set()
    automatic |= {n for n, f in model.model_fields.items() if f.annotation is dt.date
                  and f.is_required() and "deadline" not in n}
    automatic |= {"history"} if type_name == "problem" else set()
    required = [n for n, f in model.model_fields.items() if f.is_required() and n not in automatic]
    assert required, type_name
    for name in required:
        assert f"--{name.replace('_', '-')}（" in result.stderr, (name, result.stderr)
    example = result.stderr.split("例如：\n", 1)[1].strip()
    argv = shlex.split(example)
    assert argv[:4] == ["python", "-m", "generator", "new"]
    made = cli(tree, *argv[3:], "--date", "2017-04-21")
    assert made.returncode == 0, (example, made.stderr)
    assert tree.validate()[0] == 0


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
    "hq": ["--id", "hq-2", "--name", "总指挥部办公室", "--kind", "office"],   # a second general HQ would need commanders
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
    "major_matter": ["--title", "重大问题", "--kind", "problem", "--by", "group-1", "--to", "hq",
                     "--summary", "需协调", "--reported", "2017-04-21"],
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


def test_new_keeps_the_review_routing_in_step(make_tree):
    """`new` updates .github/CODEOWNERS and .gitlab/CODEOWNERS when the repository has them: the
    check CI runs (`codeowners --check`) passes after each new record, without `make codeowners`."""
    tree = make_tree()
    subprocess.run(["git", "init", "-q", str(tree.root)], check=True)      # CODEOWNERS live at a repository's root
    tree.edit("records/org/districts/panlong.yaml", "order: 1\n", "order: 1\nreviewers:\n  - '@panlong-team'\n")
    tree.edit("records/org/hq/hq-office.yaml", "kind: office\n", "kind: office\nreviewers:\n  - '@office'\n")

    def codeowners(*extra):
        return subprocess.run([sys.executable, "-m", "generator", "codeowners", "--records", str(tree.records),
                               "--root", str(tree.root), "--as-of", "2017-05-31", *extra], cwd=ROOT,
                              capture_output=True, text=True)
    assert codeowners().returncode == 0
    github = tree.read(".github/CODEOWNERS")
    made = cli(tree, "new", "problem", "--date", "2017-04-21", "--title", "某路占道", "--district", "panlong",
               "--source", "complaint", "--responsible-unit", "city-management", "--deadline", "2017-05-10")
    assert made.returncode == 0, made.stderr
    assert "已更新 .github/CODEOWNERS" in made.stdout and "已更新 .gitlab/CODEOWNERS" in made.stdout
    assert "/records/problems/2017/P-2017-0002.yaml @office @panlong-team" in tree.read(".github/CODEOWNERS")
    assert tree.read(".github/CODEOWNERS") != github
    assert codeowners("--check").returncode == 0
    made = cli(tree, "new", "district", "--id", "xishan", "--name", "西山区", "--kind", "district",
               "--reviewers", "['@xishan-team']")
    assert made.returncode == 0, made.stderr
    assert codeowners("--check").returncode == 0
    made = cli(tree, "new", "hq", "--id", "hq-office-2", "--name", "办公室二", "--kind", "office",
               "--reviewers", "['@office-2']")
    assert made.returncode == 0, made.stderr
    assert "@office-2" in tree.read(".github/CODEOWNERS") and codeowners("--check").returncode == 0
    made = cli(tree, "new", "site_type", "--id", "park", "--name", "公园")     # no reviewers: nothing to change
    assert made.returncode == 0 and "CODEOWNERS" not in made.stdout
    assert codeowners("--check").returncode == 0
