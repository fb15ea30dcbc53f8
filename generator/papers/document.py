"""Meeting papers as a small typed document model, independent of where the content comes from.

Two kinds of document:

- `Paper`: the pack for the HQ scheduling meeting (调度会材料): a title, the as-of date and
  sections, each with paragraphs and tables. Printed as PDF, edited as DOCX.
- `OfficialDocument`: a circular (通报) drafted with the elements of GB/T 9704-2012
  《党政机关公文格式》: 发文机关标志, 发文字号, 标题, 主送机关, 正文, 附件, 发文机关署名,
  成文日期, 抄送 and 印发机关/印发日期 (版记).

The writers (`pdf.py`, `docx.py`) read these and nothing else. All text is plain text: the
writers escape it for their format, so record text never becomes markup. Text is cleaned
once here of the characters no document format can hold (C0 controls other than line feed and
tab, lone surrogates, U+FFFE/U+FFFF) and of bidirectional overrides, so a writer never fails
on a hostile string and the PDF and the DOCX show the same words.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Literal

Align = Literal["left", "center", "right"]

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff"
                     "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def clean(text: str) -> str:
    """Plain text any format can hold: no control characters (line feed and tab stay; a
    carriage return becomes a line feed), no lone surrogates, no direction overrides."""
    if not isinstance(text, str):
        raise TypeError(f"文字应为字符串，得到 {type(text).__name__}")
    return _UNSAFE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def chinese_date(day: dt.date) -> str:
    """A date as GB/T 9704-2012 writes it (Arabic numerals, no leading zeros): 2017年5月31日."""
    return f"{day.year}年{day.month}月{day.day}日"


_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九: the numbering of 一、二、 headings."""
    if not 0 < n < 100:
        raise ValueError(f"只支持 1 到 99：{n}")
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else _DIGITS[tens]) + "十" if tens else "") + (_DIGITS[ones] if ones else "")


def section_heading(number: int, heading: str) -> str:
    """A section's printed heading: 一、上次会议议定事项落实情况."""
    return f"{chinese_numeral(number)}、{heading}"


def _set(obj, name: str, value) -> None:
    object.__setattr__(obj, name, value)


@dataclass(frozen=True)
class Column:
    title: str
    width: float = 1.0          # share of the table's width, relative to the other columns
    align: Align = "left"

    def __post_init__(self):
        _set(self, "title", clean(self.title))
        if not self.width > 0:
            raise ValueError(f"列宽应大于 0：{self.title} {self.width}")
        if self.align not in ("left", "center", "right"):
            raise ValueError(f"对齐方式应为 left、center 或 right：{self.align}")


@dataclass(frozen=True)
class Table:
    """A table whose header row repeats on every page and whose rows never split over pages.

    Cells are display text (the gatherer formats numbers and dates, so the papers show the
    same strings as the dashboards). `emphasis` holds the indices of rows printed bold, e.g.
    overdue problems or the bottom of a ranking. An empty table prints `empty` instead.
    """
    caption: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    emphasis: frozenset[int] = frozenset()
    empty: str = "无"

    def __post_init__(self):
        columns = tuple(self.columns)
        if not columns:
            raise ValueError(f"表格至少要有一列：{self.caption}")
        rows = []
        for i, row in enumerate(self.rows):
            row = tuple(row)
            if len(row) != len(columns):
                raise ValueError(f"表格“{self.caption}”第 {i + 1} 行有 {len(row)} 格，表头有 {len(columns)} 列")
            rows.append(tuple(clean(cell) for cell in row))
        emphasis = frozenset(self.emphasis)
        if any(not 0 <= i < len(rows) for i in emphasis):
            raise ValueError(f"表格“{self.caption}”强调的行号超出范围")
        _set(self, "caption", clean(self.caption))
        _set(self, "columns", columns)
        _set(self, "rows", tuple(rows))
        _set(self, "emphasis", emphasis)
        _set(self, "empty", clean(self.empty))


@dataclass(frozen=True)
class Section:
    """A part of the pack: its heading, then its paragraphs, then its tables. The writers
    number the sections 一、二、… in order, so the heading carries no number."""
    heading: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()

    def __post_init__(self):
        _set(self, "heading", clean(self.heading))
        _set(self, "paragraphs", tuple(clean(p) for p in self.paragraphs))
        _set(self, "tables", tuple(self.tables))


@dataclass(frozen=True)
class Paper:
    """The scheduling meeting's pack. `as_of` is the date its numbers are computed for; it is
    printed and is also the documents' creation date, so the same input gives the same bytes."""
    title: str
    as_of: dt.date
    sections: tuple[Section, ...]
    subtitle: str | None = None
    marking: str | None = "内部资料 注意保密"
    author: str = "总指挥部办公室"

    def __post_init__(self):
        _set(self, "title", clean(self.title))
        _set(self, "subtitle", clean(self.subtitle) if self.subtitle is not None else None)
        _set(self, "marking", clean(self.marking) if self.marking is not None else None)
        _set(self, "author", clean(self.author))
        _set(self, "sections", tuple(self.sections))


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of an official document's body. Level 0 is body text (仿宋, first line
    indented two characters); level 1 is a first-level heading (“一、”, 黑体), level 2 a
    second-level one (“（一）”, 楷体). The text carries its own numbering."""
    text: str
    level: int = 0

    def __post_init__(self):
        _set(self, "text", clean(self.text))
        if self.level not in (0, 1, 2):
            raise ValueError(f"段落层级应为 0、1 或 2：{self.level}")


@dataclass(frozen=True)
class Attachment:
    """An attachment (附件): listed after the body as “附件：1. 标题”, printed on its own page."""
    title: str
    blocks: tuple[Paragraph | Table, ...] = ()

    def __post_init__(self):
        _set(self, "title", clean(self.title))
        _set(self, "blocks", tuple(self.blocks))


@dataclass(frozen=True)
class OfficialDocument:
    """A document in the layout of GB/T 9704-2012. `recipients` is the 主送机关 without the
    closing colon; `number` is the 发文字号 as it is printed, e.g. 昆创文指办〔2017〕12号."""
    issuer_mark: str                                 # 发文机关标志, printed red
    number: str                                      # 发文字号
    title: str                                       # 标题
    recipients: str                                  # 主送机关
    body: tuple[Paragraph | Table, ...]              # 正文
    signature: str                                   # 发文机关署名
    date: dt.date                                    # 成文日期
    attachments: tuple[Attachment, ...] = ()
    cc: str | None = None                            # 抄送机关
    printer: str | None = None                       # 印发机关
    printed: dt.date | None = None                   # 印发日期
    marking: str | None = None                       # e.g. 密级 or “征求意见稿”, top left
    author: str = field(default="总指挥部办公室")

    def __post_init__(self):
        for name in ("issuer_mark", "number", "title", "recipients", "signature", "author"):
            _set(self, name, clean(getattr(self, name)))
        for name in ("cc", "printer", "marking"):
            value = getattr(self, name)
            _set(self, name, clean(value) if value is not None else None)
        _set(self, "body", tuple(Paragraph(b) if isinstance(b, str) else b for b in self.body))
        _set(self, "attachments", tuple(self.attachments))
