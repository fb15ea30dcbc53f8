"""Editing commands that write records for staff: `new` (the next id, the right folder, today's
date, a commented skeleton) and `transition` (a history event appended to a problem).

Both only make the text they would write; the command line hands it to `commit.commit`, which
checks the would-be tree with `validate` and writes it, or refuses with validate's findings.
So `new` and `transition` keep exactly the rules `validate` keeps (the rulebook,
model/rulebook.py), no copy of their own. Both work on the text: `new` writes a fresh file;
`transition` inserts the event's lines right after the last line of the `history` list, so
every other byte of the file, comments included, stays as it was.
"""
from __future__ import annotations

import datetime as dt
import re
import shlex
from pathlib import Path

from ..model import RECORD_TYPES
from ..model.base import _check_month
from ..model.fields import _unwrap, field_specs
from ..model.lifecycle import STATE_LABELS
from ..model.problem import Event
from ..model.yamltext import dump, scalar
from ..validate.load import _Loader, parse_text, record_files


class EditError(Exception):
    """The edit cannot be made; the message says why, in Chinese."""


def field_options(tokens: list[str]) -> dict[str, str]:
    """`--title 某某 --district panlong` (the command line's words) → {"title": "某某", "district": "panlong"}."""
    values, key = {}, None
    for token in tokens:
        if token.startswith("--"):
            key = token[2:].replace("-", "_")
            values[key] = ""
        elif key is None:
            raise EditError(f"不明白 {token}：字段请写成 --字段名 值")
        else:
            values[key] = (values[key] + " " + token).strip()
    return values


def next_id(records: Path, type_name: str, day: dt.date, taken: set[str] = frozenset()) -> str:
    """The next id of the year; `taken`: ids of records about to be written with it."""
    model = RECORD_TYPES[type_name]
    if not model.yearly:
        raise EditError(f"{model.label}的编号不按年份编排，请用 --id 指定，例如 {model.id_example()}")
    folder = records / model.folder / str(day.year)
    pattern = re.compile(rf"{model.id_prefix}-{day.year}-(\d+)")
    numbers = [int(m.group(1)) for name in [p.stem for p in folder.glob("*.yaml")] + list(taken)
               if (m := pattern.fullmatch(name))]
    return f"{model.id_prefix}-{day.year}-{max(numbers, default=0) + 1:04d}"


def record_path(records: Path, type_name: str, record_id: str) -> Path:
    model = RECORD_TYPES[type_name]
    return records / model.folder / (record_id.split("-")[1] if model.yearly else "") / f"{record_id}.yaml"


def _today_by_default(name: str, info) -> bool:
    """A required date of something that happens when the record is made (a problem's 发现日期, a
    meeting's 日期): today unless given. A deadline is decided by someone: never guessed."""
    return _is_date(info) and info.is_required() and "deadline" not in name


def missing_values(type_name: str, values: dict[str, str]) -> list[str]:
    """Required fields that neither `values` nor `new` itself fill in."""
    model = RECORD_TYPES[type_name]
    out = []
    for name, info in model.model_fields.items():
        if not info.is_required() or name in values or _today_by_default(name, info):
            continue
        if (name == "id" and model.yearly) or (name == "history" and type_name == "problem"):
            continue
        out.append(name)
    return out


def _first_id(records: Path, type_name: str) -> str:
    """An id of a record of the type in the tree, to show how a reference is written."""
    model = RECORD_TYPES[type_name]
    folder = records / model.folder
    found = sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() and not model.yearly else []
    return found[0] if found else f"某某{model.label}编号"


def _taken(records: Path, model, name: str) -> set[str]:
    """The values of top-level field `name` in the tree's records of this (undated) type."""
    folder = records / model.folder
    if model.yearly or not folder.is_dir():
        return set()
    line = re.compile(rf"^{name}:\s*(\S+)", re.M)
    return {m.group(1) for p in folder.glob("*.yaml") for m in [line.search(p.read_text("utf-8", "replace"))] if m}


def _example(records: Path, model, name: str, today: dt.date) -> str:
    """A value for --NAME that shows how it is written and that the tree would take: ids
    taken from the tree; an organisation's number the next free one (序号从 1 起连续); a second
    general HQ would need its commanders, so an HQ's example is of the kind not yet there."""
    spec = next(s for s in field_specs(model) if s.name == name)
    info = model.model_fields[name]
    if name == "id":
        return f"new-{model.folder.rsplit('/', 1)[-1]}"
    if name == "number" and getattr(model, "type_name", None) in ("sub_hq", "inspection_group"):
        numbers = [int(v) for v in _taken(records, model, "number") if v.isdigit()]
        return str(max(numbers, default=0) + 1)
    if name == "kind" and getattr(model, "type_name", None) == "hq":
        return next((k for k in spec.labels if k not in _taken(records, model, "kind")), next(iter(spec.labels)))
    if spec.refs:
        value = _first_id(records, spec.refs[0])
        return f"[{value}]" if spec.many else value
    if spec.labels:
        value = next(iter(spec.labels))
        return f"[{value}]" if spec.many else value
    if spec.part is not None:
        inner = ", ".join(f"{s.name}: {_example(records, spec.part, s.name, today)}" for s in field_specs(spec.part)
                          if spec.part.model_fields[s.name].is_required())
        return f"[{{{inner}}}]" if spec.many else f"{{{inner}}}"
    bare = _unwrap(info.annotation)[0]
    if any(getattr(m, "func", None) is _check_month for m in info.metadata):
        return today.strftime("%Y-%m")
    if bare is dt.date:
        return (today + dt.timedelta(days=14)).isoformat()
    if bare in (int, float):
        return "1"
    return f"[某某{spec.title}]" if spec.many else f"某某{spec.title}"


def missing_message(records: Path, type_name: str, missing: list[str], values: dict[str, str], today: dt.date) -> str:
    model = RECORD_TYPES[type_name]
    titles = {s.name: s.title for s in field_specs(model)}
    listed = "、".join(f"--{n.replace('_', '-')}（{titles[n]}）" for n in missing)
    given = [f"--{k.replace('_', '-')} {shlex.quote(v)}" for k, v in values.items()]
    examples = {n: _example(records, model, n, today) for n in missing}
    if type_name == "hq" and examples.get("kind", values.get("kind")) == "general":
        examples["leaders"] = "[{role: 某某职务, position: commander}]"    # a general HQ names its commanders
    wanted = [f"--{n.replace('_', '-')} {shlex.quote(v)}" for n, v in examples.items()]
    automatic = "编号、" if model.yearly else ""
    automatic += "、".join(titles[n] for n, info in model.model_fields.items() if _today_by_default(n, info))
    automatic = f"（{automatic.rstrip('、')}自动填写）" if automatic else ""
    return (f"新建{model.label}还缺少必填字段：{listed}{automatic}。没有写入任何文件。例如：\n"
            f"  python -m generator new {type_name} " + " ".join(given + wanted))


def new_text(records: Path, type_name: str, values: dict[str, str], today: dt.date,
             registered_note: str | None = None, taken: set[str] = frozenset()) -> tuple[Path, str]:
    """The file a new record of `type_name` would be, and its text: the given values, today's
    date where the record's own date is required, the next id for yearly types; optional fields
    not given are listed as comments. A problem starts registered today (by the HQ office),
    with `registered_note` on that event if given. Refuses (EditError) when a required value
    is missing or a field is unknown; whether the values are right is for `validate`."""
    if type_name not in RECORD_TYPES:
        raise EditError(f"没有这种记录类型：{type_name}。可选：{'、'.join(RECORD_TYPES)}")
    model = RECORD_TYPES[type_name]
    values = dict(values)
    specs = {s.name: s for s in field_specs(model)}
    unknown = [k for k in values if k not in specs]
    if unknown:
        raise EditError(f"{model.label}没有字段 {'、'.join(unknown)}；可用字段：{'、'.join(specs)}")
    if "id" in values and not model.id_regex().fullmatch(values["id"]):  # before the id becomes part of a path
        raise EditError(f"编号 {values['id']} 不符合{model.label}的编号格式 {model.id_pattern()}，"
                        f"例如 {model.id_example()}")
    missing = missing_values(type_name, values)
    if missing:
        raise EditError(missing_message(records, type_name, missing, values, today))
    record_id = values.pop("id") if "id" in values else next_id(records, type_name, today, taken)
    lines = [f"# {model.label}（由 python -m generator new 创建于 {today.isoformat()}）", f"id: {record_id}"]
    for name, spec in specs.items():
        if name == "id" or (name in ("visibility", "note") and name not in values):
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
        elif _today_by_default(name, info):
            lines.append(f"{name}: {today.isoformat()}   # {label}")
        else:
            lines.append(f"# {name}:   # {label}")
    path = record_path(records, type_name, record_id)
    if path.exists():
        raise EditError(f"已有记录 {record_id}：{path}")
    return path, "\n".join(lines) + "\n"


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
    """The file of record `record_id`: where its id puts it (a yearly id names its type and
    year), else wherever it is (a walk of the whole tree, slow at 100,000 files)."""
    for model in RECORD_TYPES.values():
        if model.yearly and model.id_regex().fullmatch(record_id):
            path = record_path(records, model.type_name, record_id)
            if path.is_file() and not path.is_symlink():
                return path
    for path in record_files(records):
        if path.stem == record_id and path.suffix == ".yaml":
            if path.is_symlink() or not path.is_file():
                raise EditError(f"{path} 不是普通文件；请先运行 make validate 查看。")
            return path
    raise EditError(f"找不到记录 {record_id}")


def transition_text(records: Path, record_id: str, state: str, day: dt.date, by: str | None = None,
                    note: str | None = None, extra: dict | None = None,
                    text: str | None = None) -> tuple[Path, str]:
    """The problem's file and its text with a history event appended (to `text` if given, else
    to the file's). Whether the lifecycle allows it, and whether the values are right, is for
    `validate` (the rulebook); this refuses only what cannot be written at all."""
    if state not in STATE_LABELS:
        raise EditError(f"没有这种状态：{state}。可选：" + "、".join(f"{k}（{v}）" for k, v in STATE_LABELS.items()))
    path = find_record(records, record_id)
    if text is None:
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            raise EditError(f"{path} 不是 UTF-8 编码；请先运行 make validate 查看并改正。") from None
    data, problem = parse_text(path.name, text.lstrip("\ufeff"))
    if data is None:
        raise EditError(f"{path} 无法读取：{problem.message}；请先改正。")
    if not isinstance(data.get("history"), list) or not data["history"]:
        raise EditError(f"{record_id} 没有 history，不是问题记录或尚未立项")
    return path, event_text(text, state, day, by, note, extra)


def event_text(text: str, state: str, day: dt.date, by: str | None = None, note: str | None = None,
               extra: dict | None = None) -> str:
    """`text` (a problem's, its history a block list) with the event appended after its last
    event, in the order of the model's fields (the order `fmt` keeps)."""
    given = {"date": day.isoformat(), "state": state, "by": by, "note": note, **(extra or {})}
    order = [s.name for s in field_specs(Event)]
    event = {k: given[k] for k in sorted(given, key=lambda k: order.index(k) if k in order else len(order))}
    return _append_event(text, event)


def _append_event(text: str, event: dict) -> str:
    loader = _Loader(text.lstrip("\ufeff"))
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
    return "\n".join(lines)
