"""Command line: with command.py (what the commands share) and papers_cli.py (the meeting papers), the only
place that prints findings (in the formats of formats.py) and chooses exit codes.

Exit codes: 0 no errors (warnings allowed), 1 errors in records, 2 bad usage.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from .command import (OS_ERRORS, Parser, UsageError, check_text, count, date_argument, prog, today_in_shanghai)
from .command import checked_or_refuse as _checked_or_refuse, records_dir as _records_dir
from .formats import gitlab_issue, json_list, print_github, print_old_errors, print_refusal, print_text
from .model.lifecycle import STATE_LABELS
from .papers_cli import add_commands as add_paper_commands

STATES = [f"{k}（{v}）" for k, v in STATE_LABELS.items()]


def run_validate(args) -> int:
    from .validate import Cache, validate
    records = _records_dir(args.records)
    cache = None if args.no_cache else Cache(records, args.cache_dir)
    checked = validate(records, args.as_of or today_in_shanghai(), cache=cache)
    if args.format == "json":
        print(json_list([f.as_json() for f in checked.findings]))
    elif args.format == "github":
        print_github(list(checked.findings))
    elif args.format == "gitlab":
        json.dump([gitlab_issue(f) for f in checked.findings], sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print_text(list(checked.findings))
    return 0 if checked.ok else 1


def run_build(args) -> int:
    from .pipeline import PublishError, build_sites         # the error build_sites raises
    from .validate import Cache
    from .site.folders import FolderError, check_places
    records = _records_dir(args.records)
    for flag, folder in (("--out", Path(args.out)), ("--work", Path(args.work))):
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"{flag} {folder} 是一个文件，不是文件夹（没有修改任何文件）")
    audiences = ("public", "internal") if args.audience == "both" else (args.audience,)
    try:
        check_places(records, Path(args.out), Path(args.work), Path(__file__).resolve().parents[1])
    except FolderError as error:
        raise UsageError(str(error)) from None
    try:
        checked, built = build_sites(records, args.as_of or today_in_shanghai(), audiences, Path(args.out).resolve(),
                                     Path(args.work).resolve(), papers=args.papers, full=args.full,
                                     cache=None if args.no_cache else Cache(records, args.cache_dir))
    except PublishError as error:
        print(f"网站生成失败，已发布的网站保持不变：{error}", file=sys.stderr)
        return 1
    if not checked.ok:
        print_text(list(checked.findings), out=sys.stderr)
        print("记录有错误，未生成网站；已发布的网站保持不变。", file=sys.stderr)
        return 1
    print("\n".join(site.summary() for site in built))
    if checked.findings:
        print(f"（{len(checked.findings)} 个警告，用 validate 查看）")
    return 0


def run_codeowners(args) -> int:
    from .authoring import codeowners
    if not (Path(args.root) / ".git").exists():
        raise UsageError(f"{Path(args.root).resolve()} 不是 Git 仓库的根目录（没有 .git）：审核分派写在仓库的 "
                         ".github/CODEOWNERS 和 .gitlab/CODEOWNERS 里。请在仓库根目录运行，或用 --root 指定（没有修改任何文件）")
    checked = _checked_or_refuse(args, "记录有错误，未生成审核分派。")
    if checked is None:
        return 1
    stale = codeowners.write(checked, Path(args.root), check_only=args.check)
    if args.check and stale:
        print(f"审核分派文件已过期：{'、'.join(stale)}。请运行 make codeowners 并提交。", file=sys.stderr)
        return 1
    for rel in stale:
        print(f"已更新 {rel}")
    return 0


def run_diff(args) -> int:
    import subprocess
    import tempfile
    from .authoring.diff import STYLES, GitError, head_records, render, summarize
    from .model import display_name
    from .validate import validate
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True)
    except OSError:
        raise UsageError("找不到 git 命令：diff 比较两个 Git 版本，请先安装 Git") from None
    if top.returncode != 0:
        raise UsageError(f"当前文件夹 {Path.cwd()} 不在 Git 仓库里：diff 比较同一仓库的两个版本，请在仓库里运行")
    try:
        repo = Path(top.stdout.strip())
        with tempfile.TemporaryDirectory() as tmp:
            records = head_records(repo, args.head, Path(tmp))
            checked = validate(records, args.as_of or today_in_shanghai(), keep_records=True)
            names = {v.record.id: display_name(v.record) for v in checked.valid}
            style = STYLES[args.format or ("text" if sys.stdout.isatty() else "markdown")]
            changes = summarize(repo, args.base, args.head, names, style)
    except (GitError, subprocess.CalledProcessError) as error:
        raise UsageError(f"读不到 Git 版本：{getattr(error, 'stderr', None) or error}") from None
    sys.stdout.write(render(args.base, args.head, changes, list(checked.findings), checked.ok, style))
    return 0


def _fmt_paths(paths: list[str], records: Path) -> list[Path]:
    """Every path named, checked before any file is touched: it exists and lies in records/."""
    top = records.resolve()
    for name in paths:
        path = Path(name)
        if not path.exists():
            raise UsageError(f"找不到文件或文件夹：{name}（没有修改任何文件）")
        if not path.resolve().is_relative_to(top):
            raise UsageError(f"{name} 不在记录文件夹 {records} 里；fmt 只整理记录（没有修改任何文件）")
    return [Path(p) for p in paths]


def _write(args, records: Path, texts: dict[Path, str], dry_run: bool = False) -> int:
    """Check the would-be tree and write `texts` (commit.py), or on a dry run print them and only
    check; on refusal print validate's findings for the errors they would add, and return 1."""
    from .authoring.commit import Refused, check, commit
    as_of, use_cache = args.as_of or today_in_shanghai(), not args.no_cache
    for path, text in texts.items() if dry_run else ():
        print(f"# 试运行：将写入 {path}（未写入）")
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    try:
        checked = check(records, as_of, texts, use_cache) if dry_run else commit(records, as_of, texts, use_cache).checked
        if checked.new_errors():
            raise Refused(checked)
    except Refused as refused:
        print_refusal(refused.checked, sys.stderr)
        return 1
    except FileExistsError as error:        # another writer made it meanwhile (two `new` at once)
        print(f"未写入：{error.filename} 刚被另一个命令创建；请重新运行（会取下一个编号）。", file=sys.stderr)
        return 1
    print_old_errors(checked, sys.stderr)
    if dry_run:
        print("试运行：校验通过，去掉 --dry-run 即写入。", file=sys.stderr)
    return 0


def run_fmt(args) -> int:
    from .authoring.fmt import format_file, targets
    records = _records_dir(args.records)
    formatted = []
    for path in targets(_fmt_paths(args.paths, records), records):
        result = format_file(path, records)
        if result is not None:
            formatted.append((path, result[1]))
    changed = [path for path, _text in formatted]
    if not args.check and formatted and _write(args, records, dict(formatted)):
        return 1
    for path in changed:
        print(f"{'需要格式化' if args.check else '已格式化'}：{path}")
    if args.check and changed:
        print(f"{len(changed)} 个文件不是标准格式；运行 .venv/bin/taizhang fmt 修正。", file=sys.stderr)
        return 1
    return 0


def run_new(args, extra: list[str]) -> int:
    from .authoring.edit import EditError, field_options, new_text
    records = _records_dir(args.records)
    try:
        path, text = new_text(records, args.type, field_options(extra), args.date or today_in_shanghai())
    except EditError as error:
        raise UsageError(str(error)) from None
    code = _write(args, records, {path: text}, args.dry_run)
    if code == 0 and not args.dry_run:
        print(path)
        _refresh_codeowners(args, records, [path])
    return code


def _refresh_codeowners(args, records: Path, paths: list[Path]) -> None:
    """Keep the review routing in step with new records (codeowners.py), if the repository has it."""
    from .authoring import codeowners
    for rel in dict.fromkeys(r for path in paths for r in codeowners.refresh(records, path, args.as_of or today_in_shanghai())):
        print(f"已更新 {rel}")


def run_transition(args) -> int:
    from .authoring.edit import EditError, transition_text
    extra = {k: v for k, v in (("reason", args.reason), ("new_deadline", args.new_deadline),
                               ("approved_by", args.approved_by), ("evidence", args.evidence)) if v}
    records = _records_dir(args.records)
    try:
        path, text = transition_text(records, args.id, args.state, args.date or today_in_shanghai(),
                                     by=args.by, note=args.note, extra=extra)
    except EditError as error:
        print(f"未修改：{error}", file=sys.stderr)
        return 1
    code = _write(args, records, {path: text}, args.dry_run)
    if code == 0 and not args.dry_run:
        print(path)
    return code


def run_export_xlsx(args) -> int:
    from .authoring.ledger import write_workbook
    from .pipeline import internal_catalog
    if Path(args.out).is_dir():
        raise UsageError(f"--out {args.out} 是一个文件夹；请写工作簿的文件名，例如 台账.xlsx（没有修改任何文件）")
    checked = _checked_or_refuse(args, "记录有错误，未导出。")
    if checked is None:
        return 1
    write_workbook(internal_catalog(checked), Path(args.out))
    print(args.out)
    return 0


def run_import_xlsx(args) -> int:
    from .authoring.commit import check, write_all
    from .authoring.ledger_import import describe, plan_import, refusals, texts
    from .pipeline import internal_catalog
    checked = _checked_or_refuse(args, "记录有错误，请先改正再导入。")
    if checked is None:
        return 1
    records = _records_dir(args.records)
    catalog = internal_catalog(checked)
    as_of = args.as_of or today_in_shanghai()
    try:
        plan = plan_import(Path(args.file), catalog, as_of)
    except (ValueError, OSError) as error:
        raise UsageError(f"无法读取台账 {args.file}：{error}") from None
    files, row_of = texts(plan, records, catalog, args.allow_duplicates)
    would = check(records, as_of, files, use_cache=not args.no_cache) if files else None
    refused = refusals(would.new_errors() if would else [], row_of, records)
    rows, problems, summary, bad = describe(plan, refused, args.allow_duplicates)
    print("\n".join(rows))
    print_text(would.new_errors() if would else [], out=sys.stderr, summary=False)
    for line in problems:
        print(line, file=sys.stderr)
    print(summary + ("" if args.apply else "（试运行，未写入；确认后加 --apply）"))
    if problems:
        if args.apply:
            print(f"未写入任何文件：有 {bad} 行无法导入（见上）。台账要么全部导入，要么都不导入；"
                  "改正这些行（或删去它们）后再运行。", file=sys.stderr)
        return 1
    if args.apply and files:
        written = write_all(files)
        print(f"已写入 {len(written)} 个文件。")
        print_old_errors(would, sys.stderr)
        _refresh_codeowners(args, records, [path for path in written if row_of[path].record_id is None])
    return 0


def run_schema(args) -> int:
    from .authoring.schema_export import write_schemas
    for path in write_schemas(Path(args.out)):
        print(path)
    return 0


def run_synth(args) -> int:
    from .synth.city import write_city
    out = Path(args.out)
    count = write_city(out, problems=args.problems, seed=args.seed)
    print(f"已生成 {count} 个记录文件：{out}")
    return 0


def run_nginx_conf(args) -> int:
    from .site.nginx import NginxConfError, serve_conf, write_conf
    site, out = Path(args.site), Path(args.out)
    if args.serve and not re.fullmatch(r"(?:[\w.-]+|\[[0-9A-Fa-f:.]+\]):[0-9]{1,5}", args.serve):
        raise UsageError(f"--serve 应写成 地址:端口，例如 127.0.0.1:8000：{args.serve}（没有修改任何文件）")
    try:
        if args.serve:
            print(serve_conf(site, out, args.serve))
        else:
            for path in write_conf(site, out):
                print(path)
    except NginxConfError as error:
        print(f"未写入 nginx 配置：{error}", file=sys.stderr)
        return 1
    return 0


def _writer_options(p, dry_run: bool = False, as_of: str = "写入前校验所用的日期（默认今天，北京时间）") -> None:
    if dry_run:
        p.add_argument("--dry-run", action="store_true", help="只打印将写入的 YAML 和校验结果，不写入")
    p.add_argument("--as-of", type=date_argument, help=as_of)
    p.add_argument("--no-cache", action="store_true", help="写入前的校验不用校验缓存（结果相同，较慢）")


def parser() -> argparse.ArgumentParser:
    top = Parser(prog=prog(),
                                  description="台账：校验 records/ 中的记录，生成公开站与内部站。")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="校验全部记录，一次列出所有错误与警告")
    p.add_argument("--records", default="records", help="记录文件夹（默认 records）")
    p.add_argument("--as-of", type=date_argument, help="按此日期判断逾期等（默认今天，北京时间）")
    p.add_argument("--format", choices=("text", "json", "github", "gitlab"), default="text",
                   help="输出格式：text 给人看；json 给工具；github 为 GitHub Actions 注释；gitlab 为 GitLab 代码质量报告")
    p.add_argument("--no-cache", action="store_true", help="不读也不写校验缓存，每个文件都重新检查（结果与用缓存时相同）")
    p.add_argument("--cache-dir", type=Path, metavar="DIR", help="校验缓存放在哪里（默认 ~/.cache/taizhang/validate，可随时删除）")
    p.set_defaults(run=run_validate)

    p = sub.add_parser("build", help="校验记录并生成公开站和/或内部站")
    p.add_argument("--records", default="records", help="记录文件夹（默认 records）")
    p.add_argument("--audience", choices=("public", "internal", "both"), default="both",
                   help="生成哪个网站（默认两个都生成）")
    p.add_argument("--out", default="site", help="输出文件夹（默认 site，生成 site/public、site/internal）")
    p.add_argument("--as-of", type=date_argument, help="按此日期计算逾期和亮灯（默认今天，北京时间）")
    p.add_argument("--work", default="build", help="中间文件（Markdown、MkDocs 配置）的文件夹（默认 build）")
    p.add_argument("--full", action="store_true", help="完整生成：不沿用上次生成的页面（默认只重写输入有变化的页面）")
    p.add_argument("--no-cache", action="store_true", help="校验时不读也不写校验缓存（结果相同，只是慢些）")
    p.add_argument("--cache-dir", type=Path, metavar="DIR", help="校验缓存放在哪里（默认 ~/.cache/taizhang/validate，可随时删除）")
    p.add_argument("--papers", action="store_true", help="内部站同时附上下次调度会的会议材料（PDF、DOCX），"
                   "仪表板链接它们（需要 CJK 字体；make site 在装有字体时打开）")
    p.set_defaults(run=run_build)

    p = sub.add_parser("codeowners", help="从组织记录生成审核分派（GitHub 与 GitLab 的 CODEOWNERS）")
    p.add_argument("--records", default="records", help="记录文件夹（默认 records）")
    p.add_argument("--root", default=".", help="仓库根目录（写 .github/CODEOWNERS 和 .gitlab/CODEOWNERS）")
    p.add_argument("--check", action="store_true", help="只检查是否过期，过期时退出码 1")
    p.add_argument("--as-of", type=date_argument, help=argparse.SUPPRESS)
    p.set_defaults(run=run_codeowners)

    p = sub.add_parser("diff", help="两个 Git 版本之间 records/ 的变更摘要（给审核人看）")
    p.add_argument("base", help="基准版本，例如 origin/main")
    p.add_argument("head", nargs="?", default="HEAD", help="新版本（默认 HEAD）")
    p.add_argument("--as-of", type=date_argument, help="校验新版本时使用的日期（默认今天，北京时间）")
    p.add_argument("--format", choices=("text", "markdown"),
                   help="text：终端里看的纯文本；markdown：CI 作业摘要、合并请求用（默认：输出到终端时 text，否则 markdown）")
    p.set_defaults(run=run_diff)

    p = sub.add_parser("fmt", help="把记录整理成标准格式（字段顺序、缩进、引号），保留注释")
    p.add_argument("paths", nargs="*", help="要整理的文件或文件夹（默认 records/ 全部）")
    p.add_argument("--records", default="records", help="记录文件夹（默认 records）")
    p.add_argument("--check", action="store_true", help="只检查、不修改；有文件需要整理时退出码 1")
    _writer_options(p)
    p.set_defaults(run=run_fmt)

    p = sub.add_parser("new", help="新建一条记录：自动取下一个编号、放进正确的文件夹、填好今天的日期")
    p.add_argument("type", help="记录类型，例如 problem、meeting、inspection")
    p.add_argument("--records", default="records", help="记录文件夹（默认 records）")
    p.add_argument("--date", type=date_argument, help="用这一天代替今天（北京时间）")
    _writer_options(p, dry_run=True)
    p.epilog = ("其余字段写成 --字段名 值，例如 --title 某某路占道经营 --district panlong；缺少必填字段时列出它们。"
                "写入前按 validate 的规则检查新记录，会带来错误时不写入")
    p.set_defaults(run=run_new, takes_extra=True)

    p = sub.add_parser("transition", help="给问题追加一条整改事件（按 validate 的规则检查，不合规则不写入）")
    p.add_argument("id", help="问题编号，例如 P-2017-0042")
    p.add_argument("state", help="新状态：" + "、".join(STATES))
    p.add_argument("--records", default="records", help="记录文件夹（默认 records）")
    p.add_argument("--date", type=date_argument, help="事件日期（默认今天，北京时间）")
    p.add_argument("--by", help="经办单位编号")
    p.add_argument("--note", help="说明")
    p.add_argument("--evidence", nargs="+", help="佐证材料路径（相对 records/）")
    p.add_argument("--reason", help="延期理由")
    p.add_argument("--new-deadline", help="延期后的新时限 YYYY-MM-DD")
    p.add_argument("--approved-by", help="批准延期的单位编号（总指挥部或分指挥部）")
    _writer_options(p, dry_run=True)
    p.set_defaults(run=run_transition)

    p = sub.add_parser("export-xlsx", help="把台账导出为 Excel 工作簿（全部问题、各区、各分指挥部、逾期、议定事项）")
    p.add_argument("--out", required=True, help="输出文件，例如 台账.xlsx")
    p.add_argument("--records", default="records", help="记录文件夹（默认 records）")
    p.add_argument("--as-of", type=date_argument, help="按此日期计算状态与逾期（默认今天，北京时间）")
    p.set_defaults(run=run_export_xlsx)

    p = sub.add_parser("import-xlsx", help="从 Excel 台账导入问题（默认试运行，只列出将新建或更新什么）")
    p.add_argument("file", help="台账 .xlsx 文件")
    p.add_argument("--apply", action="store_true", help="真正写入记录")
    p.add_argument("--records", default="records", help="记录文件夹（默认 records）")
    p.add_argument("--allow-duplicates", action="store_true", help="可能与已有问题重复的行也新建")
    _writer_options(p, as_of="校验日期，也是台账所述状态变化的事件日期（默认今天，北京时间）")
    p.set_defaults(run=run_import_xlsx)

    p = sub.add_parser("schema", help="为每种记录写出 JSON Schema（编辑器补全用）")
    p.add_argument("--out", required=True, help="输出文件夹")
    p.set_defaults(run=run_schema)

    p = sub.add_parser("nginx-conf", help="为已生成的网站写出 nginx 配置片段（含与页面一致的内容安全策略）")
    p.add_argument("--site", default="site", help="生成的网站所在文件夹（build 的 --out，默认 site）")
    p.add_argument("--out", default="build/nginx/taizhang",
                   help="写到哪里（默认 build/nginx/taizhang；服务器上用 /etc/nginx/taizhang）")
    p.add_argument("--serve", metavar="ADDR:PORT",
                   help="另写 OUT/serve.conf：在这个地址预览公开站的完整 nginx 配置（make serve 用）")
    p.set_defaults(run=run_nginx_conf)

    p = sub.add_parser("synth", help="生成一座虚构城市的完整记录（基准测试、规模测试用）")
    p.add_argument("--out", required=True, help="输出文件夹（将在其中写 records/）")
    p.add_argument("--problems", type=count, required=True, help="问题数量（0 或更大的整数）")
    p.add_argument("--seed", type=int, default=1, help="随机种子（相同种子得到相同文件）")
    p.set_defaults(run=run_synth)
    add_paper_commands(sub)
    return top


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        check_text(argv)
        args, extra = parser().parse_known_args(argv)
        if extra and not getattr(args, "takes_extra", False):
            parser().parse_args(argv)          # reports the unknown arguments and exits with 2
        return args.run(args, extra) if getattr(args, "takes_extra", False) else args.run(args)
    except UsageError as error:
        print(f"用法错误：{error}", file=sys.stderr)
        return 2
    except OSError as error:
        # a full disk, a file too large, no permission: every writer writes atomically, so
        # what was there before is still there
        where = f"{error.filename}：" if error.filename else ""
        reason = OS_ERRORS.get(error.errno, error.strerror or str(error))
        print(f"无法读写文件：{where}{reason}。原有文件保持不变；请检查路径、磁盘空间和权限后重试。",
              file=sys.stderr)
        return 1
