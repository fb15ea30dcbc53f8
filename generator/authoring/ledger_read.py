"""Reading a ledger workbook as people keep it (for `import-xlsx`, ledger_import.py).

A title row above the header, headers in any order with stray spaces or full-width characters,
merged cells, blank rows, dates as Excel serials or text (2017-4-5, 2017年4月5日, 2017.4.5). A
workbook that is not one (an .xls, a CSV, a damaged file, a zip bomb, a cell in row 1,048,576)
is refused with the reason, or read without walking what is not there.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

# header (normalised) → column; several spellings each
HEADERS = {
    "编号": "id", "问题编号": "id",
    "序号": "seq",
    "来源": "source", "问题来源": "source",
    "发现日期": "found", "督查日期": "found", "发现时间": "found",
    "点位": "location", "点位地址": "location", "地点": "location",
    "问题描述": "description", "问题": "description", "存在问题": "description",
    "标题": "title",
    "区": "district", "责任区": "district", "区县": "district", "县区": "district", "责任区县": "district",
    "县市区": "district", "县(市)区": "district", "县(市、区)": "district", "所在区": "district",
    "责任单位": "responsible_unit", "主责单位": "responsible_unit",
    "整改时限": "deadline", "完成时限": "deadline",
    "整改措施": "measures",
    "整改情况": "progress", "状态": "progress", "整改状态": "progress",
    "是否销号": "closed_flag",
    "销号日期": "closed",
    "备注": "remark",
    "延期理由": "reason", "延期原因": "reason",
    "批准单位": "approver", "延期批准单位": "approver",
    "佐证材料": "evidence",
}
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?$")


def normal(text) -> str:
    """Full-width to half-width, no spaces: how headers and names are compared."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or "")))


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and 20000 < value < 80000:        # an Excel serial date
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    match = _DATE_TEXT.match(normal(value))
    if match:
        try:
            return dt.date(*map(int, match.groups()))
        except ValueError:
            return None
    return None


MAX_UNPACKED = 200_000_000       # bytes of XML in the workbook; a ledger is a few MB
MAX_CELL_CHARS = 10_000          # longer is no ledger cell (and no record validate accepts)


def _open_sheet(path: Path):
    """The first worksheet, or ValueError saying in Chinese why the file is not a ledger."""
    import zipfile
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException
    if not path.is_file():
        raise ValueError("找不到这个文件（或它不是普通文件）")
    with open(path, "rb") as f:
        magic = f.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValueError("这是旧版 Excel（.xls）文件：请在 Excel 或 WPS 中“另存为”.xlsx 后再导入")
    if not magic.startswith(b"PK"):
        raise ValueError("不是 Excel 工作簿（.xlsx）；CSV 等请先在 Excel 或 WPS 中另存为 .xlsx")
    try:
        with zipfile.ZipFile(path) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
                raise ValueError(f"工作簿解压后超过 {MAX_UNPACKED // 1_000_000} MB，不像是台账")
        book = load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, EOFError, TypeError) as error:
        raise ValueError(f"工作簿已损坏或不是 .xlsx（{type(error).__name__}）") from None
    return book.worksheets[0]


def _cells(sheet) -> dict[tuple[int, int], object]:
    """(row, column) → value of the cells that hold one, merged cells filled in. Read from the
    cells the file holds: iterating rows would visit every empty row up to the last cell,
    and one stray cell in row 1,048,576 would cost a minute and gigabytes."""
    cells = {key: cell.value for key, cell in sheet._cells.items() if cell.value not in (None, "")}
    last = max((row for row, _col in cells), default=0)
    for merged in sheet.merged_cells.ranges:
        value = cells.get((merged.min_row, merged.min_col))
        if value is None:
            continue
        for row in range(merged.min_row, min(merged.max_row, last) + 1):
            for col in range(merged.min_col, min(merged.max_col, merged.min_col + 50) + 1):
                cells.setdefault((row, col), value)
    return cells


@dataclass
class Ledger:
    title: str                                     # the text above the header
    rows: list[tuple[int, dict[str, object]]]      # (row number, column → value)
    unused: list[str]                              # headers not imported


def read_ledger(path: Path) -> Ledger:
    cells = _cells(_open_sheet(path))
    by_row: dict[int, dict[int, object]] = {}
    for (row, col), value in cells.items():
        by_row.setdefault(row, {})[col] = value
    header_row, columns = None, {}
    for row in sorted(r for r in by_row if r <= 10):
        found = {col: HEADERS[normal(v)] for col, v in by_row[row].items() if normal(v) in HEADERS}
        if len(set(found.values()) - {"seq"}) >= 3:
            header_row, columns = row, found
            break
    if header_row is None:
        raise ValueError("前 10 行里找不到表头（至少要有 编号/来源/发现日期/责任单位/整改时限 中的三个）")
    above = [str(v).strip() for r in sorted(by_row) if r < header_row for _c, v in sorted(by_row[r].items())]
    title = " ".join(dict.fromkeys(t for t in above if t))           # a merged title once
    unused = [f"“{str(v).strip()}”" for col, v in sorted(by_row[header_row].items()) if col not in columns]
    rows = []
    for row in sorted(r for r in by_row if r > header_row):
        values = {columns[col]: v for col, v in sorted(by_row[row].items()) if col in columns}
        if set(values) - {"seq"}:
            rows.append((row, values))
    return Ledger(title, rows, unused)
