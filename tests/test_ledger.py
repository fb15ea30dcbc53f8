"""`export-xlsx`: the ledger workbook read back with openpyxl."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[1]
RECORDS = ROOT / "tests/fixtures/dashboard/records"


def export(out: Path, records: Path = RECORDS, as_of: str = "2017-05-10") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", "export-xlsx", "--out", str(out), "--records",
                           str(records), "--as-of", as_of], cwd=ROOT, capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def test_ledger_sheets_formats_and_print_setup(tmp_path):
    out = tmp_path / "台账.xlsx"
    assert export(out).returncode == 0
    book = load_workbook(out)
    assert book.sheetnames == ["全部问题", "逾期问题", "东区", "西区", "生活环境整治分指", "议定事项"]
    sheet = book["全部问题"]
    headings = [c.value for c in sheet[1]]
    assert headings[:4] == ["编号", "标题", "来源", "发现日期"] and sheet.max_row == 8
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:R8"
    assert sheet.print_title_rows == "$1:$1" and sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert isinstance(sheet["D2"].value, dt.datetime) and sheet["D2"].number_format == "yyyy-mm-dd"
    overdue = [row for row in sheet.iter_rows(min_row=2) if row[headings.index("逾期天数")].value]
    assert [row[0].value for row in overdue] == ["P-2017-0003"]
    assert overdue[0][0].fill.fgColor.rgb.endswith("FFCDD2")
    assert [r[0].value for r in book["逾期问题"].iter_rows(min_row=2)] == ["P-2017-0003"]
    decisions = [[c.value for c in r] for r in book["议定事项"].iter_rows(min_row=2)]
    assert [d[2] for d in decisions] == ["事项一", "事项二", "事项三"] and [d[7] for d in decisions] == [None, "逾期", None]


def test_ledger_export_is_deterministic_and_refuses_invalid_records(tmp_path):
    assert export(tmp_path / "a.xlsx").returncode == 0
    assert export(tmp_path / "b.xlsx").returncode == 0
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    broken = tmp_path / "records"
    subprocess.run(["cp", "-r", str(RECORDS), str(broken)], check=True)
    (broken / "problems/2017/P-2017-0001.yaml").write_text("id: [\n", "utf-8")
    result = export(tmp_path / "c.xlsx", broken)
    assert result.returncode == 1 and not (tmp_path / "c.xlsx").exists()


def _messy_ledger(path: Path, deadline="2017.5.5") -> None:
    """A ledger as a district keeps it: a merged title row, spaced and full-width headers in their own
    order, a blank row, a district merged over two rows, dates written four ways, one unknown unit."""
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.append(["东区创文问题整改台账（2017年5月）"])
    sheet.merge_cells("A1:H1")
    sheet.append(["序号", "责 任 区", "问题描述", "来源", "发现日期 ", "责任单位", "整改时限", "点位"])
    sheet.append([1, "东区", "某某巷垃圾乱堆", "群众投诉", 42835, "东区城管局", deadline, "某某巷"])
    sheet.append([2, None, "路灯不亮", "督查", "2017年4月12日", "东区城管局", "2017-5-12", "某某路"])
    sheet.merge_cells("B3:B4")
    sheet.append([])
    sheet.append([3, "西区", "公厕卫生差", "媒体曝光", "2017-4-14", "西区环卫所", "2017-5-14", "某某公厕"])
    book.save(path)


def _records_copy(tmp_path: Path) -> Path:
    subprocess.run(["cp", "-r", str(RECORDS), str(tmp_path / "records")], check=True)
    return tmp_path / "records"


def run_import(records: Path, ledger: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", "import-xlsx", str(ledger), "--records", str(records),
                           "--as-of", "2017-05-10", *extra], cwd=ROOT, capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def test_messy_ledger_dry_run_then_apply_then_reimport(tmp_path):
    records = _records_copy(tmp_path)
    ledger = tmp_path / "台账.xlsx"
    _messy_ledger(ledger)
    before = sorted(p.name for p in records.rglob("*.yaml"))
    dry = run_import(records, ledger)
    assert dry.returncode == 1                                   # one row cannot be mapped
    assert "第 6 行：无法导入：不认识的责任单位“西区环卫所”" in dry.stderr
    assert dry.stdout.count("新建问题") == 2 and "试运行" in dry.stdout
    assert sorted(p.name for p in records.rglob("*.yaml")) == before
    applied = run_import(records, ledger, "--apply")
    assert "已写入 2 个文件" in applied.stdout
    created = sorted(set(p.name for p in records.rglob("*.yaml")) - set(before))
    assert created == ["P-2017-0008.yaml", "P-2017-0009.yaml"]
    texts = [(records / "problems/2017" / name).read_text("utf-8") for name in created]
    assert "found: 2017-04-10" in texts[0] and "deadline: 2017-05-05" in texts[0]   # serial 42835, "2017.5.5"
    assert "district: east" in texts[1] and "found: 2017-04-12" in texts[1]        # merged cell, 年月日
    valid = subprocess.run([sys.executable, "-m", "generator", "validate", "--records", str(records), "--as-of",
                            "2017-05-10"], cwd=ROOT, capture_output=True, text=True, env={"PYTHONPATH": str(ROOT)})
    assert valid.returncode == 0, valid.stdout
    again = run_import(records, ledger, "--apply")
    assert "新建 0，更新 0，不变 2" in again.stdout
    _messy_ledger(ledger, deadline="2017.5.20")
    changed = run_import(records, ledger, "--apply")
    assert "更新 P-2017-0008：deadline 2017-05-05 → 2017-05-20" in changed.stdout
    assert "deadline: 2017-05-20" in (records / "problems/2017/P-2017-0008.yaml").read_text("utf-8")


def test_export_then_import_changes_nothing(tmp_path):
    out = tmp_path / "台账.xlsx"
    assert export(out).returncode == 0
    records = _records_copy(tmp_path)
    result = run_import(records, out, "--apply")
    assert result.returncode == 0 and "新建 0，更新 0，不变 7" in result.stdout
    assert subprocess.run(["diff", "-r", str(RECORDS), str(records)]).returncode == 0


def test_the_ledger_opens_in_libreoffice(tmp_path):
    import shutil
    import pytest
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("needs Debian's libreoffice-calc-nogui (.ci/run installs it)")
    out = tmp_path / "ledger.xlsx"
    assert export(out).returncode == 0
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path), str(out)],
                   check=True, capture_output=True, timeout=180)
    lines = (tmp_path / "ledger.csv").read_text("utf-8").splitlines()
    assert lines[0].startswith("编号,标题,来源,发现日期") and lines[1].startswith("P-2017-0001,问题1,群众投诉,2017-04-03")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.text("备注abc 12", min_size=1, max_size=10)), min_size=1, max_size=5))
def test_import_never_loses_a_comment_or_a_value(tmp_path_factory, inserts):
    from generator.validate.load import parse_text
    tmp = tmp_path_factory.mktemp("imp")
    records = _records_copy(tmp)
    target = records / "problems/2017/P-2017-0002.yaml"
    lines = target.read_text("utf-8").split("\n")
    for position, words in sorted(inserts, reverse=True):
        lines.insert(min(position, len(lines) - 1), "# " + words.strip() + "x")
    text = "\n".join(lines)
    before, _ = parse_text("x", text)
    assume(before is not None)
    target.write_text(text, "utf-8")
    from openpyxl import Workbook
    book = Workbook()
    book.active.append(["编号", "整改时限", "整改措施"])
    book.active.append(["P-2017-0002", "2017-05-31", "加派人手"])
    book.save(tmp / "l.xlsx")
    assert run_import(records, tmp / "l.xlsx", "--apply").returncode == 0
    after_text = target.read_text("utf-8")
    after, _ = parse_text("x", after_text)
    assert sorted(l.strip() for l in after_text.split("\n") if l.strip().startswith("#")) == \
        sorted(l.strip() for l in text.split("\n") if l.strip().startswith("#"))
    assert after == {**before, "deadline": "2017-05-31", "measures": "加派人手"}


def test_the_open_data_workbook_opens_in_libreoffice_with_its_values(tmp_path):
    """generator/site/xlsx.py writes SpreadsheetML by hand: LibreOffice must read back every value."""
    import datetime as dt
    import shutil
    import pytest
    from generator.site.xlsx import workbook
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("needs Debian's libreoffice-calc-nogui (.ci/run installs it)")
    rows = [["P-2017-0001", "占道经营 <b>&</b> \"引号\"", dt.date(2017, 4, 3), 12, 50.5, None],
            ["P-2017-0002", "第二行", dt.date(2020, 2, 29), 0, 0.0, "备注"]]
    out = tmp_path / "problems.xlsx"
    data = workbook("问题", ["编号", "标题", "发现日期", "天数", "得分率", "备注"], rows, [14] * 6, dt.datetime(2017, 5, 31))
    out.write_bytes(data)
    assert data == workbook("问题", ["编号", "标题", "发现日期", "天数", "得分率", "备注"], rows, [14] * 6,
                            dt.datetime(2017, 5, 31))
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path), str(out)],
                   check=True, capture_output=True, timeout=180)
    lines = (tmp_path / "problems.csv").read_text("utf-8").splitlines()
    assert lines == ["编号,标题,发现日期,天数,得分率,备注",
                     'P-2017-0001,"占道经营 <b>&</b> ""引号""",2017-04-03,12,50.5,',
                     "P-2017-0002,第二行,2020-02-29,0,0,备注"]
    from openpyxl import load_workbook
    sheet = load_workbook(out).active
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:F3" and sheet["A1"].font.b


# --- hostile workbooks: refused with a reason, nothing written, no traceback ------------------

def _snapshot(records: Path) -> dict[str, bytes]:
    return {p.relative_to(records).as_posix(): p.read_bytes() for p in sorted(records.rglob("*")) if p.is_file()}


def _workbook_with(path: Path, rows: list[list], extra=None) -> None:
    from openpyxl import Workbook
    book = Workbook()
    for row in rows:
        book.active.append(row)
    if extra:
        extra(book.active)
    book.save(path)


HEADER = ["编号", "问题描述", "来源", "发现日期", "责任区", "责任单位", "整改时限"]


def _hostile(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.xlsx"
    if kind == "text":
        path.write_text("编号,问题描述\n1,某某路\n", "utf-8")
    elif kind == "xls":
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    elif kind == "zip":
        import zipfile
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("hello.txt", "not a workbook")
    elif kind == "truncated":
        _workbook_with(path, [HEADER])
        path.write_bytes(path.read_bytes()[:300])
    elif kind == "folder":
        path.mkdir()
    elif kind == "missing":
        pass
    return path


@pytest.mark.parametrize("kind, reason", [
    ("text", "不是 Excel 工作簿"), ("xls", "另存为"), ("zip", "已损坏"), ("truncated", "已损坏"),
    ("folder", "找不到"), ("missing", "找不到"),
])
def test_import_refuses_what_is_not_a_workbook(tmp_path, kind, reason):
    records = _records_copy(tmp_path)
    before = _snapshot(records)
    result = run_import(records, _hostile(tmp_path, kind), "--apply")
    assert result.returncode == 2 and reason in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert _snapshot(records) == before


def test_import_of_a_cell_far_down_the_sheet_reads_only_the_cells_there_are(tmp_path):
    """One stray cell in row 1,048,576 must not make the importer walk a million empty rows."""
    records = _records_copy(tmp_path)
    ledger = tmp_path / "far.xlsx"
    _workbook_with(ledger, [HEADER], extra=lambda sheet: sheet.cell(1_048_576, 2, "某某路垃圾"))
    result = subprocess.run([sys.executable, "-m", "generator", "import-xlsx", str(ledger), "--records", str(records),
                             "--as-of", "2017-05-10"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 1 and "第 1048576 行：无法导入" in result.stderr, result.stderr


def test_import_refuses_a_row_with_a_huge_cell_or_an_id_that_is_not_a_problem(tmp_path):
    records = _records_copy(tmp_path)
    ledger = tmp_path / "bad-rows.xlsx"
    _workbook_with(ledger, [HEADER, [None, "某" * 200_000, "群众投诉", "2017-04-10", "东区",
                                     "东区城管局", "2017-05-10"],
                            ["east", "路灯不亮", "督查", "2017-04-12", "东区", "东区城管局", "2017-05-12"]])
    before = _snapshot(records)
    result = run_import(records, ledger, "--apply")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "第 2 行：无法导入：单元格过长" in result.stderr and "第 3 行：无法导入：编号 east 不是问题" in result.stderr
    assert _snapshot(records) == before
