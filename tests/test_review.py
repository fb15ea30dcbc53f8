"""The review workflow on temporary Git repositories with scripted commits: the change summary
(`diff`), review routing (`codeowners`) and record history on the pages."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
P = "records/problems/2017/P-2017-0001.yaml"


def git(repo: Path, *args: str, date: str = "2017-04-20T10:00:00+08:00") -> str:
    env = {"GIT_AUTHOR_NAME": "区城管局 张三", "GIT_AUTHOR_EMAIL": "zhang@example.gov.cn",
           "GIT_COMMITTER_NAME": "CI", "GIT_COMMITTER_EMAIL": "ci@example.gov.cn",
           "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "PATH": "/usr/bin:/bin", "HOME": str(repo)}
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True, env=env).stdout


def cli(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=repo, capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(repo)})


@pytest.fixture
def repo(make_tree):
    tree = make_tree()
    git(tree.root, "init", "-q", "-b", "main")
    git(tree.root, "add", "-A")
    git(tree.root, "commit", "-q", "-m", "初始记录")
    return tree


def commit(tree, message: str, date: str = "2017-04-20T10:00:00+08:00") -> None:
    git(tree.root, "add", "-A")
    git(tree.root, "commit", "-q", "-m", message, date=date)


def _cut_history_at(tree, first_dropped: str) -> None:
    """Keep the minimal problem's history up to the event that starts with `first_dropped`."""
    text = tree.read(P)
    tree.write(P, text[:text.index(first_dropped)])


def _start_at_rectifying(tree) -> None:
    _cut_history_at(tree, "  - date: 2017-04-15\n")


def test_summary_in_the_reviewers_language(repo):
    _start_at_rectifying(repo)
    commit(repo, "整改中")
    base = git(repo.root, "rev-parse", "HEAD").strip()
    repo.edit(P, "    state: rectifying\n    by: city-management\n",
              "    state: rectifying\n    by: city-management\n"
              "  - date: 2017-04-12\n    state: extended\n    by: city-management\n"
              "    reason: 需协调市场搬迁\n    new_deadline: 2017-05-15\n    approved_by: hq-office\n"
              "  - date: 2017-04-15\n    state: reported\n    by: city-management\n"
              "    evidence:\n      - attachments/2017/P-2017-0001-after.jpg\n")
    commit(repo, "延期并反馈")
    out = cli(repo.root, "diff", base, "--as-of", "2017-05-31").stdout
    assert "状态：整改中 → 已反馈" in out
    assert "延期：整改时限 2017\\-04\\-30 → 2017\\-05\\-15（推迟 15 天），批准：总指挥部办公室" in out
    assert "附上佐证材料 1 份" in out
    assert "### 需要第二位审核人" in out and "延期" in out.split("### 需要第二位审核人")[1].split("###")[0]
    assert "✅ 全部记录有效" in out


def test_summary_of_closing_rename_deletion_and_an_invalid_change(repo):
    _cut_history_at(repo, "  - date: 2017-04-18\n")
    commit(repo, "已反馈")
    base = git(repo.root, "rev-parse", "HEAD").strip()
    repo.write(P, repo.read(P) + "  - date: 2017-04-18\n    state: verified\n    by: hq-office\n"
                                 "  - date: 2017-04-19\n    state: closed\n    by: hq-office\n")
    git(repo.root, "mv", "records/framework/items/public-order.yaml", "records/framework/items/public-order-2.yaml")
    git(repo.root, "rm", "-q", "records/org/districts/wuhua.yaml")
    commit(repo, "销号、改名、删除")
    out = cli(repo.root, "diff", base, "HEAD", "--as-of", "2017-05-31").stdout
    assert "共 3 条记录：新增 0，修改 1，改名 1，删除 1" in out
    assert "状态：已反馈 → 销号" in out
    assert "文件改名：records/framework/items/public\\-order\\.yaml → records/framework/items/public\\-order\\-2\\.yaml" in out
    second = out.split("### 需要第二位审核人")[1].split("###")[0]
    assert "销号" in second and "删除记录" in second
    # the renamed record's id no longer matches its file name, the deleted district is still named
    assert "❌" in out and "E-ID-FILENAME" in out and "E-REF-MISSING" in out


def test_record_text_cannot_inject_markdown_into_the_summary(repo):
    base = git(repo.root, "rev-parse", "HEAD").strip()
    repo.edit(P, "title: 翠湖街道某某路占道经营", 'title: "![x](https://evil.example/p.png) <img src=x> [点](javascript:1)"')
    commit(repo, "改标题")
    out = cli(repo.root, "diff", base, "--as-of", "2017-05-31").stdout
    assert "![x](" not in out and "<img" not in out and "](javascript" not in out


def _on_a_terminal(repo: Path, *args: str) -> str:
    """The command's output as a reviewer's terminal gets it: stdout is a pseudo-terminal."""
    import os
    import pty
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "generator", *args], cwd=repo, stdout=follower,
                               stderr=subprocess.PIPE, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin",
                                                            "HOME": str(repo), "PYTHONIOENCODING": "utf-8"})
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:                     # the terminal closes when the command exits
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(60) == 0, process.stderr.read()
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def test_a_terminal_gets_plain_text_and_ci_gets_markdown(repo):
    base = git(repo.root, "rev-parse", "HEAD").strip()
    repo.edit(P, "title: 翠湖街道某某路占道经营", 'title: "<b>占道</b> *经营* \\e[31m红字"')
    repo.edit(P, "deadline: 2017-04-30", "deadline: 2017-05-15")
    commit(repo, "改标题和时限")
    typed = _on_a_terminal(repo.root, "diff", base, "--as-of", "2017-05-31")
    assert "P-2017-0001 <b>占道</b> *经营* \\u001b[31m红字（修改）" in typed          # as written, escape shown
    assert "\x1b" not in typed and "\\-" not in typed and "&lt;" not in typed and "###" not in typed
    assert "整改时限：2017-04-30 → 2017-05-15（推迟 15 天）" in typed
    piped = cli(repo.root, "diff", base, "--as-of", "2017-05-31").stdout          # CI: a pipe, Markdown
    assert "### 问题 P\\-2017\\-0001 &lt;b&gt;占道&lt;/b&gt; \\*经营\\*" in piped
    assert "整改时限：2017\\-04\\-30 → 2017\\-05\\-15（推迟 15 天）" in piped and "\x1b" not in piped
    # either way on request
    assert cli(repo.root, "diff", base, "--as-of", "2017-05-31", "--format", "text").stdout == typed
    assert _on_a_terminal(repo.root, "diff", base, "--as-of", "2017-05-31", "--format", "markdown") == piped


def test_diff_of_an_unknown_revision_is_a_usage_error(repo):
    result = cli(repo.root, "diff", "no-such-revision")
    assert result.returncode == 2 and "Traceback" not in result.stderr


# --- routing ------------------------------------------------------------------------------

def test_codeowners_routes_records_to_their_district_and_sub_hq(repo):
    repo.edit("records/org/hq/hq-office.yaml", "kind: office\n", "kind: office\nreviewers:\n  - \"@hq-office\"\n")
    repo.edit("records/org/districts/panlong.yaml", "id: panlong\n", "id: panlong\nreviewers:\n  - \"@panlong-team\"\n")
    repo.edit("records/org/sub-hqs/subhq-city-order.yaml", "number: 1\n", "number: 1\nreviewers:\n  - \"@city-order\"\n")
    assert cli(repo.root, "codeowners", "--as-of", "2017-05-31").returncode == 0
    github = (repo.root / ".github/CODEOWNERS").read_text("utf-8").splitlines()
    assert "/records/ @hq-office" in github and "/records/accountability/ @hq-office" in github
    assert f"/{P} @city-order @hq-office @panlong-team" in github
    gitlab = (repo.root / ".gitlab/CODEOWNERS").read_text("utf-8")
    assert "[总指挥部办公室] @hq-office" in gitlab and f"/{P} @city-order @hq-office @panlong-team" in gitlab
    assert cli(repo.root, "codeowners", "--check", "--as-of", "2017-05-31").returncode == 0
    repo.edit("records/org/districts/panlong.yaml", "@panlong-team", "@panlong-new")
    stale = cli(repo.root, "codeowners", "--check", "--as-of", "2017-05-31")
    assert stale.returncode == 1 and ".github/CODEOWNERS" in stale.stderr


def test_committed_codeowners_are_current():
    result = cli(ROOT, "codeowners", "--check", "--as-of", "2017-05-31")
    assert result.returncode == 0, result.stderr


# --- history -------------------------------------------------------------------------------

def test_record_pages_show_their_history_following_renames(repo, tmp_path):
    _cut_history_at(repo, "  - date: 2017-04-18\n")
    commit(repo, "盘龙区城管局反馈整改情况", date="2017-04-15T09:00:00+08:00")
    repo.write(P, repo.read(P) + "  - date: 2017-04-18\n    state: verified\n    by: hq-office\n")
    commit(repo, "复核通过", date="2017-04-18T09:00:00+08:00")
    git(repo.root, "mv", "records/org/units/city-management.yaml", "records/org/units/city-urban.yaml")
    repo.edit("records/org/units/city-urban.yaml", "id: city-management", "id: city-urban")
    for rel in (P, "records/org/sub-hqs/subhq-city-order.yaml"):
        repo.write(rel, repo.read(rel).replace("city-management", "city-urban"))
    commit(repo, "市城管局改用新编号", date="2017-04-19T09:00:00+08:00")
    out = tmp_path / "site"
    result = cli(repo.root, "build", "--out", str(out), "--work", str(tmp_path / "work"), "--as-of", "2017-05-31")
    assert result.returncode == 0, result.stderr
    internal = (out / "internal/problems/P-2017-0001/index.html").read_text("utf-8")
    rows = re.findall(r"<tr><td>(\d{4}年\d+月\d+日)</td><td>([^<]+)</td><td>([^<]+)</td>", internal)
    assert [subject for _, subject, _ in rows] == ["市城管局改用新编号", "复核通过", "盘龙区城管局反馈整改情况", "初始记录"]
    assert rows[0][0] == "2017年4月19日" and rows[0][2] == "区城管局 张三"
    assert "最后更新：2017年4月19日" in internal
    renamed = (out / "internal/units/city-urban/index.html").read_text("utf-8")
    assert "初始记录" in renamed        # the history from before the rename is kept
    # the public site shows no Git history: the page is dated by the record's last event
    public = (out / "public/problems/P-2017-0001/index.html").read_text("utf-8")
    assert "修改记录" not in public and "张三" not in public and "复核通过</td>" not in public
    assert "最后更新：2017年4月18日" in public


def test_history_is_read_in_one_pass_over_the_log(repo, monkeypatch):
    from generator.catalog import git_history as history
    calls = []
    real = history._git
    monkeypatch.setattr(history, "_git", lambda cwd, *args: calls.append(args) or real(cwd, *args))
    found = history.read_git_history(repo.records)
    assert [a[0] for a in calls] == ["rev-parse", "log"]
    assert found.of(P)[0].subject == "初始记录"


def _run_hooks(repo) -> dict[str, int]:
    """Each pre-commit hook as pre-commit runs it (its entry, with P as the changed file where
    it takes file names): hook id → exit code."""
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text("utf-8"))
    hooks = {h["id"]: h for r in config["repos"] for h in r["hooks"]}
    assert set(hooks) == {"taizhang-fmt", "taizhang-validate", "taizhang-codeowners"}
    codes = {}
    for hook in hooks.values():
        command = hook["entry"].split()[1:]            # run as `python …` with this interpreter
        args = command[2:] + ([P] if hook.get("pass_filenames", True) else [])
        if args[0] in ("validate", "codeowners"):
            args += ["--as-of", "2017-05-31"]
        result = cli(repo.root, *args)
        assert "Traceback" not in result.stderr, (hook["id"], result.stderr)
        codes[hook["id"]] = result.returncode
    return codes


def test_pre_commit_hooks_run_the_project_commands(repo):
    """Each hook passes on a tree that is right and fails on the one thing it checks."""
    # a fresh repository has no CODEOWNERS yet: only that hook fails
    assert _run_hooks(repo) == {"taizhang-fmt": 0, "taizhang-validate": 0, "taizhang-codeowners": 1}
    assert cli(repo.root, "codeowners", "--as-of", "2017-05-31").returncode == 0
    assert _run_hooks(repo) == {"taizhang-fmt": 0, "taizhang-validate": 0, "taizhang-codeowners": 0}
    # a key out of order: only the format check fails
    repo.write(P, repo.read(P).replace("title: 翠湖街道某某路占道经营\n", "") + "title: 翠湖街道某某路占道经营\n")
    assert _run_hooks(repo) == {"taizhang-fmt": 1, "taizhang-validate": 0, "taizhang-codeowners": 0}
    # an invalid value: validate fails (and codeowners, which reads the records, refuses too)
    repo.write(P, repo.read(P).replace("source: inspection", "source: inspektion"))
    assert _run_hooks(repo) == {"taizhang-fmt": 1, "taizhang-validate": 1, "taizhang-codeowners": 1}
    # a new reviewer in an organisation record: only the routing check fails
    repo.write(P, repo.read(P).replace("source: inspektion", "source: inspection"))
    assert cli(repo.root, "fmt", P).returncode == 0
    repo.edit("records/org/districts/panlong.yaml", "id: panlong\n", "id: panlong\nreviewers:\n  - \"@panlong\"\n")
    assert _run_hooks(repo) == {"taizhang-fmt": 0, "taizhang-validate": 0, "taizhang-codeowners": 1}
