"""How long the meeting papers take at the size of a 25,000-problem city.

    .venv/bin/python bench/papers.py [--overdue N] [--new N] [--repeat K] [--pages DIR]
    .venv/bin/python bench/papers.py --city 25000 [--records DIR] [--as-of D] [--repeat K]

Without --city: builds a pack shaped like one for such a city (the eight sections of issue 18; the
overdue list about a fifth of the problems, two weeks of new problems, units, decisions, milestones)
straight from the document model, so it measures the writers alone, and renders it as PDF and as
DOCX. Prints one Markdown table row per format: rows, pages, size, time (median of K runs), CPU
time and peak memory of this process, and records them in bench/results.json and README.md
(bench/results.py).

With --city N: a `synth` city of N problems (or --records DIR), as of its last problem's date
(or --as-of), and the `briefing` command run on it in a fresh process per format, the way staff
run it: validating and reading the records, the dashboard, gathering the eight sections and
typesetting. Prints one row per format (time is the median of K runs, with CPU time and peak
memory of the command), then one row of where the time goes, measured in this process.

`--pages DIR` also writes the first page of the pack and of a ranking circular as PNG (the
pictures in README), via pdftoppm: made from the example records with `briefing` and `circular`
(or, with --sample, from the shaped sample above).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.papers import write  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import results  # noqa: E402
from generator.papers.document import (Attachment, Column, OfficialDocument, Paper, Paragraph,  # noqa: E402
                                       Section, Table)

DISTRICTS = ("五华区 盘龙区 官渡区 西山区 东川区 呈贡区 晋宁区 安宁市 富民县 宜良县 石林彝族自治县 嵩明县 "
             "禄劝彝族苗族自治县 寻甸回族彝族自治县 滇池国家旅游度假区 经济技术开发区 高新技术产业开发区 "
             "阳宗海风景名胜区 空港经济区").split()
SOURCES = ("督查组督查 模拟测评 媒体曝光 群众投诉 领导批示 上级调研督查 老领导巡查 第三方测评 自检自查").split()


def problem_rows(n: int, start: int) -> list[tuple[str, ...]]:
    rows = []
    for i in range(n):
        district = DISTRICTS[i % len(DISTRICTS)]
        rows.append((str(i + 1), f"P-2017-{start + i:05d}",
                     f"{district}某某路与某某街交叉口流动摊贩占道经营{'，垃圾乱堆' * (i % 3)}",
                     f"{district}城市管理局", f"2017年{4 + i % 2}月{1 + i % 28}日", str(1 + i % 60),
                     "已催办" if i % 5 == 0 else ("已延期" if i % 11 == 0 else "")))
    return rows


def city_pack(overdue: int, new: int) -> Paper:
    problems = (Column("序号", 1, "center"), Column("编号", 2), Column("问题", 4.5), Column("责任单位", 2.4),
                Column("整改时限", 1.8, "center"), Column("逾期天数", 1.1, "right"), Column("催办/延期", 1.2, "center"))
    decisions = Table("上次会议议定事项", (Column("议定事项", 4), Column("责任单位", 2), Column("完成时限", 1.7, "center"),
                                   Column("状态", 1, "center"), Column("逾期天数", 1.1, "right")),
                      [(f"第{i + 1}项议定事项：整治重点路段占道经营", DISTRICTS[i % 19], "2017年5月20日",
                        ("已完成", "推进中", "未启动")[i % 3], str(i % 12) if i % 3 else "") for i in range(40)],
                      emphasis={i for i in range(40) if i % 3 == 2})
    ranking = Table("各区（县、市）整改排名", (Column("名次", 1, "center"), Column("区（县、市）", 3), Column("问题", 1.2, "right"),
                                       Column("未销号", 1.2, "right"), Column("逾期", 1.2, "right"),
                                       Column("销号率", 1.3, "right"), Column("较上月", 1.1, "center")),
                    [(str(i + 1), d, f"{1300 - i * 20:,}", f"{300 + i * 9:,}", f"{200 + i * 7:,}",
                      f"{80 - i * 0.9:.1f}%", "↑1" if i % 3 == 0 else "—") for i, d in enumerate(DISTRICTS)],
                    emphasis={16, 17, 18})
    by_unit = Table("逾期问题（按责任单位）", (Column("责任单位", 4), Column("逾期", 1, "right"), Column("其中已催办", 1.3, "right")),
                    [(f"{DISTRICTS[i % 19]}第{i // 19 + 1}责任单位", str(overdue // 120), str(overdue // 600))
                     for i in range(120)])
    by_source = Table("本期新立项问题（按来源）", (Column("来源", 3), Column("问题数", 1, "right")),
                      [(s, f"{new // 9:,}") for s in SOURCES])
    feedback = Table("督查、测评、媒体反馈", (Column("日期", 1.5), Column("类别", 1.2), Column("内容", 5)),
                     [(f"2017年5月{i % 28 + 1}日", ("督查", "测评", "媒体")[i % 3], "发现占道经营、乱停乱放等问题，已立项督查")
                      for i in range(60)])
    statements = Table("需表态发言的单位", (Column("单位", 2), Column("原因", 4)),
                       [(d, "当月测评排名靠后") for d in DISTRICTS[-3:]] + [("市城管局", "逾期问题 120 个")])
    milestones = Table("逾期任务节点", (Column("任务", 4), Column("节点", 3), Column("时限", 1.6, "center"),
                                     Column("逾期天数", 1.1, "right")),
                       [(f"T-2017-{i:04d} 背街小巷整治", "完成第一批整治", "2017年5月10日", str(21 - i % 20)) for i in range(60)])
    return Paper(
        "昆明市创建全国文明城市工作总指挥部第12次工作调度会会议材料", dt.date(2017, 12, 31), (
            Section("上次会议议定事项落实情况", ("议定事项 40 项：已完成 14 项，推进中 13 项，未启动 13 项；逾期 13 项。",), (decisions,)),
            Section("整改总体情况", ("截至2017年12月31日，共立项问题 25,000 个，已销号 18,342 个，销号率 73.4%。",)),
            Section("各区（县、市）排名", (), (ranking,)),
            Section("逾期问题", (f"逾期问题 {overdue:,} 个。",),
                    (by_unit, Table("逾期问题清单", problems, problem_rows(overdue, 1), emphasis=set(range(0, overdue, 5))))),
            Section("本期新立项问题", (), (by_source, Table("本期新立项问题清单", problems, problem_rows(new, 20001)))),
            Section("督查、测评、媒体反馈", (), (feedback,)),
            Section("需表态发言", (), (statements,)),
            Section("逾期任务节点与重大事项", (), (milestones,)),
        ), subtitle="（2017年12月29日）")


def ranking_circular() -> OfficialDocument:
    scores = [(d, 92.4 - i * 0.83) for i, d in enumerate(DISTRICTS[:14])]
    table = Table("2017年5月各县（市）区创建工作测评排名", (Column("名次", 1, "center"), Column("县（市）区", 3.2),
                                                   Column("得分率（%）", 1.6, "right"), Column("较上月", 1.2, "center")),
                  [(str(i + 1), d, f"{s:.2f}", ("↑1", "—", "↓1")[i % 3]) for i, (d, s) in enumerate(scores)],
                  emphasis={11, 12, 13})
    body = (Paragraph("根据第三方测评机构2017年5月对各县（市）区的实地测评，现将测评结果通报如下。"),
            Paragraph("一、测评总体情况", 1),
            Paragraph(f"全市平均得分率为 {sum(s for _, s in scores) / len(scores):.2f}%。{scores[0][0]}、{scores[1][0]}、"
                      f"{scores[2][0]}位列前三；{scores[-3][0]}、{scores[-2][0]}、{scores[-1][0]}排名后三位。"),
            Paragraph("二、工作要求", 1),
            Paragraph("（一）排名后三位的区", 2),
            Paragraph("排名后三位的县（市）区主要负责同志须在下次总指挥部工作调度会上作表态发言，"
                      "并于10个工作日内将整改情况报总指挥部办公室。"))
    return OfficialDocument(
        "昆明市创建全国文明城市工作指挥部办公室文件", "昆创文指办〔2017〕12号",
        "关于2017年5月全市创建全国文明城市测评情况的通报", "各县（市）区创建全国文明城市工作指挥部，市级各部门",
        body, "昆明市创建全国文明城市工作指挥部办公室", dt.date(2017, 5, 31),
        attachments=(Attachment("2017年5月各县（市）区创建工作测评排名", (table,)),),
        cc="市委办公厅，市人大常委会办公厅，市政府办公厅，市政协办公厅",
        printer="昆明市创建全国文明城市工作指挥部办公室", printed=dt.date(2017, 5, 31))


ROOT = Path(__file__).resolve().parents[1]
EXAMPLES_AS_OF = "2017-05-31"


def pictures(pack: Paper | None, folder: Path) -> None:
    """The first page of the pack and of the ranking circular as PNG: from `pack` and the sample
    circular, or (pack None) made by `briefing` and `circular` from the example records."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, command in (("papers-pack", ["briefing"]),
                              ("papers-circular", ["circular", "--kind", "ranking", "--month", "2017-05"])):
            pdf = Path(tmp) / f"{name}.pdf"
            if pack is not None:
                write(pack if name == "papers-pack" else ranking_circular(), pdf)
            else:
                subprocess.run([sys.executable, "-m", "generator", *command, "--records", str(ROOT / "records"),
                                "--as-of", EXAMPLES_AS_OF, "--out", str(pdf)], cwd=ROOT, check=True, capture_output=True)
            subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                            str(folder / name)], check=True)


PROBE = ("import json, resource, subprocess, sys, time\n"
         "t = time.perf_counter()\n"
         "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
         "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
         "print(json.dumps({'seconds': time.perf_counter() - t, 'code': r.returncode, 'err': r.stderr[-2000:],\n"
         "                  'cpu': u.ru_utime + u.ru_stime, 'peak': u.ru_maxrss / 1024}))\n")


def latest_found(records: Path) -> dt.date:
    found = re.compile(rb"^found: (\d{4}-\d{2}-\d{2})$", re.M)
    return dt.date.fromisoformat(max(found.search(p.read_bytes()).group(1)
                                     for p in records.glob("problems/*/*.yaml")).decode())


def phases(records: Path, as_of: dt.date) -> dict[str, float]:
    """Where the command's time goes, in this process: seconds per step."""
    from generator.catalog.meetings import Meetings
    from generator.catalog.view import view
    from generator.papers import render
    from generator.papers.briefing import gather
    from generator.papers.occasion import next_occasion
    from generator.pipeline import internal_catalog
    from generator.site.dashboards import compute
    from generator.validate import validate
    times, t = {}, time.perf_counter()

    def lap(name):
        nonlocal t
        now = time.perf_counter()
        times[name], t = now - t, now
    checked = validate(records, as_of, keep_records=True)
    catalog = view(internal_catalog(checked), "internal").catalog
    lap("records")
    dashboard = compute(catalog)
    lap("dashboard")
    paper = gather(catalog, dashboard, Meetings(catalog), next_occasion(catalog))
    lap("gather")
    render(paper, ".pdf")
    lap("pdf")
    render(paper, ".docx")
    lap("docx")
    times["rows"] = sum(len(t.rows) for s in paper.sections for t in s.tables)
    return times


def city(problems: int, records: Path | None, as_of: dt.date | None, repeat: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="taizhang-papers-city-"))
    if records is None:
        subprocess.run([sys.executable, "-m", "generator", "synth", "--out", str(work / "city"), "--problems",
                        str(problems), "--seed", "1"], cwd=ROOT, check=True, capture_output=True)
        records = work / "city" / "records"
    as_of = as_of or latest_found(records)
    count = len(list(records.glob("problems/*/*.yaml")))
    print(f"{count:,} 个问题，数据截至 {as_of}")
    print("| 格式 | 问题数 | 表格行数 | 页数 | 文件大小 | 命令用时（中位数） | CPU 时间 | 峰值内存 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    split = phases(records, as_of)
    for suffix in (".pdf", ".docx"):
        target = work / f"pack{suffix}"
        runs = []
        for _ in range(repeat):
            run = json.loads(subprocess.run(
                [sys.executable, "-c", PROBE, sys.executable, "-m", "generator", "briefing", "--records", str(records),
                 "--as-of", as_of.isoformat(), "--out", str(target)], cwd=ROOT, check=True, capture_output=True,
                text=True).stdout)
            if run["code"] != 0:
                raise SystemExit(f"briefing failed:\n{run['err']}")
            runs.append(run)
        pages = _pages(target)
        print(f"| {suffix[1:].upper()} | {count:,} | {split['rows']:,} | {pages} | {target.stat().st_size / 1e6:.1f} MB | "
              f"{statistics.median(r['seconds'] for r in runs):.1f} s | {statistics.median(r['cpu'] for r in runs):.1f} s | "
              f"{max(r['peak'] for r in runs):,.0f} MB |")
    print()
    print("| 校验并读入记录 | 仪表板 | 汇总八部分 | 排版 PDF | 写 DOCX |")
    print("|---:|---:|---:|---:|---:|")
    print("| " + " | ".join(f"{split[k]:.1f} s" for k in ("records", "dashboard", "gather", "pdf", "docx")) + " |")


def render(suffix: str, overdue: int, new: int, target: Path) -> None:
    """One cold render in this process; prints seconds, CPU seconds and peak MB as JSON."""
    t0, c0 = time.perf_counter(), time.process_time()
    write(city_pack(overdue, new), target)
    print(json.dumps({"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0,
                      "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def _pages(target: Path) -> str:
    """A PDF's page count as pdfinfo reads it ("—" for a DOCX, which has no fixed pages)."""
    if target.suffix != ".pdf":
        return "—"
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True).stdout
    return next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--overdue", type=int, default=5_000)
    ap.add_argument("--new", type=int, default=1_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pages", type=Path)
    ap.add_argument("--sample", action="store_true", help="--pages from the shaped sample, not the example records")
    ap.add_argument("--city", type=int, help="measure `briefing` on a synth city of this many problems")
    ap.add_argument("--records", type=Path, help="with --city: this records folder instead of a synth city")
    ap.add_argument("--as-of", type=dt.date.fromisoformat, help="with --city: the data date (default: the last problem's)")
    ap.add_argument("--render", help=argparse.SUPPRESS)       # internal: one run in a fresh process
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    results.options(ap)
    args = ap.parse_args()
    if args.render:
        return render(args.render, args.overdue, args.new, args.out)
    if args.city:
        return city(args.city, args.records, args.as_of, args.repeat)
    pack = city_pack(args.overdue, args.new)
    if args.pages:
        pictures(pack if args.sample else None, args.pages)
    rows = sum(len(t.rows) for s in pack.sections for t in s.tables)
    env = results.environment()
    out = Path(tempfile.mkdtemp(prefix="taizhang-papers-"))
    print("| 格式 | 表格行数 | 页数 | 文件大小 | 用时（中位数） | CPU 时间 | 峰值内存 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for suffix in (".pdf", ".docx"):
        target = out / f"pack{suffix}"
        runs = [json.loads(subprocess.run(
            [sys.executable, __file__, "--render", suffix, "--overdue", str(args.overdue), "--new", str(args.new),
             "--out", str(target)], check=True, capture_output=True, text=True).stdout) for _ in range(args.repeat)]
        pages = _pages(target)
        print(f"| {suffix[1:].upper()} | {rows:,} | {pages} | {target.stat().st_size / 1e6:.1f} MB | "
              f"{statistics.median(r['seconds'] for r in runs):.1f} s | {statistics.median(r['cpu'] for r in runs):.1f} s | "
              f"{max(r['peak'] for r in runs):,.0f} MB |")
        results.record("papers", suffix[1:].upper(),
                       {"rows": rows, "pages": int(pages) if pages.isdigit() else None,
                        "size_mb": round(target.stat().st_size / 1e6, 2),
                        "seconds": round(statistics.median(r["seconds"] for r in runs), 2),
                        "cpu": round(statistics.median(r["cpu"] for r in runs), 2),
                        "peak_mb": round(max(r["peak"] for r in runs))}, env=env, **results.destination(args))


if __name__ == "__main__":
    main()
