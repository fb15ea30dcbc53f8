"""The cold build of an earlier commit on the benchmark's own cities, measured now on this
machine: what "a cold build per page no worse than before" (issue 19) is compared with.

    .venv/bin/python bench/baseline.py --commit REV [--sizes 10000 25000 100000] [--work build/bench]

The commit's tree is exported (`git archive`) into build/bench/baseline-REV and run with this
checkout's Python and libraries, on the same city and data date as bench/run.py, into empty
folders. Each size is one row of the "baseline" table in bench/results.json; README quotes it
beside the cold build of the code measured by bench/run.py.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import results  # noqa: E402
import run  # noqa: E402
from city import ensure_city  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def export(commit: str, into: Path) -> Path:
    """The tree of `commit`, as `git archive` gives it, with this checkout's form editor packages."""
    stamp = into / ".complete"
    if stamp.exists() and stamp.read_text("utf-8") == commit:
        return into
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    installed = ROOT / "tools/cms/node_modules"
    if installed.exists():
        (into / "tools/cms/node_modules").symlink_to(installed.resolve())
    stamp.write_text(commit, "utf-8")
    return into


def measure(commit: str, tree: Path, problems: int, work: Path) -> dict:
    base = work / str(problems)
    records = ensure_city(base, problems, seed=1)
    as_of = (run.latest_found(records) + dt.timedelta(days=30)).isoformat()
    out = work / f"baseline-{commit}-site"
    shutil.rmtree(out, ignore_errors=True)
    done = run.run(sys.executable, "-m", "generator", "build", "--records", str(records), "--as-of", as_of,
                   "--out", str(out / "site"), "--work", str(out / "work"), cwd=tree)
    shutil.rmtree(out, ignore_errors=True)
    if done["code"] != 0:
        raise SystemExit(f"{commit} 的生成失败：\n{done['out'][-3000:]}")
    return {"commit": commit, "as_of": as_of, "build": done["seconds"], "peak_sum_mb": round(done["peak_sum_mb"]),
            "audiences": run.audiences(done["out"])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--commit", required=True, help="要测量的提交（例如增量生成之前的 main）")
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 25_000, 100_000])
    ap.add_argument("--work", type=Path, default=ROOT / "build" / "bench")
    results.options(ap)
    args = ap.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short=10", args.commit], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.strip()
    tree = export(commit, args.work / f"baseline-{commit}")
    for size in args.sizes:
        env = {**results.environment(), "commit": commit, "dirty": False}
        row = measure(commit, tree, size, args.work)
        print(json.dumps(row, ensure_ascii=False), file=sys.stderr, flush=True)
        results.record("baseline", str(size), row, env=env, **results.destination(args))


if __name__ == "__main__":
    main()
