"""Pass 1: each document against its record type's model; ids against pattern, file name and
each other. pydantic validates; its errors are translated to our codes and Chinese here."""
from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from functools import cache

from pydantic import ValidationError, create_model
from pydantic.fields import FieldInfo

from ...findings import Finding, finding
from ...model import Record
from ...model.fields import field_label, field_specs, model_at, spec_at
from ..load import Document

_EXPECTED = {
    "string_type": "文字（数字、日期样的文字请加引号）", "int_type": "整数", "int_parsing": "整数",
    "int_from_float": "整数", "float_type": "数字", "float_parsing": "数字",
    "bool_type": "true 或 false", "bool_parsing": "true 或 false",
    "list_type": "列表（每项另起一行，以“- ”开头）", "model_type": "“字段: 值”的映射",
    "dict_type": "“字段: 值”的映射", "model_attributes_type": "“字段: 值”的映射",
    "date_type": "日期 YYYY-MM-DD",
}


@dataclass(frozen=True, slots=True)
class Valid:
    """A record that passed its model, with the file it came from."""
    file: str
    record: Record


def _translate(doc: Document, error: dict) -> Finding:
    model = doc.record_type
    loc = tuple(error["loc"])
    kind = error["type"]
    field = field_label(model, loc)
    value = error.get("input")
    shown = repr(value) if not isinstance(value, str) else value
    shown = shown if len(shown) <= 40 else shown[:40] + "…"
    if kind == "missing":
        return finding("E-SCHEMA-REQUIRED", doc.file, loc, field=field, name=loc[-1])
    if kind == "extra_forbidden":
        holder = model_at(model, loc[:-1]) or model
        names = [s.name for s in field_specs(holder)]
        close = difflib.get_close_matches(str(loc[-1]), names, n=1, cutoff=0.6)
        return finding("E-SCHEMA-UNKNOWN-KEY", doc.file, loc, field=loc[-1],
                       suggestion=f"，是不是要写 {close[0]}？" if close else "",
                       type_label=model.label, allowed="、".join(names))
    if kind == "literal_error":
        spec = spec_at(model, loc)
        labels = spec.labels if spec and spec.labels else {}
        allowed = "、".join(f"{k}（{v}）" for k, v in labels.items()) or error["ctx"]["expected"]
        return finding("E-SCHEMA-ENUM", doc.file, loc, field=field, value=shown, allowed=allowed)
    if kind == "taizhang_date":
        return finding("E-DATE-INVALID", doc.file, loc, field=field, value=shown)
    if kind == "taizhang_month":
        return finding("E-SCHEMA-PATTERN", doc.file, loc, field=field, value=shown, pattern="YYYY-MM")
    if kind in _EXPECTED:
        return finding("E-SCHEMA-TYPE", doc.file, loc, field=field, expected=_EXPECTED[kind])
    if kind == "string_too_long":
        limit = error["ctx"]["max_length"]
        return finding("E-SCHEMA-RANGE", doc.file, loc, field=field, detail=f"长 {len(value):,} 字，最多 {limit} 字")
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return finding("E-SCHEMA-RANGE", doc.file, loc, field=field, detail=f"{shown}，{error['msg']}")
    return finding("E-SCHEMA-INVALID", doc.file, loc, field=field, detail=error["msg"])


def id_key(record_id: str) -> str:
    """Ids that differ only in case or full/half width are the same id."""
    return unicodedata.normalize("NFKC", record_id).casefold()


def _id_findings(doc: Document) -> list[Finding]:
    record_id = doc.data.get("id")
    model = doc.record_type
    stem = doc.path.stem
    if not isinstance(record_id, str):
        return []      # the model reports a missing or non-text id
    out = []
    if not model.id_regex().fullmatch(record_id):
        out.append(finding("E-ID-PATTERN", doc.file, ("id",), id=record_id, type_label=model.label,
                           pattern=model.id_pattern(), example=model.id_example()))
    elif model.yearly and record_id.split("-")[1] != doc.year_folder:
        out.append(finding("E-FILE-YEAR-FOLDER", doc.file, ("id",),
                           example=f"records/{model.folder}/{record_id.split('-')[1]}/{record_id}.yaml"))
    if record_id != stem:
        out.append(finding("E-ID-FILENAME", doc.file, ("id",), id=record_id, name=doc.path.name,
                           stem=stem))
    return out


@dataclass(frozen=True, slots=True)
class Schema:
    """Pass 1 for one document alone. Whether its id is also used by another file is decided
    across files (`duplicates`), between `id_findings` and `model_findings` in the report."""
    record_id: str | None             # the id when it is text, even if the record is invalid
    record: Record | None             # None when the model refused the data
    id_findings: tuple[Finding, ...]
    model_findings: tuple[Finding, ...]
    partial: Record | None = None     # when the model refused some fields: the others (`partial`)

    @property
    def ok(self) -> bool:
        return self.record is not None and not self.id_findings and not self.model_findings

    @property
    def readable(self) -> Record | None:
        """What the later passes may check: the record, or the part of it that could be read."""
        return self.record if self.record is not None else self.partial


@cache
def lenient(model: type[Record]) -> type[Record]:
    """`model` with every required field optional (None when absent). A record that the model
    refused holds its readable fields in one of these, so that the later passes still check
    them: a mistake makes unreadable only the field it is in (a whole top-level field: one bad
    history event leaves the history unread), never the rest of the record."""
    loose = {name: (info.annotation | None, FieldInfo.merge_field_infos(info, default=None))
             for name, info in model.model_fields.items() if info.is_required()}
    return create_model(model.__name__, __base__=model, __module__=model.__module__, **loose)


def partial(doc: Document, errors: list[dict]) -> Record | None:
    """The record without the top-level fields an error is in, which read as None (not as
    their defaults: a mistyped `visibility` is not "public"); None if even that fails."""
    bad = {e["loc"][0] for e in errors if e["loc"]}
    if any(not e["loc"] for e in errors):
        return None
    try:
        record = lenient(doc.record_type).model_validate({k: v for k, v in doc.data.items() if k not in bad})
    except ValidationError:
        return None
    for name in bad & set(doc.record_type.model_fields):
        object.__setattr__(record, name, None)       # frozen: set once, here, before anyone reads it
    return record


def check_document(doc: Document) -> Schema:
    record_id = doc.data.get("id")
    readable = None
    try:
        record, model_findings = doc.record_type.model_validate(doc.data), ()
    except ValidationError as error:
        record = None
        errors = error.errors(include_url=False)
        model_findings = tuple(_translate(doc, e) for e in errors)
        readable = partial(doc, errors)
    return Schema(record_id if isinstance(record_id, str) else None, record,
                  tuple(_id_findings(doc)), model_findings, readable)


def duplicates(ids: list[tuple[str, str | None]]) -> dict[str, Finding]:
    """(file, id) in file order → the duplicate finding of each file whose id an earlier file
    already uses (ids that differ only in case or width count as the same)."""
    seen: dict[str, str] = {}
    out: dict[str, Finding] = {}
    for file, record_id in ids:
        if record_id is None:
            continue
        key = id_key(record_id)
        if key in seen:
            out[file] = finding("E-ID-DUPLICATE", file, ("id",), id=record_id, other=seen[key])
        else:
            seen[key] = file
    return out
