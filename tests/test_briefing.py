"""The meeting papers made from the records (issue 18): `briefing` (the scheduling meeting's pack)
and `circular --kind ranking` (a draft 通报), through the command line, read back the way the office
would (pdftotext, pdffonts, python-docx, LibreOffice), and compared with the numbers the dashboards
show: the `Dashboard` the internal site is rendered from, and the built internal dashboard page.

The example records (records/, as of 2017-05-31): the next scheduling meeting is M-2017-0121 (planned,
2017-06-02), the previous one M-2017-0104 (held, 2017-05-19).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import html
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO
from generator.catalog.decisions import of_meeting
from generator.catalog.view import view
from generator.cli import main
from generator.pipeline import internal_catalog
from generator.site.dashboards import compute
from generator.validate import validate

RECORDS = REPO / "records"
AS_OF = "2017-05-31"
NEXT, PREVIOUS = "M-2017-0121", "M-2017-0104"
NEEDS_POPPLER = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                   reason="needs Debian's poppler-utils (make system-tools installs it)")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def cli(*args: str) -> tuple[int, str, str]:
    """The command line in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def papers(tmp_path_factory):
    """The examples' pack and May's ranking circular, each as PDF and DOCX, written by the commands."""
    out = tmp_path_factory.mktemp("papers")
    paths = {}
    for suffix in (".pdf", ".docx"):
        paths["pack" + suffix] = out / f"调度会材料{suffix}"
        paths["circular" + suffix] = out / f"通报{suffix}"
        assert cli("briefing", "--records", str(RECORDS), "--as-of", AS_OF, "--out", str(paths["pack" + suffix]))[0] == 0
        assert cli("circular", "--kind", "ranking", "--month", "2017-05", "--records", str(RECORDS), "--as-of", AS_OF,
                   "--out", str(paths["circular" + suffix]))[0] == 0
    return paths


@pytest.fixture(scope="module")
def examples():
    """(catalog, dashboard) of the internal view, as the internal site computes them."""
    checked = validate(RECORDS, dt.date.fromisoformat(AS_OF), keep_records=True)
    assert checked.ok
    catalog = view(internal_catalog(checked), "internal").catalog
    return catalog, compute(catalog)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(path: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", *options, str(path), "-"], check=True, capture_output=True, text=True).stdout


def docx_tables(path: Path) -> dict[str, list[list[str]]]:
    """Each table of the document under its caption (the 题注 paragraph before it): rows of cell texts."""
    import docx
    document = docx.Document(str(path))
    tables, caption = {}, None
    by_element = {t._tbl: t for t in document.tables}
    for child in document.element.body.iterchildren():
        if child.tag == W + "p":
            style = child.find(f"{W}pPr/{W}pStyle")
            if style is not None and style.get(W + "val") == "Caption":
                caption = "".join(t.text or "" for t in child.iter(W + "t"))
        elif child.tag == W + "tbl" and child in by_element:
            tables[caption] = [[cell.text for cell in row.cells] for row in by_element[child].rows]
            caption = None
    return tables


def docx_paragraphs(path: Path) -> list[tuple[str, str]]:
    import docx
    return [(p.style.name, p.text) for p in docx.Document(str(path)).paragraphs if p.text]


def table(tables: dict, prefix: str) -> list[list[str]]:
    found = [rows for caption, rows in tables.items() if caption and caption.startswith(prefix)]
    assert len(found) == 1, (prefix, list(tables))
    return found[0]


def pct(value) -> str:
    return "—" if value is None else f"{value}%"


def movement(value) -> str:
    return "—" if not value else f"↑{value}" if value > 0 else f"↓{-value}"


def expected_sentences(catalog, dash) -> list[str]:
    """The pack's sentences that carry the dashboards' numbers (whitespace ignored)."""
    o, lights, d = dash.overall, dash.lights, dash.decisions
    overdue = sum(len(ps) for _u, _n, ps in dash.overdue_by_unit)
    upcoming = dash.statements[0]
    assert upcoming.meeting is None                   # the next meeting's row comes first
    return [f"共立项问题{o.total:,}个，已销号{o.closed:,}个，未销号{o.open:,}个，整改销号率{pct(o.rate)}",
            f"红灯（逾期）{lights['red']:,}个，黄灯（临近时限）{lights['yellow']:,}个，绿灯{lights['green']:,}个",
            f"各次会议议定事项共{d.total:,}项：已完成{d.done:,}项，推进中{d.in_progress:,}项，未启动{d.not_started:,}项；"
            f"逾期未完成{d.late:,}项，临近时限{d.due_soon:,}项",
            f"逾期问题（红灯）{overdue:,}个，涉及责任单位{len(dash.overdue_by_unit):,}个",
            f"本次须表态发言的单位{len(upcoming.owed)}个",
            f"逾期未完成的任务节点{len(dash.late_milestones):,}个",
            f"重要事项和重大问题{len(dash.matters):,}件，其中逾期上报或尚未上报{sum(r.late for r in dash.matters):,}件",
            "红榜（整改最好）：" + "、".join(f"{r.name}（{pct(r.tally.rate)}）" for r in dash.red_list),
            "黑榜（整改最差）：" + "、".join(f"{r.name}（{pct(r.tally.rate)}）" for r in dash.black_list)]


# ---------------------------------------------------------------- the pack's numbers are the dashboards'

@NEEDS_POPPLER
def test_pack_pdf_carries_the_dashboards_numbers(papers, examples):
    catalog, dash = examples
    text = pdf_text(papers["pack.pdf"])
    flat = squeeze(text)
    assert "总指挥部第5次工作调度会会议材料" in flat and "数据截至2017年5月31日" in flat and "内部资料注意保密" in flat
    for number, heading in enumerate(("上次会议议定事项落实情况", "整改总体情况", "各区（县、市）排名", "逾期问题", "本期新立项问题",
                                      "督查、测评、媒体反馈", "需表态发言", "逾期任务节点与重要事项"), 1):
        assert f"{'一二三四五六七八'[number - 1]}、{heading}" in flat
    for sentence in expected_sentences(catalog, dash):
        assert squeeze(sentence) in flat, sentence
    # the ranking table, row by row, as pdftotext -layout lays each row on one line
    layout = pdf_text(papers["pack.pdf"], "-layout")
    for r in dash.districts:
        row = [str(r.rank), r.name, f"{r.tally.total:,}", f"{r.tally.open:,}", f"{r.tally.overdue:,}", pct(r.tally.rate),
               movement(r.movement)]
        assert re.search(r"\s+".join(map(re.escape, row)), layout), row
    for _unit, name, problems in dash.overdue_by_unit:
        for p in problems:
            assert p.id in flat


def test_pack_docx_tables_are_the_dashboards_rows(papers, examples):
    catalog, dash = examples
    tables = docx_tables(papers["pack.docx"])
    assert table(tables, "各区（县、市）整改排名")[1:] == [
        [str(r.rank), r.name, f"{r.tally.total:,}", f"{r.tally.open:,}", f"{r.tally.overdue:,}", pct(r.tally.rate),
         movement(r.movement)] for r in dash.districts]
    by_unit = table(tables, "逾期问题（按责任单位")[1:]
    assert [(row[1], row[2]) for row in by_unit] == [(name, str(len(ps))) for _u, name, ps in dash.overdue_by_unit]
    listed = table(tables, "逾期问题清单")[1:]
    overdue = {p.id: p for _u, _n, ps in dash.overdue_by_unit for p in ps}
    assert sorted(row[1] for row in listed) == sorted(overdue)
    for row in listed:
        p = overdue[row[1]]
        assert row[5] == str(catalog.status[p.id].overdue_days)
        assert ("已催办" in row[6]) == bool(p.urgings) and ("已延期" in row[6]) == any(e.state == "extended" for e in p.history)
    latest = dash.assessments.assessments[-1]
    column = {name: cells[-1] for _id, name, cells in dash.assessments.rows if cells[-1]}
    ranking = table(tables, f"{latest.title}各区（县、市）排名")[1:]
    assert {row[1]: (float(row[2]), int(row[0])) for row in ranking} == column
    owed = dash.statements[0].owed
    assert [row[1:4] for row in table(tables, "须表态发言的单位")[1:]] == [
        [catalog.get(o.by).name, o.reason, o.basis] for o in owed]
    assert [(row[0], row[4]) for row in table(tables, "逾期的任务节点")[1:]] == [(m.task.title, str(m.days))
                                                                               for m in dash.late_milestones]
    assert [row[0] for row in table(tables, "重要事项和重大问题上报情况")[1:]] == [r.matter.title for r in dash.matters]
    previous = catalog.get(PREVIOUS)
    assert [(row[1], row[4]) for row in table(tables, f"{previous.title}议定事项落实情况")[1:]] == [
        (f.text, f.state_label) for f in of_meeting(catalog, previous)]


def test_change_since_the_last_meeting_adds_up(papers, examples):
    """Section 2 compares with the end of the previous meeting's day; section 5 lists the problems
    registered since: the two are worked out apart and must agree, with each other and the records."""
    catalog, dash = examples
    previous = catalog.get(PREVIOUS).date
    tables = docx_tables(papers["pack.docx"])
    change = {row[0]: row[1:] for row in table(tables, "整改情况变化")[1:]}
    o = dash.overall
    assert [change[k][1] for k in ("问题总数", "已销号", "未销号", "红灯（逾期）", "整改销号率")] == [
        f"{o.total:,}", f"{o.closed:,}", f"{o.open:,}", f"{o.overdue:,}", pct(o.rate)]
    for key in ("问题总数", "已销号", "未销号", "红灯（逾期）"):
        before, now, delta = (int(v.replace(",", "").replace("−", "-").replace("+", "")) for v in change[key])
        assert now - before == delta, key
    problems = catalog.of_type("problem")
    registered_before = sum(p.history[0].date <= previous for p in problems)
    closed_before = sum(any(e.state == "closed" and e.date <= previous for e in p.history) for p in problems)
    assert change["问题总数"][0] == f"{registered_before:,}" and change["已销号"][0] == f"{closed_before:,}"
    new = sorted(p.id for p in problems if previous < p.history[0].date <= catalog.as_of)
    assert sorted(row[1] for row in table(tables, "本期新立项问题清单")[1:]) == new
    by_source = table(tables, "本期新立项问题（按来源）")
    assert by_source[-1][:2] == ["合计", str(len(new))] and int(change["问题总数"][2].lstrip("+")) == len(new)


@NEEDS_POPPLER
def test_pack_pdf_is_a4_numbered_and_embeds_its_cjk_fonts(papers):
    info = subprocess.run(["pdfinfo", str(papers["pack.pdf"])], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    last = squeeze(pdf_text(papers["pack.pdf"]).split("\f")[pages - 1])
    assert f"第{pages}页" in last and f"共{pages}页" in last
    fonts = subprocess.run(["pdffonts", str(papers["pack.pdf"])], capture_output=True, text=True, check=True).stdout
    for family in ("NotoSerifCJKsc-Regular", "NotoSerifCJKsc-Bold", "NotoSansCJKsc-Regular"):
        line = next((l for l in fonts.splitlines() if family in l), "")
        assert re.search(r"\byes\s+yes\s+yes\b", line), f"{family} not embedded:\n{fonts}"


# ---------------------------------------------------------------- the circular

def test_circular_docx_is_the_months_ranking_in_gbt_9704_layout(papers, examples):
    catalog, dash = examples
    may = next(a for a in dash.assessments.assessments if a.period == "2017-05" and a.kind == "third_party")
    styled = [(s, t) for s, t in docx_paragraphs(papers["circular.docx"])]
    hq = next(h for h in catalog.of_type("hq") if h.kind == "general")
    assert styled[1:5] == [("发文机关标志", f"{hq.name}办公室文件"), ("发文字号", "××〔2017〕××号"),
                           ("Title", f"关于{may.title}结果的通报"), ("主送机关", "总指挥部各分指挥部，各县（市）区和开发（度假）园区，市级各部门：")]
    assert ("发文机关署名", f"{hq.name}办公室") in styled and ("成文日期", "2017年5月31日") in styled
    column = {name: cells[dash.assessments.assessments.index(may)] for _id, name, cells in dash.assessments.rows}
    rows = next(iter(docx_tables(papers["circular.docx"]).values()))
    assert rows[0] == ["名次", "县（市）区和开发（度假）园区", "得分率（%）", "名次变化"]
    assert {row[1]: (float(row[2]), int(row[0])) for row in rows[1:]} == {k: v for k, v in column.items() if v}
    bottom = [row[1] for row in rows[-catalog.thresholds.bottom_n:]]
    assert any(f"排名后{len(bottom)}位的{'、'.join(bottom)}主要负责人" in squeeze(t) for _s, t in styled)


@NEEDS_POPPLER
def test_circular_pdf_has_its_elements_in_order(papers):
    flat = squeeze(pdf_text(papers["circular.pdf"]))
    order = ["征求意见稿", "办公室文件", "××〔2017〕××号", "关于2017年5月第三方测评结果的通报", "市级各部门：",
             "现将测评结果通报如下", "附件：2017年5月第三方测评", "2017年5月31日", "抄送：总指挥部各督查组。", "2017年5月31日印发"]
    positions = [flat.find(part) for part in order]
    assert -1 not in positions and positions == sorted(positions), list(zip(order, positions))


# ---------------------------------------------------------------- which meeting

def test_meeting_option_prepares_a_held_meeting_with_its_statements(tmp_path, examples):
    catalog, _dash = examples
    target = tmp_path / "第4次.docx"
    assert cli("briefing", "--records", str(RECORDS), "--as-of", AS_OF, "--meeting", PREVIOUS, "--out", str(target))[0] == 0
    held = catalog.get(PREVIOUS)
    paragraphs = [t for _s, t in docx_paragraphs(target)]
    assert f"{held.title}会议材料" in paragraphs
    earlier = catalog.get("M-2017-0066")
    assert any(t.startswith(f"{earlier.title}（2017年5月5日）议定事项") for t in paragraphs)
    rows = table(docx_tables(target), "须表态发言的单位")
    assert rows[0][-1] == "是否表态"
    made = {catalog.get(s.by).name for s in held.statements}
    assert {row[1] for row in rows[1:] if row[-1] == "已表态"} <= made and any(row[-1] == "已表态" for row in rows[1:])


def test_without_a_recorded_next_meeting_the_pack_is_for_the_expected_one(tmp_path):
    target = tmp_path / "下次.docx"
    code, out, err = cli("briefing", "--records", str(RECORDS), "--as-of", "2017-06-05", "--out", str(target))
    assert code == 0, err
    paragraphs = [t for _s, t in docx_paragraphs(target)]
    assert "下次总指挥部工作调度会会议材料" in paragraphs
    assert "（预计2017年6月5日召开，会议尚未登记）" in paragraphs          # 5月19日 + 14 days has passed: the data date


# ---------------------------------------------------------------- refusals: exit code, a Chinese message, nothing written

@pytest.mark.parametrize("args, message", [
    (["briefing", "--out", "{out}/材料.odt"], "应以 .pdf"),
    (["briefing", "--out", "{out}/没有这个文件夹/材料.pdf"], "文件夹不存在"),
    (["briefing", "--out", "{records}/材料.pdf"], "不能放在记录文件夹"),
    (["briefing", "--meeting", "M-2099-0001", "--out", "{out}/材料.pdf"], "没有编号为 M-2099-0001 的会议记录"),
    (["briefing", "--meeting", "M-2017-0001", "--out", "{out}/材料.pdf"], "不是总指挥部工作调度会"),
    (["circular", "--kind", "ranking", "--month", "2017-13", "--out", "{out}/通报.docx"], "YYYY-MM"),
    (["circular", "--kind", "ranking", "--month", "2017-5", "--out", "{out}/通报.docx"], "YYYY-MM"),
    (["circular", "--kind", "ranking", "--month", "2017-07", "--out", "{out}/通报.docx"], "有测评的月份是 2017-04、2017-05"),
    (["circular", "--kind", "ranking", "--month", "2017-05", "--out", "{out}/通报.txt"], "应以 .pdf"),
], ids=["suffix", "missing-folder", "inside-records", "unknown-meeting", "not-scheduling", "month-13",
        "month-5", "month-without-assessment", "circular-suffix"])
def test_bad_arguments_exit_2_and_write_nothing(tmp_path, args, message):
    out = tmp_path / "out"
    out.mkdir()
    (out / "材料.pdf").write_bytes(b"previous")
    before = sorted((p.relative_to(RECORDS), p.stat().st_mtime_ns) for p in RECORDS.rglob("*"))
    args = [a.format(out=out, records=RECORDS) for a in args] + ["--records", str(RECORDS), "--as-of", AS_OF]
    code, stdout, stderr = cli(*args)
    assert code == 2 and stdout == "" and stderr.startswith("用法错误：") and message in stderr, stderr
    assert "Traceback" not in stderr and "没有写入任何文件" in stderr
    assert [p.name for p in out.iterdir()] == ["材料.pdf"] and (out / "材料.pdf").read_bytes() == b"previous"
    assert sorted((p.relative_to(RECORDS), p.stat().st_mtime_ns) for p in RECORDS.rglob("*")) == before


def test_records_with_errors_exit_1_with_the_findings_and_write_nothing(make_tree, tmp_path):
    tree = make_tree()
    tree.edit(tree.PROBLEM, "district: panlong", "district: nowhere")
    out = tmp_path / "out"
    out.mkdir()
    for args in (["briefing", "--out", str(out / "材料.pdf")],
                 ["circular", "--kind", "ranking", "--month", "2017-04", "--out", str(out / "通报.docx")]):
        proc = tree.cli(*args, "--records", str(tree.records), "--as-of", AS_OF)
        assert proc.returncode == 1, proc.stderr
        assert "E-REF-MISSING" in proc.stderr and "P-2017-0001.yaml" in proc.stderr and "未生成会议材料" in proc.stderr
        assert "Traceback" not in proc.stderr and list(out.iterdir()) == []


def test_a_failed_typesetting_leaves_the_old_file(tmp_path, monkeypatch):
    import generator.papers.pdf as pdf
    target = tmp_path / "材料.pdf"
    target.write_bytes(b"previous")

    def broken(doc):
        raise pdf.PaperError("找不到字体 Noto Serif CJK SC，无法生成 PDF。")
    monkeypatch.setattr(pdf, "render_pdf", broken)
    code, _out, err = cli("briefing", "--records", str(RECORDS), "--as-of", AS_OF, "--out", str(target))
    assert code == 1 and "未生成会议材料：找不到字体" in err
    assert target.read_bytes() == b"previous" and [p.name for p in tmp_path.iterdir()] == ["材料.pdf"]


# ---------------------------------------------------------------- LibreOffice

@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="needs Debian's libreoffice-writer-nogui and poppler-utils (make system-tools installs them)")
def test_libreoffice_converts_the_docx_papers(papers, examples, tmp_path):
    _catalog, dash = examples
    for name in ("pack.docx", "circular.docx"):
        result = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                                 "--convert-to", "pdf", "--outdir", str(tmp_path / name), str(papers[name])],
                                capture_output=True, text=True, timeout=300)
        converted = tmp_path / name / papers[name].with_suffix(".pdf").name
        assert result.returncode == 0 and "Error" not in result.stderr + result.stdout and converted.exists(), result
        flat = squeeze(pdf_text(converted))
        if name == "pack.docx":
            assert f"共立项问题{dash.overall.total:,}个" in flat and "八、逾期任务节点与重要事项" in flat
        else:
            assert "××〔2017〕××号" in flat and "2017年5月31日印发" in flat


# ---------------------------------------------------------------- the sites

@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    root = tmp_path_factory.mktemp("sites")
    code, out, err = cli("build", "--records", str(RECORDS), "--as-of", AS_OF, "--out", str(root / "site"),
                         "--work", str(root / "work"), "--papers")
    assert code == 0, err
    return root / "site"


def _stats(page: str) -> dict[str, str]:
    return dict((html.unescape(label), html.unescape(n)) for n, label in re.findall(
        r'<span class="tz-stat__n">([^<]*)</span><span class="tz-stat__l">([^<]*)</span>', page))


@pytest.mark.slow
def test_internal_dashboard_links_the_papers_briefing_writes(sites, papers):
    page = (sites / "internal/dashboards/index.html").read_text("utf-8")
    links = re.findall(r'<a href="\.\./(papers/briefing\.(?:pdf|docx))">', page)
    assert links == ["papers/briefing.pdf", "papers/briefing.docx"]
    for link in links:                   # the same bytes as the command writes for the same date
        assert (sites / "internal" / link).read_bytes() == papers["pack" + Path(link).suffix].read_bytes(), link
    stats = _stats(page)
    flat = "".join(t for _s, t in docx_paragraphs(sites / "internal/papers/briefing.docx"))
    squeezed = squeeze(flat)
    assert f"共立项问题{stats['问题总数']}个" in squeezed and f"未销号{stats['未销号']}个" in squeezed
    assert f"整改销号率{stats['整改销号率']}" in squeezed and f"红灯（逾期）{stats['红灯（逾期）']}个" in squeezed
    assert f"黄灯（临近时限）{stats['黄灯（临近时限）']}个" in squeezed and f"绿灯{stats['绿灯']}个" in squeezed
    decisions = _stats((sites / "internal/dashboards/decisions/index.html").read_text("utf-8"))
    assert f"各次会议议定事项共{decisions['议定事项']}项：已完成{decisions['已完成']}项" in squeezed


@pytest.mark.slow
def test_the_public_site_has_nothing_of_the_papers(sites):
    public = sites / "public"
    assert not (public / "papers").exists()
    assert not [p for p in public.rglob("*") if p.suffix in (".docx",) or p.name.startswith("briefing")]
    for path in public.rglob("*"):
        if path.suffix in (".html", ".json", ".xml", ".csv", ".txt", ".js"):
            text = path.read_text("utf-8", errors="replace")
            assert "meeting-papers" not in text and "会议材料" not in text and "papers/briefing" not in text, path


def test_build_with_papers_but_no_cjk_font_refuses_before_building(tmp_path, monkeypatch):
    import generator.papers.pdf as pdf
    monkeypatch.setattr(pdf, "fonts_missing", lambda: ["Noto Serif CJK SC"])
    code, _out, err = cli("build", "--records", str(RECORDS), "--as-of", AS_OF, "--out", str(tmp_path / "site"),
                          "--work", str(tmp_path / "work"), "--papers")
    assert code == 1 and "Noto Serif CJK SC" in err and "fonts-noto-cjk" in err and "已发布的网站保持不变" in err
    assert not (tmp_path / "site").exists()
