"""The validation cache never changes what `validate` reports.

Each test keeps one cache folder for a tree, changes the tree the way people do (edit, add,
delete, rename files; change what another file depends on; a new as-of date; attachments
appearing and going; a damaged cache; a new generator version) and after every change
compares the output of `validate --cache-dir DIR` with `validate --no-cache`, byte for byte,
in text and JSON. Most runs are in this process (`generator.cli.main`, fast); the ones about
files the cache leaves on disk run the command as a subprocess. No test depends on timing:
files written by a test are too new for their stat signature to be trusted, so those runs
read every file, and one test makes signatures trusted on purpose.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import random
from pathlib import Path

import pytest

from conftest import AS_OF, CAMPAIGN, PROBLEM

P = PROBLEM
UNIT = "records/org/units/city-management.yaml"
PANLONG = "records/org/districts/panlong.yaml"
SUBHQ = "records/org/sub-hqs/subhq-city-order.yaml"
M1 = "records/meetings/2017/M-2017-0001.yaml"
M2 = "records/meetings/2017/M-2017-0002.yaml"
EVIDENCE = "records/attachments/2017/P-2017-0001-after.jpg"


def problem(number: int, unit: str = "city-management", state: str = "assigned",
            deadline: str = "2017-04-20", year: int = 2017) -> str:
    return f"""\
# 问题
id: P-{year}-{number:04d}
title: 第{number}个问题
description: 描述{number}
district: panlong
street: panlong-cuihu
source: complaint
found: 2017-04-06
responsible_unit: {unit}
deadline: {deadline}
history:
  - date: 2017-04-06
    state: registered
    by: hq-office
  - date: 2017-04-07
    state: {state}
    by: hq-office
"""


def meeting(number: int, date: str, kind: str = "scheduling", extra: str = "") -> str:
    return f"id: M-2017-{number:04d}\nkind: {kind}\ntitle: 第{number}次会议\ndate: {date}\n" + extra


class Runner:
    """Runs validate on a tree with one cache folder, and without a cache, and compares."""

    def __init__(self, tree, tmp_path: Path):
        self.tree = tree
        self.cache = tmp_path / "cache"

    def run(self, *args: str, cache: bool = True, subprocess: bool = False) -> tuple[int, str]:
        argv = ["validate", "--records", str(self.tree.records), *args]
        argv += ["--cache-dir", str(self.cache)] if cache else ["--no-cache"]
        if subprocess:
            proc = self.tree.cli(*argv)
            assert "Traceback" not in proc.stderr, proc.stderr
            return proc.returncode, proc.stdout
        from generator.cli import main
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(argv)
        return code, out.getvalue()

    def same(self, as_of: str = AS_OF, subprocess: bool = False) -> list[dict]:
        """Cached and uncached output agree in both formats; return the findings."""
        for form in ("text", "json"):
            args = ("--as-of", as_of, "--format", form)
            cached = self.run(*args, subprocess=subprocess)
            plain = self.run(*args, cache=False, subprocess=subprocess)
            assert cached == plain, f"{form}:\n--- cache ---\n{cached[1]}\n--- no cache ---\n{plain[1]}"
        return json.loads(cached[1])

    def codes(self, as_of: str = AS_OF) -> list[tuple[str, str]]:
        return [(f["file"], f["code"]) for f in self.same(as_of)]


@pytest.fixture
def runner(make_tree, tmp_path):
    return Runner(make_tree(), tmp_path)


def test_unchanged_tree_reports_the_same_as_without_cache(runner):
    tree = runner.tree
    tree.write("records/problems/2017/P-2017-0002.yaml", problem(2))          # overdue: a warning
    tree.write("records/problems/2017/P-2017-0003.yaml", problem(3, unit="no-such-unit"))
    first = runner.same()
    assert ("records/problems/2017/P-2017-0003.yaml", "E-REF-MISSING") in [(f["file"], f["code"]) for f in first]
    assert runner.same() == first          # warm: nothing changed
    assert runner.same() == first


def test_changed_file(runner):
    tree = runner.tree
    assert runner.codes() == []
    tree.edit(P, "description: 沿街商户占道经营，影响行人通行。", "description: 沿街商户占道经营。")
    assert runner.codes() == []
    tree.edit(P, "state: verified\n    by: group-1", "state: rectifying\n    by: group-1")   # breaks the lifecycle
    assert (P, "E-LIFECYCLE-TRANSITION") in runner.codes()
    tree.edit(P, "state: rectifying\n    by: group-1", "state: verified\n    by: group-1")
    assert runner.codes() == []
    tree.edit(P, "deadline: 2017-04-30", "deadline: 2017-02-30")                 # not a date
    assert runner.codes() == [(P, "E-DATE-INVALID")]
    tree.edit(P, "history:", "history:\n  bad: [")                              # YAML error
    assert runner.codes() == [(P, "E-YAML-SYNTAX")]
    tree.write(P, tree.MINIMAL[P])
    assert runner.codes() == []


def test_added_file_and_reference_it_resolves(runner):
    tree = runner.tree
    tree.write("records/problems/2017/P-2017-0002.yaml", problem(2, unit="new-unit"))
    assert sorted(runner.codes()) == [("records/problems/2017/P-2017-0002.yaml", "E-REF-MISSING"),
                                      ("records/problems/2017/P-2017-0002.yaml", "W-PROBLEM-OVERDUE")]
    # a new record of another file resolves the missing reference
    tree.write("records/org/units/new-unit.yaml", "id: new-unit\nname: 新单位\nkind: city_department\n")
    assert runner.codes() == [("records/problems/2017/P-2017-0002.yaml", "W-PROBLEM-OVERDUE")]
    # a new unit with a similar id changes no finding, but must not be missed either
    tree.write("records/org/units/new-units.yaml", "id: new-units\nname: 新单位二\nkind: city_department\n")
    tree.write("records/problems/2017/P-2017-0003.yaml", problem(3, unit="new-unit-"))
    findings = runner.same()
    assert any("是不是" in f["message"] for f in findings if f["code"] == "E-REF-MISSING")
    tree.write("records/problems/2017/P-2017-0004.yaml", problem(4, state="reported"))
    runner.same()


def test_deleted_file_that_others_refer_to(runner):
    tree = runner.tree
    runner.same()
    tree.remove(UNIT)
    codes = runner.codes()
    assert (P, "E-REF-MISSING") in codes and (SUBHQ, "E-REF-MISSING") in codes
    tree.write(UNIT, tree.MINIMAL[UNIT])
    assert runner.codes() == []
    tree.remove(P)
    assert runner.codes() == []


def test_renamed_file(runner):
    tree = runner.tree
    runner.same()
    text = tree.read(P)
    tree.remove(P)
    tree.write("records/problems/2017/P-2017-0009.yaml", text)
    assert runner.codes() == [("records/problems/2017/P-2017-0009.yaml", "E-ID-FILENAME")]
    tree.remove("records/problems/2017/P-2017-0009.yaml")
    tree.write("records/problems/2018/P-2017-0001.yaml", text)
    assert runner.codes() == [("records/problems/2018/P-2017-0001.yaml", "E-FILE-YEAR-FOLDER")]
    tree.remove("records/problems/2018/P-2017-0001.yaml")
    tree.write(P, text)
    assert runner.codes() == []


def test_change_in_one_file_shows_in_another(runner):
    tree = runner.tree
    runner.same()
    tree.edit(UNIT, "id: city-management", "id: city-managment")                 # renames the unit
    codes = runner.codes()
    assert (P, "E-REF-MISSING") in codes and (UNIT, "E-ID-FILENAME") in codes
    tree.edit(UNIT, "id: city-managment", "id: city-management")
    assert runner.codes() == []
    tree.edit(PANLONG, "  - id: panlong-cuihu\n    name: 翠湖街道\n", "")          # the problem's street
    assert runner.codes() == [(P, "E-REF-STREET")]
    tree.write(PANLONG, tree.MINIMAL[PANLONG])
    assert runner.codes() == []
    tree.edit(UNIT, "kind: city_department", "kind: nonsense")                   # invalid: no "missing"
    assert runner.codes() == [(UNIT, "E-SCHEMA-ENUM")]
    tree.write(UNIT, tree.MINIMAL[UNIT])
    assert runner.codes() == []


def test_duplicate_ids_across_files(runner):
    tree = runner.tree
    runner.same()
    copy = "records/problems/2017/P-2017-0002.yaml"
    tree.write(copy, tree.read(P))                         # a later file with the same id
    assert (copy, "E-ID-DUPLICATE") in runner.codes()
    tree.remove(copy)
    tree.write("records/problems/2016/P-2017-0001.yaml", tree.read(P))   # an earlier one
    codes = runner.codes()
    assert (P, "E-ID-DUPLICATE") in codes
    tree.remove("records/problems/2016/P-2017-0001.yaml")
    assert runner.codes() == []
    tree.write(copy, tree.read(P).replace("id: P-2017-0001", "id: p-2017-0001"))   # case differs
    assert (copy, "E-ID-DUPLICATE") in runner.codes()


def test_cadence_across_meetings(runner):
    tree = runner.tree
    tree.write(CAMPAIGN, "id: campaign\nname: 创建\ncity: 示例市\nstart: 2017-04-05\nend: 2017-04-30\n")
    codes = runner.codes()
    assert (CAMPAIGN, "W-CADENCE-SCHEDULING") in codes and (SUBHQ, "W-CADENCE-SUBHQ") in codes
    tree.write(M1, meeting(1, "2017-04-12"))
    assert (M1, "W-CADENCE-SCHEDULING") in runner.codes()
    tree.write(M2, meeting(2, "2017-04-26"))
    assert (M1, "W-CADENCE-SCHEDULING") not in runner.codes()
    tree.edit(M2, "date: 2017-04-26", "date: 2017-04-29")                       # a gap of 17 days
    assert (M2, "W-CADENCE-SCHEDULING") in runner.codes()
    tree.write(M2, meeting(2, "2017-04-26", extra="status: planned\n"))
    runner.same()
    tree.write(M2, meeting(2, "2017-04-13", kind="sub_hq", extra="sub_hq: subhq-city-order\n"))
    runner.same()
    tree.edit(M2, "sub_hq: subhq-city-order", "sub_hq: no-such-hq")              # drops out of the pass
    assert (M2, "E-REF-MISSING") in runner.codes()
    tree.remove(M1)
    runner.same()


def test_a_lifecycle_step_changes_a_statement_owed_without_the_full_way(runner, monkeypatch):
    """A problem's cadence entry (when it stood overdue) feeds the statements a scheduling meeting
    owes (W-STATEMENT-DEPARTMENT); a step in its lifecycle changes the entry alone, so the run
    stays incremental (only the cadence pass is redone) and agrees with no cache."""
    from generator.validate.engine import run as engine
    tree = runner.tree
    tree.write(CAMPAIGN, "id: campaign\nname: 创建\ncity: 示例市\nstart: 2017-04-05\nend: 2017-04-30\n")
    tree.write(M1, meeting(1, "2017-04-25"))
    p2 = "records/problems/2017/P-2017-0002.yaml"
    tree.write(p2, problem(2, state="assigned", deadline="2017-04-20"))      # overdue from 04-21
    assert (M1, "W-STATEMENT-DEPARTMENT") in runner.codes()
    full = []
    real = engine.full
    monkeypatch.setattr(engine, "full", lambda run: full.append(run) or real(run))
    tree.write(p2, problem(2, state="assigned", deadline="2017-04-20") + "  - date: 2017-04-19\n    state: acknowledged\n"
               "  - date: 2017-04-19\n    state: reported\n")
    runner.run("--as-of", AS_OF)
    assert full == []
    assert (M1, "W-STATEMENT-DEPARTMENT") not in runner.codes()
    tree.write(p2, problem(2, state="assigned", deadline="2017-04-20"))
    assert (M1, "W-STATEMENT-DEPARTMENT") in runner.codes()


def test_a_record_leaves_and_rejoins_the_cadence_pass_with_the_same_entry(runner):
    """A reference that breaks elsewhere in a meeting (a report's unit) leaves its cadence entry
    as it was, yet takes the meeting out of the pass (its references fail); mending it brings
    the meeting back."""
    tree = runner.tree
    tree.write(CAMPAIGN, "id: campaign\nname: 创建\ncity: 示例市\nstart: 2017-04-05\nend: 2017-04-30\n")
    tree.write(M1, meeting(1, "2017-04-12", extra="reports_heard:\n  - by: city-management\n    summary: 汇报\n"))
    assert (M1, "W-CADENCE-SCHEDULING") in runner.codes()
    tree.edit(M1, "by: city-management", "by: no-such-unit")
    codes = runner.codes()
    assert (M1, "E-REF-MISSING") in codes and (M1, "W-CADENCE-SCHEDULING") not in codes
    tree.edit(M1, "by: no-such-unit", "by: city-management")
    assert (M1, "W-CADENCE-SCHEDULING") in runner.codes()


def test_findings_kept_from_the_last_run_move_with_their_lines(runner):
    """An edit that changes nothing another file sees still moves the lines of the warnings
    the other files cause in it (cadence) and of its duplicate id."""
    tree = runner.tree
    tree.write(CAMPAIGN, "id: campaign\nname: 创建\ncity: 示例市\nstart: 2017-04-05\nend: 2017-04-30\n")
    tree.write(M1, meeting(1, "2017-04-25"))
    tree.write("records/problems/2017/P-2017-0002.yaml", tree.read(P))
    before = runner.same()
    assert {(f["file"], f["code"]) for f in before} >= {(M1, "W-CADENCE-SCHEDULING"),
                                                       ("records/problems/2017/P-2017-0002.yaml", "E-ID-DUPLICATE")}
    tree.write(M1, "# 调度会\n\n" + meeting(1, "2017-04-25"))
    tree.write("records/problems/2017/P-2017-0002.yaml", "# 副本\n" + tree.read(P))
    after = runner.same()
    moved = {(f["file"], f["code"]): f["line"] for f in after}
    assert moved[(M1, "W-CADENCE-SCHEDULING")] == 6
    assert moved[("records/problems/2017/P-2017-0002.yaml", "E-ID-DUPLICATE")] == 2


def test_as_of_date(runner):
    tree = runner.tree
    tree.write("records/problems/2017/P-2017-0002.yaml", problem(2))
    assert runner.codes("2017-04-20") == []
    assert runner.codes("2017-05-31") == [("records/problems/2017/P-2017-0002.yaml", "W-PROBLEM-OVERDUE")]
    assert (P, "E-DATE-FUTURE") in runner.codes("2017-04-07")
    assert runner.codes("2017-05-31") == [("records/problems/2017/P-2017-0002.yaml", "W-PROBLEM-OVERDUE")]


def test_attachments_appear_go_and_change(runner):
    tree = runner.tree
    runner.same()
    photo = tree.path(EVIDENCE).read_bytes()
    tree.remove(EVIDENCE)
    assert runner.codes() == [(P, "E-ATTACH-MISSING")]
    tree.write(EVIDENCE, b"not a photo")
    assert runner.codes() == [(P, "E-ATTACH-TYPE")]
    tree.write(EVIDENCE, photo)
    assert runner.codes() == []
    os.symlink("/etc/hostname", tree.path("records/attachments/2017/outside.jpg"))
    tree.edit(P, EVIDENCE.removeprefix("records/"), "attachments/2017/outside.jpg")
    assert runner.codes() == [(P, "E-ATTACH-PATH")]


def test_files_that_are_not_records_or_cannot_be_read(runner):
    tree = runner.tree
    runner.same()
    tree.write("records/problems/2017/photo.jpg", b"\xff\xd8\xff\xd9")
    tree.write("records/problems/2017/P-2017-0002.yml", problem(2))
    tree.write("records/problems/2017/P-2017-0003.yaml", problem(3).encode("gb18030"))
    tree.write("records/problems/2017/P-2017-0004.yaml", b"")
    tree.write("records/inspections/I-2017-0001.yaml", "id: I-2017-0001\n")
    codes = runner.codes()
    assert ("records/problems/2017/P-2017-0003.yaml", "E-FILE-ENCODING") in codes
    tree.write("records/problems/2017/P-2017-0003.yaml", problem(3))            # fixed
    tree.write("records/problems/2017/P-2017-0005.yaml", problem(5, unit="P-2017-0004"))  # names a broken file
    runner.same()
    tree.remove("records/problems/2017/P-2017-0004.yaml")                       # now it is missing
    assert ("records/problems/2017/P-2017-0005.yaml", "E-REF-MISSING") in runner.codes()
    os.symlink(tree.path(P), tree.path("records/problems/2017/P-2017-0006.yaml"))
    runner.same()


@pytest.mark.parametrize("workers, steps", [(False, 40), (True, 12)])
def test_random_edits_agree_with_no_cache(runner, monkeypatch, workers, steps):
    """A seeded random walk over edits of every kind above, compared after each step; also
    with the work spread over worker processes (as for a large tree)."""
    if workers:
        from generator.validate.engine import workers as crew
        monkeypatch.setattr(crew, "POOL_MIN_FILES", 1)
    tree = runner.tree
    rng = random.Random(7)
    names = [f"records/problems/2017/P-2017-{n:04d}.yaml" for n in range(2, 9)]
    photo = tree.path(EVIDENCE).read_bytes()
    streets = tree.read(PANLONG)

    def toggle(rel: str, text) -> None:
        if tree.path(rel).exists():
            tree.remove(rel)
        else:
            tree.write(rel, text)

    for step in range(steps):
        action = rng.choice(["write", "write", "remove", "unit", "meeting", "comment", "street",
                             "duplicate", "invalid", "photo", "as_of", "campaign"])
        present = [n for n in names + [M1, M2] if tree.path(n).exists()]
        if action == "write":
            n = rng.randrange(2, 9)
            tree.write(names[n - 2], problem(n, unit=rng.choice(["city-management", "new-unit", "no-unit"]),
                                             state=rng.choice(["assigned", "reported", "closed"]),
                                             deadline=rng.choice(["2017-04-20", "2017-06-20"])))
        elif action == "remove" and present:
            tree.remove(rng.choice(present))
        elif action == "unit":
            toggle("records/org/units/new-unit.yaml", "id: new-unit\nname: 新单位\nkind: city_department\n")
        elif action == "meeting":
            tree.write(rng.choice([M1, M2]), meeting(rng.choice([1, 2]), f"2017-04-{rng.randrange(6, 29):02d}"))
        elif action == "comment" and present:
            rel = rng.choice(present)
            tree.write(rel, "# 注\n" + tree.read(rel))
        elif action == "street":
            tree.write(PANLONG, streets if "panlong-cuihu" not in tree.read(PANLONG)
                       else streets.replace("  - id: panlong-cuihu\n    name: 翠湖街道\n", ""))
        elif action == "duplicate":
            toggle("records/problems/2017/P-2017-0009.yaml", tree.read(P))
        elif action == "invalid" and present:
            rel = rng.choice(present)
            tree.write(rel, tree.read(rel).replace("state: ", "state: x", 1))
        elif action == "photo":
            toggle(EVIDENCE, photo)
        elif action == "campaign":
            tree.write(CAMPAIGN, "id: campaign\nname: 创建\ncity: 示例市\nstart: 2017-04-05\n"
                                 f"end: 2017-04-{rng.choice([8, 23, 30])}\n")
        runner.same(as_of=rng.choice([AS_OF, AS_OF, "2017-04-25"]) if action == "as_of" else AS_OF)


def test_trusted_stat_signatures_read_only_changed_files(runner, monkeypatch):
    """With signatures trusted at once (as for files written long ago), an unchanged file is
    not read again, and a changed one is."""
    from generator.validate import load
    from generator.validate.check import attachments
    monkeypatch.setattr(attachments, "SETTLE_NS", -10**18)
    tree = runner.tree
    runner.same()
    read = []
    real = load.read_record
    monkeypatch.setattr(load, "read_record", lambda file, path: read.append(file) or real(file, path))
    runner.run("--as-of", AS_OF)
    assert read == []
    tree.edit(P, "description: 沿街商户占道经营，影响行人通行。", "description: 改。")      # another size
    code, out = runner.run("--as-of", AS_OF, "--format", "json")
    assert read == [P] and code == 0 and json.loads(out) == []


def test_worker_processes_give_the_same_findings(runner, monkeypatch):
    from generator.validate.engine import workers
    monkeypatch.setattr(workers, "POOL_MIN_FILES", 1)
    tree = runner.tree
    for n in range(2, 12):
        tree.write(f"records/problems/2017/P-2017-{n:04d}.yaml", problem(n, unit="x" if n % 3 else "city-management"))
    runner.same()
    tree.write("records/problems/2017/P-2017-0005.yaml", problem(5))
    runner.same()


def test_workers_that_cannot_start_or_die_leave_the_work_to_this_process(runner, monkeypatch):
    from generator.validate.engine import workers
    monkeypatch.setattr(workers, "POOL_MIN_FILES", 1)
    tree = runner.tree
    tree.write("records/problems/2017/P-2017-0002.yaml", problem(2, unit="x"))
    expected = runner.same()

    def dies(self, *args):
        raise EOFError("a worker was killed")

    monkeypatch.setattr(workers.Crew, "judge", dies)
    assert runner.same() == expected
    monkeypatch.setattr(workers.Crew, "__init__", lambda self, *args: (_ for _ in ()).throw(OSError(11, "fork")))
    assert runner.same() == expected


def test_damaged_cache_is_ignored(runner):
    tree = runner.tree
    tree.write("records/problems/2017/P-2017-0002.yaml", problem(2))
    expected = runner.same(subprocess=True)
    files = [p for p in runner.cache.rglob("*") if p.is_file()]
    assert files
    for path in files:
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])      # truncated
    assert runner.same(subprocess=True) == expected
    for path in [p for p in runner.cache.rglob("*") if p.is_file()]:
        path.write_bytes(b"\x80\x05garbage" + os.urandom(64))
    assert runner.same(subprocess=True) == expected


def test_cache_that_would_run_code_is_refused(runner):
    """A cache file is data: one that asks to call anything (as a crafted pickle does) is
    ignored like a damaged one."""
    import pickle
    from generator.validate.engine.cache import Cache
    tree = runner.tree
    expected = runner.same()
    marker = tree.root / "ran"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    folder = Cache(tree.records, runner.cache).folder
    for path in folder.iterdir():
        path.write_bytes(pickle.dumps(Evil()))
    assert runner.same() == expected and not marker.exists()


def test_new_generator_version_does_not_use_the_old_cache(runner, monkeypatch):
    from generator.validate.engine import cache
    tree = runner.tree
    runner.same()
    folder = cache.Cache(tree.records, runner.cache).folder
    # plant a wrong report under the current key: the cache is used ...
    state = cache.Cache(tree.records, runner.cache).load("state")
    report = state.get("report")
    report.alone[P] = ((("E-FILE-EMPTY", "error", P, 1, 1, "", "文件是空的", "请填写", ()),), ())
    cache.Cache(tree.records, runner.cache).save("state", {k: v if k != "report" else report
                                                            for k, v in state.raw.items()})
    assert "E-FILE-EMPTY" in runner.run("--as-of", AS_OF)[1]
    # ... and ignored once the generator's code is another
    monkeypatch.setattr(cache, "source_version", lambda: "another version")
    assert runner.same() == []
    assert folder.exists()


def test_no_cache_writes_nothing_and_the_default_place(runner, tmp_path, monkeypatch):
    tree = runner.tree
    runner.run("--as-of", AS_OF, cache=False)
    assert not runner.cache.exists()
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    argv = ["validate", "--records", str(tree.records), "--as-of", AS_OF]
    proc = tree.cli(*argv)
    assert proc.returncode == 0, proc.stderr
    made = [p.relative_to(home).as_posix() for p in home.rglob("*") if p.is_file()]
    assert made and all(p.startswith("taizhang/validate/") for p in made)
    assert not [p for p in tree.records.rglob("*") if ".cache" in p.parts or "cache" in p.name]


def test_the_cache_key_covers_exactly_the_validator_code():
    """A change to any module validation can import throws the cache away; a change to the
    catalog, the sites or the authoring tools does not."""
    from generator.validate.engine import cache
    package = Path(cache.__file__).resolve().parents[2]
    covered = {p.relative_to(package).as_posix() for p in cache._imported_by(package, cache.START)}
    every_validate_module = {p.relative_to(package).as_posix() for p in (package / "validate").rglob("*.py")}
    assert every_validate_module <= covered
    assert {c.split("/")[0] for c in covered} == {"validate", "model", "findings.py"}


@pytest.mark.parametrize("workers, steps", [(False, 30), (True, 8)])
def test_overlay_sees_the_tree_as_it_would_be_written(runner, monkeypatch, workers, steps):
    """validate(overlay=…) checks a would-be tree without writing it (what every writer does
    first): its findings are those of `validate` once the texts are written, its `before` those
    of the tree as it is, whatever the edit (new files, a record turned invalid or valid again,
    ids that resolve or duplicate others, a comment that moves lines)."""
    import datetime as dt
    from generator.validate import Cache, validate
    if workers:
        from generator.validate.engine import workers as crew
        monkeypatch.setattr(crew, "POOL_MIN_FILES", 1)
    from generator.validate.engine import run as engine
    taken = []                           # whether each check could start from the last run

    def spy(run, previous, real=engine.incremental):
        outcome = real(run, previous)
        taken.append(outcome is not None)
        return outcome
    monkeypatch.setattr(engine, "incremental", spy)
    tree = runner.tree
    as_of = dt.date.fromisoformat(AS_OF)
    cache = Cache(tree.records, runner.cache)
    rng = random.Random(11)
    names = [f"records/problems/2017/P-2017-{n:04d}.yaml" for n in range(2, 7)]

    def edit() -> dict:
        kind = rng.choice(["problem", "problem", "invalid", "unit", "bad-unit", "comment", "duplicate", "two"])
        n = rng.randrange(2, 7)
        text = problem(n, unit=rng.choice(["city-management", "new-unit", "no-unit"]),
                       state=rng.choice(["assigned", "reported", "closed"]), deadline=rng.choice(["2017-04-20", "2017-06-20"]))
        if kind == "invalid":
            return {names[n - 2]: text.replace("source: complaint", "source: x")}
        if kind in ("unit", "bad-unit"):         # a record others refer to, valid or not
            return {"records/org/units/new-unit.yaml": "id: new-unit\nname: 新单位\nkind: "
                    + ("city_department" if kind == "unit" else "nonsense") + "\n"}
        if kind == "comment" and tree.path(P).exists():
            return {P: "# 注\n" + tree.read(P)}
        if kind == "duplicate":
            return {"records/problems/2017/P-2017-0009.yaml": tree.read(P)}
        if kind == "two":
            return {names[n - 2]: text, "records/meetings/2017/M-2017-0001.yaml": meeting(1, "2017-04-07")}
        return {names[n - 2]: text}

    for _step in range(steps):
        texts = edit()
        on_disk = validate(tree.records, as_of).findings
        checked = validate(tree.records, as_of, cache=cache, overlay={tree.path(rel): text for rel, text in texts.items()})
        assert checked.before == on_disk
        for rel, text in texts.items():
            tree.write(rel, text)
        assert checked.findings == validate(tree.records, as_of).findings, texts
        if rng.random() < 0.3:          # the cache also learns the tree as it now is
            validate(tree.records, as_of, cache=cache)
    if not workers:
        assert sum(taken) >= steps // 2      # the would-be tree is mostly checked from the last run


def test_the_unpickler_builds_the_generator_s_record_models_and_no_other_class():
    """The build's store keeps records pickled (site/store.py): the generator's own models load,
    pydantic models from anywhere else, and anything callable, do not."""
    import io
    import pickle

    import pydantic
    from generator.model.problem import Event
    from generator.validate.engine.cache import SafeUnpickler

    def load(obj):
        return SafeUnpickler(io.BytesIO(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))).load()
    event = Event(date="2017-05-02", state="assigned", by="hq-office")
    assert load(event) == event

    class Foreign(pydantic.BaseModel):
        x: int = 1
    globals()["Foreign"] = Foreign          # picklable by name, from this test module
    Foreign.__qualname__ = "Foreign"
    with pytest.raises(pickle.UnpicklingError, match="is not cache data"):
        load(Foreign())
    from generator.model.lifecycle import status        # a function of the model package: not data
    with pytest.raises(pickle.UnpicklingError, match="is not cache data"):
        load(status)
