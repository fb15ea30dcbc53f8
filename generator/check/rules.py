"""Pass 3, per record: dates, the problem lifecycle, attachments, required-by-kind fields,
control characters and personal data in public text. Rules that look across the whole
campaign (cadence, statements) are in cadence.py."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

from ..findings import Finding, Loc, finding
from ..lifecycle import STATE_LABELS, TRANSITIONS, status
from ..model import Record
from ..model.fields import field_label, iter_text
from .schema import Valid

ATTACHMENT_TYPES = (".jpg", ".jpeg", ".png", ".webp", ".pdf")

# Dates of things that have happened, per type: they may not lie after the as-of date.
_HAPPENED: dict[str, tuple[str, ...]] = {
    "problem": ("found",), "inspection": ("date",), "self_inspection": ("date",),
    "assessment": ("date",), "media_feedback": ("date",), "patrol_log": ("date",),
    "circular": ("date",), "accountability": ("date",), "task": ("assigned",),
}
_HAPPENED_PARTS: dict[str, tuple[tuple[str, str], ...]] = {
    "problem": (("history", "date"), ("urgings", "date")),
    "meeting": (("decisions", "done_date"),),
    "task": (("milestones", "done_date"),),
}

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_PII = (
    ("身份证号", re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")),
    ("手机号码", re.compile(r"(?<![0-9])1[3-9][0-9][- ]?[0-9]{4}[- ]?[0-9]{4}(?![0-9])")),
    ("车牌号码", re.compile(r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][·・ ]?[A-HJ-NP-Z0-9]{5,6}(?![A-Za-z0-9])")),
    ("固定电话", re.compile(r"(?<![0-9])(0[0-9]{2,3}[-－ ]?[0-9]{7,8}|[（(]0[0-9]{2,3}[）)][0-9]{7,8})(?![0-9])")),
)
_PII_HOME = {"problem": "reporter（反映人）或 note（内部备注）"}


def _mask(text: str) -> str:
    return text[:3] + "*" * (len(text) - 5) + text[-2:] if len(text) > 6 else "***"


def _dates_happened(record: Record) -> list[tuple[Loc, dt.date]]:
    out = [((name,), getattr(record, name)) for name in _HAPPENED.get(record.type_name, ())]
    if record.type_name == "meeting" and record.status == "held":
        out.append((("date",), record.date))
    for list_name, date_name in _HAPPENED_PARTS.get(record.type_name, ()):
        for i, part in enumerate(getattr(record, list_name)):
            value = getattr(part, date_name)
            if value is not None:
                out.append(((list_name, i, date_name), value))
    return out


def _attachment(file: str, records: Path, loc: Loc, value: str) -> Finding | None:
    unsafe = None
    if value.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", value) or "\\" in value:
        unsafe = "不能是绝对路径或含反斜杠"
    elif ".." in Path(value).parts:
        unsafe = "不能含 .."
    if unsafe:
        return finding("E-ATTACH-PATH", file, loc, value=value, detail=unsafe)
    if not value.lower().endswith(ATTACHMENT_TYPES):
        return finding("E-ATTACH-TYPE", file, loc, value=value, allowed="、".join(ATTACHMENT_TYPES))
    target = records / value
    if not target.resolve().is_relative_to(records.resolve()):   # a symlink, itself or a folder on the way
        return finding("E-ATTACH-PATH", file, loc, value=value, detail="经符号链接指向 records/ 之外")
    if not target.is_file():
        return finding("E-ATTACH-MISSING", file, loc, value=value)
    if not value.lower().endswith(".pdf") and not _is_image(target):
        return finding("E-ATTACH-TYPE", file, loc, value=value, allowed="能打开的 JPEG、PNG、WebP 图片或 PDF")
    return None


def _is_image(path: Path) -> bool:
    """Reads the header only: cheap enough for every photo, and the build can then re-encode it."""
    from PIL import Image, UnidentifiedImageError
    try:
        with Image.open(path) as image:
            return image.format in ("JPEG", "PNG", "WEBP")
    except (UnidentifiedImageError, OSError, ValueError):
        return False


def _lifecycle(item: Valid, as_of: dt.date, yellow_days: int) -> list[Finding]:
    problem, file = item.record, item.file
    out: list[Finding] = []
    history = problem.history
    if problem.deadline < problem.found:
        out.append(finding("E-DATE-RANGE", file, ("deadline",), field=field_label(type(problem), ("deadline",)),
                           value=problem.deadline, other_field="发现日期", other=problem.found))
    if not history:
        return out + [finding("E-LIFECYCLE-START", file, ("history",), state="（空）")]
    if history[0].state != "registered":
        out.append(finding("E-LIFECYCLE-START", file, ("history", 0, "state"),
                           state=STATE_LABELS[history[0].state]))
    deadline = problem.deadline
    for i, event in enumerate(history):
        where = ("history", i)
        if event.date < problem.found:
            out.append(finding("E-DATE-BEFORE-FOUND", file, where + ("date",),
                               field=f"第 {i + 1} 条事件", value=event.date, found=problem.found))
        if i:
            previous = history[i - 1]
            if event.date < previous.date:
                out.append(finding("E-DATE-ORDER", file, where + ("date",), field=f"第 {i + 1} 条事件",
                                   value=event.date, previous=previous.date))
            if event.state not in TRANSITIONS[previous.state]:
                allowed = "、".join(STATE_LABELS[s] for s in TRANSITIONS[previous.state]) or "（无，已销号）"
                out.append(finding("E-LIFECYCLE-TRANSITION", file, where + ("state",),
                                   from_label=STATE_LABELS[previous.state],
                                   to_label=STATE_LABELS[event.state], allowed=allowed))
        if event.state == "extended":
            missing = [name for name in ("reason", "new_deadline", "approved_by")
                       if getattr(event, name) is None]
            if missing:
                out.append(finding("E-LIFECYCLE-EXTENSION", file, where, missing="、".join(missing)))
            if event.new_deadline is not None:
                if event.new_deadline <= deadline:
                    out.append(finding("E-LIFECYCLE-DEADLINE", file, where + ("new_deadline",),
                                       value=event.new_deadline, previous=deadline))
                deadline = event.new_deadline
    if history[-1].state == "closed" and not any(e.evidence for e in history):
        out.append(finding("E-LIFECYCLE-NO-EVIDENCE", file, ("history", len(history) - 1)))
    current = status(history, problem.deadline, as_of, yellow_days)
    if current.light == "red":
        out.append(finding("W-PROBLEM-OVERDUE", file, ("deadline",), days=current.overdue_days,
                           deadline=current.deadline, state_label=current.state_label))
    return out


def _required_by_kind(item: Valid) -> list[Finding]:
    record, file = item.record, item.file
    needs = []
    if record.type_name == "meeting":
        if record.kind == "sub_hq" and not record.sub_hq:
            needs.append(("sub_hq", "分指挥部工作会议", "写明是哪个分指挥部：sub_hq: 分指挥部编号。"))
        if record.kind == "district" and not record.district:
            needs.append(("district", "区级工作会议", "写明是哪个区：district: 区编号。"))
    if record.type_name == "assessment" and record.kind == "third_party" and not record.assessor:
        needs.append(("assessor", "第三方测评", "写明测评机构：assessor: 机构编号。"))
    return [finding("E-RECORD-FIELD", file, (name,), kind_label=kind, field=name, hint=hint)
            for name, kind, hint in needs]


def _text(item: Valid) -> list[Finding]:
    record, file = item.record, item.file
    out = []
    for loc, text, _spec in iter_text(record, public_only=False):
        bad = _CONTROL.search(text)
        if bad:
            out.append(finding("E-TEXT-CONTROL", file, loc, field=field_label(type(record), loc),
                               char=f"U+{ord(bad.group()):04X}"))
    if record.visibility == "internal":
        return out
    for loc, text, _spec in iter_text(record, public_only=True):
        plain = unicodedata.normalize("NFKC", text)    # full-width digits typed with a Chinese IME
        for what, pattern in _PII:
            match = pattern.search(plain)
            if match:
                out.append(finding("E-PRIVACY-PII", file, loc, field=field_label(type(record), loc), what=what,
                                   excerpt=_mask(match.group()),
                                   internal_field=_PII_HOME.get(record.type_name, "note（内部备注）")))
                break
    return out


def _decisions(item: Valid, as_of: dt.date) -> list[Finding]:
    record = item.record
    if record.type_name != "meeting":
        return []
    return [finding("W-DECISION-OVERDUE", item.file, ("decisions", i, "deadline"),
                    text=d.text[:30], deadline=d.deadline)
            for i, d in enumerate(record.decisions) if d.state != "done" and d.deadline < as_of]


def check_record_rules(valid: list[Valid], records: Path, as_of: dt.date,
                       yellow_days: int) -> list[Finding]:
    findings: list[Finding] = []
    for item in valid:
        record = item.record
        for loc, value in _dates_happened(record):
            if value > as_of:
                findings.append(finding("E-DATE-FUTURE", item.file, loc, field=field_label(type(record), loc),
                                        value=value, as_of=as_of))
        if record.type_name == "problem":
            findings.extend(_lifecycle(item, as_of, yellow_days))
            for i, event in enumerate(record.history):
                for j, value in enumerate(event.evidence):
                    problem = _attachment(item.file, records, ("history", i, "evidence", j), value)
                    if problem:
                        findings.append(problem)
        findings.extend(_required_by_kind(item))
        findings.extend(_text(item))
        findings.extend(_decisions(item, as_of))
    return findings
