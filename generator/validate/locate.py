"""Fill in line and column for findings that know only a path inside a record.

Each file with such findings is parsed once more (libyaml, ~0.1 ms) and the path walked in
its nodes; findings are rare, so this costs far less than keeping every position of every
record in memory. The validator's per-file pass, which has the nodes at hand anyway, fills in
the positions of the findings it makes and of the few places later passes often point at
(`Positions`), so that those need no second parse.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from yaml.nodes import MappingNode, Node, SequenceNode

from ..findings import Finding, Loc
from .load import _Loader, given_text, read_text

# Codes whose location is the key itself (the key is what is wrong), not its value.
_AT_KEY = {"E-SCHEMA-UNKNOWN-KEY"}

# (loc, at the key) → (line, column), per file
Positions = dict[tuple[Loc, bool], tuple[int, int]]


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


def position_in(root: Node | None, loc: Loc, key_of_last: bool = False) -> tuple[int, int]:
    if root is None:
        return 1, 1
    node = _node_at(root, loc, key_of_last)
    return node.start_mark.line + 1, node.start_mark.column + 1


def position(text: str, loc: Loc, key_of_last: bool = False) -> tuple[int, int]:
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    return position_in(root, loc, key_of_last)


def where(f: Finding) -> tuple[Loc, bool]:
    """The key a finding's position is known by."""
    return f.loc, f.code in _AT_KEY


def locate_in(root: Node | None, findings, known: Positions) -> list[Finding]:
    """Findings of one file whose nodes are at hand, located; their positions added to `known`."""
    out = []
    for f in findings:
        if f.line == 0:
            key = where(f)
            if key not in known:
                known[key] = position_in(root, *key)
            f = f.located(*known[key])
        out.append(f)
    return out


def locate(findings: list[Finding], records: Path,
           known: dict[str, Positions] | None = None, texts: dict[str, str] | None = None) -> list[Finding]:
    """Return findings with line/column filled in where a stage left them at 0: from `known`
    (file → positions) where it has them, else by parsing the file again (and adding to
    `known`); a file in `texts` (validate's overlay) is parsed from there."""
    known = {} if known is None else known
    pending: dict[str, list[int]] = defaultdict(list)
    out = list(findings)
    for i, f in enumerate(findings):
        if f.line == 0:
            spot = known.get(f.file, {}).get(where(f))
            if spot is not None:
                out[i] = f.located(*spot)
            else:
                pending[f.file].append(i)
    base = records.resolve().parent
    for file, indexes in pending.items():
        text, problem = given_text(file, texts[file]) if texts and file in texts else read_text(file, base / file)
        if text is None:
            for i in indexes:
                out[i] = out[i].located(1, 1)
            continue
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
        positions = known.setdefault(file, {})
        located = locate_in(root, [out[i] for i in indexes], positions)
        for i, f in zip(indexes, located):
            out[i] = f
    return out
