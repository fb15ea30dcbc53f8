"""`export-xlsx`: the ledger workbook read back with openpyxl."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

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
    assert [c.value for c in sheet[1]][:3] == ["编号", "来源", "发现日期"] and sheet.max_row == 8
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:P8"
    assert sheet.print_title_rows == "$1:$1" and sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert isinstance(sheet["C2"].value, dt.datetime) and sheet["C2"].number_format == "yyyy-mm-dd"
    overdue = [row for row in sheet.iter_rows(min_row=2) if row[14].value]
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
