"""What checking before writing costs: a writer validates the would-be tree (authoring/commit.py).

    .venv/bin/python bench/writers.py [--problems N | --dir DIR] [--as-of 2099-01-01] [--repeat 3]

On a synthetic city (written to a temporary folder, or reused from DIR/records), with the
validation cache warm (a `validate` with the same as-of date just ran, as it has for anyone who
edits records), times in this process: `validate` of the tree as it is (warm, for comparison);
`validate(overlay=…)` with one problem's text changed (what `transition` and `new` run: the tree
as it is, then the would-be tree from that run), once with an accepted event and once with one
the rulebook refuses; and through the command line in a fresh interpreter (imports and printing
included): `transition --dry-run` (checks and prints, writes nothing) and `new --dry-run`. The
cache lives in a temporary folder, never the user's. Prints one Markdown table row (medians of
wall time and of CPU time, this process's and its children's: on a busy machine the CPU time
says more).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.authoring.edit import transition_text  # noqa: E402
from generator.synth.city import write_city  # noqa: E402
from generator.validate import Cache, validate  # noqa: E402

HEADER = ("| problems | files | warm validate | check before write (accepted) | check before write (refused) "
          "| transition --dry-run (CLI) | new --dry-run (CLI) |\n|---:|---:|---:|---:|---:|---:|---:|")


def _cpu() -> float:
    """CPU seconds of this process and of the children it has waited for (the stat helper, the CLI)."""
    return sum(resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))


def _timed(fn):
    t, c = time.perf_counter(), _cpu()
    result = fn()
    return (time.perf_counter() - t, _cpu() - c), result


def _cli(args: list[str], env: dict) -> tuple[float, float]:
    t, c = time.perf_counter(), _cpu()
    subprocess.run([sys.executable, "-m", "generator", *args], cwd=ROOT, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t, _cpu() - c


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--problems", type=int, default=10_000)
    ap.add_argument("--dir", help="reuse (or create) the synthetic city in DIR/records")
    ap.add_argument("--as-of", default="2099-01-01")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--header", action="store_true")
    args = ap.parse_args()
    base = Path(args.dir or tempfile.mkdtemp(prefix="taizhang-bench-"))
    records = (base / "records").resolve()
    if not records.exists():
        write_city(base, args.problems, seed=1)
        time.sleep(3.5)         # let the files settle, as a tree checked out a while ago has
    as_of = dt.date.fromisoformat(args.as_of)
    problems = sorted((records / "problems").rglob("*.yaml"))
    files = sum(1 for _ in records.rglob("*.yaml"))
    target = problems[len(problems) // 2]
    day = as_of - dt.timedelta(days=1)
    _path, accepted = transition_text(records, target.stem, "rectifying", day, note="复查")   # may be refused too:
    _path, refused = transition_text(records, target.stem, "registered", day)               # the check costs the same
    folder = Path(tempfile.mkdtemp(prefix="taizhang-bench-cache-"))
    env = os.environ | {"XDG_CACHE_HOME": str(folder / "xdg")}
    try:
        cache = Cache(records, folder / "xdg" / "taizhang" / "validate")
        validate(records, as_of, cache=cache)                      # cold: fills the cache
        rows = []
        for _ in range(args.repeat):
            row = {"warm": _timed(lambda: validate(records, as_of, cache=cache))[0]}
            row["accepted"], checked = _timed(lambda: validate(records, as_of, cache=cache, overlay={target: accepted}))
            row["refused"], _ = _timed(lambda: validate(records, as_of, cache=cache, overlay={target: refused}))
            row["transition"] = _cli(["transition", target.stem, "rectifying", "--date", day.isoformat(), "--dry-run",
                                      "--records", str(records), "--as-of", args.as_of], env)
            row["new"] = _cli(["new", "problem", "--records", str(records), "--as-of", args.as_of, "--dry-run",
                               "--date", day.isoformat(), "--title", "某路占道", "--district", "panlong", "--source",
                               "complaint", "--responsible-unit", "panlong-city-management", "--deadline",
                               (day + dt.timedelta(days=14)).isoformat()], env)
            rows.append(row)
            print(", ".join(f"{k} {v[0]:.2f} s (CPU {v[1]:.2f} s)" for k, v in row.items()), file=sys.stderr)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    med = {k: (statistics.median(r[k][0] for r in rows), statistics.median(r[k][1] for r in rows)) for k in rows[0]}
    if args.header:
        print(HEADER)
    cells = " | ".join(f"{med[k][0]:.2f} s（CPU {med[k][1]:.2f} s）" for k in ("warm", "accepted", "refused", "transition", "new"))
    print(f"| {len(problems):,} | {files:,} | {cells} |")


if __name__ == "__main__":
    main()
