"""`import-xlsx`: a rectification ledger from Excel into problem records, as districts keep it.

Ledgers come as people keep them (DOMAIN.md §3): a title row above the header ("盘龙区创文问题整改
台账"), headers in any order with stray spaces or full-width characters, a 序号 instead of an id,
merged cells, blank rows, dates as Excel serials or text (2017-4-5, 2017年4月5日, 2017.4.5),
districts and units by name, the state as 是否销号 (是/否) or a free 整改情况, and a 备注 column.

Each row maps to one problem (`plan_import`): a row with an existing 编号, or with the same found
date, district and text as a record, updates that record (only the fields that differ); another
row creates a record, unless it looks like one already there (same district and unit, found
within 3 days, similar text): that is shown, and created only with `allow_duplicates`. The
district comes from a 区 column, else from the title row, else from the responsible unit. A row
that names a state (是否销号=是, 整改情况 such as 已整改, 已销号) proposes a lifecycle step, and
a changed 整改时限 an extension (it needs 延期理由 and 批准单位, else the row is refused); steps
are events appended as `transition` appends them, so the rulebook decides them (`texts` makes the
would-be files; the command line checks the would-be tree with validate and writes all rows or
none). 备注 goes to the record's internal note (内部备注), never to a public field. Columns the
importer does not use are named in the dry run.
"""
from __future__ import annotations

import datetime as dt
import difflib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..catalog.catalog import Catalog
from ..model import Problem
from ..model.lifecycle import STATE_LABELS
from ..model.problem import SOURCES
from .fmt import _yaml, format_text
from .ledger_read import MAX_CELL_CHARS, _date, normal, read_ledger

REQUIRED = ("source", "found", "district", "responsible_unit", "deadline")
FIELD_LABELS = {"source": "问题来源", "found": "发现日期", "district": "责任区", "responsible_unit": "责任单位",
                "deadline": "整改时限", "description": "问题描述", "title": "标题", "location": "点位",
                "measures": "整改措施", "note": "备注（内部备注）"}
_SOURCE_BY_LABEL = {label: key for key, label in SOURCES.items()} | {
    "督查": "inspection", "媒体": "media", "投诉": "complaint", "巡查": "patrol", "自查": "self_inspection",
    "领导批示": "leadership_instruction", "第三方": "third_party_assessment", "模拟测评": "simulated_assessment"}
# 整改情况 → the state it names: the state's own label, then the words ledgers use
_STATE_WORDS = [(label, state) for state, label in STATE_LABELS.items()] + [
    ("已销号", "closed"), ("复核通过", "verified"), ("已复核", "verified"), ("退回", "returned"),
    ("重新整改", "returned"), ("已整改", "reported"), ("整改完成", "reported"), ("已完成", "reported"),
    ("已反馈", "reported"), ("正在整改", "rectifying"), ("整改中", "rectifying"), ("已签收", "acknowledged"),
    ("已交办", "assigned")]
# A ledger that says 整改中 of a problem under an extension or sent back is not news.
_ALREADY = {"rectifying": {"rectifying", "extended", "returned"}}
DUPLICATE_DAYS = 3
SIMILAR = 0.6


@dataclass
class Step:
    """A lifecycle event a row proposes, and why."""
    state: str
    day: dt.date
    why: str
    note: str | None = None
    extra: dict = field(default_factory=dict)


@dataclass(eq=False)
class RowPlan:
    row: int
    seq: str | None = None
    record_id: str | None = None          # the record it updates
    fields: dict = field(default_factory=dict)        # a new record's fields
    changes: dict = field(default_factory=dict)       # field → (old, new)
    steps: list[Step] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)   # ids it may repeat
    district_from: str = ""

    @property
    def name(self) -> str:
        return f"第 {self.row} 行" + (f"（序号 {self.seq}）" if self.seq else "")

    @property
    def creates(self) -> bool:
        return self.record_id is None and not self.problems


@dataclass
class Plan:
    rows: list[RowPlan] = field(default_factory=list)
    title: str = ""
    unused: list[str] = field(default_factory=list)    # headers of columns not imported

    def of(self, kind: str, leaving=()) -> list[RowPlan]:
        return [r for r in self.rows if _kind(r) == kind and r not in leaving]


def _kind(r: RowPlan) -> str:
    if r.problems:
        return "problem"
    if r.record_id is None:
        return "duplicate" if r.duplicates else "create"
    return "update" if r.changes or r.steps else "unchanged"


def _similar(a: str, b: str) -> bool:
    a, b = normal(a), normal(b)
    return bool(a and b) and (a in b or b in a or difflib.SequenceMatcher(None, a, b).ratio() >= SIMILAR)


class _Names:
    """Districts, units and approving bodies by name (and by id)."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.places = {normal(r.name): r.id for t in ("district", "unit") for r in catalog.of_type(t)}
        self.bodies = {normal(r.name): r.id for t in ("hq", "sub_hq") for r in catalog.of_type(t)}
        self.districts = sorted(((normal(d.name), d.id) for d in catalog.of_type("district")), key=lambda p: -len(p[0]))

    def place(self, value) -> str | None:
        key = normal(value)
        return self.places.get(key) or (key if key in self.catalog.records else None)

    def body(self, value) -> str | None:
        key = normal(value)
        return self.bodies.get(key) or (key if key in self.catalog.records else None)

    def district_in(self, text: str) -> str | None:
        """The one district a title names, if it names exactly one."""
        text = normal(text)
        named = {record_id for name, record_id in self.districts if name and name in text}
        return named.pop() if len(named) == 1 else None

    def district_of_unit(self, unit_id: str | None) -> str | None:
        record = self.catalog.get(unit_id) if unit_id else None
        if record is None:
            return None
        return record.id if record.type_name == "district" else getattr(record, "district", None)


def _state_of(progress: str) -> str | None:
    text = normal(progress)
    for word, state in _STATE_WORDS:
        if text == normal(word):
            return state
    for word, state in _STATE_WORDS[len(STATE_LABELS):]:
        if normal(word) in text:
            return state
    return None


def plan_import(path: Path, catalog: Catalog, as_of: dt.date) -> Plan:
    ledger = read_ledger(path)
    names = _Names(catalog)
    title_district = names.district_in(ledger.title)
    # a row without 编号 is the record with the same found date, district and text: that is how
    # a second import of the same ledger finds what the first one created
    by_content: dict[tuple, str] = {}
    for p in catalog.of_type("problem"):
        for text in (p.description, p.location, p.title):
            if text:
                by_content.setdefault((p.found, p.district, normal(text)), p.id)
    plan = Plan(title=ledger.title, unused=ledger.unused)
    creating: list[RowPlan] = []
    for row, values in ledger.rows:
        r = RowPlan(row, seq=str(values.pop("seq")).strip() if "seq" in values else None)
        plan.rows.append(r)
        too_long = [name for name, value in values.items() if len(str(value)) > MAX_CELL_CHARS]
        if too_long:
            r.problems.append(f"单元格过长（{'、'.join(too_long)} 超过 {MAX_CELL_CHARS} 字）")
            continue
        fields = _read_row(r, values, names)
        if "district" not in fields and not r.problems:
            fields["district"] = title_district or names.district_of_unit(fields.get("responsible_unit"))
            r.district_from = "标题行" if title_district else "责任单位"
        existing = catalog.get(fields.get("id")) if fields.get("id") else None
        if fields.get("id") and existing is None:
            r.problems.append(f"编号 {fields['id']} 不存在")
        elif existing is not None and existing.type_name != "problem":
            r.problems.append(f"编号 {fields['id']} 不是问题，是{existing.label}")
            existing = None
        elif existing is None:
            text = fields.get("description") or fields.get("location") or fields.get("title")
            existing = catalog.get(by_content.get((fields.get("found"), fields.get("district"), normal(text))))
        if existing is None and not r.problems:
            missing = [FIELD_LABELS[n] for n in REQUIRED if not fields.get(n)]
            if missing:
                r.problems.append("缺少 " + "、".join(missing) + ("（台账没有区一列，标题行和责任单位也定不出是哪个区）"
                                                               if "责任区" in missing else ""))
        if r.problems:
            continue
        fields.pop("id", None)
        if existing is None:
            r.fields = fields
            r.duplicates = _duplicates(fields, catalog, creating)
            r.steps = _steps(r, values, fields, None, as_of)
            creating.append(r)
        else:
            r.record_id = existing.id
            _update(r, values, fields, existing, catalog, as_of)
    return plan


def _read_row(r: RowPlan, values: dict, names: _Names) -> dict:
    fields: dict = {}
    for name, value in values.items():
        if name in ("found", "deadline", "closed"):
            day = _date(value)
            if day is None:
                r.problems.append(f"“{value}”不是日期")
            fields[name] = day
        elif name in ("district", "responsible_unit"):
            target = names.place(value)
            if target is None:
                r.problems.append(f"不认识的{'责任区' if name == 'district' else '责任单位'}“{value}”")
            fields[name] = target
        elif name == "approver":
            fields[name] = names.body(value)
            if fields[name] is None:
                r.problems.append(f"不认识的批准单位“{value}”（应为总指挥部或分指挥部）")
        elif name == "source":
            fields[name] = _SOURCE_BY_LABEL.get(normal(value)) or (normal(value) if normal(value) in SOURCES else None)
            if fields[name] is None:
                r.problems.append(f"不认识的来源“{value}”，可用：{'、'.join(SOURCES.values())}")
        elif name == "id":
            fields[name] = normal(value)          # full-width digits typed with a Chinese IME
        elif name == "remark":
            fields["note"] = str(value).strip()
        elif name not in ("progress", "closed_flag", "reason", "evidence"):
            fields[name] = str(value).strip()     # Chinese text keeps its full-width punctuation
    return fields


def _duplicates(fields: dict, catalog: Catalog, creating: list[RowPlan]) -> list[str]:
    """Records (and rows of this ledger to be created) that this row may repeat."""
    text = " ".join(str(fields.get(k) or "") for k in ("description", "title", "location"))
    found = fields.get("found")
    out = []
    candidates = [(p.id, p.district, p.responsible_unit, p.found, " ".join(x or "" for x in (p.description, p.title, p.location)))
                  for p in catalog.of_type("problem")]
    candidates += [(r.name, r.fields.get("district"), r.fields.get("responsible_unit"), r.fields.get("found"),
                    " ".join(str(r.fields.get(k) or "") for k in ("description", "title", "location")))
                   for r in creating]
    for name, district, unit, day, other in candidates:
        if (district == fields.get("district") and unit == fields.get("responsible_unit") and found and day
                and abs((day - found).days) <= DUPLICATE_DAYS and _similar(text, other)):
            out.append(name)
    return out


def _steps(r: RowPlan, values: dict, fields: dict, current: str | None, as_of: dt.date) -> list[Step]:
    """The lifecycle step the row names, if it is not where the record already is."""
    flag = normal(values.get("closed_flag"))
    progress = str(values.get("progress") or "").strip()
    state, why, note = None, "", None
    if flag in ("是", "已销号", "Y", "y", "1"):
        state, why, note = "closed", "是否销号=是", progress or None
    elif progress:
        state = _state_of(progress)
        why, note = f"整改情况“{progress}”", progress
        if state is None:
            r.problems.append(f"整改情况“{progress}”看不出是哪个状态（可写：{'、'.join(STATE_LABELS.values())}、"
                              "已整改、已销号）；若只是说明，请写在“整改措施”或“备注”列")
            return []
    if state is None or (current or "registered") in _ALREADY.get(state, {state}):
        return []
    extra = {}
    if values.get("evidence"):
        extra["evidence"] = [e for e in re.split(r"[、,，;；\s]+", str(values["evidence"])) if e]
    day = fields.get("closed") if state == "closed" and fields.get("closed") else as_of
    return [Step(state, day, why, note if note != STATE_LABELS.get(state) else None, extra)]


def _update(r: RowPlan, values: dict, fields: dict, existing: Problem, catalog: Catalog, as_of: dt.date) -> None:
    status = catalog.status[existing.id]
    deadline = fields.pop("deadline", None)
    reason, approver = str(values.get("reason") or "").strip(), fields.pop("approver", None)
    fields.pop("closed", None)
    steps = []
    if deadline is not None and deadline not in (existing.deadline, status.deadline):
        if not (reason and approver):
            r.problems.append(f"整改时限 {status.deadline} → {deadline}：改整改时限须按延期办理，请在台账中加“延期理由”“批准单位”"
                              "两列并填写（批准单位为总指挥部或分指挥部），或用 python -m generator transition 编号 extended")
            return
        steps.append(Step("extended", as_of, f"整改时限 {status.deadline} → {deadline}",
                          extra={"reason": reason, "new_deadline": deadline.isoformat(), "approved_by": approver}))
    r.changes = {name: (getattr(existing, name), value) for name, value in fields.items()
                 if getattr(existing, name) != value and value not in (None, "")}
    r.steps = steps + _steps(r, values, fields, status.state, as_of)


def texts(plan: Plan, records: Path, catalog: Catalog, allow_duplicates: bool = False) -> tuple[dict[Path, str], dict[Path, RowPlan]]:
    """The files the plan would write, and the row each comes from."""
    from .edit import EditError, event_text, new_text
    out: dict[Path, str] = {}
    rows: dict[Path, RowPlan] = {}
    taken: set[str] = set()
    yaml = _yaml()
    for r in plan.rows:
        if r.problems or (r.record_id is None and r.duplicates and not allow_duplicates):
            continue
        try:
            if r.record_id is None:
                values = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in r.fields.items() if v is not None}
                values.setdefault("title", (values.get("description") or values.get("location") or "")[:60])
                found = dt.date.fromisoformat(values["found"])
                path, text = new_text(records, "problem", values, found, registered_note="由台账导入", taken=taken)
                taken.add(path.stem)
            elif r.changes or r.steps:
                path = records.parent / catalog.files[r.record_id]
                text = path.read_text("utf-8")
                if r.changes:
                    data = yaml.load(text)
                    for name, (_old, new) in r.changes.items():
                        data[name] = new
                    buffer = io.StringIO()
                    yaml.dump(data, buffer)
                    text = format_text(buffer.getvalue(), Problem)
            else:
                continue
            for step in r.steps:
                text = event_text(text, step.state, step.day, note=step.note, extra=step.extra)
        except EditError as error:
            r.problems.append(str(error))
            continue
        out[path] = text
        rows[path] = r
    return out, rows


def refusals(errors: list, row_of: dict[Path, RowPlan], records: Path) -> dict[RowPlan, list[str]]:
    """Rows whose files the rulebook refuses (errors of the would-be tree): row → the reasons."""
    top = records.resolve()
    by_file = {f"{top.name}/{Path(p).resolve().relative_to(top).as_posix()}": r for p, r in row_of.items()}
    out: dict[RowPlan, list[str]] = {}
    for f in errors:
        row = by_file.get(f.file)
        if row is not None:
            out.setdefault(row, []).append(f"{f.message}（{f.code}）")
    return out


def describe(plan: Plan, refused: dict[RowPlan, list[str]], allow_duplicates: bool) -> tuple[list[str], list[str], str, int]:
    """What the dry run says, in Chinese: a line per row that will change something, a line per
    reason a row cannot be imported, the counts, and how many rows cannot be imported."""
    lines = [f"台账：{plan.title}"] if plan.title else []
    if plan.unused:
        lines.append(f"未使用的列：{'、'.join(plan.unused)}（这些列的内容不会导入）")
    for r in plan.rows:
        if r.problems:
            continue
        steps = "；".join(f"追加事件“{s.state}（{STATE_LABELS[s.state]}）”，日期 {s.day}（{s.why}）" for s in r.steps)
        if r.record_id is None and r.duplicates and not allow_duplicates:
            lines.append(f"{r.name}：可能重复，未新建：与 {'、'.join(r.duplicates)} 相似（同区、同责任单位、发现日期相差"
                         f"不超过 {DUPLICATE_DAYS} 天、描述相近）；确认不是重复后加 --allow-duplicates")
        elif r.record_id is None:
            where = f"，责任区取自{r.district_from}" if r.district_from else ""
            text = r.fields.get("title") or r.fields.get("description") or r.fields.get("location")
            lines.append(f"{r.name}：新建问题（{text}{where}）" + (f"；{steps}" if steps else ""))
        elif r.changes or r.steps:
            changes = "；".join(f"{k} {old} → {new}" for k, (old, new) in r.changes.items())
            lines.append(f"{r.name}：更新 {r.record_id}：" + "；".join(x for x in (changes, steps) if x))
    problems = [f"{r.name}：无法导入：{problem}" for r in plan.rows for problem in r.problems]
    problems += [f"{r.name}：无法导入：{r.record_id or '新问题'} 不符合规则：{'；'.join(reasons)}"
                 for r, reasons in refused.items() if not r.problems]
    counts = {kind: len(plan.of(kind, leaving=refused)) for kind in ("create", "update", "unchanged", "duplicate")}
    bad = len({r for r in plan.rows if r.problems} | set(refused))
    steps = sum(len(r.steps) for r in plan.rows if not r.problems and r not in refused)
    created = counts["create"] + (counts["duplicate"] if allow_duplicates else 0)
    summary = (f"新建 {created}，更新 {counts['update']}，不变 {counts['unchanged']}，"
               f"可能重复 {0 if allow_duplicates else counts['duplicate']}，无法导入 {bad}；其中追加事件 {steps} 条。")
    return lines, problems, summary, bad
