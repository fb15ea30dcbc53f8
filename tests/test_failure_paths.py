"""Every command's failure paths, through `python -m generator` in a subprocess: the exit code
(2: the command line is wrong; 1: the records, or reading and writing files), a Chinese message
that says what to do, no Python traceback, and not one byte changed or created under the folder
the command was pointed at (snapshot before and after).

One table, one row per failure: a new command or option adds its rows here.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

ROOT = Path(__file__).resolve().parents[1]
P = "records/problems/2017/P-2017-0001.yaml"
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Case:
    id: str
    argv: list[str]             # {root}: the tree's folder, {records}: its records/, {tmp}: scratch outside it
    code: int
    says: str                   # part of the message on stderr
    setup: Callable | None = None
    cwd: str = "{root}"
    out: str = ""               # part of stdout, for the runs that succeed without writing (dry runs)
    env: dict = field(default_factory=dict)


def _workbook(tree, name: str, rows: list[list]) -> None:
    from openpyxl import Workbook
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(tree.root / name)


def _not_canonical(tree) -> None:
    tree.write(P, tree.read(P).replace("title:", "title:   "))     # fmt has work to do


def _git_repo(tree) -> None:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.gov.cn", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.gov.cn", "PATH": "/usr/bin:/bin", "HOME": str(tree.root)}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "初始记录"]):
        subprocess.run(["git", "-C", str(tree.root), *args], check=True, capture_output=True, env=env)


def _published_site(tree) -> None:
    tree.write("site/public/index.html", "<p>已发布的网站</p>")


def _a_file(name: str):
    def setup(tree) -> None:
        tree.write(name, "这是一个文件")
    return setup


V = ["--records", "{records}"]
D = ["--as-of", "2017-05-31"]

CASES = [
    # build
    Case("build-records-missing", ["build", "--records", "{root}/no-such-folder", "--out", "{root}/site"], 2, "找不到记录文件夹"),
    Case("build-bad-audience", ["build", *V, "--audience", "nobody", "--out", "{root}/site"], 2, "--audience 不能是 nobody"),
    Case("build-bad-date", ["build", *V, "--as-of", "2017-02-30"], 2, "日期应写成"),
    Case("build-out-is-a-file", ["build", *V, *D, "--out", "{root}/site.txt", "--work", "{tmp}/work"], 2,
         "是一个文件，不是文件夹", setup=_a_file("site.txt")),
    Case("build-invalid-records", ["build", *V, *D, "--out", "{root}/site", "--work", "{tmp}/work"], 1,
         "记录有错误，未生成网站", setup=lambda t: (_published_site(t), t.edit(P, "source: inspection", "source: x"))),
    # diff
    Case("diff-outside-git", ["diff", "HEAD~1", *D], 2, "不在 Git 仓库里"),
    Case("diff-unknown-revision", ["diff", "no-such-revision", *D], 2, "读不到 Git 版本", setup=_git_repo),
    # fmt: every path is checked before any file is rewritten
    Case("fmt-missing-path", ["fmt", *V, P, "{records}/no-such.yaml"], 2, "找不到文件或文件夹", setup=_not_canonical),
    Case("fmt-outside-records", ["fmt", *V, P, "{root}/outside.yaml"], 2, "不在记录文件夹",
         setup=lambda t: (_not_canonical(t), _a_file("outside.yaml")(t))),
    Case("fmt-records-missing", ["fmt", "--records", "{root}/nowhere"], 2, "找不到记录文件夹"),
    # import-xlsx
    Case("import-not-a-workbook", ["import-xlsx", "{root}/ledger.xlsx", *V, *D], 2, "不是 Excel 工作簿",
         setup=_a_file("ledger.xlsx")),
    Case("import-missing-file", ["import-xlsx", "{root}/no-such.xlsx", *V, *D], 2, "找不到这个文件"),
    Case("import-dry-run-with-updates", ["import-xlsx", "{root}/ledger.xlsx", *V, *D], 0, "",
         setup=lambda t: _workbook(t, "ledger.xlsx", [["编号", "整改时限", "整改措施"], ["P-2017-0001", "2017-04-30", "加派人手"]]),
         out="更新 P-2017-0001"),
    Case("import-apply-on-invalid-records", ["import-xlsx", "{root}/ledger.xlsx", "--apply", *V, *D], 1, "请先改正再导入",
         setup=lambda t: (_workbook(t, "ledger.xlsx", [["编号", "整改时限", "整改措施"], ["P-2017-0001", "2017-04-30", "加派人手"]]),
                          t.edit(P, "source: inspection", "source: x"))),
    # new
    Case("new-duplicate-id", ["new", "problem", *V, "--id", "P-2017-0001", "--title", "重复", "--date", "2017-04-07",
                               "--district", "panlong", "--source", "inspection", "--responsible-unit",
                               "city-management", "--deadline", "2017-04-21"], 2,
         "已有记录 P-2017-0001"),
    Case("new-bad-list-value", ["new", "meeting", *V, "--attendees", "[甲, 乙", "--date", "2017-04-07",
                                 "--kind", "hq", "--title", "总指挥部会议"], 2, "写法不对"),
    Case("new-unknown-type", ["new", "complaint", *V], 2, "没有这种记录类型"),
    Case("new-unknown-field", ["new", "problem", *V, "--titel", "x", "--date", "2017-04-07"], 2, "没有字段 titel"),
    Case("new-bad-date", ["new", "problem", *V, "--date", "2017-4-7"], 2, "日期应写成"),
    # transition
    Case("transition-unknown-id", ["transition", "P-2017-9999", "reported", *V, "--date", "2017-04-20"], 1, "找不到记录 P-2017-9999"),
    Case("transition-unknown-state", ["transition", "P-2017-0001", "done", *V, "--date", "2017-04-20"], 1, "没有这种状态"),
    Case("transition-not-allowed", ["transition", "P-2017-0001", "registered", *V, "--date", "2017-04-21"], 1, "不能从"),
    # synth
    Case("synth-negative-problems", ["synth", "--out", "{root}/city", "--problems", "-5"], 2, "应是 0 或更大的整数"),
    Case("synth-problems-not-a-number", ["synth", "--out", "{root}/city", "--problems", "many"], 2, "应是 0 或更大的整数"),
    Case("synth-out-is-a-file", ["synth", "--out", "{root}/city", "--problems", "3"], 1, "无法读写文件",
         setup=_a_file("city")),
    # export-xlsx
    Case("export-under-a-file", ["export-xlsx", *V, *D, "--out", "{root}/afile/ledger.xlsx"], 1, "无法读写文件",
         setup=_a_file("afile")),
    Case("export-onto-a-folder", ["export-xlsx", *V, *D, "--out", "{records}"], 2, "是一个文件夹"),
    Case("export-invalid-records", ["export-xlsx", *V, *D, "--out", "{root}/ledger.xlsx"], 1, "记录有错误，未导出",
         setup=lambda t: t.edit(P, "source: inspection", "source: x")),
    Case("export-missing-out", ["export-xlsx", *V, *D], 2, "缺少参数：--out"),
    # schema
    Case("schema-onto-a-file", ["schema", "--out", "{root}/schemas"], 1, "无法读写文件", setup=_a_file("schemas")),
    Case("schema-missing-out", ["schema"], 2, "缺少参数：--out"),
    # codeowners
    Case("codeowners-outside-a-repository", ["codeowners", *V, *D], 2, "不是 Git 仓库的根目录"),
    Case("codeowners-check-outside-a-repository", ["codeowners", "--check", *V, *D], 2, "不是 Git 仓库的根目录"),
    Case("codeowners-invalid-records", ["codeowners", *V, *D], 1, "记录有错误，未生成审核分派",
         setup=lambda t: (t.edit(P, "source: inspection", "source: x"), _git_repo(t))),
    # nginx-conf
    Case("nginx-conf-missing-site", ["nginx-conf", "--site", "{root}/no-site", "--out", "{root}/nginx"], 1, "没有已生成的网站"),
    Case("nginx-conf-bad-listen", ["nginx-conf", "--site", "{root}/site", "--out", "{root}/nginx", "--serve", "anywhere"], 2,
         "--serve 应写成 地址:端口", setup=_published_site),
    # the command line itself
    Case("no-command", [], 2, "缺少参数：命令"),
    Case("unknown-command", ["frobnicate"], 2, "没有命令 frobnicate"),
    Case("unknown-option", ["validate", *V, "--verbose"], 2, "不认识的参数：--verbose"),
    Case("option-without-value", ["validate", "--records"], 2, "--records 后面要写一个值"),
]


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under `folder`."""
    return {p.relative_to(folder).as_posix(): (None if p.is_dir() else p.read_bytes())
            for p in sorted(folder.rglob("*")) if ".git" not in p.relative_to(folder).parts}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_failing_command_says_why_in_chinese_and_changes_nothing(make_tree, tmp_path_factory, case):
    tree = make_tree()
    scratch = tmp_path_factory.mktemp("scratch")
    if case.setup:
        case.setup(tree)
    places = {"root": str(tree.root), "records": str(tree.records), "tmp": str(scratch)}
    argv = [a.format(**places) for a in case.argv]
    before = snapshot(tree.root)
    result = subprocess.run([sys.executable, "-m", "generator", *argv], cwd=case.cwd.format(**places),
                            capture_output=True, text=True, timeout=120,
                            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(scratch),
                                 "XDG_CACHE_HOME": str(scratch / "cache"), **case.env})
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == case.code, (result.returncode, result.stderr)
    if case.code:
        assert case.says in result.stderr, result.stderr
        assert CJK.search(result.stderr.splitlines()[-1]), result.stderr        # the last line says what to do
    else:
        assert case.out in result.stdout, result.stdout
    assert snapshot(tree.root) == before


@pytest.mark.slow
def test_an_mkdocs_error_leaves_the_published_site_as_it_was(tmp_path):
    """A broken theme override (site_templates/overrides/main.html) in a copy of the generator:
    MkDocs fails inside `build`; the message names the template and line, exit 1, no traceback,
    and the published site is not touched (both audiences: each is built in a child process)."""
    copy = tmp_path / "repo"
    for name in ("generator", "site_templates"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__", "node_modules"))
    shutil.copy(ROOT / "mkdocs.yml", copy / "mkdocs.yml")
    site = tmp_path / "site"

    def build() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "generator", "build", "--records", str(ROOT / "records"),
                               "--out", str(site), "--work", str(tmp_path / "work"), "--as-of", "2017-05-31"],
                              cwd=copy, capture_output=True, text=True, timeout=600,
                              env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert build().returncode == 0                      # the published sites
    before = snapshot(site)
    main = copy / "site_templates/overrides/main.html"
    main.write_text(main.read_text("utf-8") + "\n{% if %}\n", "utf-8")
    result = build()
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stderr
    assert "网站生成失败，已发布的网站保持不变" in result.stderr and "main.html 第" in result.stderr, result.stderr
    assert snapshot(site) == before
