"""Write plain data as record YAML: block style, keys in the order given, strings quoted only
when YAML 1.2 would read them as something else. Fast enough for 100,000 synthetic files,
and the shape hand-written records follow."""
from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata

_PLAIN_UNSAFE = re.compile(r"""^[\s\-?:,\[\]{}#&*!|>'"%@`~]|[:#]\s|\s[#:]|:$|\s$|^$""")
_LOOKS_TYPED = re.compile(r"^([-+]?[0-9.]+([eE][-+]?[0-9]+)?|true|false|True|False|TRUE|FALSE|"
                          r"null|Null|NULL|~|\.inf|\.nan|0x[0-9a-fA-F]+|0o[0-7]+)$")


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _quoted(text: str) -> str:
    """A double-quoted YAML scalar that reads back as exactly `text`. json.dumps leaves
    characters such as U+2028 and U+0085 raw, which YAML 1.1 readers (libyaml, ruamel) take
    as line breaks and fold away with the spaces around them: those, and every other
    invisible character but spaces, are written as escapes."""
    quoted = json.dumps(text, ensure_ascii=False)
    return "".join(ch if ch.isprintable() or unicodedata.category(ch) == "Zs" else _escape(ch)
                   for ch in quoted)


def scalar(value) -> str:
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if "\n" in text or _PLAIN_UNSAFE.search(text) or _LOOKS_TYPED.match(text) or not text.isprintable():
        return _quoted(text)
    return text


def _lines(value, indent: str, out: list[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if item is None or item == []:
                continue
            if isinstance(item, (dict, list)) and item:
                out.append(f"{indent}{key}:")
                _lines(item, indent + "  ", out)
            else:
                out.append(f"{indent}{key}: {_empty(item) if isinstance(item, (dict, list)) else scalar(item)}")
    else:
        for item in value:
            if isinstance(item, dict) and item:
                inner: list[str] = []
                _lines(item, indent + "  ", inner)
                out.append(f"{indent}- {inner[0].lstrip()}")
                out.extend(inner[1:])
            elif isinstance(item, list) and item:
                inner = []
                _lines(item, indent + "  ", inner)
                out.append(f"{indent}- {inner[0].lstrip()}")
                out.extend(inner[1:])
            else:
                out.append(f"{indent}- {_empty(item) if isinstance(item, (dict, list)) else scalar(item)}")


def _empty(value) -> str:
    return "{}" if isinstance(value, dict) else "[]"


def dump(data: dict, comment: str | None = None) -> str:
    """YAML text for one record; `comment` becomes a header comment line."""
    out: list[str] = [f"# {comment}"] if comment else []
    _lines(data, "", out)
    return "\n".join(out) + "\n"
