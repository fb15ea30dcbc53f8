"""Building blocks of the record model: the record base, dates, references, choices, visibility.

Everything a later stage needs to know about a field is declared here once, on the field:
its Chinese title (messages, schema, forms), whether the public may see it (`x-visibility`),
which record types it refers to (`x-ref`), and for choices their Chinese labels
(`x-labels`). The JSON Schemas, the reference check, the privacy lint and the audience
projection all read these declarations; none keeps a list of its own.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

INTERNAL = "internal"
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return _date(value)
        except ValueError:
            pass
    raise PydanticCustomError("taizhang_date", "not a calendar date in YYYY-MM-DD")


@cache
def _date(text: str) -> dt.date:
    """One object per day: 100,000 records name a few thousand days, and a cache of their
    facts then stores each day once."""
    return dt.date.fromisoformat(text)


Date = Annotated[dt.date, BeforeValidator(_parse_date),
                 Field(json_schema_extra={"type": "string", "format": "date"})]

_MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")


def _check_month(value: Any) -> str:
    if isinstance(value, str) and _MONTH.fullmatch(value):
        return value
    raise PydanticCustomError("taizhang_month", "not a month in YYYY-MM")


@dataclass(frozen=True)
class Identifier:
    """Marks a string field as a code (an id, a month), not text a person writes."""


Month = Annotated[str, BeforeValidator(_check_month), Identifier(),
                  Field(json_schema_extra={"type": "string", "pattern": _MONTH.pattern})]
Code = Annotated[str, Identifier()]


@dataclass(frozen=True)
class Ref:
    """Marks a string field as the id of a record of one of `types`."""
    types: tuple[str, ...]


def ref(*types: str):
    """A reference to a record of one of the given types (the type's registry name)."""
    return Annotated[str, Ref(types), Field(json_schema_extra={"x-ref": list(types)})]


def choice(labels: dict[str, str]):
    """A closed set of values, each with its Chinese label (shown in messages, pages, forms)."""
    literal = Literal.__getitem__(tuple(labels))
    return Annotated[literal, Field(json_schema_extra={"x-labels": dict(labels)})]


def field(title: str, default: Any = ..., *, internal: bool = False,
          description: str | None = None, **constraints) -> Any:
    """A model field with its Chinese title; `internal=True` keeps it off the public site."""
    if internal:
        constraints["json_schema_extra"] = {"x-visibility": INTERNAL}
    return Field(default, title=title, description=description, **constraints)


def listing(title: str, *, internal: bool = False, description: str | None = None) -> Any:
    """An optional list field, empty by default."""
    extra = {"json_schema_extra": {"x-visibility": INTERNAL}} if internal else {}
    return Field(default_factory=list, title=title, description=description, **extra)


@cache
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


class Part(BaseModel):
    """A nested part of a record (a history event, a decision, a score line)."""
    model_config = ConfigDict(extra="forbid", frozen=True)


class Record(Part):
    """Fields every record has. Subclasses declare their type in the class variables."""
    type_name: ClassVar[str]
    label: ClassVar[str]                # Chinese name of the type
    folder: ClassVar[str]               # folder under records/
    yearly: ClassVar[bool] = False      # kept in <folder>/<YYYY>/, ids numbered per year
    id_prefix: ClassVar[str] = ""       # yearly types: P → P-2017-0042
    internal_type: ClassVar[bool] = False  # the whole type stays off the public site

    id: str = field("编号")
    visibility: choice({"public": "公开", "internal": "仅内部"}) = field(
        "可见范围", "public", description="internal：此条记录只出现在内部站")
    note: str | None = field("内部备注", None, internal=True)

    @classmethod
    def id_pattern(cls) -> str:
        if cls.yearly:
            return rf"^{cls.id_prefix}-[0-9]{{4}}-[0-9]{{4,6}}$"   # [0-9]: \d takes full-width digits
        return r"^[a-z][a-z0-9-]{1,62}$"

    @classmethod
    def id_regex(cls) -> re.Pattern:
        return _compiled(cls.id_pattern())

    @classmethod
    def id_example(cls) -> str:
        return f"{cls.id_prefix}-2017-0001" if cls.yearly else "panlong"


def display_name(record: Record) -> str:
    """How pages, ledgers and summaries name a record: its name or title (a person by role: names
    are internal), else its id."""
    for attr in ("name", "title"):
        value = getattr(record, attr, None)
        if value:
            return value
    if record.type_name == "person":
        return record.role
    return record.id
