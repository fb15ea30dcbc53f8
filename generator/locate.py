"""Fill in line and column for findings that know only a path inside a record.

Each file with such findings is parsed once more (libyaml, ~0.1 ms) and the path walked in
its nodes; findings are rare, so this costs far less than keeping every position of every
record in memory.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from yaml.nodes import MappingNode, SequenceNode

from .findings import Finding, Loc
from .load import _Loader, read_text


def _node_at(root, loc: Loc, key_of_last: bool):
    node = root
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, MappingNode) and isinstance(part, str):
            match = next(((k, v) for k, v in node.value if k.value == part), None)
            if match is None:
                return node
            node = match[0] if (last and key_of_last) else match[1]
        elif isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            return node
    return node


def position(text: str, loc: Loc, key_of_last: bool = False) -> tuple[int, int]:
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    if root is None:
        return 1, 1
    node = _node_at(root, loc, key_of_last)
    return node.start_mark.line + 1, node.start_mark.column + 1


# Codes whose location is the key itself (the key is what is wrong), not its value.
_AT_KEY = {"E-SCHEMA-UNKNOWN-KEY"}


def locate(findings: list[Finding], records: Path) -> list[Finding]:
    """Return findings with line/column filled in where a stage left them at 0."""
    pending: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(findings):
        if f.line == 0:
            pending[f.file].append(i)
    if not pending:
        return findings
    out = list(findings)
    base = records.resolve().parent
    for file, indexes in pending.items():
        text, problem = read_text(file, base / file)
        for i in indexes:
            f = out[i]
            line, column = (1, 1) if text is None else position(text, f.loc, f.code in _AT_KEY)
            out[i] = f.located(line, column)
    return out
