"""The meeting papers' commands, registered by cli.py:

    briefing [--records DIR] [--as-of D] [--meeting ID] --out FILE.pdf|FILE.docx
    circular --kind ranking --month YYYY-MM [--records DIR] [--as-of D] --out FILE.docx|FILE.pdf

Writers like every other: the arguments are checked before anything is read (a suffix other
than .pdf or .docx, an --out inside the records or in a folder that does not exist, a month that
is not YYYY-MM: exit 2), then the records are validated (errors: exit 1 with the findings), then
what only the records can answer (a meeting id that is not a scheduling meeting, a month without
an assessment: exit 2). Nothing is written until the paper is complete; it replaces --out in one
step (papers.write). Internal: the papers are made from the internal view.
"""
from __future__ import annotations

import sys
from pathlib import Path

from .command import UsageError, checked_or_refuse, date_argument, records_dir

KINDS = {"ranking": "测评排名通报"}


def _target(out: str, records: Path) -> Path:
    """--out checked before anything is read or written."""
    from .papers import SUFFIXES
    path = Path(out)
    if path.suffix.lower() not in SUFFIXES:
        raise UsageError(f"--out 应以 .pdf（打印用）或 .docx（供修改）结尾：{out}（没有写入任何文件）")
    if path.is_dir():
        raise UsageError(f"--out 是一个文件夹：{out}；请写文件名，例如 {Path(out, '会议材料.pdf')}（没有写入任何文件）")
    if not path.parent.resolve().is_dir():
        raise UsageError(f"--out 所在的文件夹不存在：{path.parent}；请先建立它或换一个位置（没有写入任何文件）")
    if path.resolve().is_relative_to(records.resolve()):
        raise UsageError(f"--out 不能放在记录文件夹 {records} 里（那里只放记录）；请换一个位置（没有写入任何文件）")
    return path


def _catalog_and_dashboard(args):
    """The internal view's catalog and its dashboard, or None after printing the records' errors."""
    from .catalog.view import view
    from .pipeline import internal_catalog
    from .site.dashboards import compute
    checked = checked_or_refuse(args, "记录有错误，未生成会议材料；没有写入任何文件。")
    if checked is None:
        return None
    catalog = view(internal_catalog(checked), "internal").catalog
    return catalog, compute(catalog)


def _write(doc, target: Path) -> int:
    from .papers import write
    from .papers.pdf import PaperError
    try:
        write(doc, target)
    except PaperError as error:
        print(f"未生成会议材料：{error}", file=sys.stderr)
        return 1
    print(target)
    return 0


def run_briefing(args) -> int:
    from .catalog.meetings import Meetings
    from .papers.briefing import gather
    from .papers.occasion import UnknownMeeting, occasion
    target = _target(args.out, records_dir(args.records))
    made = _catalog_and_dashboard(args)
    if made is None:
        return 1
    catalog, dashboard = made
    try:
        occ = occasion(catalog, args.meeting)
    except UnknownMeeting as error:
        raise UsageError(f"{error}（没有写入任何文件）") from None
    return _write(gather(catalog, dashboard, Meetings(catalog), occ), target)


def run_circular(args) -> int:
    from .papers.circular import NoAssessment, parse_month, ranking_circular
    try:
        month = parse_month(args.month)
    except ValueError as error:
        raise UsageError(f"--month：{error}（没有写入任何文件）") from None
    target = _target(args.out, records_dir(args.records))
    made = _catalog_and_dashboard(args)
    if made is None:
        return 1
    try:
        doc = ranking_circular(made[0], month)
    except NoAssessment as error:
        raise UsageError(f"{error}（没有写入任何文件）") from None
    return _write(doc, target)


def add_commands(sub) -> None:
    """The two commands' parsers, on cli.py's subparsers."""
    p = sub.add_parser("briefing", help="生成调度会材料（PDF 打印用，DOCX 供修改；内部资料）")
    p.add_argument("--out", required=True, help="输出文件：会议材料.pdf 或 会议材料.docx")
    p.add_argument("--records", default="records", help="记录文件夹（默认 records）")
    p.add_argument("--as-of", type=date_argument, help="数据截至日期（默认今天，北京时间）")
    p.add_argument("--meeting", metavar="ID", help="为哪次调度会准备（会议编号；默认 --as-of 之后的下一次）")
    p.set_defaults(run=run_briefing)

    p = sub.add_parser("circular", help="生成通报稿（按 GB/T 9704 公文格式；DOCX 供修改，PDF 打印用）")
    p.add_argument("--kind", required=True, choices=sorted(KINDS), help="通报类别：ranking（当月测评排名通报）")
    p.add_argument("--month", required=True, help="哪个月的测评，YYYY-MM，例如 2017-05")
    p.add_argument("--out", required=True, help="输出文件：通报.docx 或 通报.pdf")
    p.add_argument("--records", default="records", help="记录文件夹（默认 records）")
    p.add_argument("--as-of", type=date_argument, help="数据截至日期，也是成文日期（默认今天，北京时间）")
    p.set_defaults(run=run_circular)
