"""`fmt`: canonical form, idempotent, keeps every comment and value; `--check` changes nothing."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from generator.authoring.fmt import format_text
from generator.validate.load import parse_text
from generator.model import Problem

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "records").rglob("*.yaml"))

MESSY = """\ufeff# 问题记录（手写）\r
history:\r
    - {date: 2017-04-07, state: registered, by: hq-office, note: "媒体曝光，立项督查"}   # 立项\r
    - {date: 2017-04-08, state: assigned, by: hq-office}\r
title: '北京路占道经营'\r
id: P-2017-0042\r
district: panlong\r
deadline: 2017-04-21\r
found: 2017-04-07\r
source: media\r
responsible_unit: panlong-city-management\r
reporter: {name: 张某, phone: "13800000000"}   # 内部\r
"""

CANONICAL = """# 问题记录（手写）
id: P-2017-0042
title: 北京路占道经营
district: panlong
source: media
found: 2017-04-07
responsible_unit: panlong-city-management
deadline: 2017-04-21
reporter:
  name: 张某
  phone: '13800000000'
history:
  - {date: 2017-04-07, state: registered, by: hq-office, note: 媒体曝光，立项督查}   # 立项
  - date: 2017-04-08
    state: assigned
    by: hq-office
"""


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def comments(text: str) -> list[str]:
    return sorted(part.split("#", 1)[1].strip() for part in text.splitlines() if "#" in part)


def test_messy_record_becomes_canonical():
    out = format_text(MESSY, Problem)
    assert comments(out) == comments(MESSY.replace("\ufeff", ""))
    assert yaml.safe_load(out) == yaml.safe_load(MESSY.replace("\ufeff", ""))
    assert [line.split("#")[0].rstrip() for line in out.splitlines()] == \
        [line.split("#")[0].rstrip() for line in CANONICAL.splitlines()]    # comment spacing is ruamel's
    assert format_text(out, Problem) == out


def test_the_example_records_are_canonical():
    result = cli("fmt", "--check")
    assert result.returncode == 0, result.stdout


def test_fmt_is_idempotent_and_keeps_values_and_comments_on_every_example():
    from generator.validate.load import _classify
    for path in EXAMPLES:
        model, _ = _classify(path.relative_to(ROOT / "records"))
        text = path.read_text("utf-8").replace("\n", "\n# 注释\n", 1)    # and one more comment each
        once = format_text(text, model)
        assert format_text(once, model) == once, path
        assert parse_text("x", once)[0] == parse_text("x", text)[0], path
        assert comments(once) == comments(text), path


def test_check_changes_nothing_and_fmt_fixes(tmp_path):
    records = tmp_path / "records"
    target = records / "problems/2017/P-2017-0042.yaml"
    target.parent.mkdir(parents=True)
    target.write_bytes(MESSY.encode("utf-8"))
    result = cli("fmt", "--check", "--records", str(records))
    assert result.returncode == 1 and "P-2017-0042.yaml" in result.stdout
    assert target.read_bytes() == MESSY.encode("utf-8")
    assert cli("fmt", "--records", str(records)).returncode == 0
    assert target.read_text("utf-8").startswith("# 问题记录（手写）\nid: P-2017-0042\n")
    assert cli("fmt", "--check", "--records", str(records)).returncode == 0


def test_unreadable_yaml_is_left_for_validate(tmp_path):
    records = tmp_path / "records"
    target = records / "problems/2017/P-2017-0042.yaml"
    target.parent.mkdir(parents=True)
    target.write_text("id: [broken\n", "utf-8")
    assert cli("fmt", "--records", str(records)).returncode == 0
    assert target.read_text("utf-8") == "id: [broken\n"


SAMPLE = (ROOT / "records/problems/2017/P-2017-0003.yaml").read_text("utf-8")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, SAMPLE.count("\n")), st.text("注释说明abc 123", min_size=1, max_size=12)),
                min_size=1, max_size=6))
def test_fmt_never_loses_a_comment_or_a_value(inserts):
    lines = SAMPLE.split("\n")
    for position, words in sorted(inserts, reverse=True):
        indent = len(lines[position]) - len(lines[position].lstrip(" ")) if position < len(lines) else 0
        lines.insert(position, " " * indent + "# " + words.strip() + "x")
    text = "\n".join(lines)
    assume(parse_text("x", text)[0] is not None)       # a comment where YAML does not allow one
    out = format_text(text, Problem)
    assert comments(out) == comments(text)
    assert parse_text("x", out)[0] == parse_text("x", text)[0]


def test_fmt_checks_the_formatted_tree_before_writing_and_errors_elsewhere_do_not_block_it(make_tree):
    """fmt writes through the same check as every writer: a record with errors of its own is still
    formatted (the errors are not new), and so is one beside a broken record; both are mentioned."""
    tree = make_tree()
    problem = "records/problems/2017/P-2017-0001.yaml"
    broken = "records/problems/2017/P-2017-0002.yaml"
    tree.write(problem, tree.read(problem).replace("title: ", "title:    ").replace("source: inspection", "source: x"))
    tree.write(broken, tree.read(problem).replace("P-2017-0001", "P-2017-0002"))
    result = subprocess.run([sys.executable, "-m", "generator", "fmt", "--records", str(tree.records),
                             str(tree.path(problem)), "--as-of", "2017-05-31"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "已格式化" in result.stdout and "原有" in result.stderr and "个错误" in result.stderr
    assert "title: 翠湖街道" in tree.read(problem) and "title:    " in tree.read(broken)
    code, findings = tree.validate()
    assert code == 1 and {f["file"] for f in findings if f["severity"] == "error"} == {problem, broken}
