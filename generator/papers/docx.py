"""DOCX for the office to edit, written with python-docx.

Everything a Chinese office expects when it opens the draft in Word or WPS: real styles (正文,
标题, 标题 1/2, 题注 and named styles for the official-document elements), so a change of font
is one change of style; A4 with the margins of GB/T 9704-2012; tables whose header row repeats
on every page (`wx.w:tblHeader`) and whose rows never split over pages (`wx.w:cantSplit`); page
numbers as fields in the footer. East-Asian font names are set (`wx.w:eastAsia`): 仿宋_GB2312,
黑体, 楷体_GB2312 and 方正小标宋简体, each declared in the font table with the name of the
font Windows ships (仿宋, 黑体, 楷体, 宋体) as its alternative and the GB2312 character set,
so Word and WPS use the official fonts where installed and a close one where not.

Tables are written as XML directly (python-docx's cell API is quadratic in the rows: 5,000
rows would take minutes). The archive is written with fixed dates, so the same document gives
the same bytes.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile

from lxml import etree

from .document import OfficialDocument, Paper, Table, chinese_date, section_heading
from . import wordxml as wx
from .layout import mark_geometry, width_em

def _table(body, t: Table) -> None:
    wx.paragraph(body, "Caption", t.caption, lambda ppr: wx.par_props(ppr, keep_next=True))
    if not t.rows:
        wx.paragraph(body, "TableText", t.empty, lambda ppr: wx.par_props(ppr, align="center"))
        return
    total = sum(c.width for c in t.columns)
    widths = [round(wx.TEXT_WIDTH * c.width / total) for c in t.columns]
    widths[-1] += wx.TEXT_WIDTH - sum(widths)
    tbl = etree.Element(wx.w("tbl"))
    tblpr = wx.el(tbl, "tblPr")
    wx.el(tblpr, "tblStyle", val="TableGrid")
    wx.el(tblpr, "tblW", w=wx.TEXT_WIDTH, type="dxa")
    wx.el(tblpr, "jc", val="center")
    borders = wx.el(tblpr, "tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        wx.el(borders, side, val="single", sz=4, space=0, color="000000")
    wx.el(tblpr, "tblLayout", type="fixed")
    margins = wx.el(tblpr, "tblCellMar")
    wx.el(margins, "left", w=60, type="dxa")
    wx.el(margins, "right", w=60, type="dxa")
    wx.el(tblpr, "tblLook", val="04A0", firstRow=1, lastRow=0, firstColumn=0, lastColumn=0, noHBand=0, noVBand=1)
    grid = wx.el(tbl, "tblGrid")
    for width in widths:
        wx.el(grid, "gridCol", w=width)
    aligns = [c.align for c in t.columns]

    def row(cells, header=False, bold=False):
        tr = wx.el(tbl, "tr")
        trpr = wx.el(tr, "trPr")
        wx.el(trpr, "cantSplit")
        if header:
            wx.el(trpr, "tblHeader")
        for text, width, align in zip(cells, widths, aligns):
            tc = wx.el(tr, "tc")
            tcpr = wx.el(tc, "tcPr")
            wx.el(tcpr, "tcW", w=width, type="dxa")
            if header:
                wx.el(tcpr, "shd", val="clear", color="auto", fill="D9D9D9")
            wx.el(tcpr, "vAlign", val="center")
            p = wx.el(tc, "p")
            ppr = wx.el(p, "pPr")
            ppr.append(wx.pstyle("TableHeading" if header else "TableText"))
            if not header and align != "left":
                wx.el(ppr, "jc", val=align)
            if text:
                wx.add_text(p, text, wx.bold if bold else None)

    row([c.title for c in t.columns], header=True)
    for i, cells in enumerate(t.rows):
        row(cells, bold=i in t.emphasis)
    wx.append(body, tbl)
    wx.paragraph(body, "TableText")                     # Word needs a paragraph between tables


# ---------------------------------------------------------------- the two kinds of document

def _common_styles(document, body: float, table: float, caption: float, line, official: bool):
    ppr, rpr = wx.style(document, "Normal", "Normal")
    wx.run_props(rpr, font=wx.FANGSONG, size=body)
    if official:
        wx.el(rpr, "spacing", val=round((wx.TEXT_WIDTH / 28 / 20 - body) * 20))     # −4: 28 characters a line
    wx.par_props(ppr, align="both", first_line_chars=2, size=body, line=line)
    ppr, rpr = wx.style(document, "Title", "Title")
    wx.run_props(rpr, font=wx.XIAOBIAOSONG, size=22, bold=False)
    wx.par_props(ppr, align="center", first_line_chars=0, size=22, before=0, line=("auto", 240), snap=False)
    # 一级标题 黑体, 二级标题 楷体; in an official document indented like the text, on its grid
    for name, style_id, font, level in (("Heading 1", "Heading1", wx.HEI, 0), ("Heading 2", "Heading2", wx.KAI, 1)):
        ppr, rpr = wx.style(document, name, style_id, based_on="Normal")
        wx.run_props(rpr, font=font, size=16, bold=False)
        if official:
            wx.par_props(ppr, first_line_chars=2, size=16, line=line, keep_next=True, outline=level)
        else:
            wx.par_props(ppr, first_line_chars=0, size=16, before=360, after=120, line=("auto", 240),
                       keep_next=True, outline=level)
    ppr, rpr = wx.style(document, "Caption", "Caption")
    wx.run_props(rpr, font=wx.KAI, size=caption, bold=False)
    wx.par_props(ppr, align="center", first_line_chars=0, size=caption, before=120, line=("auto", 240), keep_next=True)
    ppr, rpr = wx.style(document, "表格文字", "TableText")
    wx.run_props(rpr, font=wx.FANGSONG, size=table)
    wx.par_props(ppr, align="left", first_line_chars=0, size=table, line=("auto", 240), snap=False)
    ppr, rpr = wx.style(document, "表格标题行", "TableHeading", based_on="表格文字")
    wx.run_props(rpr, font=wx.HEI, size=table)
    wx.par_props(ppr, align="center")
    ppr, rpr = wx.style(document, "Footer", "Footer")
    wx.run_props(rpr, font=wx.SONG, size=14 if body >= 16 else 10.5)
    wx.par_props(ppr, first_line_chars=0, size=14, line=("auto", 240), snap=False)


def _finish(document, day: dt.date) -> bytes:
    wx.in_schema_order(document.element)
    wx.in_schema_order(document.styles.element)
    for section in document.sections:
        for footer in (section.footer, section.even_page_footer):
            if not footer.is_linked_to_previous:
                wx.in_schema_order(footer._element)
    raw = io.BytesIO()
    document.save(raw)
    return _fixed_zip(raw.getvalue(), dt.datetime(day.year, day.month, day.day))


def _fixed_zip(data: bytes, stamp: dt.datetime) -> bytes:
    """The same archive with every entry dated `stamp` (python-docx dates them now)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def _paper(paper: Paper) -> bytes:
    body_size = 14.0
    document = wx.new_document(paper.title, paper.author, paper.as_of, body_size, official=False)
    _common_styles(document, body=body_size, table=10.5, caption=12, line=500, official=False)  # 25 pt lines
    ppr, rpr = wx.style(document, "Subtitle", "Subtitle")
    wx.run_props(rpr, font=wx.KAI, size=16, bold=False)
    wx.par_props(ppr, align="center", first_line_chars=0, size=16, before=120)
    ppr, rpr = wx.style(document, "密级", "Marking")
    wx.run_props(rpr, font=wx.HEI, size=12)
    wx.par_props(ppr, align="left", first_line_chars=0, size=12)
    ppr, rpr = wx.style(document, "数据日期", "AsOf")
    wx.par_props(ppr, align="center", first_line_chars=0, size=body_size, before=120)

    body = document.element.body
    if paper.marking:
        wx.paragraph(body, "Marking", paper.marking)
    wx.paragraph(body, "Title", paper.title, lambda ppr: wx.par_props(ppr, before=240))
    if paper.subtitle:
        wx.paragraph(body, "Subtitle", paper.subtitle)
    wx.paragraph(body, "AsOf", f"数据截至{chinese_date(paper.as_of)}")
    for number, section in enumerate(paper.sections, 1):
        wx.paragraph(body, "Heading1", section_heading(number, section.heading))
        for text in section.paragraphs:
            wx.paragraph(body, "Normal", text)
        for t in section.tables:
            _table(body, t)

    footer = wx.footer_paragraph(document.sections[0].footer, "Footer")
    wx.par_props(footer._p.get_or_add_pPr(), align="center")
    wx.add_text(footer._p, "第 ")
    wx.field(footer, "PAGE", "1")
    wx.add_text(footer._p, " 页　共 ")
    wx.field(footer, "NUMPAGES", "1")
    wx.add_text(footer._p, " 页")
    return _finish(document, paper.as_of)


def _official(doc: OfficialDocument) -> bytes:
    body_size = 16.0
    em = round(body_size * 20)                                # one character, in twips
    document = wx.new_document(doc.title, doc.author, doc.date, body_size, official=True)
    _common_styles(document, body=body_size, table=12, caption=14, line=wx.PITCH, official=True)
    # The elements of GB/T 9704, each a style of its own, on the 28.95 pt line grid
    ppr, rpr = wx.style(document, "发文机关标志", "IssuerMark")
    wx.run_props(rpr, font=wx.XIAOBIAOSONG, color=wx.RED)
    wx.par_props(ppr, align="center", line=("auto", 240), snap=False)
    ppr, rpr = wx.style(document, "发文字号", "DocumentNumber")
    wx.par_props(ppr, align="center", before=2 * wx.PITCH, line=wx.PITCH)
    # the red separator 4 mm under the 发文字号, as wide as the 版心 (2.25 pt, as templates draw it)
    wx.el(wx.el(ppr, "pBdr"), "bottom", val="single", sz=18, space=11, color=wx.RED)
    ppr, rpr = wx.style(document, "主送机关", "Recipients")
    wx.par_props(ppr, align="both", before=wx.PITCH, line=wx.PITCH)
    ppr, rpr = wx.style(document, "附件说明", "AttachmentNote")
    wx.par_props(ppr, align="left", line=wx.PITCH)
    ppr, rpr = wx.style(document, "发文机关署名", "Signature")
    wx.par_props(ppr, align="right", before=wx.PITCH, line=wx.PITCH, keep_next=True)
    ppr, rpr = wx.style(document, "成文日期", "DocumentDate")
    wx.par_props(ppr, align="right", line=wx.PITCH)
    ppr, rpr = wx.style(document, "附件标识", "AttachmentLabel")
    wx.run_props(rpr, font=wx.HEI)
    wx.par_props(ppr, align="left", line=wx.PITCH, page_break=True)
    ppr, rpr = wx.style(document, "版记", "Record")
    wx.run_props(rpr, size=14)
    wx.par_props(ppr, align="left", line=("auto", 240), snap=False)
    ppr, rpr = wx.style(document, "密级", "Marking")
    wx.run_props(rpr, font=wx.HEI)
    wx.par_props(ppr, align="left", line=wx.PITCH)

    body = document.element.body
    # 版头: the issuer mark's top edge 35 mm under the 版心's
    if doc.marking:
        wx.paragraph(body, "Marking", doc.marking)
    size, scale = mark_geometry(doc.issuer_mark)
    gap = round(35 * wx.TWIPS_PER_MM) - (wx.PITCH if doc.marking else 0)
    wx.paragraph(body, "IssuerMark", doc.issuer_mark, lambda ppr: wx.par_props(ppr, before=gap),
               lambda rpr: wx.run_props(rpr, size=size, scale=round(scale * 100)))
    wx.paragraph(body, "DocumentNumber", doc.number)
    # 主体
    wx.paragraph(body, "Title", doc.title, lambda ppr: wx.par_props(ppr, before=2 * wx.PITCH, line=wx.PITCH + 120))
    wx.paragraph(body, "Recipients", f"{doc.recipients}：")
    _blocks(body, doc.body)
    # 附件说明: 正文下空一行左空二字 “附件：”, several numbered and aligned under the first
    notes = ([doc.attachments[0].title] if len(doc.attachments) == 1 else
             [f"{i}．{a.title}" for i, a in enumerate(doc.attachments, 1)])
    for i, note in enumerate(notes):
        first = i == 0
        wx.paragraph(body, "AttachmentNote", f"附件：{note}" if first else note,
                   lambda ppr, first=first: wx.par_props(ppr, before=wx.PITCH if first else 0, left=5 * em,
                                                       hanging_chars=3 if first else None, size=16))
    # 不加盖印章: 署名右空二字；成文日期首字比署名首字右移二字
    date = chinese_date(doc.date)
    block = max(width_em(doc.signature), 2 + width_em(date))
    wx.paragraph(body, "Signature", doc.signature,
               lambda ppr: wx.par_props(ppr, right=round((2 + block - width_em(doc.signature)) * em)))
    wx.paragraph(body, "DocumentDate", date,
               lambda ppr: wx.par_props(ppr, right=round((block - width_em(date)) * em)))
    for i, a in enumerate(doc.attachments, 1):
        wx.paragraph(body, "AttachmentLabel", f"附件{i}" if len(doc.attachments) > 1 else "附件")
        wx.paragraph(body, "Title", a.title, lambda ppr: wx.par_props(ppr, before=wx.PITCH, line=wx.PITCH + 120))
        wx.paragraph(body, "Recipients", "")
        _blocks(body, a.blocks)
    if doc.cc or doc.printer:
        _record(body, doc)

    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    for footer, align, side in ((section.footer, "right", "right"), (section.even_page_footer, "left", "left")):
        paragraph = wx.footer_paragraph(footer, "Footer")
        wx.par_props(paragraph._p.get_or_add_pPr(), align=align, **{side: 280})
        wx.add_text(paragraph._p, "— ")
        wx.field(paragraph, "PAGE", "1")
        wx.add_text(paragraph._p, " —")
    return _finish(document, doc.date)


def _blocks(body, blocks) -> None:
    styles = {0: "Normal", 1: "Heading1", 2: "Heading2"}
    for b in blocks:
        if isinstance(b, Table):
            _table(body, b)
        else:
            wx.paragraph(body, styles[b.level], b.text)


def _record(body, doc: OfficialDocument) -> None:
    """版记: 抄送 and 印发 in a table anchored to the foot of the last page (in Word and WPS;
    LibreOffice 7.4 sets it under the last text), thick rules (0.35 mm) first and last, thin
    (0.25 mm) between. 印发机关 left and 印发日期 right are two cells of one row."""
    em = 280                                         # 四号, 14 pt, in twips
    printed = f"{chinese_date(doc.printed or doc.date)}印发"
    date_width = round((width_em(printed) * 1.1 + 1.5) * em)     # digits run a little wider than ½ em
    widths = (wx.TEXT_WIDTH - date_width, date_width)
    tbl = etree.Element(wx.w("tbl"))
    tblpr = wx.el(tbl, "tblPr")
    wx.el(tblpr, "tblpPr", leftFromText=0, rightFromText=0, topFromText=0, bottomFromText=0,
        vertAnchor="margin", horzAnchor="margin", tblpXSpec="center", tblpYSpec="bottom")
    wx.el(tblpr, "tblW", w=wx.TEXT_WIDTH, type="dxa")
    borders = wx.el(tblpr, "tblBorders")
    wx.el(borders, "top", val="single", sz=8, space=0, color="000000")
    wx.el(borders, "bottom", val="single", sz=8, space=0, color="000000")
    wx.el(borders, "insideH", val="single", sz=6, space=0, color="000000")
    for side in ("left", "right", "insideV"):
        wx.el(borders, side, val="nil")
    wx.el(tblpr, "tblLayout", type="fixed")
    margins = wx.el(tblpr, "tblCellMar")
    wx.el(margins, "left", w=0, type="dxa")
    wx.el(margins, "right", w=0, type="dxa")
    grid = wx.el(tbl, "tblGrid")
    for width in widths:
        wx.el(grid, "gridCol", w=width)

    def cell(tr, width, text, span=1, **layout):
        tc = wx.el(tr, "tc")
        tcpr = wx.el(tc, "tcPr")
        wx.el(tcpr, "tcW", w=width, type="dxa")
        if span > 1:
            wx.el(tcpr, "gridSpan", val=span)
        p = wx.el(tc, "p")
        ppr = wx.el(p, "pPr")
        ppr.append(wx.pstyle("Record"))
        wx.par_props(ppr, **layout)
        wx.add_text(p, text)

    def row():
        tr = wx.el(tbl, "tr")
        wx.el(wx.el(tr, "trPr"), "cantSplit")
        return tr

    if doc.cc:   # 左右各空一字，回行时与冒号后的首字对齐
        cell(row(), wx.TEXT_WIDTH, f"抄送：{doc.cc}。", span=2, left=4 * em, right=em, hanging_chars=3, size=14)
    if doc.printer:   # 印发机关左空一字，印发日期右空一字
        tr = row()
        cell(tr, widths[0], doc.printer, left=em, right=0)
        cell(tr, widths[1], printed, align="right", left=0, right=em)
    wx.append(body, tbl)
    wx.paragraph(body, "Record")


def render_docx(doc: Paper | OfficialDocument) -> bytes:
    """The document as DOCX bytes: the same document gives the same bytes."""
    if isinstance(doc, Paper):
        return _paper(doc)
    if isinstance(doc, OfficialDocument):
        return _official(doc)
    raise TypeError(f"不是会议材料或公文：{type(doc).__name__}")
