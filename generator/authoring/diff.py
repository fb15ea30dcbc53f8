"""A reviewer's summary of what changed in records/ between two Git revisions, record by record,
in the reviewers' language: states, deadlines moved, extensions and who granted them, evidence
added; which changes need a second reviewer; and whether the new revision validates.

Git is asked twice for the whole change (names, then all blobs in one `cat-file --batch`), so
the cost follows the size of the change, not of the repository.

Two renderings of the same summary: Markdown for CI summaries and merge requests (record text
escaped so that it stays literal: no links, emphasis or HTML) and plain text for a terminal
(record text on one line with invisible and control characters shown as escapes, so a record
can never move the cursor or recolour the reviewer's terminal).
"""
from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from ..findings import visible
from ..model.fields import field_specs
from ..model.lifecycle import STATE_LABELS
from ..validate.load import _classify, parse_text

_MD = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


class GitError(Exception):
    """A revision or the repository could not be read."""


def md(text) -> str:
    """Record text as literal Markdown: no links, images, emphasis or HTML; on one line, control
    characters shown as escapes (a summary file may still end up in a terminal)."""
    text = visible(str(text).replace("\n", " "))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD.sub(r"\\\1", text)


def plain(text) -> str:
    """Record text for a terminal: as written, on one line, control characters (ESC …) as escapes."""
    return visible(str(text))


@dataclass(frozen=True)
class Style:
    """How the summary writes record text and emphasis."""
    name: str
    esc: object                         # record text → shown text
    strong: object                      # our own words, emphasised


MARKDOWN = Style("markdown", md, lambda text: f"**{text}**")
TEXT = Style("text", plain, lambda text: text)
STYLES = {"markdown": MARKDOWN, "text": TEXT}


@dataclass
class RecordChange:
    kind: str                        # added | removed | modified | renamed
    path: str                        # path in HEAD (or BASE for removed)
    old_path: str | None
    type_label: str
    record_id: str
    title: str
    lines: list[str] = field(default_factory=list)
    second_review: list[str] = field(default_factory=list)


def _git(repo: Path, *args: str) -> bytes:
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True)
    if result.returncode:
        raise GitError(result.stderr.decode("utf-8", "replace").strip())
    return result.stdout


def _blobs(repo: Path, specs: list[str]) -> dict[str, bytes]:
    if not specs:
        return {}
    result = subprocess.run(["git", "-C", str(repo), "cat-file", "--batch"], input="\n".join(specs).encode() + b"\n",
                            capture_output=True, check=True)
    out, data, pos = {}, result.stdout, 0
    for spec in specs:
        end = data.index(b"\n", pos)
        header = data[pos:end].split()
        if header[-1] == b"missing":
            pos = end + 1
            continue
        size = int(header[2])
        out[spec] = data[end + 1:end + 1 + size]
        pos = end + 1 + size + 1
    return out


def _changes(repo: Path, base: str, head: str) -> list[tuple[str, str | None, str]]:
    raw = _git(repo, "diff", "--name-status", "-M", "-z", base, head, "--", "records").decode("utf-8")
    parts = [p for p in raw.split("\0") if p]
    out, i = [], 0
    while i < len(parts):
        status = parts[i]
        if status.startswith("R"):
            out.append(("renamed", parts[i + 1], parts[i + 2]))
            i += 3
        else:
            kind = {"A": "added", "D": "removed"}.get(status[0], "modified")
            out.append((kind, None, parts[i + 1]))
            i += 2
    return [c for c in out if c[2].endswith(".yaml") and not c[2].startswith("records/attachments/")]


def _data(file: str, blob: bytes | None) -> dict:
    if blob is None:
        return {}
    data, _problem = parse_text(file, blob.decode("utf-8", "replace").lstrip("\ufeff"))
    return data or {}


def _days(a, b) -> int | None:
    try:
        return (dt.date.fromisoformat(str(b)) - dt.date.fromisoformat(str(a))).days
    except ValueError:
        return None


class _Describer:
    def __init__(self, names: dict[str, str], style: Style):
        self.names, self.style = names, style

    def name(self, record_id) -> str:
        return self.style.esc(self.names.get(record_id, record_id)) if record_id else "—"

    def event(self, event: dict, previous_deadline) -> tuple[list[str], list[str]]:
        esc = self.style.esc
        state = event.get("state")
        label = STATE_LABELS.get(state, state)
        by = f"，{self.name(event['by'])}" if event.get("by") else ""
        lines = [f"新事件：{self.style.strong(label)}（{esc(event.get('date'))}{by}）" + (f"：{esc(event['note'])}" if event.get("note") else "")]
        second = []
        if state == "extended":
            new = event.get("new_deadline")
            delta = _days(previous_deadline, new)
            moved = f"（推迟 {delta} 天）" if delta is not None else ""
            lines.append(f"延期：整改时限 {esc(previous_deadline)} → {esc(new)}{moved}，批准：{self.name(event.get('approved_by'))}"
                         + (f"，理由：{esc(event['reason'])}" if event.get("reason") else ""))
            second.append("延期")
        if state == "closed":
            second.append("销号")
        if event.get("evidence"):
            lines.append(f"附上佐证材料 {len(event['evidence'])} 份：" + "、".join(esc(e) for e in event["evidence"]))
        return lines, second

    def fields(self, model, old: dict, new: dict, change: RecordChange) -> None:
        esc = self.style.esc
        titles = {s.name: s.title for s in field_specs(model)} if model else {}
        for key in list(dict.fromkeys([*old, *new])):
            if key == "history" or old.get(key) == new.get(key):
                continue
            title = titles.get(key, key)
            before, after = old.get(key), new.get(key)
            if key == "deadline":
                delta = _days(before, after)
                moved = "" if delta is None else (f"（推迟 {delta} 天）" if delta > 0 else f"（提前 {-delta} 天）")
                change.lines.append(f"{title}：{esc(before)} → {esc(after)}{moved}")
                change.second_review.append("改整改时限")
            elif before is None:
                change.lines.append(f"新增{title}：{self.short(after)}")
            elif after is None:
                change.lines.append(f"删去{title}（原为 {self.short(before)}）")
            else:
                change.lines.append(f"{title}：{self.short(before)} → {self.short(after)}")
        old_events, new_events = old.get("history") or [], new.get("history") or []
        if old_events == new_events:
            return
        if new_events[:len(old_events)] != old_events:
            change.lines.append(self.style.strong("整改过程中已有的事件被改动或删除") + "（不是只在末尾追加）")
            change.second_review.append("改动已有事件")
            return
        deadline = next((e.get("new_deadline") for e in reversed(old_events) if e.get("new_deadline")),
                        new.get("deadline"))
        if old_events:
            change.lines.append(f"状态：{STATE_LABELS.get(old_events[-1].get('state'), '?')} → "
                                f"{STATE_LABELS.get(new_events[-1].get('state'), '?')}")
        for event in new_events[len(old_events):]:
            lines, second = self.event(event, deadline)
            change.lines += lines
            change.second_review += second
            deadline = event.get("new_deadline") or deadline

    def short(self, value) -> str:
        text = self.style.esc(value)
        return text if len(text) <= 60 else text[:60] + "…"


def summarize(repo: Path, base: str, head: str, names: dict[str, str], style: Style = MARKDOWN) -> list[RecordChange]:
    changes = _changes(repo, base, head)
    specs = []
    for kind, old_path, path in changes:
        if kind != "added":
            specs.append(f"{base}:{old_path or path}")
        if kind != "removed":
            specs.append(f"{head}:{path}")
    blobs = _blobs(repo, specs)
    describer = _Describer(names, style)
    esc = style.esc
    out = []
    for kind, old_path, path in changes:
        old = _data(path, blobs.get(f"{base}:{old_path or path}")) if kind != "added" else {}
        new = _data(path, blobs.get(f"{head}:{path}")) if kind != "removed" else {}
        model, _year = _classify(Path(path).relative_to("records"))
        record = new or old
        change = RecordChange(kind, path, old_path, model.label if model else "记录", str(record.get("id", Path(path).stem)),
                              str(record.get("title") or record.get("name") or ""))
        if kind == "added":
            change.lines.append("新建记录")
            if model and model.type_name == "problem":
                change.lines.append(f"责任区 {describer.name(new.get('district'))}，责任单位 "
                                    f"{describer.name(new.get('responsible_unit'))}，整改时限 {esc(new.get('deadline'))}")
        elif kind == "removed":
            change.lines.append("删除记录")
            change.second_review.append("删除记录")
        else:
            if kind == "renamed":
                change.lines.append(f"文件改名：{esc(old_path)} → {esc(path)}")
            describer.fields(model, old, new, change)
        if model and model.type_name == "accountability":
            change.second_review.append("责任追究")
        change.second_review = list(dict.fromkeys(change.second_review))
        out.append(change)
    return out


def head_records(repo: Path, head: str, into: Path) -> Path:
    """records/ as it is in `head`, unpacked into a folder."""
    archive = _git(repo, "archive", "--format=tar", head, "records")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "records"


def render(base: str, head: str, changes: list[RecordChange], findings, ok: bool, style: Style = MARKDOWN) -> str:
    """The summary in `style`: Markdown (headings, lists) or plain text for a terminal."""
    esc, markdown_ = style.esc, style is MARKDOWN

    def heading(level: int, text: str) -> list[str]:
        if markdown_:
            return [f"{'#' * level} {text}", ""]
        return [text, ""] if level == 2 else [f"■ {text}", ""]

    counts = {k: sum(c.kind == k for c in changes) for k in ("added", "modified", "renamed", "removed")}
    lines = heading(2, f"记录变更摘要（{esc(base)} → {esc(head)}）")
    lines += [f"共 {len(changes)} 条记录：新增 {counts['added']}，修改 {counts['modified']}，"
              f"改名 {counts['renamed']}，删除 {counts['removed']}。", ""]
    flagged = [c for c in changes if c.second_review]
    if flagged:
        lines += heading(3, "需要第二位审核人")
        lines += [f"- {c.type_label} {esc(c.record_id)}：{'、'.join(c.second_review)}" for c in flagged]
        lines.append("")
    kind_label = {"added": "新增", "modified": "修改", "renamed": "改名", "removed": "删除"}
    for c in changes:
        title = f" {esc(c.title)}" if c.title else ""
        lines += heading(3, f"{c.type_label} {esc(c.record_id)}{title}（{kind_label[c.kind]}）")
        lines += [f"- {line}" for line in c.lines] + [""]
    errors = [f for f in findings if f.severity == "error"]
    lines += heading(3, "校验结果")
    if ok:
        lines.append(f"✅ 全部记录有效（{len(findings)} 个警告）。")
    else:
        lines.append(f"❌ {len(errors)} 个错误，合并前须改正：")
        where = (lambda f: f"`{f.file}:{f.line}:{f.column}`") if markdown_ else (lambda f: f"{plain(f.file)}:{f.line}:{f.column}")
        lines += [f"- {where(f)} {f.code} {esc(f.message)}" for f in errors[:50]]
        if len(errors) > 50:
            lines.append(f"- ……另有 {len(errors) - 50} 个")
    return "\n".join(lines) + "\n"
