"""The writers (`new`, `transition`, `fmt`) as a clumsy user and an attacker use them: bytes that
are not UTF-8 in any argument, a disk that fills up halfway, CRLF records, invisible line
separators in text, ids that are paths, paths outside records/. Whatever happens, a record is
either written whole and valid or left exactly as it was, and no traceback reaches the user."""
from __future__ import annotations

import contextlib
import hashlib
import io
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import EVIDENCE, JPEG, MINIMAL, REPO, Tree
from generator.cli import main
from generator.validate.load import parse_text

P = "records/problems/2017/P-2017-0001.yaml"


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `root` (bytes and mode): what "unchanged" is compared against."""
    return {p.relative_to(root).as_posix(): (hashlib.sha256(p.read_bytes()).digest(), p.stat().st_mode)
            for p in sorted(root.rglob("*")) if p.is_file()}


def run(*argv: str) -> tuple[int, str, str]:
    """The command line in this process: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exit_:        # argparse's own usage errors
            code = exit_.code
    return code, out.getvalue(), err.getvalue()


def at_rectifying(tree: Tree) -> str:
    text = tree.read(P)
    tree.write(P, text[:text.index("  - date: 2017-04-15\n")])
    return tree.read(P)


def fresh_tree(factory) -> Tree:
    tree = Tree(factory.mktemp("t"))
    for rel, text in MINIMAL.items():
        tree.write(rel, text)
    tree.write("records/" + EVIDENCE, JPEG)
    return tree


# --- bytes that are not UTF-8 (a GBK terminal) ---------------------------------------------

GBK_NOTE = "已整改完毕".encode("gbk")


@pytest.mark.parametrize("argv", [
    ["transition", "P-2017-0001", "reported", "--date", "2017-04-20", "--note", GBK_NOTE],
    ["transition", "P-2017-0001", "reported", "--date", "2017-04-20", "--by", "城管局".encode("gbk")],
    ["transition", "P-2017-0001", "reported", "--date", "2017-04-20", "--evidence", "附件.jpg".encode("gbk")],
    ["new", "problem", "--date", "2017-04-21", "--title", "占道经营".encode("gbk"), "--district", "panlong"],
    ["new", "problem", "--date", "2017-04-21", "--title", b"\xff\xfe\x00"[:2]],
    ["fmt", "记录.yaml".encode("gbk")],
    ["transition", "P-2017-0001".encode() + b"\xa1", "reported"],
])
def test_arguments_that_are_not_utf8_are_refused_and_nothing_is_touched(make_tree, argv):
    tree = make_tree()
    at_rectifying(tree)
    before = snapshot(tree.root)
    # the real path: a subprocess receives the raw bytes as a GBK terminal would send them
    proc = subprocess.run([sys.executable, "-m", "generator", *argv, "--records", str(tree.records)],
                          cwd=REPO, capture_output=True)
    stderr = proc.stderr.decode("utf-8")
    assert proc.returncode == 2, stderr
    assert "UTF-8" in stderr and "没有修改任何文件" in stderr and "Traceback" not in stderr
    assert snapshot(tree.root) == before


ARGUMENTS = st.one_of(st.binary(min_size=0, max_size=12),
                      st.text(min_size=0, max_size=12).map(lambda t: t.encode("utf-8", "surrogatepass")))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(["new", "transition"]), values=st.lists(ARGUMENTS, min_size=1, max_size=4))
def test_random_bytes_in_any_writer_argument_never_lose_a_record(tmp_path_factory, command, values):
    """Random bytes (decoded as Python decodes a POSIX argv) in each option a writer takes."""
    assume(all(b"\x00" not in v for v in values))        # argv cannot carry NUL
    tree = fresh_tree(tmp_path_factory)
    at_rectifying(tree)
    before = snapshot(tree.root)
    options = (["--title", "--district", "--deadline", "--id"] if command == "new"
               else ["--note", "--by", "--evidence", "--date"])
    argv = [command] + (["problem", "--date", "2017-04-21"] if command == "new" else ["P-2017-0001", "reported"])
    for option, value in zip(options, values):
        argv += [option, os.fsdecode(value)]
    code, _out, err = run(*argv, "--records", str(tree.records))
    assert code in (0, 1, 2) and "Traceback" not in err
    after = snapshot(tree.root)
    if code != 0:
        assert after == before, err
    changed = {k for k in after if after[k] != before.get(k)}
    for rel in changed:                  # whatever was written reads back as one whole record
        data, problem = parse_text(rel, (tree.root / rel).read_text("utf-8"))
        assert problem is None and data is not None


# --- a disk that fills up halfway ------------------------------------------------------------

def _file_size_limit(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)     # the write fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.mark.parametrize("argv, room", [
    (["transition", "P-2017-0001", "reported", "--date", "2017-04-20", "--note", "整改" * 400], 16),
    (["fmt"], -200),
])
def test_a_write_that_fails_halfway_leaves_the_record_as_it_was(make_tree, argv, room):
    tree = make_tree()
    original = at_rectifying(tree)
    tree.write(P, original.replace("title:", "title:   "))    # fmt has work to do
    before = snapshot(tree.root)
    size = (tree.root / P).stat().st_size
    proc = subprocess.run([sys.executable, "-m", "generator", *argv, "--records", str(tree.records)], cwd=REPO,
                          capture_output=True, text=True, preexec_fn=_file_size_limit(size + room))
    assert proc.returncode == 1, proc.stderr
    assert "原有文件保持不变" in proc.stderr and "Traceback" not in proc.stderr
    assert snapshot(tree.root) == before
    assert not [p for p in tree.records.rglob(".*.tmp")], "a temporary file was left behind"


# --- every other byte kept -------------------------------------------------------------------

def test_transition_on_a_crlf_record_keeps_crlf_everywhere(make_tree):
    tree = make_tree()
    text = at_rectifying(tree).replace("\n", "\r\n")
    tree.write(P, text.encode("utf-8"))
    assert tree.validate()[0] == 0
    code, _out, err = run("transition", "P-2017-0001", "reported", "--date", "2017-04-20", "--note", "已整改",
                          "--records", str(tree.records))
    assert code == 0, err
    after = (tree.root / P).read_bytes()
    assert after.startswith(text.encode("utf-8"))
    added = after[len(text.encode("utf-8")):]
    assert added == "  - date: 2017-04-20\r\n    state: reported\r\n    note: 已整改\r\n".encode("utf-8")
    assert b"\n" not in after.replace(b"\r\n", b"")
    assert tree.validate()[0] == 0


@pytest.mark.parametrize("note", [
    "整改 \u2028 完毕", "a\u2029 b", "零宽\u200b字符", "  前后空格  ", "全角\u3000空格",
    "引号\"和'单引号'", "# 不是注释", "- 不是列表", "key: value", "'", "!tag", "&anchor", "*alias", "{a: b}",
    "2017-04-20", "null", "yes", "1e3", "\\反斜杠", "emoji 😀", "多行\n第二行",
])
def test_note_text_reads_back_exactly(make_tree, note):
    tree = make_tree()
    at_rectifying(tree)
    code, _out, err = run("transition", "P-2017-0001", "reported", "--date", "2017-04-20", "--note", note,
                          "--records", str(tree.records))
    assert code == 0, err
    data, problem = parse_text(P, tree.read(P))
    assert problem is None and data["history"][-1]["note"] == note
    assert tree.validate()[0] == 0


def test_transition_keeps_the_file_mode(make_tree):
    tree = make_tree()
    at_rectifying(tree)
    os.chmod(tree.root / P, 0o640)
    assert run("transition", "P-2017-0001", "reported", "--date", "2017-04-20", "--records", str(tree.records))[0] == 0
    assert (tree.root / P).stat().st_mode & 0o777 == 0o640


# --- ids and paths -----------------------------------------------------------------------------

@pytest.mark.parametrize("record_id", [
    "../../../x", "../x", "/tmp/x", "P-2017-0001/../../x", "..", ".", "", "a/b", "a\\b", "P-2017-0002\nx",
    "P-2017-99999999", "P-2017-0002/", "x" * 300, "PANLONG", "全角",
])
@pytest.mark.parametrize("type_name", ["problem", "district"])
def test_new_refuses_an_id_that_is_not_an_id_before_building_a_path(tmp_path, make_tree, record_id, type_name):
    tree = make_tree()
    before = snapshot(tmp_path)
    code, _out, err = run("new", type_name, "--id", record_id, "--date", "2017-04-21", "--records", str(tree.records))
    assert code == 2 and "编号" in err and "Traceback" not in err
    assert snapshot(tmp_path) == before
    assert not Path("/x").exists() and not Path("/tmp/x.yaml").exists()


def test_fmt_checks_every_path_before_changing_any_file(make_tree, tmp_path):
    tree = make_tree()
    messy = tree.read(P).replace("title:", "title:  ")
    tree.write(P, messy)
    outside = tmp_path / "outside.yaml"
    outside.write_text("id: x\n", "utf-8")
    before = snapshot(tmp_path)
    for bad in ("records/no-such.yaml", str(outside), str(tree.root)):
        code, _out, err = run("fmt", str(tree.root / P), bad, "--records", str(tree.records))
        assert code == 2 and "没有修改任何文件" in err, err
        assert snapshot(tmp_path) == before
    assert run("fmt", str(tree.root / P), "--records", str(tree.records))[0] == 0
    assert tree.read(P) != messy


def test_fmt_leaves_a_symlinked_record_alone(make_tree, tmp_path):
    tree = make_tree()
    target = tmp_path / "elsewhere.yaml"
    target.write_text("id: elsewhere\nname:   x\n", "utf-8")
    link = tree.records / "org/units/elsewhere.yaml"
    link.symlink_to(target)
    assert run("fmt", "--records", str(tree.records))[0] == 0
    assert link.is_symlink() and target.read_text("utf-8") == "id: elsewhere\nname:   x\n"


def test_a_trailing_line_break_does_not_sneak_an_id_or_month_past_its_pattern(make_tree):
    tree = make_tree()
    tree.edit(P, "id: P-2017-0001", 'id: "P-2017-0001\\n"')
    tree.write("records/assessments/2017/A-2017-0001.yaml", """\
id: A-2017-0001
kind: simulated
title: 四月模拟测评
period: "2017-04\\n"
date: 2017-04-08
scores:
  - {district: panlong, score: 90}
""")
    code, findings = tree.validate()
    assert code == 1
    assert ("records/problems/2017/P-2017-0001.yaml", 1, "E-ID-PATTERN") in tree.triples(findings)
    assert ("records/assessments/2017/A-2017-0001.yaml", 4, "E-SCHEMA-PATTERN") in tree.triples(findings)


# --- random bytes in any argument of any command --------------------------------------------

def _commands(records: str) -> list[tuple[list[str], int]]:
    """(argv with None where the random value goes, how many values): every command and option
    that takes text. synth's --out and build's --out are left out: a valid random name builds
    a whole city or site (that is not an error) and takes long."""
    return [
        (["validate", "--records", None], 1), (["validate", "--records", records, "--as-of", None], 1),
        (["validate", "--records", records, "--format", None], 1),
        (["build", "--records", None, "--out", "out", "--work", "work"], 1),
        (["build", "--records", records, "--audience", None, "--out", "out", "--work", "work"], 1),
        (["build", "--records", records, "--as-of", None, "--out", "out", "--work", "work"], 1),
        (["fmt", None, "--records", records], 1), (["fmt", "--check", None, None, "--records", records], 2),
        (["new", None, "--records", records, "--date", "2017-04-21"], 1),
        (["new", "problem", "--records", records, "--date", None], 1),
        (["transition", None, None, "--records", records], 2),
        (["import-xlsx", None, "--records", records], 1),
        (["export-xlsx", "--out", None, "--records", records, "--as-of", "2017-05-31"], 1),
        (["diff", None, None], 2), (["schema", "--out", None], 1),
        (["codeowners", "--records", records, "--root", None, "--check"], 1),
        (["nginx-conf", "--site", None, "--out", None], 2),
        (["synth", "--out", "city", "--problems", None], 1), (["synth", "--out", "city", "--problems", "3", "--seed", None], 1),
        ([None], 1), (["validate", None], 1),
    ]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(choice=st.integers(0, 20), values=st.lists(ARGUMENTS, min_size=2, max_size=2))
def test_random_bytes_in_any_argument_of_any_command_never_crash(tmp_path_factory, monkeypatch, choice, values):
    assume(all(b"\x00" not in v for v in values))
    scratch = tmp_path_factory.mktemp("cwd")
    tree = fresh_tree(tmp_path_factory)
    before = snapshot(tree.root)
    argv, count = _commands(str(tree.records))[choice]
    randoms = iter(os.fsdecode(v) for v in values)
    argv = [next(randoms) if a is None else a for a in argv]
    if argv[0] == "synth" and argv[-1].lstrip("+").isdigit():
        assume(int(argv[-1]) <= 50)                     # a valid large city is slow, not wrong
    monkeypatch.chdir(scratch)
    code, _out, err = run(*argv)
    assert code in (0, 1, 2) and "Traceback" not in err, (argv, err)
    if argv[0] not in ("fmt",) or code != 0:            # only fmt rewrites records, and only on success
        assert snapshot(tree.root) == before, argv
