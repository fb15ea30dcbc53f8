"""Validate, step 1, load: record files → plain data, one Document per file, plus findings.

YAML is parsed by libyaml (PyYAML's C parser) into nodes; values are built from the nodes
here, with YAML 1.2 meaning (`yes`, `no`, `on` stay strings; dates stay text until the model
checks them), and anything a record never needs is refused per file: duplicate keys, anchors
and aliases, tags, deep nesting, non-mapping roots, non-UTF-8 text, binary content. A bad
file yields findings for that file only; the others are still read.

Positions are not kept for every value (that would cost memory at 100,000 records): a
finding that only knows a path inside the record is located later by `locate`.
"""
from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..findings import Finding, finding
from ..model import FOLDER_TYPES, Record

MAX_BYTES = 1_000_000
MAX_DEPTH = 32
ATTACHMENTS = "attachments"
_IGNORED = {"README.md", ".gitkeep", ".DS_Store"}
_YEAR = re.compile(r"^[0-9]{4}$")


@dataclass(frozen=True, slots=True)
class Document:
    """One record file's data, before the model has checked it."""
    file: str                      # posix path relative to the records folder's parent
    path: Path                     # absolute path on disk
    record_type: type[Record]
    data: dict[str, Any]
    year_folder: str | None        # the YYYY folder for yearly types


_STR, _SEQ, _MAP = ("tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map")
_DEFAULT_TAG = {ScalarNode: _STR, SequenceNode: _SEQ, MappingNode: _MAP}


class _Loader(yaml.CSafeLoader):
    """libyaml parser and composer with no implicit typing: plain scalars are typed by
    `_scalar` below (YAML 1.2), explicit tags are kept as written and refused by `node_value`."""

    def resolve(self, kind, value, implicit):
        return _DEFAULT_TAG[kind]

_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")


class Reject(Exception):
    """A file-level problem found while building values; carries its finding arguments."""

    def __init__(self, code: str, node=None, **values):
        super().__init__(code)
        self.code, self.node, self.values = code, node, values


def _scalar(node: ScalarNode) -> Any:
    """YAML 1.2 core schema for plain scalars; quoted and block scalars are strings."""
    value = node.value
    if node.style:              # libyaml reports plain scalars with style '' (or None)
        return value
    if value in _NULL:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if _INT.match(value) and len(value) <= 30:   # longer "numbers" stay text (no int() blow-up)
        return int(value)
    if _FLOAT.match(value) and len(value) <= 30:
        return float(value)
    return value


def node_value(node, seen: set[int], depth: int = 0) -> Any:
    """The plain value of a YAML node (`seen`: the nodes already built, to refuse aliases)."""
    if depth > MAX_DEPTH:
        raise Reject("E-YAML-TOO-DEEP", node, limit=MAX_DEPTH)
    if id(node) in seen:
        raise Reject("E-YAML-ALIAS", node)
    seen.add(id(node))
    if node.tag not in (_STR, _SEQ, _MAP):
        raise Reject("E-YAML-TAG", node, tag=node.tag.replace("tag:yaml.org,2002:", "!!"))
    if isinstance(node, ScalarNode):
        return _scalar(node)
    if isinstance(node, SequenceNode):
        return [node_value(item, seen, depth + 1) for item in node.value]
    result: dict[str, Any] = {}
    first_line: dict[str, int] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode) or key_node.tag != _STR:
            raise Reject("E-YAML-KEY", key_node)
        key = key_node.value
        if key in result:
            raise Reject("E-YAML-DUPLICATE-KEY", key_node, key=key, first_line=first_line[key])
        first_line[key] = key_node.start_mark.line + 1
        result[key] = node_value(value_node, seen, depth + 1)
    return result


def _has_anchor(text: str) -> tuple[int, int] | None:
    """Where the first anchor is, if any (an anchor with no alias leaves no trace in nodes)."""
    if "&" not in text:
        return None
    for event in yaml.parse(text, Loader=_Loader):
        if getattr(event, "anchor", None):
            return event.start_mark.line + 1, event.start_mark.column + 1
    return None


# libyaml's problem text → (Chinese description, hint)
_SYNTAX = (
    ("mapping values are not allowed", "此处不能出现“字段: 值”", "冒号后须有空格；值里含英文冒号时请给整个值加引号。"),
    ("could not find expected ':'", "缺少冒号", "这一行缺少“字段: 值”中的冒号，或上一行的引号没有闭合。"),
    ("found unexpected end of stream", "文件意外结束", "引号或括号没有闭合。"),
    ("expected <block end>", "缩进不一致", "同一层的字段须对齐。"),
    ("did not find expected key", "缩进不一致", "同一层的字段须对齐；列表项以“- ”开头。"),
    ("found character that cannot start any token", "含有不能作为开头的字符", "请给这个值加引号。"),
    ("another document", "一个文件里有多条记录", "一个文件只能有一条记录；请删去多余的 ---。"),
    ("unacceptable character", "含有不允许的控制字符", "文本含有不可见的控制字符；请删除后重新输入。"),
    ("found undefined tag handle", "未定义的标签", "请去掉以 ! 开头的标签。"),
    ("while scanning an alias", "别名写法错误", "* 开头的值请加引号。"),
    ("while scanning an anchor", "锚点写法错误", "& 开头的值请加引号。"),
)


# Problems libyaml notices only where it gives up (end of file, next line): the context mark
# points at where the trouble starts (the opening quote or bracket, the key missing its colon).
_AT_CONTEXT = ("while scanning a quoted scalar", "while scanning a simple key",
               "while parsing a flow sequence", "while parsing a flow mapping")


def _syntax_finding(file: str, text: str, error: yaml.YAMLError) -> Finding:
    context = getattr(error, "context", None) or ""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if context.startswith(_AT_CONTEXT) and getattr(error, "context_mark", None) is not None:
        mark = error.context_mark
    english = str(getattr(error, "problem", None) or error).split("\n")[0]
    detail, hint = next(((d, h) for key, d, h in _SYNTAX if key in str(error)),
                        ("格式不正确", "请检查这一行及上一行的缩进、冒号和引号。"))
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    if isinstance(error, yaml.reader.ReaderError):
        # libyaml counts bytes of the UTF-8 text, not characters
        prefix = text.encode("utf-8")[:error.position].decode("utf-8", errors="ignore")
        line, column = _line_col_of_offset(prefix, len(prefix))
        detail, hint = _SYNTAX[7][1], _SYNTAX[7][2]
        code = error.character if isinstance(error.character, int) else ord(error.character)
        english = f"U+{code:04X}"
    detail = f"{detail}（{english}）"
    return finding("E-YAML-SYNTAX", file, line=line, column=column, detail=detail, hint=hint)


def _line_col_of_offset(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _decode(file: str, raw: bytes) -> tuple[str | None, Finding | None]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, finding("E-FILE-ENCODING", file, line=1, column=1, detail="（是 UTF-16）")
    if b"\x00" in raw:
        line, column = _line_col_of_offset(raw.decode("latin-1"), raw.index(b"\x00"))
        return None, finding("E-FILE-BINARY", file, line=line, column=column)
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as error:
        prefix = raw[:error.start].decode("utf-8", errors="replace")
        line, column = _line_col_of_offset(prefix, len(prefix))
        try:
            raw.decode("gb18030")
            detail = "，看起来是 GBK/GB18030 编码"
        except UnicodeDecodeError:
            detail = ""
        return None, finding("E-FILE-ENCODING", file, line=line, column=column, detail=detail)


def _tab_indent(text: str) -> tuple[int, int] | None:
    if "\t" not in text:
        return None
    for number, line in enumerate(text.split("\n"), 1):   # YAML breaks lines only at \n and \r
        indent = len(line) - len(line.lstrip(" \t"))
        if "\t" in line[:indent]:
            return number, line.index("\t") + 1
    return None


def parse_text(file: str, text: str) -> tuple[dict | None, Finding | None]:
    """Parse one record's text into a mapping, or the one finding that stops it."""
    data, _root, problem = parse_nodes(file, text)
    return data, problem


def parse_nodes(file: str, text: str) -> tuple[dict | None, Node | None, Finding | None]:
    """`parse_text`, also returning the root node, so that a caller that wants positions
    (the validator's per-file pass) need not parse the text a second time."""
    tab = _tab_indent(text)
    if tab:
        return None, None, finding("E-YAML-TAB", file, line=tab[0], column=tab[1])
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
        if node is None:
            return None, None, finding("E-FILE-EMPTY", file, line=1, column=1)
        anchor = _has_anchor(text)
        if anchor:
            return None, None, finding("E-YAML-ALIAS", file, line=anchor[0], column=anchor[1])
        data = node_value(node, set())
    except Reject as reject:
        mark = reject.node.start_mark if reject.node is not None else None
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return None, None, finding(reject.code, file, line=line, column=column, **reject.values)
    except yaml.YAMLError as error:
        return None, None, _syntax_finding(file, text, error)
    except RecursionError:
        return None, None, finding("E-YAML-TOO-DEEP", file, line=1, column=1, limit=MAX_DEPTH)
    if not isinstance(data, dict):
        kind = "列表" if isinstance(data, list) else "单个值"
        return None, None, finding("E-YAML-ROOT", file, line=node.start_mark.line + 1,
                                   column=node.start_mark.column + 1, kind=kind)
    return data, node, None


def read_text(file: str, path: Path) -> tuple[str | None, Finding | None]:
    with open(path, "rb") as f:     # one open and read: no stat first (this runs 100,000 times)
        raw = f.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            size = os.fstat(f.fileno()).st_size
            return None, finding("E-FILE-TOO-LARGE", file, line=1, column=1,
                                 size=f"{size / 1e6:.1f} MB", limit=f"{MAX_BYTES / 1e6:.0f} MB")
    return _decode(file, raw)


def given_text(file: str, text: str | bytes) -> tuple[str | None, Finding | None]:
    """`read_text` for text a writer is about to put in a file (validate's overlay): the same
    size limit and decoding, so the would-be file reads as it will from disk."""
    raw = text if isinstance(text, bytes) else text.encode("utf-8", errors="surrogatepass")
    if len(raw) > MAX_BYTES:
        return None, finding("E-FILE-TOO-LARGE", file, line=1, column=1,
                             size=f"{len(raw) / 1e6:.1f} MB", limit=f"{MAX_BYTES / 1e6:.0f} MB")
    return _decode(file, raw)


def _classify(rel: Path) -> tuple[type[Record] | None, str | None]:
    """The record type for a path relative to records/, and its year folder if any."""
    parts = rel.parts[:-1]
    if parts and _YEAR.match(parts[-1]):
        record_type = FOLDER_TYPES.get("/".join(parts[:-1]))
        if record_type is not None and record_type.yearly:
            return record_type, parts[-1]
    record_type = FOLDER_TYPES.get("/".join(parts))
    return record_type, None


def record_files(records: Path) -> list[Path]:
    """All files under records/ except attachments, sorted for deterministic output."""
    return [Path(folder, name) for folder, name in walk_records(records)]


def walk_records(records: Path) -> list[tuple[str, str]]:
    """(folder, name) of every file under records/ except attachments, in report order:
    folders and names sorted, a folder's files before its subfolders. Strings, not Paths:
    at 100,000 files the difference is a good part of a run that finds nothing changed."""
    found = []
    top = os.fspath(records)
    for dirpath, dirnames, filenames in os.walk(top):
        if dirpath == top and ATTACHMENTS in dirnames:
            dirnames.remove(ATTACHMENTS)
        dirnames.sort()
        found.extend((dirpath, name) for name in sorted(filenames)
                     if name not in _IGNORED and not name.startswith("."))
    return found


def classify_name(records: Path, folder: str, name: str,
                  is_link: bool) -> tuple[str, type[Record] | None, str | None, Finding | None]:
    """What a file `name` in `folder` (posix, relative to the resolved `records`, "" at the top)
    is by its name and place alone: its display path, record type and year folder, or the
    finding that stops it before it is read (not a .yaml file, not in a record folder, a
    symlink out of records/). `is_link`: the file is a symlink (the caller has looked)."""
    rel = f"{folder}/{name}" if folder else name
    file = f"{records.name}/{rel}"
    record_type, year = folder_type(folder)
    dot = name.rfind(".")
    suffix = name[dot:] if 0 < dot < len(name) - 1 else ""      # as PurePath.suffix
    if suffix != ".yaml":
        if suffix in (".yml", ".YAML", ".YML"):
            return file, None, None, finding("E-FILE-EXTENSION", file, line=1, column=1, name=name,
                                             suggestion=name[:dot] + ".yaml")
        return file, None, None, finding("E-FILE-NOT-RECORD", file, line=1, column=1, name=name)
    if record_type is None:
        yearly = next((t for f, t in FOLDER_TYPES.items() if t.yearly and (folder or ".") == f), None)
        if yearly is not None:
            return file, None, None, finding("E-FILE-YEAR-FOLDER", file, line=1, column=1,
                                             example=f"records/{yearly.folder}/2017/{name}")
        return file, None, None, finding("E-FILE-UNKNOWN-FOLDER", file, line=1, column=1,
                                         folder=folder or ".",
                                         example="records/problems/2017/P-2017-0001.yaml")
    if is_link:
        path = records / rel
        if not path.exists() or not path.resolve().is_relative_to(records):
            return file, None, None, finding("E-FILE-SYMLINK", file, line=1, column=1)
    return file, record_type, year, None


@functools.lru_cache(maxsize=4096)
def folder_type(folder: str) -> tuple[type[Record] | None, str | None]:
    """The record type kept in `folder` (posix, relative to records/) and its year folder."""
    return _classify(PurePosixPath(folder, "x"))


def read_record(file: str, path: Path) -> tuple[str | None, Finding | None]:
    """The text of a record file, or the finding that stops it (too large, unreadable, not UTF-8)."""
    try:
        return read_text(file, path)
    except OSError as error:
        return None, finding("E-FILE-UNREADABLE", file, line=1, column=1,
                             detail=error.strerror or type(error).__name__)
