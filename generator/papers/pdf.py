"""PDF for printing, typeset by Typst (the `typst` package: the compiler in one binary wheel).

The document goes to fixed templates (`templates/*.typ`) as JSON in `sys.inputs`, so record
text is data there and never Typst markup: `#`, `$`, `<script>` and `=HYPERLINK(…)` print as
they are. Fonts come from Debian's packages only (fonts-noto-cjk, fonts-lxgw-wenkai), found
once and handed to Typst as the only system fonts, so the same input gives the same bytes on
every machine with those packages; the creation date is the paper's own date.

Chosen over WeasyPrint by measurement (README): a 2,000-row table took Typst 2 s and
WeasyPrint 28 s (120 s with automatic table layout), and WeasyPrint grows faster than
linearly with the rows of one table.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from pathlib import Path

from .document import OfficialDocument, Paper, Paragraph, Table, chinese_date, section_heading
from .layout import PT_PER_MM, TEXT_WIDTH_MM, mark_geometry

TEMPLATES = Path(__file__).with_name("templates")
REQUIRED_FONTS = ("Noto Serif CJK SC", "Noto Sans CJK SC")      # fonts-noto-cjk
OPTIONAL_FONTS = ("LXGW WenKai",)                                # fonts-lxgw-wenkai (楷体); else the serif
SHANGHAI = dt.timezone(dt.timedelta(hours=8))

# Typst breaks lines only at spaces, after some punctuation and between CJK characters
# (typst/typst#862): a longer run of other characters than its line or cell can hold would
# run over the edge. Such a run is cut into chunks that fit, which the template lets break
# between (and nowhere else, so a run that fits moves to the next line whole).
_RUN = re.compile(r"[^\s\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]+")
_TEXT_WIDTH_PT = TEXT_WIDTH_MM * PT_PER_MM


@cache
def _char_em(ch: str) -> float:
    """A character's advance in em: the widest of the bold serif, the sans and the 楷体 (a
    table cell may be bold, a header is sans, a caption 楷体), measured in the font files."""
    return max(font.getlength(ch) for font in _measuring_fonts()) / 1000


class PaperError(Exception):
    """The paper could not be typeset; the message says why and what to do, in Chinese."""


def _text(text: str, capacity: float):
    """A string for the template, or a list of pieces when it holds a run of characters without
    a break opportunity that is wider than `capacity` (in em): that run becomes a list of chunks."""
    if len(text) * 1.2 <= capacity:       # (the widest character here is 1.1 em)
        return text
    pieces, last = [], 0
    for m in _RUN.finditer(text):
        run = m.group()
        if sum(map(_char_em, run)) <= capacity:
            continue
        if m.start() > last:
            pieces.append(text[last:m.start()])
        chunks, chunk, width = [], "", 0.0
        for ch in run:
            w = _char_em(ch)
            if chunk and width + w > capacity * 0.95:
                chunks.append(chunk)
                chunk, width = "", 0.0
            chunk += ch
            width += w
        pieces.append(chunks + [chunk])
        last = m.end()
    if not pieces:
        return text
    if last < len(text):
        pieces.append(text[last:])
    return pieces


# Font sizes in pt, handed to the templates with the data so that the line capacities computed
# here are those of the page. 五号 10.5, 小四 12, 四号 14, 三号 16, 二号 22.
PAPER_SIZES = {"body": 14.0, "title": 22.0, "subtitle": 16.0, "heading": 16.0, "table": 10.5, "caption": 12.0}
OFFICIAL_SIZES = {"body": 16.0, "title": 22.0, "table": 12.0, "caption": 14.0, "record": 14.0}
CELL_INSET_PT = 3.0


def _line(size: float, indent_em: float = 0.0) -> float:
    """How many em of a font of `size` pt a full line of the 版心 holds."""
    return _TEXT_WIDTH_PT / size - indent_em


def _table(t: Table, sizes: dict) -> dict:
    size, total = sizes["table"], sum(c.width for c in t.columns)
    cells = [(_TEXT_WIDTH_PT * c.width / total - 2 * CELL_INSET_PT) / size for c in t.columns]
    return {"kind": "table", "size": size, "caption_size": sizes["caption"],
            "caption": _text(t.caption, _line(sizes["caption"])), "empty": _text(t.empty, _line(size)),
            "columns": [{"title": _text(c.title, room), "width": c.width, "align": c.align}
                        for c, room in zip(t.columns, cells)],
            "rows": [[_text(cell, room) for cell, room in zip(row, cells)] for row in t.rows],
            "emphasis": [i in t.emphasis for i in range(len(t.rows))]}


def _blocks(blocks, sizes: dict) -> list[dict]:
    body = _line(sizes["body"])
    return [_table(b, sizes) if isinstance(b, Table) else
            {"kind": "paragraph", "text": _text(b.text, body), "level": b.level} for b in blocks]


def _paper_data(paper: Paper) -> dict:
    sizes = PAPER_SIZES
    body = _line(sizes["body"])
    optional = {name: _text(getattr(paper, name), _line(sizes["body"])) if getattr(paper, name) is not None else None
                for name in ("subtitle", "marking")}
    return {"sizes": sizes, "title": _text(paper.title, _line(sizes["title"])), "meta_title": paper.title,
            "author": paper.author, "date": [paper.as_of.year, paper.as_of.month, paper.as_of.day],
            **optional, "as_of_line": f"数据截至{chinese_date(paper.as_of)}",
            "sections": [{"heading": _text(section_heading(i, s.heading), _line(sizes["heading"])),
                          "paragraphs": [_text(p, body) for p in s.paragraphs],
                          "tables": [_table(t, sizes) for t in s.tables]}
                         for i, s in enumerate(paper.sections, 1)]}


def _official_data(doc: OfficialDocument) -> dict:
    sizes = OFFICIAL_SIZES
    body, title = _line(sizes["body"]), _line(sizes["title"])
    size, scale = mark_geometry(doc.issuer_mark)

    def optional(value, room=body):
        return _text(value, room) if value else None
    return {"sizes": sizes, "title": _text(doc.title, title), "meta_title": doc.title, "author": doc.author,
            "date": [doc.date.year, doc.date.month, doc.date.day],
            "issuer_mark": doc.issuer_mark, "mark_size": size, "mark_scale": scale,
            "number": _text(doc.number, body), "recipients": _text(doc.recipients, body),
            "body": _blocks(doc.body, sizes),
            "attachments": [{"title": _text(a.title, title), "list_title": _text(a.title, body - 6),
                             "blocks": _blocks(a.blocks, sizes)} for a in doc.attachments],
            "signature": _text(doc.signature, body - 2), "date_line": chinese_date(doc.date),
            "cc": optional(doc.cc, _line(sizes["record"], 5)), "printer": optional(doc.printer, _line(sizes["record"], 12)),
            "printed_line": f"{chinese_date(doc.printed or doc.date)}印发", "marking": optional(doc.marking)}


@cache
def _font_files() -> dict[str, list[tuple[int, str, int]]]:
    """The templates' font families, found among the system's fonts: family → (weight, file, index)."""
    import typst
    found: dict[str, list[tuple[int, str, int]]] = {}
    for font in typst.Fonts(include_system_fonts=True, include_embedded_fonts=False).fonts():
        if font.family in REQUIRED_FONTS + OPTIONAL_FONTS and font.path:
            found.setdefault(font.family, []).append((font.weight, font.path, font.index))
    missing = [f for f in REQUIRED_FONTS if f not in found]
    if missing:
        raise PaperError(f"找不到字体 {'、'.join(missing)}，无法生成 PDF。"
                         "提示：请安装 Debian 的 fonts-noto-cjk 和 fonts-lxgw-wenkai（make system-tools）。")
    return {family: sorted(files) for family, files in found.items()}


def fonts_missing() -> list[str]:
    """The required font families this machine lacks (empty when the PDF can be made): how
    `make site` decides whether the internal site gets the meeting papers."""
    try:
        _font_files()
    except PaperError:
        import typst
        found = {font.family for font in typst.Fonts(include_system_fonts=True, include_embedded_fonts=False).fonts()}
        return [family for family in REQUIRED_FONTS if family not in found]
    return []


@cache
def _fonts():
    """Typst's font book: the folders holding the fonts the templates name, and nothing else."""
    import typst
    folders = sorted({str(Path(path).parent) for files in _font_files().values() for _w, path, _i in files})
    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=folders)


@cache
def _measuring_fonts() -> tuple:
    from PIL import ImageFont
    files = _font_files()
    chosen = [max(files["Noto Serif CJK SC"]), min(files["Noto Sans CJK SC"])]
    chosen += [min(files[f], key=lambda f: abs(f[0] - 400)) for f in OPTIONAL_FONTS if f in files]
    return tuple(ImageFont.truetype(path, 1000, index=index) for _w, path, index in chosen)


def render_pdf(doc: Paper | OfficialDocument) -> bytes:
    """The document as PDF bytes: the same document gives the same bytes."""
    import typst
    if isinstance(doc, Paper):
        template, data, day = "paper.typ", _paper_data(doc), doc.as_of
    elif isinstance(doc, OfficialDocument):
        template, data, day = "official.typ", _official_data(doc), doc.date
    else:
        raise TypeError(f"不是会议材料或公文：{type(doc).__name__}")
    compiler = typst.Compiler(root=str(TEMPLATES), font_paths=_fonts())
    stamp = dt.datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
    try:
        return compiler.compile(input=str(TEMPLATES / template), format="pdf", timestamp=stamp,
                                sys_inputs={"data": json.dumps(data, ensure_ascii=False)})
    except typst.TypstError as e:                  # a template fault, not the data's
        raise PaperError(f"排版失败：{e.message}。提示：这是生成器的问题，请把这条消息报告给维护者。") from None
