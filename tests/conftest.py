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
    def triples(findings: list[dict], code: str | None = None, file: str | None = None) -> list[tuple]:
        """(file, line, code) of each finding, optionally only one code or one file."""
        return [(f["file"], f["line"], f["code"]) for f in findings
                if (code is None or f["code"] == code) and (file is None or f["file"] == file)]


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


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"   # Debian's; Playwright never downloads one


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
