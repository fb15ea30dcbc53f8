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

from . import atomic
from .fmt import _yaml, format_text
from .index import Catalog
from .model import Problem
from .model.problem import SOURCES

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


def _rows(path: Path):
    """(row number, {field: value}) for every data row, merged cells filled in."""
    from openpyxl import load_workbook
    book = load_workbook(path, data_only=True)
    sheet = book.worksheets[0]
    for merged in list(sheet.merged_cells.ranges):
        value = sheet.cell(merged.min_row, merged.min_col).value
        sheet.unmerge_cells(str(merged))
        for row in range(merged.min_row, merged.max_row + 1):
            for col in range(merged.min_col, merged.max_col + 1):
                sheet.cell(row, col).value = value
    header_row, columns = None, {}
    for row in sheet.iter_rows(min_row=1, max_row=min(sheet.max_row, 10)):
        found = {cell.column: HEADERS[normal(cell.value)] for cell in row if normal(cell.value) in HEADERS}
        if len(set(found.values())) >= 3:
            header_row, columns = row[0].row, found
            break
    if header_row is None:
        raise ValueError("前 10 行里找不到表头（至少要有 编号/来源/发现日期/责任单位/整改时限 中的三个）")
    for row in sheet.iter_rows(min_row=header_row + 1):
        values = {columns[c.column]: c.value for c in row if c.column in columns and c.value not in (None, "")}
        if values:
            yield row[0].row, values


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
