"""`import-xlsx`: a rectification ledger from Excel into problem records.

Ledgers come as people keep them: a title row above the header, headers in any order and with
stray spaces or full-width characters, merged cells, blank rows, dates as Excel serials or text
(2017-4-5, 2017年4月5日, 2017.4.5), districts and units by name. Each row maps to one problem:
a row with an existing 编号 updates that record (only the fields that differ, with the text
editor that keeps comments), a row without one creates a record. Rows that cannot be mapped are
reported with their row number and nothing is written for them. Dry run unless `apply`.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .. import atomic
from .fmt import _yaml, format_text
from ..catalog.catalog import Catalog
from ..model import Problem
from ..model.problem import SOURCES

# header (normalised) → problem field; several spellings per field
HEADERS = {
    "编号": "id", "问题编号": "id",
    "来源": "source", "问题来源": "source",
    "发现日期": "found", "督查日期": "found", "发现时间": "found",
    "点位": "location", "点位地址": "location", "地点": "location",
    "问题描述": "description", "问题": "description", "存在问题": "description",
    "标题": "title",
    "责任区": "district", "区县": "district", "责任区县": "district", "县市区": "district",
    "责任单位": "responsible_unit", "主责单位": "responsible_unit",
    "整改时限": "deadline", "完成时限": "deadline",
    "整改措施": "measures", "整改情况": "measures",
    "销号日期": "closed",
}
REQUIRED = ("source", "found", "district", "responsible_unit", "deadline")
_SOURCE_BY_LABEL = {label: key for key, label in SOURCES.items()} | {
    "督查": "inspection", "媒体": "media", "投诉": "complaint", "巡查": "patrol", "自查": "self_inspection",
    "领导批示": "leadership_instruction", "第三方": "third_party_assessment", "模拟测评": "simulated_assessment"}
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?$")


def normal(text) -> str:
    """Full-width to half-width, no spaces: how headers and names are compared."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or "")))


@dataclass
class RowProblem:
    row: int
    message: str


@dataclass
class Plan:
    creates: list[tuple[int, dict]] = field(default_factory=list)                 # (row, fields)
    updates: list[tuple[int, str, dict[str, tuple]]] = field(default_factory=list)  # (row, id, {field: (old, new)})
    problems: list[RowProblem] = field(default_factory=list)
    unchanged: int = 0


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


def _rows(path: Path):
    """(row number, {field: value}) for every data row, merged cells filled in."""
    cells = _cells(_open_sheet(path))
    by_row: dict[int, dict[int, object]] = {}
    for (row, col), value in cells.items():
        by_row.setdefault(row, {})[col] = value
    header_row, columns = None, {}
    for row in sorted(r for r in by_row if r <= 10):
        found = {col: HEADERS[normal(v)] for col, v in by_row[row].items() if normal(v) in HEADERS}
        if len(set(found.values())) >= 3:
            header_row, columns = row, found
            break
    if header_row is None:
        raise ValueError("前 10 行里找不到表头（至少要有 编号/来源/发现日期/责任单位/整改时限 中的三个）")
    for row in sorted(r for r in by_row if r > header_row):
        values = {columns[col]: v for col, v in sorted(by_row[row].items()) if col in columns}
        if values:
            yield row, values


def _row_key(found, district, text) -> tuple:
    return (found, district, normal(text))


def plan_import(path: Path, catalog: Catalog) -> Plan:
    by_name = {normal(r.name): r.id for t in ("district", "unit") for r in catalog.of_type(t)}
    # a row without 编号 is the record with the same found date, district and description (or
    # location): that is how a second import of the same ledger finds what the first one created
    by_content = {}
    for p in catalog.of_type("problem"):
        for text in (p.description, p.location, p.title):
            if text:
                by_content.setdefault(_row_key(p.found, p.district, text), p.id)
    plan = Plan()
    for row, values in _rows(path):
        fields, errors = {}, []
        too_long = [name for name, value in values.items() if len(str(value)) > MAX_CELL_CHARS]
        if too_long:
            plan.problems.append(RowProblem(row, f"单元格过长（{'、'.join(too_long)} 超过 {MAX_CELL_CHARS} 字）"))
            continue
        for name, value in values.items():
            if name in ("found", "deadline", "closed"):
                day = _date(value)
                if day is None:
                    errors.append(f"“{value}”不是日期")
                fields[name] = day
            elif name in ("district", "responsible_unit"):
                key = normal(value)
                target = by_name.get(key) or (key if key in catalog.records else None)
                if target is None:
                    errors.append(f"不认识的{'责任区' if name == 'district' else '责任单位'}“{value}”")
                fields[name] = target
            elif name == "source":
                fields[name] = _SOURCE_BY_LABEL.get(normal(value)) or (normal(value) if normal(value) in SOURCES else None)
                if fields[name] is None:
                    errors.append(f"不认识的来源“{value}”，可用：{'、'.join(SOURCES.values())}")
            elif name == "id":
                fields[name] = normal(value)          # full-width digits typed with a Chinese IME
            else:
                fields[name] = str(value).strip()     # Chinese text keeps its full-width punctuation
        existing = catalog.get(fields.get("id")) if fields.get("id") else None
        if fields.get("id") and existing is None:
            errors.append(f"编号 {fields['id']} 不存在")
        elif existing is not None and existing.type_name != "problem":
            errors.append(f"编号 {fields['id']} 不是问题，是{existing.label}")
            existing = None
        elif existing is None:
            text = fields.get("description") or fields.get("location") or fields.get("title")
            existing = catalog.get(by_content.get(_row_key(fields.get("found"), fields.get("district"), text)))
        missing = [n for n in REQUIRED if not fields.get(n)] if existing is None else []
        if missing:
            errors.append("缺少 " + "、".join(missing))
        if errors:
            plan.problems.append(RowProblem(row, "；".join(errors)))
            continue
        fields.pop("closed", None)             # closing goes through transition, not an import
        if existing is None:
            plan.creates.append((row, fields))
            continue
        changes = {name: (getattr(existing, name), value) for name, value in fields.items()
                   if name != "id" and getattr(existing, name) != value}
        if changes:
            plan.updates.append((row, existing.id, changes))
        else:
            plan.unchanged += 1
    return plan


def apply_plan(plan: Plan, records: Path, catalog: Catalog) -> list[Path]:
    from .edit import new_record
    written = []
    yaml = _yaml()
    for _row, record_id, changes in plan.updates:
        path = records.parent / catalog.files[record_id]
        data = yaml.load(path.read_text("utf-8"))
        for name, (_old, new) in changes.items():
            data[name] = new
        buffer = io.StringIO()
        yaml.dump(data, buffer)
        atomic.write_text(path, format_text(buffer.getvalue(), Problem))
        written.append(path)
    for _row, fields in plan.creates:
        values = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in fields.items()}
        values.setdefault("title", (values.get("description") or values.get("location") or "")[:60])
        found = dt.date.fromisoformat(values["found"])
        written.append(new_record(records, "problem", values, found, registered_note="由台账导入"))
    return written
