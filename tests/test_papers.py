"""Meeting papers (generator/papers): a pack and a circular built here, written through
`generator.papers.write` as PDF and DOCX, and read back the way a person's tools would: the PDF
with poppler (pdftotext, pdffonts, pdfinfo, pdftoppm), the DOCX with python-docx and LibreOffice.

The pack carries hostile text (markup of HTML, Typst and spreadsheets, control characters, a
word far longer than any cell) and a 2,000-row table, so the page-level promises can be seen:
header rows repeated on every page, no row split over two pages, page numbers "第 N 页 共 M 页".
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from generator.papers import write
from generator.papers.document import (Attachment, Column, OfficialDocument, Paper, Paragraph, Section, Table,
                                       chinese_numeral, clean, section_heading)

REPO = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2017, 5, 31)
ROWS = 2000
HOSTILE = '<script>alert(1)</script> =HYPERLINK("http://evil.example","点我") #set text(red) $x$ *粗体* \\'
LONG_WORD = "Supercalifragilisticexpialidocious" * 6          # 204 characters, no break opportunity
NEEDS_POPPLER = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                   reason="needs Debian's poppler-utils (make system-tools installs it)")

SECTIONS = ("上次会议议定事项落实情况", "整改总体情况", "各区（县、市）排名", "逾期问题",
            "本期新立项问题", "督查、测评、媒体反馈", "需表态发言的单位", "逾期任务节点与重大事项")


def overdue_table(rows: int = ROWS) -> Table:
    """Each row: a row mark R…, an id, a problem text of three or four lines ending in Z…, so a
    row whose lines went to two pages shows as a page holding R0042 without Z0042."""
    columns = (Column("序号", 1.1, "center"), Column("编号", 2), Column("问题", 4.2),
               Column("责任单位", 2), Column("整改时限", 1.5, "center"), Column("逾期天数", 1.1, "right"))
    body = []
    for i in range(rows):
        text = f"盘龙区北京路与环城南路交叉口流动摊贩占道经营，垃圾乱堆，公益广告破损{'，乱张贴' * (i % 4)} Z{i:04d}"
        body.append((f"R{i:04d}", f"P-2017-{i:04d}", text, "盘龙区城市管理局", "2017年4月21日", str(40 - i % 40)))
    body[3] = ("R0003", "P-2017-0003", f"{HOSTILE} Z0003", "盘龙区", "2017年4月21日", "3")
    body[5] = ("R0005", "P-2017-0005", f"{LONG_WORD} Z0005", "盘龙区", "2017年4月21日", "5")
    return Table("逾期问题清单（按责任单位）", columns, body, emphasis=frozenset(range(0, rows, 7)))


def sample_paper(rows: int = ROWS) -> Paper:
    decisions = Table("议定事项落实情况", (Column("议定事项", 4), Column("责任单位", 2), Column("完成时限", 1.6, "center"),
                                    Column("状态", 1, "center"), Column("逾期天数", 1.1, "right")),
                      [("整治北京路沿线占道经营", "盘龙区", "2017年5月15日", "推进中", "16"),
                       ("补齐主干道公益广告", "市城管局", "2017年6月1日", "已完成", "")], emphasis={0})
    ranking = Table("各区（县、市）整改排名", (Column("名次", 1, "center"), Column("区（县、市）", 3),
                                       Column("销号率", 1.5, "right"), Column("较上月", 1.2, "center")),
                    [("1", "五华区", "85.3%", "↑2"), ("2", "盘龙区", "80.1%", "—"), ("3", "官渡区", "71.0%", "↓2")],
                    emphasis={2})
    sections = (
        Section(SECTIONS[0], ("第 9 次调度会议定事项 12 项：已完成 5 项，推进中 4 项，未启动 3 项；逾期 2 项。",), (decisions,)),
        Section(SECTIONS[1], ("截至2017年5月31日，共立项问题 25,000 个，已销号 18,342 个，销号率 73.4%；红灯 4,998 个。",
                              f"控制字符\x00与\x1b[31m方向控制\u202e都应去掉。{HOSTILE}")),
        Section(SECTIONS[2], (), (ranking,)),
        Section(SECTIONS[3], ("按责任单位列出全部逾期问题，已催办的标注。",), (overdue_table(rows),)),
        Section(SECTIONS[4], (f"一个很长的词：{LONG_WORD}",)),
        Section(SECTIONS[5], ("本期无媒体反馈。",)),
        Section(SECTIONS[6], (), (Table("表态发言", (Column("单位"), Column("原因", 3)), []),)),
        Section(SECTIONS[7], ("无。",)),
    )
    return Paper("昆明市创建全国文明城市工作总指挥部第10次工作调度会会议材料", AS_OF, sections,
                 subtitle="（2017年6月2日）")


def sample_circular() -> OfficialDocument:
    rank = Table("2017年5月各县（市）区测评排名", (Column("名次", 1, "center"), Column("县（市）区", 3),
                                           Column("得分率（%）", 2, "right")),
                 [(str(i), name, f"{91 - i * 0.7:.1f}") for i, name in
                  enumerate("五华区 盘龙区 官渡区 西山区 东川区 呈贡区 晋宁区".split(), 1)], emphasis={5, 6})
    body = (Paragraph("现将2017年5月各县（市）区创建工作测评结果通报如下。"),
            Paragraph("一、测评总体情况", 1),
            Paragraph("全市平均得分率为 85.3%，较上月提高 2.1 个百分点。"),
            Paragraph("（一）排名靠后的区", 2),
            Paragraph(f"晋宁区、呈贡区须在下次调度会上作表态发言。{HOSTILE}"))
    return OfficialDocument(
        "昆明市创建全国文明城市工作指挥部办公室文件", "昆创文指办〔2017〕12号",
        "关于2017年5月全市创建全国文明城市测评情况的通报", "各县（市）区创建全国文明城市工作指挥部，市级各部门",
        body, "昆明市创建全国文明城市工作指挥部办公室", AS_OF,
        attachments=(Attachment("2017年5月各县（市）区测评排名", (rank,)), Attachment("测评发现的主要问题")),
        cc="市委办公厅，市政府办公厅", printer="昆明市创建全国文明城市工作指挥部办公室", printed=dt.date(2017, 6, 1))


@pytest.fixture(scope="module")
def papers(tmp_path_factory):
    """The pack and the circular, each written once as PDF and as DOCX."""
    out = tmp_path_factory.mktemp("papers")
    paths = {}
    for name, doc in (("paper", sample_paper()), ("circular", sample_circular())):
        for suffix in (".pdf", ".docx"):
            paths[name + suffix] = out / f"{name}{suffix}"
            write(doc, paths[name + suffix])
    return paths


def run(*args) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=120).stdout


def pages(pdf: Path) -> list[str]:
    """The text of each page (pdftotext separates pages with a form feed)."""
    return run("pdftotext", str(pdf), "-").split("\f")[:-1]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ---------------------------------------------------------------- the model

def test_model_rejects_ragged_tables_and_bad_emphasis():
    with pytest.raises(ValueError, match="第 2 行有 1 格"):
        Table("表", (Column("甲"), Column("乙")), [("1", "2"), ("3",)])
    with pytest.raises(ValueError, match="超出范围"):
        Table("表", (Column("甲"),), [("1",)], emphasis={1})
    with pytest.raises(ValueError):
        Column("甲", width=0)
    with pytest.raises(TypeError):
        Table("表", (Column("甲"),), [(3,)])


def test_text_is_cleaned_of_what_no_format_can_hold():
    assert clean("a\x00b\x1b[31mc\u202ed\r\ne\tf") == "ab[31mcd\ne\tf"
    assert [chinese_numeral(n) for n in (1, 10, 11, 20, 38)] == ["一", "十", "十一", "二十", "三十八"]
    assert section_heading(3, "逾期问题") == "三、逾期问题"


def test_write_replaces_the_file_only_when_the_paper_is_made(tmp_path, monkeypatch):
    import generator.papers.pdf as pdf
    target = tmp_path / "材料.pdf"
    target.write_bytes(b"previous")

    def broken(doc):
        raise pdf.PaperError("排版失败")
    monkeypatch.setattr(pdf, "render_pdf", broken)
    with pytest.raises(pdf.PaperError):
        write(sample_circular(), target)
    with pytest.raises(ValueError, match=r"\.pdf 或 \.docx"):
        write(sample_circular(), tmp_path / "材料.odt")
    assert target.read_bytes() == b"previous" and sorted(p.name for p in tmp_path.iterdir()) == ["材料.pdf"]


def test_write_failing_on_disk_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    import os
    target = tmp_path / "材料.docx"
    target.write_bytes(b"previous")

    def full_disk(fd):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError):
        write(sample_circular(), target)
    assert target.read_bytes() == b"previous" and [p.name for p in tmp_path.iterdir()] == ["材料.docx"]


# ---------------------------------------------------------------- PDF

@NEEDS_POPPLER
def test_pdf_shows_the_headings_numbers_and_hostile_text_as_text(papers):
    text = run("pdftotext", str(papers["paper.pdf"]), "-")
    flat = squeeze(text)
    for number, heading in enumerate(SECTIONS, 1):
        assert squeeze(section_heading(number, heading)) in flat
    for expected in ("昆明市创建全国文明城市工作总指挥部第10次工作调度会会议材料", "数据截至2017年5月31日",
                     "25,000", "18,342", "73.4%", "4,998", "85.3%", "P-2017-1999", "Z1999"):
        assert squeeze(expected) in flat, expected
    assert squeeze(HOSTILE) in flat                      # printed as it is, not interpreted
    assert LONG_WORD in flat                             # broken over lines, no character added
    assert "\x1b" not in text and "\u202e" not in text and "控制字符与[31m方向控制都应去掉" in flat


@NEEDS_POPPLER
def test_pdf_keeps_every_word_inside_the_text_area(papers):
    """Typst breaks lines only at spaces and between CJK characters: the 204-character word and
    the markup must still wrap inside the 版心 (28 mm from the left, 156 mm wide). A line may end
    in CJK punctuation set half-width, which pdftotext still measures a whole em wide."""
    left, right = 28 * 72 / 25.4, (28 + 156) * 72 / 25.4
    for name in ("paper.pdf", "circular.pdf"):
        boxes = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)<',
                           run("pdftotext", "-bbox", str(papers[name]), "-"))
        assert len(boxes) > 100
        outside = [(word, x0, x1) for x0, x1, word in boxes
                   if float(x0) < left - 1 or float(x1) > right + (8 if word[-1] in "，。、；：！？）”’》" else 1)]
        assert not outside, f"{name}: {outside[:3]}"


@NEEDS_POPPLER
def test_pdf_is_a4_numbered_and_embeds_its_cjk_fonts(papers):
    info = run("pdfinfo", str(papers["paper.pdf"]))
    assert "595.276 x 841.89 pts (A4)" in info
    total = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert total > 40
    text = pages(papers["paper.pdf"])
    assert len(text) == total
    for n in (1, 2, total):
        assert f"第{n}页共{total}页" in squeeze(text[n - 1])
    dates = run("pdfinfo", "-isodates", str(papers["paper.pdf"]))
    assert re.search(r"CreationDate:\s+2017-05-31T00:00:00", dates), dates          # the paper's date, not now
    fonts = run("pdffonts", str(papers["paper.pdf"]))
    for family in ("NotoSerifCJKsc-Regular", "NotoSerifCJKsc-Bold", "NotoSansCJKsc-Regular", "LXGWWenKai-Regular"):
        line = next((l for l in fonts.splitlines() if family in l), "")
        assert re.search(r"\byes\s+yes\s+yes\b", line), f"{family} not embedded:\n{fonts}"


@NEEDS_POPPLER
def test_pdf_table_repeats_its_header_and_never_splits_a_row(papers):
    text = pages(papers["paper.pdf"])
    table_pages = [i for i, page in enumerate(text) if re.search(r"R\d{4}", page)]
    assert len(table_pages) > 30
    for i in table_pages:
        page = squeeze(text[i])
        assert all(title in page for title in ("序号", "编号", "责任单位", "整改时限", "逾期天数")), f"page {i + 1}"
        starts = set(re.findall(r"R(\d{4})", page))
        ends = set(re.findall(r"Z(\d{4})", page))
        assert starts == ends, f"page {i + 1}: rows split over pages: {sorted(starts ^ ends)[:5]}"
    seen = [n for i in table_pages for n in re.findall(r"R(\d{4})", text[i])]
    assert seen == [f"{n:04d}" for n in range(ROWS)]     # every row once, in order


@NEEDS_POPPLER
def test_pdf_renders_are_byte_identical_across_processes(papers, tmp_path):
    again = tmp_path / "again.pdf"
    code = ("import sys; sys.path[:0] = [%r, %r]; from test_papers import sample_paper; "
            "from generator.papers import write; write(sample_paper(), %r)" % (str(REPO), str(REPO / "tests"), str(again)))
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120, env={"PYTHONHASHSEED": "123", "PATH": "/usr/bin:/bin"})
    assert again.read_bytes() == papers["paper.pdf"].read_bytes()


@NEEDS_POPPLER
def test_circular_pdf_has_the_gbt_9704_elements(papers, tmp_path):
    text = pages(papers["circular.pdf"])
    flat = [squeeze(page) for page in text]
    first = flat[0]
    order = ["昆明市创建全国文明城市工作指挥部办公室文件", "昆创文指办〔2017〕12号", "关于2017年5月全市创建全国文明城市测评情况的通报",
             "各县（市）区创建全国文明城市工作指挥部，市级各部门：", "现将2017年5月"]
    positions = [first.find(part) for part in order]
    assert -1 not in positions and positions == sorted(positions), positions
    whole = "".join(flat)
    for expected in ("附件：1．2017年5月各县（市）区测评排名", "2．测评发现的主要问题", "昆明市创建全国文明城市工作指挥部办公室2017年5月31日",
                     "附件1", "附件2", "抄送：市委办公厅，市政府办公厅。", "2017年6月1日印发", squeeze(HOSTILE)):
        assert expected in whole, expected
    assert "—1—" in flat[0] and "—2—" in flat[1] and len(text) == 4   # body, body, 附件1, 附件2 with 版记
    # the issuer mark is red: the top third of page 1 holds red pixels, the rest none
    from PIL import Image
    run("pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", str(papers["circular.pdf"]), str(tmp_path / "p"))
    image = Image.open(next(tmp_path.glob("p-*.png"))).convert("RGB")
    red = [(x, y) for x in range(image.width) for y in range(image.height)
           if (lambda r, g, b: r > 180 and g < 90 and b < 90)(*image.getpixel((x, y)))]
    assert red and max(y for _, y in red) < image.height / 2        # the mark and the red separator


# ---------------------------------------------------------------- DOCX

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _flag(row, name: str) -> bool:
    trpr = row._tr.trPr
    return trpr is not None and trpr.find(W + name) is not None


def _east_asia(style) -> str:
    return style.element.find(f"{W}rPr/{W}rFonts").get(W + "eastAsia")


def test_docx_reads_back_with_styles_tables_and_flags(papers):
    import docx
    document = docx.Document(str(papers["paper.docx"]))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs if p.text]
    assert ("Title", "昆明市创建全国文明城市工作总指挥部第10次工作调度会会议材料") in paragraphs
    assert [t for s, t in paragraphs if s == "Heading 1"] == [section_heading(i, h) for i, h in enumerate(SECTIONS, 1)]
    assert ("Normal", f"控制字符与[31m方向控制都应去掉。{HOSTILE}") in paragraphs
    assert _east_asia(document.styles["Normal"]) == "仿宋_GB2312"
    assert _east_asia(document.styles["Heading 1"]) == "黑体"
    assert _east_asia(document.styles["Title"]) == "方正小标宋简体"

    decisions, ranking, overdue = document.tables
    assert [c.text for c in overdue.rows[0].cells] == ["序号", "编号", "问题", "责任单位", "整改时限", "逾期天数"]
    assert len(overdue.rows) == ROWS + 1
    assert _flag(overdue.rows[0], "tblHeader") and not any(_flag(r, "tblHeader") for r in overdue.rows[1:])
    assert all(_flag(r, "cantSplit") for r in overdue.rows)
    assert overdue.cell(4, 2).text == f"{HOSTILE} Z0003"           # text, not a formula or a field
    assert overdue.cell(ROWS, 1).text == f"P-2017-{ROWS - 1:04d}"
    bold = [all(run.bold for p in row.cells[2].paragraphs for run in p.runs) for row in overdue.rows[1:]]
    assert [i for i, b in enumerate(bold) if b] == list(range(0, ROWS, 7))
    assert [c.text for c in ranking.rows[3].cells] == ["3", "官渡区", "71.0%", "↓2"]
    assert decisions.rows[1].cells[4].text == "16"

    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)] == [37, 35, 28, 26]
    footer = section.footer._element.xml
    assert 'w:instr=" PAGE "' in footer and 'w:instr=" NUMPAGES "' in footer
    xml = zipfile.ZipFile(papers["paper.docx"]).read("word/document.xml").decode()
    assert "HYPERLINK" in xml and "<w:hyperlink" not in xml and "instrText" not in xml and "fldSimple" not in xml
    fonts = zipfile.ZipFile(papers["paper.docx"]).read("word/fontTable.xml").decode()
    assert re.search(r'w:name="仿宋_GB2312"><w:altName w:val="仿宋"/><w:charset w:val="86"/>', fonts)
    props = document.core_properties
    assert props.created == props.modified == dt.datetime(2017, 5, 31, tzinfo=dt.timezone.utc)
    assert props.author == "总指挥部办公室" and props.revision == 1


def test_docx_renders_are_byte_identical(tmp_path):
    for doc in (sample_paper(rows=50), sample_circular()):
        write(doc, tmp_path / "a.docx")
        write(doc, tmp_path / "b.docx")
        assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()
        stamps = {info.date_time for info in zipfile.ZipFile(tmp_path / "a.docx").infolist()}
        assert stamps == {(2017, 5, 31, 0, 0, 0)}


def test_circular_docx_has_the_gbt_9704_elements(papers):
    import docx
    document = docx.Document(str(papers["circular.docx"]))
    styled = [(p.style.style_id, p.text) for p in document.paragraphs if p.text]
    ids = [s for s, _ in styled]
    assert styled[:4] == [("IssuerMark", "昆明市创建全国文明城市工作指挥部办公室文件"), ("DocumentNumber", "昆创文指办〔2017〕12号"),
                          ("Title", "关于2017年5月全市创建全国文明城市测评情况的通报"),
                          ("Recipients", "各县（市）区创建全国文明城市工作指挥部，市级各部门：")]
    assert ids[4:9] == ["Normal", "Heading1", "Normal", "Heading2", "Normal"]
    assert ("AttachmentNote", "附件：1．2017年5月各县（市）区测评排名") in styled and ("AttachmentNote", "2．测评发现的主要问题") in styled
    assert ("Signature", "昆明市创建全国文明城市工作指挥部办公室") in styled and ("DocumentDate", "2017年5月31日") in styled
    assert [t for s, t in styled if s == "AttachmentLabel"] == ["附件1", "附件2"]
    mark = document.paragraphs[0]
    assert mark.style.font.color.rgb == docx.shared.RGBColor(0xE6, 0x00, 0x12)
    assert mark.runs[0]._r.rPr.find(W + "w").get(W + "val") == "60"          # narrowed to fit the 版心
    number = document.styles["发文字号"].element.find(f"{W}pPr/{W}pBdr/{W}bottom")
    assert number.get(W + "color") == "E60012"                                 # the red separator
    assert _east_asia(document.styles["Heading 2"]) == "楷体_GB2312"
    ranking, record = document.tables
    assert [c.text for c in ranking.rows[7].cells] == ["7", "晋宁区", "86.1"]
    assert [c.text for c in record.rows[0].cells][0] == "抄送：市委办公厅，市政府办公厅。"
    assert [c.text for c in record.rows[1].cells] == ["昆明市创建全国文明城市工作指挥部办公室", "2017年6月1日印发"]
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        paragraph = footer.paragraphs[0]
        assert 'w:instr=" PAGE "' in paragraph._p.xml and paragraph.text.startswith("— ")
        assert paragraph._p.pPr.find(W + "jc").get(W + "val") == align


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="needs Debian's libreoffice-writer-nogui and poppler-utils (make system-tools)")
def test_libreoffice_converts_both_docx_files(papers, tmp_path):
    for name in ("paper.docx", "circular.docx"):
        result = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                                 "--convert-to", "pdf", "--outdir", str(tmp_path), str(papers[name])],
                                capture_output=True, text=True, timeout=300)
        pdf = tmp_path / name.replace(".docx", ".pdf")
        assert result.returncode == 0 and "Error" not in result.stderr + result.stdout and pdf.exists(), result
        text = squeeze(run("pdftotext", str(pdf), "-"))
        if name == "paper.docx":
            assert "一、上次会议议定事项落实情况" in text and "P-2017-1999" in text and squeeze(HOSTILE) in text
            assert int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(pdf))).group(1)) > 40
        else:
            assert "昆创文指办〔2017〕12号" in text and "2017年6月1日印发" in text
