"""DOCX for the office to edit, written with python-docx.

Everything a Chinese office expects when it opens the draft in Word or WPS: real styles (正文,
标题, 标题 1/2, 题注 and named styles for the official-document elements), so a change of font
is one change of style; A4 with the margins of GB/T 9704-2012; tables whose header row repeats
on every page (`w:tblHeader`) and whose rows never split over pages (`w:cantSplit`); page
numbers as fields in the footer. East-Asian font names are set (`w:eastAsia`): 仿宋_GB2312,
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

from .document import OfficialDocument, Paper, Paragraph, Table, chinese_date, section_heading
from .layout import MARGINS_MM, TEXT_WIDTH_MM, mark_geometry, width_em

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
RED = "E60012"
LATIN = "Times New Roman"
# (name used in the document, the font Windows ships in its place, pitch family)
FANGSONG = ("仿宋_GB2312", "仿宋", "modern")
HEI = ("黑体", "SimHei", "modern")
KAI = ("楷体_GB2312", "楷体", "modern")
XIAOBIAOSONG = ("方正小标宋简体", "宋体", "roman")
SONG = ("宋体", "SimSun", "auto")
FONTS = (FANGSONG, HEI, KAI, XIAOBIAOSONG, SONG)

TWIPS_PER_MM = 1440 / 25.4
TEXT_WIDTH = round(TEXT_WIDTH_MM * TWIPS_PER_MM)      # 8844 twips
PITCH = 579                                           # GB/T 9704: 22 lines in 225 mm (28.95 pt)


def w(name: str) -> str:
    return f"{{{W}}}{name}"


def _el(parent, tag: str, **attrs):
    """A child `w:tag` of `parent` with `w:` attributes (values as strings)."""
    child = etree.SubElement(parent, w(tag))
    for key, value in attrs.items():
        child.set(w(key), str(value))
    return child


def _replace(parent, tag: str, **attrs):
    """Like `_el`, but first removes any `w:tag` child."""
    for old in parent.findall(w(tag)):
        parent.remove(old)
    return _el(parent, tag, **attrs)


# Word rejects a file whose property elements are out of the schema's order (ECMA-376 part 1,
# §17): the helpers below append, and `_in_schema_order` sorts once before saving.
_ORDER = {
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr "
           "shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN "
           "bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc "
           "textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof "
           "snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd "
           "fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath",
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc "
             "tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook",
    "tcPr": "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText vAlign hideMark",
    "style": "name aliases basedOn next link autoRedefine hidden uiPriority semiHidden unhideWhenUsed qFormat "
             "locked personal personalCompose personalReply rsid pPr rPr tblPr trPr tcPr tblStylePr",
}
_RANK = {f"{{{W}}}{tag}": {f"{{{W}}}{name}": i for i, name in enumerate(names.split())}
         for tag, names in _ORDER.items()}


def _in_schema_order(root) -> None:
    for element in root.iter(*_RANK):
        rank = _RANK[element.tag]
        children = list(element)
        ordered = sorted(children, key=lambda c: rank.get(c.tag, len(rank)))
        if ordered != children:
            element[:] = ordered


# ---------------------------------------------------------------- run and paragraph properties

def _run_props(rpr, font=None, size=None, bold=None, color=None, scale=None):
    if font is not None:
        _replace(rpr, "rFonts", ascii=LATIN, hAnsi=LATIN, eastAsia=font[0], cs=LATIN, hint="eastAsia")
    if bold is not None:
        for name in ("b", "bCs"):
            _replace(rpr, name, val="1" if bold else "0")
    if color is not None:
        _replace(rpr, "color", val=color)
    if scale is not None:
        _replace(rpr, "w", val=scale)
    if size is not None:
        half = round(size * 2)
        _replace(rpr, "sz", val=half)
        _replace(rpr, "szCs", val=half)


def _par_props(ppr, align=None, first_line_chars=None, size=None, left=None, right=None, hanging_chars=None,
               before=None, after=None, line=None, keep_next=None, snap=None, outline=None, page_break=None):
    """Spacing in twips; `line` exact in twips, or ("auto", 240 = single). Left and right indents
    in twips; first-line and hanging indents in characters (Word's own unit for Chinese text,
    with the same in twips from `size` for other readers). An indent, once given, is written
    whole (the rest 0): LibreOffice lets every style inherit 正文's first-line indent."""
    if keep_next:
        _replace(ppr, "keepNext")
    if page_break:
        _replace(ppr, "pageBreakBefore")
    if snap is not None:
        _replace(ppr, "snapToGrid", val="1" if snap else "0")
    if before is not None or after is not None or line is not None:
        spacing = _replace(ppr, "spacing", before=before or 0, after=after or 0)
        if isinstance(line, tuple):
            spacing.set(w("line"), str(line[1]))
            spacing.set(w("lineRule"), "auto")
        elif line is not None:
            spacing.set(w("line"), str(line))
            spacing.set(w("lineRule"), "exact")
    if first_line_chars is not None or left is not None or right is not None or hanging_chars is not None:
        ind = _replace(ppr, "ind", left=left or 0, right=right or 0)
        chars = hanging_chars if hanging_chars is not None else first_line_chars or 0
        twips = str(round(chars * (size or 16) * 20))
        if hanging_chars is not None:
            ind.set(w("hangingChars"), str(round(chars * 100)))
            ind.set(w("hanging"), twips)
        else:
            ind.set(w("firstLineChars"), str(round(chars * 100)))
            ind.set(w("firstLine"), twips)
    if align is not None:
        _replace(ppr, "jc", val=align)
    if outline is not None:
        _replace(ppr, "outlineLvl", val=outline)


def _style(document, name: str, style_id: str, kind: str = "paragraph", based_on: str | None = None):
    """The style `name`, created with `style_id` when the template lacks it; its properties are
    replaced, not merged, so the template's theme fonts and colours never show through. Only
    headings are based on 正文: the others inherit nothing from it (its first-line indent and
    line pitch), only the document defaults (仿宋, the body size)."""
    from docx.enum.style import WD_STYLE_TYPE
    styles = document.styles
    try:
        style = styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH if kind == "paragraph" else WD_STYLE_TYPE.CHARACTER)
        style.element.set(w("styleId"), style_id)
    element = style.element
    for tag in ("rPr", "pPr", "basedOn"):
        for old in element.findall(w(tag)):
            element.remove(old)
    if based_on:
        _replace(element, "basedOn", val=styles[based_on].style_id)
    element.set(w("customStyle"), "0" if style.builtin else "1")
    ppr = etree.SubElement(element, w("pPr"))
    rpr = etree.SubElement(element, w("rPr"))
    _el(rpr, "color", val="000000")
    if not based_on and name != "Normal":
        _par_props(ppr, first_line_chars=0)
    return ppr, rpr


# ---------------------------------------------------------------- the document's frame

def _new_document(title: str, author: str, day: dt.date, body_size: float, official: bool):
    import docx
    from docx.shared import Mm
    document = docx.Document()
    package = document.part.package
    for rid, rel in list(package.rels.items()):          # the template's picture of itself
        if rel.reltype.endswith("/thumbnail"):
            package.rels.pop(rid)

    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance, section.footer_distance = Mm(15), Mm(23)
    sect = section._sectPr
    for old in sect.findall(w("docGrid")):
        sect.remove(old)
    # 22 lines a page (GB/T 9704: 28.95 pt); the 28 characters a line come from condensing the
    # text by 0.2 pt (正文's style), not from a character grid: LibreOffice gives every character
    # a whole grid cell, and a 16 pt character two cells of 15.8 pt.
    _el(sect, "docGrid", type="lines", linePitch=PITCH if official else 312)

    defaults = document.styles.element.find(w("docDefaults"))
    rpr = defaults.find(f"{w('rPrDefault')}/{w('rPr')}")
    for child in list(rpr):
        rpr.remove(child)
    _run_props(rpr, font=FANGSONG, size=body_size)
    _el(rpr, "kern", val=2)
    _el(rpr, "lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA")
    ppr = defaults.find(f"{w('pPrDefault')}/{w('pPr')}")
    for child in list(ppr):
        ppr.remove(child)
    _el(ppr, "spacing", after=0, line=240, lineRule="auto")

    _declare_fonts(package)
    props = document.core_properties
    stamp = dt.datetime(day.year, day.month, day.day)
    props.title, props.author, props.last_modified_by = title, author, author
    props.created = props.modified = stamp
    props.revision = 1
    props.comments = props.keywords = props.subject = props.category = ""
    return document


def _declare_fonts(package) -> None:
    """Add the official fonts to word/fontTable.xml with their Windows alternatives."""
    part = next(p for p in package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    root = etree.fromstring(part.blob)
    known = {f.get(w("name")) for f in root.findall(w("font"))}
    for name, alternative, family in FONTS:
        if name in known:
            continue
        font = _el(root, "font", name=name)
        _el(font, "altName", val=alternative)
        _el(font, "charset", val="86")             # GB2312
        _el(font, "family", val=family)
        _el(font, "pitch", val="variable")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _field(paragraph, instruction: str, placeholder: str) -> None:
    simple = _el(paragraph._p, "fldSimple", instr=f" {instruction} ")
    run = _el(simple, "r")
    _el(run, "t").text = placeholder


def _footer_paragraph(footer, style_id: str):
    paragraph = footer.paragraphs[0]
    for run in paragraph.runs:
        run._r.getparent().remove(run._r)
    _replace(paragraph._p.get_or_add_pPr(), "pStyle", val=style_id)
    return paragraph


def _pstyle(style_id: str):
    element = etree.Element(w("pStyle"))
    element.set(w("val"), style_id)
    return element


# ---------------------------------------------------------------- body content

def _add_text(parent, text: str, rpr_builder=None) -> None:
    """Runs under `parent` (a w:p) for `text`: line feeds become w:br, tabs w:tab."""
    run = _el(parent, "r")
    if rpr_builder is not None:
        rpr_builder(etree.SubElement(run, w("rPr")))
    for i, line in enumerate(text.split("\n")):
        if i:
            _el(run, "br")
        for j, piece in enumerate(line.split("\t")):
            if j:
                _el(run, "tab")
            if piece:
                t = _el(run, "t")
                t.text = piece
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _paragraph(body, style_id: str, text: str = "", ppr_builder=None, rpr_builder=None):
    p = etree.Element(w("p"))
    ppr = _el(p, "pPr")
    ppr.append(_pstyle(style_id))
    if ppr_builder is not None:
        ppr_builder(ppr)
    if text:
        _add_text(p, text, rpr_builder)
    _append(body, p)
    return p


def _append(body, element) -> None:
    """Append to the document's body, before its closing section properties."""
    body.insert(len(body) - 1, element)


def _bold(rpr):
    _run_props(rpr, bold=True)


def _table(body, t: Table) -> None:
    _paragraph(body, "Caption", t.caption, lambda ppr: _par_props(ppr, keep_next=True))
    if not t.rows:
        _paragraph(body, "TableText", t.empty, lambda ppr: _par_props(ppr, align="center"))
        return
    total = sum(c.width for c in t.columns)
    widths = [round(TEXT_WIDTH * c.width / total) for c in t.columns]
    widths[-1] += TEXT_WIDTH - sum(widths)
    tbl = etree.Element(w("tbl"))
    tblpr = _el(tbl, "tblPr")
    _el(tblpr, "tblStyle", val="TableGrid")
    _el(tblpr, "tblW", w=TEXT_WIDTH, type="dxa")
    _el(tblpr, "jc", val="center")
    borders = _el(tblpr, "tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        _el(borders, side, val="single", sz=4, space=0, color="000000")
    _el(tblpr, "tblLayout", type="fixed")
    margins = _el(tblpr, "tblCellMar")
    _el(margins, "left", w=60, type="dxa")
    _el(margins, "right", w=60, type="dxa")
    _el(tblpr, "tblLook", val="04A0", firstRow=1, lastRow=0, firstColumn=0, lastColumn=0, noHBand=0, noVBand=1)
    grid = _el(tbl, "tblGrid")
    for width in widths:
        _el(grid, "gridCol", w=width)
    aligns = [c.align for c in t.columns]

    def row(cells, header=False, bold=False):
        tr = _el(tbl, "tr")
        trpr = _el(tr, "trPr")
        _el(trpr, "cantSplit")
        if header:
            _el(trpr, "tblHeader")
        for text, width, align in zip(cells, widths, aligns):
            tc = _el(tr, "tc")
            tcpr = _el(tc, "tcPr")
            _el(tcpr, "tcW", w=width, type="dxa")
            if header:
                _el(tcpr, "shd", val="clear", color="auto", fill="D9D9D9")
            _el(tcpr, "vAlign", val="center")
            p = _el(tc, "p")
            ppr = _el(p, "pPr")
            ppr.append(_pstyle("TableHeading" if header else "TableText"))
            if not header and align != "left":
                _el(ppr, "jc", val=align)
            if text:
                _add_text(p, text, _bold if bold else None)

    row([c.title for c in t.columns], header=True)
    for i, cells in enumerate(t.rows):
        row(cells, bold=i in t.emphasis)
    _append(body, tbl)
    _paragraph(body, "TableText")                     # Word needs a paragraph between tables


# ---------------------------------------------------------------- the two kinds of document

def _common_styles(document, body: float, table: float, caption: float, line, official: bool):
    ppr, rpr = _style(document, "Normal", "Normal")
    _run_props(rpr, font=FANGSONG, size=body)
    if official:
        _el(rpr, "spacing", val=round((TEXT_WIDTH / 28 / 20 - body) * 20))     # −4: 28 characters a line
    _par_props(ppr, align="both", first_line_chars=2, size=body, line=line)
    ppr, rpr = _style(document, "Title", "Title")
    _run_props(rpr, font=XIAOBIAOSONG, size=22, bold=False)
    _par_props(ppr, align="center", first_line_chars=0, size=22, before=0, line=("auto", 240), snap=False)
    # 一级标题 黑体, 二级标题 楷体; in an official document indented like the text, on its grid
    for name, style_id, font, level in (("Heading 1", "Heading1", HEI, 0), ("Heading 2", "Heading2", KAI, 1)):
        ppr, rpr = _style(document, name, style_id, based_on="Normal")
        _run_props(rpr, font=font, size=16, bold=False)
        if official:
            _par_props(ppr, first_line_chars=2, size=16, line=line, keep_next=True, outline=level)
        else:
            _par_props(ppr, first_line_chars=0, size=16, before=360, after=120, line=("auto", 240),
                       keep_next=True, outline=level)
    ppr, rpr = _style(document, "Caption", "Caption")
    _run_props(rpr, font=KAI, size=caption, bold=False)
    _par_props(ppr, align="center", first_line_chars=0, size=caption, before=120, line=("auto", 240), keep_next=True)
    ppr, rpr = _style(document, "表格文字", "TableText")
    _run_props(rpr, font=FANGSONG, size=table)
    _par_props(ppr, align="left", first_line_chars=0, size=table, line=("auto", 240), snap=False)
    ppr, rpr = _style(document, "表格标题行", "TableHeading", based_on="表格文字")
    _run_props(rpr, font=HEI, size=table)
    _par_props(ppr, align="center")
    ppr, rpr = _style(document, "Footer", "Footer")
    _run_props(rpr, font=SONG, size=14 if body >= 16 else 10.5)
    _par_props(ppr, first_line_chars=0, size=14, line=("auto", 240), snap=False)


def _finish(document, day: dt.date) -> bytes:
    _in_schema_order(document.element)
    _in_schema_order(document.styles.element)
    for section in document.sections:
        for footer in (section.footer, section.even_page_footer):
            if not footer.is_linked_to_previous:
                _in_schema_order(footer._element)
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
    document = _new_document(paper.title, paper.author, paper.as_of, body_size, official=False)
    _common_styles(document, body=body_size, table=10.5, caption=12, line=500, official=False)  # 25 pt lines
    ppr, rpr = _style(document, "Subtitle", "Subtitle")
    _run_props(rpr, font=KAI, size=16, bold=False)
    _par_props(ppr, align="center", first_line_chars=0, size=16, before=120)
    ppr, rpr = _style(document, "密级", "Marking")
    _run_props(rpr, font=HEI, size=12)
    _par_props(ppr, align="left", first_line_chars=0, size=12)
    ppr, rpr = _style(document, "数据日期", "AsOf")
    _par_props(ppr, align="center", first_line_chars=0, size=body_size, before=120)

    body = document.element.body
    if paper.marking:
        _paragraph(body, "Marking", paper.marking)
    _paragraph(body, "Title", paper.title, lambda ppr: _par_props(ppr, before=240))
    if paper.subtitle:
        _paragraph(body, "Subtitle", paper.subtitle)
    _paragraph(body, "AsOf", f"数据截至{chinese_date(paper.as_of)}")
    for number, section in enumerate(paper.sections, 1):
        _paragraph(body, "Heading1", section_heading(number, section.heading))
        for text in section.paragraphs:
            _paragraph(body, "Normal", text)
        for t in section.tables:
            _table(body, t)

    footer = _footer_paragraph(document.sections[0].footer, "Footer")
    _par_props(footer._p.get_or_add_pPr(), align="center")
    _add_text(footer._p, "第 ")
    _field(footer, "PAGE", "1")
    _add_text(footer._p, " 页　共 ")
    _field(footer, "NUMPAGES", "1")
    _add_text(footer._p, " 页")
    return _finish(document, paper.as_of)


def _official(doc: OfficialDocument) -> bytes:
    body_size = 16.0
    em = round(body_size * 20)                                # one character, in twips
    document = _new_document(doc.title, doc.author, doc.date, body_size, official=True)
    _common_styles(document, body=body_size, table=12, caption=14, line=PITCH, official=True)
    # The elements of GB/T 9704, each a style of its own, on the 28.95 pt line grid
    ppr, rpr = _style(document, "发文机关标志", "IssuerMark")
    _run_props(rpr, font=XIAOBIAOSONG, color=RED)
    _par_props(ppr, align="center", line=("auto", 240), snap=False)
    ppr, rpr = _style(document, "发文字号", "DocumentNumber")
    _par_props(ppr, align="center", before=2 * PITCH, line=PITCH)
    # the red separator 4 mm under the 发文字号, as wide as the 版心 (2.25 pt, as templates draw it)
    _el(_el(ppr, "pBdr"), "bottom", val="single", sz=18, space=11, color=RED)
    ppr, rpr = _style(document, "主送机关", "Recipients")
    _par_props(ppr, align="both", before=PITCH, line=PITCH)
    ppr, rpr = _style(document, "附件说明", "AttachmentNote")
    _par_props(ppr, align="left", line=PITCH)
    ppr, rpr = _style(document, "发文机关署名", "Signature")
    _par_props(ppr, align="right", before=PITCH, line=PITCH, keep_next=True)
    ppr, rpr = _style(document, "成文日期", "DocumentDate")
    _par_props(ppr, align="right", line=PITCH)
    ppr, rpr = _style(document, "附件标识", "AttachmentLabel")
    _run_props(rpr, font=HEI)
    _par_props(ppr, align="left", line=PITCH, page_break=True)
    ppr, rpr = _style(document, "版记", "Record")
    _run_props(rpr, size=14)
    _par_props(ppr, align="left", line=("auto", 240), snap=False)
    ppr, rpr = _style(document, "密级", "Marking")
    _run_props(rpr, font=HEI)
    _par_props(ppr, align="left", line=PITCH)

    body = document.element.body
    # 版头: the issuer mark's top edge 35 mm under the 版心's
    if doc.marking:
        _paragraph(body, "Marking", doc.marking)
    size, scale = mark_geometry(doc.issuer_mark)
    gap = round(35 * TWIPS_PER_MM) - (PITCH if doc.marking else 0)
    _paragraph(body, "IssuerMark", doc.issuer_mark, lambda ppr: _par_props(ppr, before=gap),
               lambda rpr: _run_props(rpr, size=size, scale=round(scale * 100)))
    _paragraph(body, "DocumentNumber", doc.number)
    # 主体
    _paragraph(body, "Title", doc.title, lambda ppr: _par_props(ppr, before=2 * PITCH, line=PITCH + 120))
    _paragraph(body, "Recipients", f"{doc.recipients}：")
    _blocks(body, doc.body)
    # 附件说明: 正文下空一行左空二字 “附件：”, several numbered and aligned under the first
    notes = ([doc.attachments[0].title] if len(doc.attachments) == 1 else
             [f"{i}．{a.title}" for i, a in enumerate(doc.attachments, 1)])
    for i, note in enumerate(notes):
        first = i == 0
        _paragraph(body, "AttachmentNote", f"附件：{note}" if first else note,
                   lambda ppr, first=first: _par_props(ppr, before=PITCH if first else 0, left=5 * em,
                                                       hanging_chars=3 if first else None, size=16))
    # 不加盖印章: 署名右空二字；成文日期首字比署名首字右移二字
    date = chinese_date(doc.date)
    block = max(width_em(doc.signature), 2 + width_em(date))
    _paragraph(body, "Signature", doc.signature,
               lambda ppr: _par_props(ppr, right=round((2 + block - width_em(doc.signature)) * em)))
    _paragraph(body, "DocumentDate", date,
               lambda ppr: _par_props(ppr, right=round((block - width_em(date)) * em)))
    for i, a in enumerate(doc.attachments, 1):
        _paragraph(body, "AttachmentLabel", f"附件{i}" if len(doc.attachments) > 1 else "附件")
        _paragraph(body, "Title", a.title, lambda ppr: _par_props(ppr, before=PITCH, line=PITCH + 120))
        _paragraph(body, "Recipients", "")
        _blocks(body, a.blocks)
    if doc.cc or doc.printer:
        _record(body, doc)

    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    for footer, align, side in ((section.footer, "right", "right"), (section.even_page_footer, "left", "left")):
        paragraph = _footer_paragraph(footer, "Footer")
        _par_props(paragraph._p.get_or_add_pPr(), align=align, **{side: 280})
        _add_text(paragraph._p, "— ")
        _field(paragraph, "PAGE", "1")
        _add_text(paragraph._p, " —")
    return _finish(document, doc.date)


def _blocks(body, blocks) -> None:
    styles = {0: "Normal", 1: "Heading1", 2: "Heading2"}
    for b in blocks:
        if isinstance(b, Table):
            _table(body, b)
        else:
            _paragraph(body, styles[b.level], b.text)


def _record(body, doc: OfficialDocument) -> None:
    """版记: 抄送 and 印发 in a table anchored to the foot of the last page (in Word and WPS;
    LibreOffice 7.4 sets it under the last text), thick rules (0.35 mm) first and last, thin
    (0.25 mm) between. 印发机关 left and 印发日期 right are two cells of one row."""
    em = 280                                         # 四号, 14 pt, in twips
    printed = f"{chinese_date(doc.printed or doc.date)}印发"
    date_width = round((width_em(printed) * 1.1 + 1.5) * em)     # digits run a little wider than ½ em
    widths = (TEXT_WIDTH - date_width, date_width)
    tbl = etree.Element(w("tbl"))
    tblpr = _el(tbl, "tblPr")
    _el(tblpr, "tblpPr", leftFromText=0, rightFromText=0, topFromText=0, bottomFromText=0,
        vertAnchor="margin", horzAnchor="margin", tblpXSpec="center", tblpYSpec="bottom")
    _el(tblpr, "tblW", w=TEXT_WIDTH, type="dxa")
    borders = _el(tblpr, "tblBorders")
    _el(borders, "top", val="single", sz=8, space=0, color="000000")
    _el(borders, "bottom", val="single", sz=8, space=0, color="000000")
    _el(borders, "insideH", val="single", sz=6, space=0, color="000000")
    for side in ("left", "right", "insideV"):
        _el(borders, side, val="nil")
    _el(tblpr, "tblLayout", type="fixed")
    margins = _el(tblpr, "tblCellMar")
    _el(margins, "left", w=0, type="dxa")
    _el(margins, "right", w=0, type="dxa")
    grid = _el(tbl, "tblGrid")
    for width in widths:
        _el(grid, "gridCol", w=width)

    def cell(tr, width, text, span=1, **layout):
        tc = _el(tr, "tc")
        tcpr = _el(tc, "tcPr")
        _el(tcpr, "tcW", w=width, type="dxa")
        if span > 1:
            _el(tcpr, "gridSpan", val=span)
        p = _el(tc, "p")
        ppr = _el(p, "pPr")
        ppr.append(_pstyle("Record"))
        _par_props(ppr, **layout)
        _add_text(p, text)

    def row():
        tr = _el(tbl, "tr")
        _el(_el(tr, "trPr"), "cantSplit")
        return tr

    if doc.cc:   # 左右各空一字，回行时与冒号后的首字对齐
        cell(row(), TEXT_WIDTH, f"抄送：{doc.cc}。", span=2, left=4 * em, right=em, hanging_chars=3, size=14)
    if doc.printer:   # 印发机关左空一字，印发日期右空一字
        tr = row()
        cell(tr, widths[0], doc.printer, left=em, right=0)
        cell(tr, widths[1], printed, align="right", left=0, right=em)
    _append(body, tbl)
    _paragraph(body, "Record")


def render_docx(doc: Paper | OfficialDocument) -> bytes:
    """The document as DOCX bytes: the same document gives the same bytes."""
    if isinstance(doc, Paper):
        return _paper(doc)
    if isinstance(doc, OfficialDocument):
        return _official(doc)
    raise TypeError(f"不是会议材料或公文：{type(doc).__name__}")
