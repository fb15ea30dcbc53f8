"""Shared test fixture: a minimal valid records tree, built fresh in tmp_path for each test.

`make_tree()` (the one factory fixture) returns a `Tree`. A test changes the tree with
`tree.write(relative_path, text_or_bytes)` and checks it with `tree.validate()`, which runs
the real command line (`python -m generator validate --format json`) in this process, or in a
subprocess with `subprocess=True`, and returns `(exit_code, findings)`: the JSON items, each
with file, line, column, severity, code and message. Tests compare (file, line, code), never
wording.

The minimal tree is the smallest set of records in which every kind of reference a problem
makes resolves: campaign, HQ and HQ office, one sub-HQ, one inspection group, two districts
with streets, a unit, a site type, an assessment item and indicator, and one closed problem
with a complete history and an evidence photo under records/attachments/. The campaign runs
2017-04-05 (Wednesday) to 2017-04-08, so no whole week or month lies inside it and the
cadence rules have nothing to say about the minimal tree.
"""
from __future__ import annotations

import contextlib
import io
import os
import shutil
import json
import subprocess as sp
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

AS_OF = "2017-05-31"
PROBLEM = "records/problems/2017/P-2017-0001.yaml"
CAMPAIGN = "records/campaign/campaign.yaml"
EVIDENCE = "attachments/2017/P-2017-0001-after.jpg"



def _tiny_jpeg() -> bytes:
    """A real 8×8 JPEG: the validator checks that an image attachment is an image."""
    import io
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 220, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


JPEG = _tiny_jpeg()

MINIMAL: dict[str, str] = {
    CAMPAIGN: """\
id: campaign
name: 创建全国文明城市
city: 示例市
start: 2017-04-05
end: 2017-04-08
""",
    "records/org/hq/hq.yaml": """\
id: hq
name: 示例市创建全国文明城市工作总指挥部
kind: general
leaders:
  - role: 市委书记
    position: commander
""",
    "records/org/hq/hq-office.yaml": """\
id: hq-office
name: 总指挥部办公室
kind: office
""",
    "records/org/sub-hqs/subhq-city-order.yaml": """\
id: subhq-city-order
name: 城市秩序分指挥部
number: 1
commander_role: 分管副市长
member_units:
  - city-management
""",
    "records/org/inspection-groups/group-1.yaml": """\
id: group-1
name: 第一督查组
number: 1
leader_role: 市人大常委会副主任
districts:
  - panlong
  - wuhua
""",
    "records/org/districts/panlong.yaml": """\
id: panlong
name: 盘龙区
kind: district
order: 1
streets:
  - id: panlong-cuihu
    name: 翠湖街道
  - id: panlong-jindu
    name: 金都街道
""",
    "records/org/districts/wuhua.yaml": """\
id: wuhua
name: 五华区
kind: district
order: 2
streets:
  - id: wuhua-huashan
    name: 华山街道
""",
    "records/org/units/city-management.yaml": """\
id: city-management
name: 市城市管理局
kind: city_department
sub_hqs:
  - subhq-city-order
""",
    "records/framework/site-types/main-street.yaml": """\
id: main-street
name: 主次干道
""",
    "records/framework/items/public-order.yaml": """\
id: public-order
name: 公共秩序
order: 1
""",
    "records/framework/indicators/street-order.yaml": """\
id: street-order
name: 街面秩序
item: public-order
method: field_check
site_types:
  - main-street
""",
    PROBLEM: """\
id: P-2017-0001
title: 翠湖街道某某路占道经营
description: 沿街商户占道经营，影响行人通行。
district: panlong
street: panlong-cuihu
location: 某某路 12 号门前
source: inspection
found: 2017-04-06
site_type: main-street
indicator: street-order
sub_hq: subhq-city-order
responsible_unit: city-management
deadline: 2017-04-30
measures: 劝导商户入店经营，清理占道物品。
history:
  - date: 2017-04-06
    state: registered
    by: hq-office
  - date: 2017-04-07
    state: assigned
    by: subhq-city-order
  - date: 2017-04-08
    state: acknowledged
    by: city-management
  - date: 2017-04-10
    state: rectifying
    by: city-management
  - date: 2017-04-15
    state: reported
    by: city-management
    evidence:
      - attachments/2017/P-2017-0001-after.jpg
  - date: 2017-04-18
    state: verified
    by: group-1
  - date: 2017-04-20
    state: closed
    by: hq-office
""",
}


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based number of the line holding the `occurrence`-th line that contains `needle`."""
    seen = 0
    for number, line in enumerate(text.split("\n"), 1):   # only \n ends a line, as in YAML files here
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in text")


@dataclass
class Tree:
    root: Path            # tmp_path; the records folder is root / "records"

    AS_OF = AS_OF
    PROBLEM = PROBLEM
    CAMPAIGN = CAMPAIGN
    EVIDENCE = EVIDENCE
    MINIMAL = MINIMAL
    line_of = staticmethod(line_of)

    @property
    def records(self) -> Path:
        return self.root / "records"

    def path(self, rel: str) -> Path:
        return self.root / rel

    def write(self, rel: str, content: str | bytes) -> Path:
        """Write (or overwrite) `rel` (relative to the records folder's parent) with `content`.
        Text is written as UTF-8 exactly as given (no newline translation)."""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        path.write_bytes(data)
        return path

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def remove(self, rel: str) -> None:
        (self.root / rel).unlink()

    def edit(self, rel: str, old: str, new: str) -> str:
        """Replace the one occurrence of `old` in `rel` by `new`; return the new text."""
        text = self.read(rel)
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {rel}"
        text = text.replace(old, new)
        self.write(rel, text)
        return text

    def validate(self, as_of: str | None = AS_OF, *, subprocess: bool = False,
                 records: str | Path | None = None) -> tuple[int, list[dict]]:
        """Run `validate --format json`; return (exit code, findings)."""
        args = ["validate", "--records", str(records or self.records), "--format", "json"]
        if as_of:
            args += ["--as-of", as_of]
        if subprocess:
            proc = self.cli(*args)
            assert "Traceback" not in proc.stderr, proc.stderr
            return proc.returncode, json.loads(proc.stdout)
        from generator.cli import main
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(args)
        return code, json.loads(out.getvalue())

    def cli(self, *args: str) -> sp.CompletedProcess:
        """`python -m generator ARGS` as a subprocess in the repository, output as text."""
        return sp.run([sys.executable, "-m", "generator", *args], cwd=REPO, capture_output=True,
                      text=True, encoding="utf-8", timeout=60)

    @staticmethod
    def triples(findings: list[dict], code: str | None = None, file: str | None = None) -> "Triples":
        """(file, line, code) of each finding, optionally only one code or one file."""
        return Triples([(f["file"], f["line"], f["code"]) for f in findings
                        if (code is None or f["code"] == code) and (file is None or f["file"] == file)], code)


# --- which finding codes the suite asserts ------------------------------------------------------
#
# tests/test_checks.py::test_every_code_in_the_catalogue_has_a_test requires, for every code in
# generator.findings.CODES, a passing test that asserted the code as a (file, line, code) triple
# of real validate output (a failing case) and one that asserted it absent (a passing case). A
# code's name merely appearing in a test file counts for nothing. The evidence is gathered while
# the tests run: `Tree.triples()` returns a `Triples` list that notes what was compared with it,
# and each process (each pytest-xdist worker) appends the notes of every finished test of
# FINDING_MODULES to a file the check reads; the check is collected last and waits for them all.

FINDING_MODULES = ("tests/test_checks.py", "tests/test_mechanism.py", "tests/test_malformed.py", "tests/test_cli.py",
                   "tests/test_load_property.py")
CODE_CHECK = "tests/test_checks.py::test_every_code_in_the_catalogue_has_a_test"
_noted: dict | None = None                        # the running test's notes
deselected_finding_tests: list[str] = []


def _note(kind: str, code: str | None = None) -> None:
    if _noted is not None:
        if kind == "clean":
            _noted["clean"] = True
        else:
            _noted[kind].add(code)


class Triples(list):
    """(file, line, code) triples of validate's output that remember how a test used them:
    compared equal to a non-empty list or found with `in` → the codes were asserted present;
    equal to [] or false (`not …`) when filtered to one code → that code asserted absent;
    equal to [] unfiltered → no finding at all (“clean”)."""

    def __init__(self, items=(), code: str | None = None):
        super().__init__(items)
        self.code = code

    __hash__ = None

    def __eq__(self, other):
        equal = list.__eq__(self, other)
        if equal is True:
            if len(self):
                for triple in self:
                    _note("present", triple[2])
            elif self.code:
                _note("absent", self.code)
            else:
                _note("clean")
        return equal

    def __contains__(self, item):
        found = list.__contains__(self, item)
        if isinstance(item, tuple) and len(item) == 3 and isinstance(item[2], str):
            _note("present" if found else "absent", item[2])
        return found

    def __bool__(self):
        if not len(self) and self.code:
            _note("absent", self.code)
        return bool(len(self))


_NOTES = pytest.StashKey[dict]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    global _noted
    _noted = {"present": set(), "absent": set(), "clean": False}
    try:
        yield
    finally:
        item.stash[_NOTES] = _noted
        _noted = None


def finding_notes_folder(config) -> Path:
    """Where each process of this run appends its notes: shared by the pytest-xdist workers."""
    base = config._tmp_path_factory.getbasetemp()
    return (base.parent if hasattr(config, "workerinput") else base) / "finding-codes"


def pytest_runtest_logreport(report):
    """Note each finished test of FINDING_MODULES: whether it passed, and what it asserted."""
    if not _in_finding_module(report.nodeid) or report.nodeid == CODE_CHECK:
        return
    if report.when == "call" or (report.when == "setup" and not report.passed):
        notes = dict(report.user_properties).get("finding-codes", {})
        _pending[report.nodeid] = {"nodeid": report.nodeid, "passed": report.when == "call" and report.passed,
                                   "present": notes.get("present", []), "absent": notes.get("absent", []),
                                   "clean": notes.get("clean", False)}
    if report.when == "teardown" and report.nodeid in _pending:
        import json
        import os
        folder = finding_notes_folder(_config)
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / f"{os.getpid()}.jsonl", "a", encoding="utf-8") as out:
            out.write(json.dumps(_pending.pop(report.nodeid), ensure_ascii=False) + "\n")


_pending: dict[str, dict] = {}
_config = None


def pytest_configure(config):
    global _config
    _config = config


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    if call.when == "call":
        notes = item.stash.get(_NOTES, None)
        if notes and (notes["present"] or notes["absent"] or notes["clean"]):
            item.user_properties.append(("finding-codes", {"present": sorted(notes["present"]),
                                                           "absent": sorted(notes["absent"]),
                                                           "clean": notes["clean"]}))
    yield


def _in_finding_module(nodeid: str) -> bool:
    return nodeid.split("::")[0] in FINDING_MODULES


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """The code check after every other test (so no test it waits for is queued behind it)."""
    checks = [i for i in items if i.nodeid == CODE_CHECK]
    for item in checks:
        items.remove(item)
        items.append(item)


def pytest_deselected(items):
    deselected_finding_tests.extend(i.nodeid for i in items if _in_finding_module(i.nodeid))


def record_data(records: Path) -> list[tuple[str, str, dict]]:
    """(type name, file, data as written) of every record file under `records`, read with the
    validator's own loader; every file must be a readable record."""
    from generator.validate import load
    records = records.resolve()
    out = []
    for folder, name in load.walk_records(records):
        rel = Path(folder).relative_to(records).as_posix()
        file, record_type, _year, problem = load.classify_name(records, "" if rel == "." else rel, name, False)
        assert problem is None, problem
        text, problem = load.read_record(file, Path(folder, name))
        data, problem = load.parse_text(file, text) if text is not None else (None, problem)
        assert problem is None, problem
        out.append((record_type.type_name, file, data))
    return out


@pytest.fixture(autouse=True)
def _validate_cache_in_tmp(tmp_path_factory, monkeypatch):
    """`validate` keeps a cache under $XDG_CACHE_HOME (default ~/.cache): each test gets its
    own, so tests never share one or leave one in the home folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))


@pytest.fixture
def make_tree(tmp_path):
    """Factory: build the minimal valid records tree under tmp_path and return a Tree."""
    def build() -> Tree:
        tree = Tree(tmp_path)
        for rel, text in MINIMAL.items():
            tree.write(rel, text)
        tree.write("records/" + EVIDENCE, JPEG)
        return tree
    return build


# Debian's chromium; Playwright never downloads one. $CHROMIUM names another Chromium-based browser:
# on Ubuntu, whose chromium package is a snap, CI points it at the preinstalled Google Chrome.
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    """Headless chromium driven by Playwright, for the tests that need a real browser."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("needs Debian's chromium (make system-tools; .ci/run installs it)")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield chromium
        chromium.close()
