"""`export-xlsx`: the ledger workbook read back with openpyxl."""
from __future__ import annotations

import datetime as dt
import shutil
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
    # one sheet per district and per sub-HQ by its full name, even one without problems
    assert book.sheetnames == ["全部问题", "逾期问题", "东区", "西区", "生活环境整治指挥部", "议定事项"]
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
    assert [d[2] for d in decisions] == ["事项一", "事项二", "事项三", "事项四", "事项五"]
    assert [d[7] for d in decisions] == [None, "逾期", None, None, "逾期"]


def test_ledger_export_is_deterministic_and_refuses_invalid_records(tmp_path):
    assert export(tmp_path / "a.xlsx").returncode == 0
    assert export(tmp_path / "b.xlsx").returncode == 0
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    broken = tmp_path / "records"
    subprocess.run(["cp", "-r", str(RECORDS), str(broken)], check=True)
    (broken / "problems/2017/P-2017-0001.yaml").write_text("id: [\n", "utf-8")
    result = export(tmp_path / "c.xlsx", broken)
    assert result.returncode == 1 and not (tmp_path / "c.xlsx").exists()


def _messy_ledger(path: Path, deadline="2017.5.5", west=True, extension=None) -> None:
    """A ledger as a district keeps it: a merged title row, spaced and full-width headers in their own
    order, a blank row, a district merged over two rows, dates written four ways, one unknown unit."""
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.append(["东区创文问题整改台账（2017年5月）"])
    sheet.merge_cells("A1:H1")
    sheet.append(["序号", "责 任 区", "问题描述", "来源", "发现日期 ", "责任单位", "整改时限", "点位"]
                 + (["延期理由", "批准单位"] if extension else []))
    sheet.append([1, "东区", "某某巷垃圾乱堆", "群众投诉", 42835, "东区城管局", deadline, "某某巷"] + (extension or []))
    sheet.append([2, None, "路灯不亮", "督查", "2017年4月12日", "东区城管局", "2017-5-12", "某某路"])
    sheet.merge_cells("B3:B4")
    sheet.append([])
    if west:
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
    before = _snapshot(records)
    dry = run_import(records, ledger)
    assert dry.returncode == 1                                   # one row cannot be mapped
    assert "第 6 行（序号 3）：无法导入：不认识的责任单位“西区环卫所”\n" in dry.stderr
    assert dry.stdout.count("新建问题") == 2 and "试运行" in dry.stdout
    assert _snapshot(records) == before
    refused = run_import(records, ledger, "--apply")            # all rows or none
    assert refused.returncode == 1 and "未写入任何文件" in refused.stderr and _snapshot(records) == before
    _messy_ledger(ledger, west=False)
    applied = run_import(records, ledger, "--apply")
    assert applied.returncode == 0 and "已写入 2 个文件" in applied.stdout, applied.stderr
    created = sorted(set(p.name for p in records.rglob("*.yaml")) - {Path(k).name for k in before})
    assert created == ["P-2017-0008.yaml", "P-2017-0009.yaml"]
    texts = [(records / "problems/2017" / name).read_text("utf-8") for name in created]
    assert "found: 2017-04-10" in texts[0] and "deadline: 2017-05-05" in texts[0]   # serial 42835, "2017.5.5"
    assert "district: east" in texts[1] and "found: 2017-04-12" in texts[1]        # merged cell, 年月日
    valid = subprocess.run([sys.executable, "-m", "generator", "validate", "--records", str(records), "--as-of",
                            "2017-05-10"], cwd=ROOT, capture_output=True, text=True, env={"PYTHONPATH": str(ROOT)})
    assert valid.returncode == 0, valid.stdout
    again = run_import(records, ledger, "--apply")
    assert "新建 0，更新 0，不变 2" in again.stdout
    # a later 整改时限 is an extension: without its reason and approver the row is refused
    _messy_ledger(ledger, deadline="2017.5.20", west=False)
    changed = run_import(records, ledger, "--apply")
    assert changed.returncode == 1 and "第 3 行（序号 1）：无法导入：整改时限 2017-05-05 → 2017-05-20：改整改时限须按延期办理" \
        in changed.stderr
    _messy_ledger(ledger, deadline="2017.5.20", west=False, extension=["雨季施工", "总指挥部办公室"])
    early = run_import(records, ledger, "--apply")                # the rulebook: 立项 is not yet 延期
    assert early.returncode == 1 and "不能从“立项”直接变为“延期”（E-LIFECYCLE-TRANSITION）" in early.stderr
    assigned = subprocess.run([sys.executable, "-m", "generator", "transition", "P-2017-0008", "assigned", "--by",
                               "hq-office", "--date", "2017-04-20", "--as-of", "2017-05-10", "--records", str(records)],
                              cwd=ROOT, capture_output=True, text=True)
    assert assigned.returncode == 0, assigned.stderr
    extended = run_import(records, ledger, "--apply")
    assert extended.returncode == 0, extended.stderr
    assert "更新 P-2017-0008：追加事件“extended（延期）”，日期 2017-05-10" in extended.stdout
    text = (records / "problems/2017/P-2017-0008.yaml").read_text("utf-8")
    assert "deadline: 2017-05-05" in text and \
        "    state: extended\n    reason: 雨季施工\n    new_deadline: 2017-05-20\n    approved_by: hq-office\n" in text


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
    book.active.append(["编号", "整改时限", "整改措施", "延期理由", "批准单位"])
    book.active.append(["P-2017-0002", "2017-05-31", "加派人手", "雨季施工", "总指挥部办公室"])
    book.save(tmp / "l.xlsx")
    result = run_import(records, tmp / "l.xlsx", "--apply")
    assert result.returncode == 0, result.stderr
    after_text = target.read_text("utf-8")
    after, _ = parse_text("x", after_text)
    assert sorted(l.strip() for l in after_text.split("\n") if l.strip().startswith("#")) == \
        sorted(l.strip() for l in text.split("\n") if l.strip().startswith("#"))
    extension = {"date": "2017-05-10", "state": "extended", "reason": "雨季施工", "new_deadline": "2017-05-31",
                 "approved_by": "hq-office"}
    assert after == {**before, "measures": "加派人手", "history": before["history"] + [extension]}


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


# --- a district's ledger as districts keep it (DOMAIN.md §3) --------------------------------

EXAMPLE = ROOT / "records"


def _panlong(number: int, found: str, text: str, deadline: str) -> str:
    return f"""\
id: P-2017-{number:04d}
title: {text}
description: {text}
district: panlong
source: complaint
found: {found}
responsible_unit: panlong-city-management
deadline: {deadline}
history:
  - date: {found}
    state: registered
    by: hq-office
  - date: {found}
    state: assigned
    by: hq-office
  - date: {found}
    state: acknowledged
    by: panlong-city-management
  - date: {found}
    state: rectifying
    by: panlong-city-management
"""


def _district_records(tmp_path: Path) -> Path:
    records = tmp_path / "records"
    shutil.copytree(EXAMPLE, records)
    folder = records / "problems/2017"
    (folder / "P-2017-0080.yaml").write_text(_panlong(80, "2017-05-02", "白塔路人行道共享单车乱停乱放", "2017-05-20"), "utf-8")
    (folder / "P-2017-0081.yaml").write_text(_panlong(81, "2017-05-03", "新迎小区门口垃圾乱堆", "2017-05-18"), "utf-8")
    (folder / "P-2017-0082.yaml").write_text(_panlong(82, "2017-05-04", "穿金路施工围挡破损", "2017-05-25"), "utf-8")
    return records


HEADER_AS_KEPT = ["序号", "问题描述", "发现时间", "问题来源", "责任单位", "整改时限", "整改情况", "是否销号", "备注"]


def _district_ledger(path: Path, rows: list[list], extra_columns: list[str] = ()) -> None:
    """Exactly as the issue describes it: a title row, then 序号 … 备注, no 区 column."""
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.append(["盘龙区创文问题整改台账（2017年5月）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER_AS_KEPT) + len(extra_columns))
    sheet.append(HEADER_AS_KEPT + list(extra_columns))
    for row in rows:
        sheet.append(row)
    book.save(path)


NEW_ROW = [1, "金星立交桥下垃圾乱堆", "2017-05-20", "群众投诉", "盘龙区城市管理局", "2017-06-05", None, "否",
           "联系人王先生 13900001111"]
REPORTED_ROW = [2, "白塔路人行道共享单车乱停乱放", "2017-05-02", "群众投诉", "盘龙区城市管理局", "2017-05-20", "已整改", "否", None]
CLOSED_ROW = [3, "新迎小区门口垃圾乱堆", "2017-05-03", "群众投诉", "盘龙区城市管理局", "2017-05-18", "已销号", "是", None]
MOVED_ROW = [4, "穿金路施工围挡破损", "2017-05-04", "群众投诉", "盘龙区城市管理局", "2017-06-10", "整改中", "否", None]
# P-2017-0002 is “盘龙区北京路与环城南路交叉口存在流动摊贩占道经营问题。”, found 2017-04-03
SIMILAR_ROW = [5, "北京路与环城南路交叉口流动摊贩占道经营", "2017-04-04", "媒体曝光", "盘龙区城市管理局", "2017-05-03",
               None, "否", None]


def test_a_district_ledger_as_kept_dry_run_shows_every_row_and_apply_writes_all_or_nothing(tmp_path):
    records = _district_records(tmp_path)
    ledger = tmp_path / "盘龙区台账.xlsx"
    _district_ledger(ledger, [NEW_ROW, REPORTED_ROW, CLOSED_ROW, MOVED_ROW, SIMILAR_ROW])
    before = _snapshot(records)
    dry = subprocess.run([sys.executable, "-m", "generator", "import-xlsx", str(ledger), "--records", str(records),
                          "--as-of", "2017-05-31"], cwd=ROOT, capture_output=True, text=True)
    assert dry.returncode == 1 and "Traceback" not in dry.stderr
    out, err = dry.stdout, dry.stderr
    assert "台账：盘龙区创文问题整改台账（2017年5月）" in out
    assert "第 3 行（序号 1）：新建问题（金星立交桥下垃圾乱堆，责任区取自标题行）" in out       # no 区 column
    assert "第 4 行（序号 2）：更新 P-2017-0080：追加事件“reported（已反馈）”，日期 2017-05-31（整改情况“已整改”）" in out
    assert "第 7 行（序号 5）：可能重复，未新建：与 P-2017-0002 相似" in out
    # 是否销号=是 on a problem still 整改中: the rulebook refuses it, and says why
    assert "第 5 行（序号 3）：无法导入：P-2017-0081 不符合规则：" in err
    assert "不能从“整改中”直接变为“销号”（E-LIFECYCLE-TRANSITION）" in err
    assert "销号时还没有整改后照片或佐证材料（E-LIFECYCLE-NO-EVIDENCE）" in err
    # a later 整改时限 without 延期理由 and 批准单位
    assert "第 6 行（序号 4）：无法导入：整改时限 2017-05-25 → 2017-06-10：改整改时限须按延期办理" in err
    assert "新建 1，更新 1，不变 0，可能重复 1，无法导入 2" in out and "试运行" in out
    assert _snapshot(records) == before
    applied = run_import(records, ledger, "--apply", "--as-of", "2017-05-31")
    assert applied.returncode == 1 and "未写入任何文件：有 2 行无法导入" in applied.stderr
    assert _snapshot(records) == before                          # all rows or none

    # the district answers: 3 is not closed after all, 4 is an extension approved by the HQ office
    fixed = [NEW_ROW, REPORTED_ROW, CLOSED_ROW[:6] + ["整改中", "否", None, None, None, "张三"],
             MOVED_ROW + ["雨季施工，需协调搬迁", "总指挥部办公室", "李四"], SIMILAR_ROW]
    fixed[0] = NEW_ROW + [None, None, "王五"]
    fixed[1] = REPORTED_ROW + [None, None, None]
    fixed[4] = SIMILAR_ROW + [None, None, None]
    _district_ledger(ledger, fixed, extra_columns=["延期理由", "批准单位", "责任人"])
    applied = run_import(records, ledger, "--apply", "--as-of", "2017-05-31")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "未使用的列：“责任人”（这些列的内容不会导入）" in applied.stdout
    assert "已写入 3 个文件" in applied.stdout
    from generator.validate.load import parse_text
    created, _problem = parse_text("x", (records / "problems/2017/P-2017-0083.yaml").read_text("utf-8"))
    assert created["district"] == "panlong" and created["found"] == "2017-05-20"
    assert created["note"] == "联系人王先生 13900001111"       # 备注: the internal note, never public
    assert (records / "problems/2017/P-2017-0080.yaml").read_text("utf-8").endswith(
        "  - date: 2017-05-31\n    state: reported\n    note: 已整改\n")       # the ledger's words on the event
    assert (records / "problems/2017/P-2017-0082.yaml").read_text("utf-8").endswith(
        "    state: extended\n    reason: 雨季施工，需协调搬迁\n    new_deadline: 2017-06-10\n    approved_by: hq-office\n")
    assert (records / "problems/2017/P-2017-0081.yaml").read_bytes() == before["problems/2017/P-2017-0081.yaml"]
    assert not (records / "problems/2017/P-2017-0084.yaml").exists()     # the possible duplicate
    valid = subprocess.run([sys.executable, "-m", "generator", "validate", "--records", str(records), "--as-of",
                            "2017-05-31"], cwd=ROOT, capture_output=True, text=True)
    assert valid.returncode == 0, valid.stdout
    again = run_import(records, ledger, "--as-of", "2017-05-31")
    assert "新建 0，更新 0，不变 4，可能重复 1" in again.stdout
    duplicate = run_import(records, ledger, "--apply", "--as-of", "2017-05-31", "--allow-duplicates")
    assert duplicate.returncode == 0 and (records / "problems/2017/P-2017-0084.yaml").is_file()


def test_every_district_and_sub_hq_has_its_sheet_even_without_problems(tmp_path):
    """README promises one sheet each; a district or sub-HQ with no problem gets a sheet with the header alone."""
    import yaml
    records = tmp_path / "records"
    shutil.copytree(RECORDS, records)
    (records / "org/districts/north.yaml").write_text("id: north\nname: 北区\nkind: district\norder: 3\n", "utf-8")
    out = tmp_path / "台账.xlsx"
    result = export(out, records)
    assert result.returncode == 0, result.stderr
    book = load_workbook(out)
    subs = sorted((yaml.safe_load(p.read_text("utf-8")) for p in (records / "org/sub-hqs").glob("*.yaml")),
                  key=lambda s: s["number"])
    assert book.sheetnames[2:-1] == ["东区", "西区", "北区"] + [s["name"] for s in subs]
    assert book["北区"].max_row == 1 and book["北区"]["A1"].value == "编号"
