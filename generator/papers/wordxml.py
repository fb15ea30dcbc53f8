"""WordprocessingML by hand, for docx.py: elements in schema order, run and paragraph
properties, styles, fields, fonts with their Windows stand-ins, and a new A4 document with the
margins of GB/T 9704. python-docx builds the package; what it has no API for is written here."""
from __future__ import annotations

import datetime as dt

from lxml import etree

from .layout import MARGINS_MM, TEXT_WIDTH_MM

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


def el(parent, tag: str, **attrs):
    """A child `w:tag` of `parent` with `w:` attributes (values as strings)."""
    child = etree.SubElement(parent, w(tag))
    for key, value in attrs.items():
        child.set(w(key), str(value))
    return child


def replace(parent, tag: str, **attrs):
    """Like `el`, but first removes any `w:tag` child."""
    for old in parent.findall(w(tag)):
        parent.remove(old)
    return el(parent, tag, **attrs)


# Word rejects a file whose property elements are out of the schema's order (ECMA-376 part 1,
# §17): the helpers below append, and `in_schema_order` sorts once before saving.
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


def in_schema_order(root) -> None:
    for element in root.iter(*_RANK):
        rank = _RANK[element.tag]
        children = list(element)
        ordered = sorted(children, key=lambda c: rank.get(c.tag, len(rank)))
        if ordered != children:
            element[:] = ordered


# ---------------------------------------------------------------- run and paragraph properties

def run_props(rpr, font=None, size=None, bold=None, color=None, scale=None):
    if font is not None:
        replace(rpr, "rFonts", ascii=LATIN, hAnsi=LATIN, eastAsia=font[0], cs=LATIN, hint="eastAsia")
    if bold is not None:
        for name in ("b", "bCs"):
            replace(rpr, name, val="1" if bold else "0")
    if color is not None:
        replace(rpr, "color", val=color)
    if scale is not None:
        replace(rpr, "w", val=scale)
    if size is not None:
        half = round(size * 2)
        replace(rpr, "sz", val=half)
        replace(rpr, "szCs", val=half)


def par_props(ppr, align=None, first_line_chars=None, size=None, left=None, right=None, hanging_chars=None,
               before=None, after=None, line=None, keep_next=None, snap=None, outline=None, page_break=None):
    """Spacing in twips; `line` exact in twips, or ("auto", 240 = single). Left and right indents
    in twips; first-line and hanging indents in characters (Word's own unit for Chinese text,
    with the same in twips from `size` for other readers). An indent, once given, is written
    whole (the rest 0): LibreOffice lets every style inherit 正文's first-line indent."""
    if keep_next:
        replace(ppr, "keepNext")
    if page_break:
        replace(ppr, "pageBreakBefore")
    if snap is not None:
        replace(ppr, "snapToGrid", val="1" if snap else "0")
    if before is not None or after is not None or line is not None:
        spacing = replace(ppr, "spacing", before=before or 0, after=after or 0)
        if isinstance(line, tuple):
            spacing.set(w("line"), str(line[1]))
            spacing.set(w("lineRule"), "auto")
        elif line is not None:
            spacing.set(w("line"), str(line))
            spacing.set(w("lineRule"), "exact")
    if first_line_chars is not None or left is not None or right is not None or hanging_chars is not None:
        ind = replace(ppr, "ind", left=left or 0, right=right or 0)
        chars = hanging_chars if hanging_chars is not None else first_line_chars or 0
        twips = str(round(chars * (size or 16) * 20))
        if hanging_chars is not None:
            ind.set(w("hangingChars"), str(round(chars * 100)))
            ind.set(w("hanging"), twips)
        else:
            ind.set(w("firstLineChars"), str(round(chars * 100)))
            ind.set(w("firstLine"), twips)
    if align is not None:
        replace(ppr, "jc", val=align)
    if outline is not None:
        replace(ppr, "outlineLvl", val=outline)


def style(document, name: str, style_id: str, kind: str = "paragraph", based_on: str | None = None):
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
        replace(element, "basedOn", val=styles[based_on].style_id)
    element.set(w("customStyle"), "0" if style.builtin else "1")
    ppr = etree.SubElement(element, w("pPr"))
    rpr = etree.SubElement(element, w("rPr"))
    el(rpr, "color", val="000000")
    if not based_on and name != "Normal":
        par_props(ppr, first_line_chars=0)
    return ppr, rpr


# ---------------------------------------------------------------- the document's frame

def new_document(title: str, author: str, day: dt.date, body_size: float, official: bool):
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
    el(sect, "docGrid", type="lines", linePitch=PITCH if official else 312)

    defaults = document.styles.element.find(w("docDefaults"))
    rpr = defaults.find(f"{w('rPrDefault')}/{w('rPr')}")
    for child in list(rpr):
        rpr.remove(child)
    run_props(rpr, font=FANGSONG, size=body_size)
    el(rpr, "kern", val=2)
    el(rpr, "lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA")
    ppr = defaults.find(f"{w('pPrDefault')}/{w('pPr')}")
    for child in list(ppr):
        ppr.remove(child)
    el(ppr, "spacing", after=0, line=240, lineRule="auto")

    declare_fonts(package)
    props = document.core_properties
    stamp = dt.datetime(day.year, day.month, day.day)
    props.title, props.author, props.last_modified_by = title, author, author
    props.created = props.modified = stamp
    props.revision = 1
    props.comments = props.keywords = props.subject = props.category = ""
    return document


def declare_fonts(package) -> None:
    """Add the official fonts to word/fontTable.xml with their Windows alternatives."""
    part = next(p for p in package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    root = etree.fromstring(part.blob)
    known = {f.get(w("name")) for f in root.findall(w("font"))}
    for name, alternative, family in FONTS:
        if name in known:
            continue
        font = el(root, "font", name=name)
        el(font, "altName", val=alternative)
        el(font, "charset", val="86")             # GB2312
        el(font, "family", val=family)
        el(font, "pitch", val="variable")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def field(paragraph, instruction: str, placeholder: str) -> None:
    simple = el(paragraph._p, "fldSimple", instr=f" {instruction} ")
    run = el(simple, "r")
    el(run, "t").text = placeholder


def footer_paragraph(footer, style_id: str):
    paragraph = footer.paragraphs[0]
    for run in paragraph.runs:
        run._r.getparent().remove(run._r)
    replace(paragraph._p.get_or_add_pPr(), "pStyle", val=style_id)
    return paragraph


def pstyle(style_id: str):
    element = etree.Element(w("pStyle"))
    element.set(w("val"), style_id)
    return element


# ---------------------------------------------------------------- body content

def add_text(parent, text: str, rpr_builder=None) -> None:
    """Runs under `parent` (a w:p) for `text`: line feeds become w:br, tabs w:tab."""
    run = el(parent, "r")
    if rpr_builder is not None:
        rpr_builder(etree.SubElement(run, w("rPr")))
    for i, line in enumerate(text.split("\n")):
        if i:
            el(run, "br")
        for j, piece in enumerate(line.split("\t")):
            if j:
                el(run, "tab")
            if piece:
                t = el(run, "t")
                t.text = piece
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def paragraph(body, style_id: str, text: str = "", ppr_builder=None, rpr_builder=None):
    p = etree.Element(w("p"))
    ppr = el(p, "pPr")
    ppr.append(pstyle(style_id))
    if ppr_builder is not None:
        ppr_builder(ppr)
    if text:
        add_text(p, text, rpr_builder)
    append(body, p)
    return p


def append(body, element) -> None:
    """Append to the document's body, before its closing section properties."""
    body.insert(len(body) - 1, element)


def bold(rpr):
    run_props(rpr, bold=True)
