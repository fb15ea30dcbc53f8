"""Both example sites as one hash: a change that should not change the output (a refactor)
must leave it as it is, and one that should, changes it on purpose.

The internal site's record pages show each record's Git history (dates, commit subjects,
authors), so the sites depend on the Git log of records/. The pinned build therefore does not
read this repository's history: it copies records/ into a fresh repository with two commits of
fixed authors, dates and subjects, and builds from there with a fixed as-of date.

    make site-hash      # = .venv/bin/python tests/golden_site.py: builds both sites, prints their hash

tests/test_golden_site.py compares the hash with the one pinned there.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
AS_OF = "2017-05-31"

# (date, author, subject, folders of records/ in the commit); the second commit takes the rest.
# The subject of the second has characters that must be escaped on the page.
COMMITS = (
    ("2017-04-01T09:00:00+08:00", "总指挥部办公室", "录入组织架构、测评体系与创建工作设置",
     ("campaign", "org", "framework")),
    ("2017-05-20T18:30:00+08:00", "盘龙区创文办", "录入 4—5 月的问题、会议与督查 <示例> & 附件", None),
)


def _git(repo: Path, *args: str, date: str | None = None, author: str | None = None) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    if author:
        env.update(GIT_AUTHOR_NAME=author, GIT_COMMITTER_NAME=author,
                   GIT_AUTHOR_EMAIL="office@example.invalid", GIT_COMMITTER_EMAIL="office@example.invalid")
    subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
                   cwd=repo, env=env, check=True, capture_output=True)


def pinned_records(root: Path) -> Path:
    """A copy of the example records in a new Git repository at `root`, with the fixed history."""
    shutil.copytree(REPO / "records", root / "records")
    _git(root, "init", "-q")
    for date, author, subject, folders in COMMITS:
        paths = [f"records/{f}" for f in folders] if folders else ["records"]
        _git(root, "add", "--", *paths)
        _git(root, "commit", "-q", "-m", subject, date=date, author=author)
    return root / "records"


def build(records: Path, out: Path, work: Path) -> None:
    """Both sites, built by the command line in a fresh interpreter."""
    result = subprocess.run([sys.executable, "-m", "generator", "build", "--records", str(records),
                             "--out", str(out), "--work", str(work), "--as-of", AS_OF],
                            cwd=REPO, capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"build failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")


def tree_hash(folder: Path) -> str:
    """SHA-256 over every file under `folder`: its path relative to `folder` and its bytes, in
    sorted path order. Nothing is left out."""
    digest = hashlib.sha256()
    files = sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink())
    for path in sorted(files, key=lambda p: p.relative_to(folder).as_posix()):
        data = path.read_bytes()
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def site_hash(scratch: Path) -> str:
    """Build both example sites under `scratch` and return their tree hash."""
    records = pinned_records(scratch / "repo")
    out = scratch / "site"
    build(records, out, scratch / "build")
    return tree_hash(out)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="taizhang-golden-") as tmp:
        print(site_hash(Path(tmp)))
