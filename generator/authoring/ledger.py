"""The rectification ledger (台账) as an Excel workbook, the way staff keep it today.

One sheet per ledger view: all problems, each district, each sub-HQ, overdue problems and meeting
decisions; frozen header, filters, real dates, overdue rows highlighted, column widths for
Chinese text, ready to print on A4 landscape with the header repeated. Written from the internal
view (it is a staff document) and deterministic for the same records and as-of date.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from .. import atomic
from ..catalog.catalog import Catalog
from ..model import display_name
from ..model.fields import choice_label
from ..model.lifecycle import LIGHT_LABELS
from ..model.problem import SOURCES

PROBLEM_COLUMNS = ["编号", "标题", "来源", "发现日期", "点位", "点位类型", "测评指标", "问题描述", "责任区", "责任单位",
                   "配合单位", "整改时限", "现行时限（含延期）", "整改措施", "状态", "亮灯", "逾期天数", "销号日期"]
DECISION_COLUMNS = ["会议", "会议日期", "议定事项", "责任单位", "完成时限", "状态", "完成日期", "是否逾期"]
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _problem_row(catalog: Catalog, p) -> list:
    st = catalog.status[p.id]

    def name(record_id):
        record = catalog.get(record_id)
        return display_name(record) if record else (record_id or "")
    closed = p.history[-1].date if p.history and p.history[-1].state == "closed" else None
    # the columns import-xlsx reads back hold the fields exactly, so a round trip changes nothing
    return [p.id, p.title, SOURCES[p.source], p.found, p.location, name(p.site_type), name(p.indicator),
            p.description, name(p.district), name(p.responsible_unit),
            "、".join(name(u) for u in p.supporting_units), p.deadline, st.deadline, p.measures, st.state_label,
            LIGHT_LABELS[st.light], st.overdue_days or None, closed]


def _width(values) -> float:
    longest = max((sum(2 if ord(ch) > 0x2e80 else 1 for ch in str(v)) for v in values if v is not None), default=4)
    return min(60, max(8, longest + 2))


def _sheet(workbook, title: str, columns: list[str], rows: list[list], overdue_column: int | None):
    from openpyxl.styles import Alignment, Font, PatternFill
    sheet = workbook.create_sheet(_BAD_SHEET_CHARS.sub("_", title)[:31])
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    late = PatternFill("solid", fgColor="FFCDD2")
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":       # openpyxl takes text that begins with "=" for a formula
                cell.data_type = "s"
        if overdue_column is not None and row[overdue_column]:
            for cell in sheet[sheet.max_row]:
                cell.fill = late
    for index, heading in enumerate(columns, 1):
        letter = sheet.cell(row=1, column=index).column_letter
        values = [heading] + [r[index - 1] for r in rows]
        sheet.column_dimensions[letter].width = _width(values)
        for cell in sheet[letter][1:]:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{sheet.cell(row=max(1, sheet.max_row), column=len(columns)).coordinate}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    return sheet


def export_workbook(catalog: Catalog) -> bytes:
    from openpyxl import Workbook
    workbook = Workbook()
    workbook.remove(workbook.active)
    problems = sorted(catalog.of_type("problem"), key=lambda p: p.id)
    overdue_at = PROBLEM_COLUMNS.index("逾期天数")
    rows = {p.id: _problem_row(catalog, p) for p in problems}
    _sheet(workbook, "全部问题", PROBLEM_COLUMNS, list(rows.values()), overdue_at)
    _sheet(workbook, "逾期问题", PROBLEM_COLUMNS,
           [rows[p.id] for p in problems if catalog.status[p.id].light == "red"], overdue_at)
    # one sheet for each district and each sub-HQ, by its full name, with problems or without
    for district in sorted(catalog.of_type("district"), key=lambda d: (d.order, d.id)):
        _sheet(workbook, district.name, PROBLEM_COLUMNS,
               [rows[p.id] for p in problems if p.district == district.id], overdue_at)
    for sub_hq in sorted(catalog.of_type("sub_hq"), key=lambda s: s.number):
        _sheet(workbook, sub_hq.name, PROBLEM_COLUMNS,
               [rows[p.id] for p in problems if p.sub_hq == sub_hq.id], overdue_at)
    decisions = []
    for meeting in sorted(catalog.of_type("meeting"), key=lambda m: (m.date, m.id)):
        for d in meeting.decisions:
            late = d.state != "done" and d.deadline < catalog.as_of
            owner = catalog.get(d.owner)
            decisions.append([meeting.title, meeting.date, d.text, display_name(owner) if owner else d.owner,
                              d.deadline, choice_label(d, "state"),
                              d.done_date, "逾期" if late else None])
    _sheet(workbook, "议定事项", DECISION_COLUMNS, decisions, DECISION_COLUMNS.index("是否逾期"))
    stamp = dt.datetime(catalog.as_of.year, catalog.as_of.month, catalog.as_of.day)
    workbook.properties.created = workbook.properties.modified = stamp
    raw = io.BytesIO()
    workbook.save(raw)
    return _fixed_zip(raw.getvalue(), stamp)


def write_workbook(catalog: Catalog, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_bytes(out, export_workbook(catalog))


_W3CDTF = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _fixed_zip(data: bytes, stamp: dt.datetime) -> bytes:
    """The same archive with every entry, and the document's own created/modified dates (which
    openpyxl sets to the time of saving), dated `stamp`: two builds give the same bytes."""
    out = io.BytesIO()
    when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _W3CDTF.sub(rb"\g<1>" + when + rb"\g<2>", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, content)
    return out.getvalue()
