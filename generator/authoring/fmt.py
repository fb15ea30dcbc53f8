"""`fmt`: records in their canonical form, comments kept.

Canonical means: keys in the order the record type declares its fields (unknown keys after them,
as they were), block style with two-space indentation and list items indented under their key,
strings quoted only where YAML would read them otherwise, UTF-8 without BOM, LF line ends, one
final newline. Formatting twice changes nothing. Comments stay (a whole-line comment travels
with the key before it when keys move).
"""
from __future__ import annotations

import io
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..validate.load import _classify, record_files
from ..model.fields import field_specs


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096                    # never fold long Chinese text
    yaml.preserve_quotes = False
    return yaml


def _canonical(node, model) -> None:
    if isinstance(node, CommentedMap):
        node.fa.set_block_style()
        specs = {s.name: s for s in field_specs(model)} if model else {}
        keys = list(node.keys())
        wanted = [k for k in specs if k in node] + [k for k in keys if k not in specs]
        if wanted != keys:
            moved = [(k, node[k], node.ca.items.get(k)) for k in wanted]
            for k in keys:
                del node[k]
            for k, value, comment in moved:
                node[k] = value
                if comment is not None:
                    node.ca.items[k] = comment
        for key, value in node.items():
            spec = specs.get(key)
            _canonical(value, spec.part if spec else None)
    elif isinstance(node, CommentedSeq):
        node.fa.set_block_style()
        for index, item in enumerate(node):
            _canonical(item, model)
            if index in node.ca.items and isinstance(item, CommentedMap):
                item.fa.set_flow_style()    # a comment after a flow item has no good block home


def _once(text: str, model) -> str:
    yaml = _yaml()
    data = yaml.load(text)
    _canonical(data, model)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def format_text(text: str, model) -> str:
    """The canonical text; formatting it again gives the same text."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    for _ in range(3):                 # comment placement can settle only on the second pass
        formatted = _once(text, model)
        if formatted == text:
            break
        text = formatted
    return text


def format_file(path: Path, records: Path) -> tuple[str, str] | None:
    """(old text, new text) when the file is a record that is not in canonical form."""
    if path.is_symlink() or not path.is_file():   # validate reports these; a FIFO would block the read
        return None
    model, _year = _classify(path.resolve().relative_to(records.resolve()))
    raw = path.read_bytes()
    try:
        old = raw.decode("utf-8")
        new = format_text(old, model)
    except Exception:     # not readable YAML: validate reports it; fmt leaves the file alone
        return None
    return (old, new) if new != old else None


def targets(paths: list[Path], records: Path) -> list[Path]:
    if not paths:
        return [p for p in record_files(records) if p.suffix == ".yaml"]
    out = []
    for path in paths:
        out += [p for p in record_files(path) if p.suffix == ".yaml"] if path.is_dir() else [path]
    return out
