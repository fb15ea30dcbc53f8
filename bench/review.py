"""Review tools at scale: a synthetic city in a Git repository with a year of weekly commits,
then the time of one history pass and of the change summary (`diff`).

    .venv/bin/python bench/review.py [--problems 25000] [--weeks 52] [--per-week 250]

Prints one Markdown table row and records it in bench/results.json and README.md (bench/results.py).
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.catalog.git_history import read_git_history  # noqa: E402
from generator.synth.city import write_city  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
import results  # noqa: E402

ENV = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "b@example.gov.cn",
       "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "b@example.gov.cn"}


def git(repo: Path, *args: str, date: str | None = None) -> str:
    env = dict(ENV, **({"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else {}))
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--problems", type=int, default=25_000)
    ap.add_argument("--weeks", type=int, default=52)
    ap.add_argument("--per-week", type=int, default=250)
    results.options(ap)
    args = ap.parse_args()
    env = results.environment()
    repo = Path(tempfile.mkdtemp(prefix="taizhang-review-"))
    write_city(repo, args.problems, seed=1)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "初始台账", date="2017-04-01T09:00:00+08:00")
    problems = sorted((repo / "records/problems").rglob("*.yaml"))
    rng = random.Random(1)
    t = time.perf_counter()
    for week in range(args.weeks):
        for path in rng.sample(problems, args.per_week):
            path.write_text(path.read_text("utf-8") + f"# 第 {week + 1} 周复查\n", "utf-8")
        git(repo, "commit", "-q", "-am", f"第 {week + 1} 周整改进展", date=f"2017-{4 + week // 5 % 8:02d}-{week % 5 * 5 + 2:02d}T09:00:00+08:00")
    setup = time.perf_counter() - t
    t = time.perf_counter()
    history = read_git_history(repo / "records")
    t_history = time.perf_counter() - t
    changed = sum(len(c) for c in history.changes.values())
    t = time.perf_counter()
    week = subprocess.run([sys.executable, "-m", "generator", "diff", "HEAD~1", "HEAD", "--as-of", "2018-04-01"],
                          cwd=repo, capture_output=True, text=True, env=dict(ENV, PYTHONPATH=str(ROOT)))
    t_diff_week = time.perf_counter() - t
    t = time.perf_counter()
    year = subprocess.run([sys.executable, "-m", "generator", "diff", "HEAD~%d" % args.weeks, "HEAD", "--as-of",
                           "2018-04-01"], cwd=repo, capture_output=True, text=True, env=dict(ENV, PYTHONPATH=str(ROOT)))
    t_diff_year = time.perf_counter() - t
    assert week.returncode == 0 and year.returncode == 0, week.stderr + year.stderr
    print(f"(repository of {args.weeks + 1} commits made in {setup:.0f} s; {changed:,} file changes in the log)",
          file=sys.stderr)
    print(f"| {args.problems:,} | {args.weeks} × {args.per_week} | {t_history:.1f} s | {t_diff_week:.1f} s "
          f"| {t_diff_year:.1f} s |")
    results.record("review", f"{args.problems}:{args.weeks}x{args.per_week}",
                   {"problems": args.problems, "weeks": args.weeks, "per_week": args.per_week, "changes": changed,
                    "history": round(t_history, 3), "diff_week": round(t_diff_week, 3), "diff_year": round(t_diff_year, 3)},
                   env=env, **results.destination(args))


if __name__ == "__main__":
    main()
