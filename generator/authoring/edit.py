"""Editing commands that write records for staff: `new` (the next id, the right folder, today's
date, a commented skeleton) and `transition` (a checked history event appended to a problem).

Both work on the text: `new` writes a fresh file; `transition` inserts the event's lines right
after the last line of the `history` list, so every other byte of the file, comments included,
stays as it was.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from .. import atomic
from ..model.lifecycle import STATE_LABELS, TRANSITIONS
from ..validate.load import _Loader, parse_text, record_files
from ..model import RECORD_TYPES
from ..model.fields import _unwrap, field_specs
from ..model.yamltext import dump, scalar


class EditError(Exception):
    """The edit cannot be made; the message says why, in Chinese."""


def next_id(records: Path, type_name: str, day: dt.date) -> str:
    model = RECORD_TYPES[type_name]
    if not model.yearly:
        raise EditError(f"{model.label}的编号不按年份编排，请用 --id 指定，例如 {model.id_example()}")
    folder = records / model.folder / str(day.year)
    numbers = [int(m.group(1)) for p in folder.glob("*.yaml")
               if (m := re.fullmatch(rf"{model.id_prefix}-{day.year}-(\d+)", p.stem))]
    return f"{model.id_prefix}-{day.year}-{max(numbers, default=0) + 1:04d}"


def new_record(records: Path, type_name: str, values: dict[str, str], today: dt.date,
               registered_note: str | None = None) -> Path:
    """Write a new record of `type_name`; fields not given are left as commented placeholders.
    A problem starts registered today, with `registered_note` on that event if given."""
    if type_name not in RECORD_TYPES:
        raise EditError(f"没有这种记录类型：{type_name}。可选：{'、'.join(RECORD_TYPES)}")
    model = RECORD_TYPES[type_name]
    record_id = values.pop("id") if "id" in values else next_id(records, type_name, today)
    if not model.id_regex().fullmatch(record_id):  # before the id becomes part of a path
        raise EditError(f"编号 {record_id} 不符合{model.label}的编号格式 {model.id_pattern()}，"
                        f"例如 {model.id_example()}")
    specs = {s.name: s for s in field_specs(model)}
    unknown = [k for k in values if k not in specs]
    if unknown:
        raise EditError(f"{model.label}没有字段 {'、'.join(unknown)}；可用字段：{'、'.join(specs)}")
    lines = [f"# {model.label}（由 python -m generator new 创建于 {today.isoformat()}）", f"id: {record_id}"]
    for name, spec in specs.items():
        if name in ("id", "visibility", "note"):
            continue
        info = model.model_fields[name]
        label = spec.title + ("（内部）" if spec.internal else "")
        if name in values and (spec.many or spec.part is not None):
            lines += _structured(name, values[name], label)
        elif name in values:
            lines.append(f"{name}: {scalar(values[name])}   # {label}")
        elif name == "history" and model.type_name == "problem":
            lines += ["history:   # 整改过程", f"  - date: {today.isoformat()}", "    state: registered",
                      "    by: hq-office"] + ([f"    note: {scalar(registered_note)}"] if registered_note else [])
        elif _is_date(info) and info.is_required():
            lines.append(f"{name}: {today.isoformat()}   # {label}")
        elif info.is_required():
            lines.append(f"{name}:   # {label}（必填）")
        else:
            lines.append(f"# {name}:   # {label}")
    path = records / model.folder / (record_id.split("-")[1] if model.yearly else "") / f"{record_id}.yaml"
    if path.exists():
        raise EditError(f"已有记录 {record_id}：{path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        atomic.create_bytes(path, ("\n".join(lines) + "\n").encode("utf-8"))
    except FileExistsError:
        raise EditError(f"已有记录 {record_id}：{path}（刚被另一次 new 创建）") from None
    return path


def _structured(name: str, text: str, label: str) -> list[str]:
    """A list or nested value given on the command line in YAML flow form: "[panlong, wuhua]"."""
    data, problem = parse_text("--" + name, f"{name}: {text}")
    if data is None:
        raise EditError(f"--{name.replace('_', '-')} 的值写法不对（列表写成 [甲, 乙]，映射写成 {{键: 值}}）："
                        f"{problem.message}")
    value = data[name] if isinstance(data[name], list) or isinstance(data[name], dict) else [data[name]]
    dumped = dump({name: value}).rstrip("\n").split("\n")
    return [f"{dumped[0]}   # {label}", *dumped[1:]]


def _is_date(info) -> bool:
    return _unwrap(info.annotation)[0] is dt.date


def find_record(records: Path, record_id: str) -> Path:
    for path in record_files(records):
        if path.stem == record_id and path.suffix == ".yaml":
            if path.is_symlink() or not path.is_file():
                raise EditError(f"{path} 不是普通文件；请先运行 make validate 查看。")
            return path
    raise EditError(f"找不到记录 {record_id}")


def transition(records: Path, record_id: str, state: str, day: dt.date, by: str | None = None,
               note: str | None = None, extra: dict[str, str] | None = None) -> Path:
    """Append a history event to problem `record_id`, after checking the lifecycle allows it."""
    if state not in STATE_LABELS:
        raise EditError(f"没有这种状态：{state}。可选：" + "、".join(f"{k}（{v}）" for k, v in STATE_LABELS.items()))
    path = find_record(records, record_id)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise EditError(f"{path} 不是 UTF-8 编码；请先运行 make validate 查看并改正。") from None
    data, problem = parse_text(path.name, text.lstrip("\ufeff"))
    if data is None:
        raise EditError(f"{path} 无法读取：{problem.message}；请先改正。")
    history = data.get("history") or []
    if not history:
        raise EditError(f"{record_id} 没有 history，不是问题记录或尚未立项")
    current = history[-1].get("state")
    if state not in TRANSITIONS.get(current, ()):
        allowed = "、".join(f"{s}（{STATE_LABELS[s]}）" for s in TRANSITIONS.get(current, ())) or "无"
        raise EditError(f"不能从“{STATE_LABELS.get(current, current)}”变为“{STATE_LABELS[state]}”；可以变为：{allowed}")
    last_date = str(history[-1].get("date"))
    if day.isoformat() < last_date:
        raise EditError(f"日期 {day} 早于上一条事件的 {last_date}")
    extra = dict(extra or {})
    if state == "extended":
        missing = [k for k in ("reason", "new_deadline", "approved_by") if not extra.get(k)]
        if missing:
            raise EditError("延期须写明 " + "、".join(f"--{k.replace('_', '-')}" for k in missing))
    if state == "closed" and not any(e.get("evidence") for e in history):
        raise EditError("销号前须有整改后照片或佐证材料：先用 --evidence 在“反馈”事件中附上")
    event = {"date": day.isoformat(), "state": state, "by": by, "note": note, **extra}
    return _append_event(path, text, event)


def _append_event(path: Path, text: str, event: dict) -> Path:
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    node = next(v for k, v in root.value if k.value == "history")
    if node.flow_style or not node.value:
        raise EditError("history 不是逐行书写的列表；请先运行 .venv/bin/taizhang fmt")
    item = node.value[-1]
    dash_column = item.start_mark.column - 2
    lines = text.split("\n")
    end_line = item.end_mark.line if item.end_mark.column == 0 else item.end_mark.line + 1
    def trailing(line: str) -> bool:        # blank, or a comment that belongs to what follows the list
        stripped = line.strip()
        return not stripped or (stripped.startswith("#") and len(line) - len(line.lstrip()) <= dash_column)
    while end_line > item.start_mark.line + 1 and trailing(lines[end_line - 1]):
        end_line -= 1
    pad = " " * dash_column
    # the file keeps its own line ends: a CRLF file gets CRLF lines
    end = "\r" if lines[0].endswith("\r") else ""
    new = []
    for i, (key, value) in enumerate((k, v) for k, v in event.items() if v not in (None, "", [])):
        lead = f"{pad}- " if i == 0 else f"{pad}  "
        if isinstance(value, list):
            new.append(f"{lead}{key}:{end}")
            new += [f"{pad}    - {scalar(v)}{end}" for v in value]
        else:
            new.append(f"{lead}{key}: {scalar(value)}{end}")
    lines[end_line:end_line] = new
    atomic.write_text(path, "\n".join(lines))
    return path
