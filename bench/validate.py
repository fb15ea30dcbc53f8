"""Validate timing against the floor: parsing the same files with libyaml's C loader.

    python bench/validate.py --problems 10000 [--dir DIR] [--as-of 2099-01-01] [--repeat 3]

Writes a synthetic city to a temporary folder (or reuses --dir/records), then times, in one
process: parse only (yaml.load with CSafeLoader over every record file); `validate` cold
(an empty cache, which it fills), with --no-cache, warm (nothing changed since) and after one
problem file's description changed (restored afterwards); then the same warm and one-changed
runs through the command line in a fresh interpreter (imports and printing included). The
cache lives in a temporary folder, never the user's. Prints one Markdown table row (the median
of --repeat runs; each run's numbers go to stderr) and the header with --header, and records
the row in bench/results.json and README.md (bench/results.py; --no-readme: results only).
With --dir, a city written by an older synth is written again (bench/city.py).

Peak RSS: the largest of this process and any child (the parse workers of a cold run).
"""
from __future__ import annotations

import argparse
import datetime as dt
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

import yaml  # noqa: E402

from generator.validate.load import record_files  # noqa: E402
from generator.validate import Cache, validate  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
import results  # noqa: E402
from city import ensure_city  # noqa: E402

HEADER = ("| problems | files | parse only | cold | cold ÷ parse | no cache | warm | one changed "
          "| warm (CLI) | one changed (CLI) | peak RSS | errors |\n"
          "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")


def _timed(fn):
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result


def _cli(records: Path, as_of: str, cache_dir: Path) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "generator", "validate", "--records", str(records),
                    "--as-of", as_of, "--format", "json", "--cache-dir", str(cache_dir)],
                   cwd=ROOT, stdout=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t


def _edit(path: Path) -> None:
    """Change the description (or the title) of a problem: a change no other file can see."""
    text = path.read_text(encoding="utf-8")
    for key in ("description: ", "title: "):
        if f"\n{key}" in text:
            path.write_text(text.replace(f"\n{key}", f"\n{key}（复查）", 1), encoding="utf-8")
            return
    raise SystemExit(f"no description or title in {path}")


def once(records: Path, files: list[Path], as_of: dt.date, changed: Path) -> dict:
    t = time.perf_counter()
    for path in files:
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    row = {"parse": time.perf_counter() - t}
    folder = Path(tempfile.mkdtemp(prefix="taizhang-bench-cache-"))
    try:
        cache = Cache(records, folder)
        row["cold"], checked = _timed(lambda: validate(records, as_of, cache=cache))
        row["nocache"], plain = _timed(lambda: validate(records, as_of))
        assert plain.findings == checked.findings, "the cache changed the findings"
        row["warm"], _ = _timed(lambda: validate(records, as_of, cache=cache))
        original = changed.read_bytes()
        try:
            _edit(changed)
            row["changed"], _ = _timed(lambda: validate(records, as_of, cache=cache))
        finally:
            changed.write_bytes(original)
        validate(records, as_of, cache=cache)                 # the cache now knows the restored file
        row["warm_cli"] = _cli(records, as_of.isoformat(), folder)
        try:
            _edit(changed)
            row["changed_cli"] = _cli(records, as_of.isoformat(), folder)
        finally:
            changed.write_bytes(original)
        row["errors"] = sum(f.severity == "error" for f in checked.findings)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return row


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--problems", type=int, default=10_000)
    ap.add_argument("--dir", help="reuse (or create) the synthetic city in DIR/records")
    ap.add_argument("--as-of", default="2099-01-01")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--header", action="store_true")
    results.options(ap)
    args = ap.parse_args()
    env = results.environment()
    base = Path(args.dir or tempfile.mkdtemp(prefix="taizhang-bench-"))
    t = time.perf_counter()
    records = ensure_city(base / "city" if not args.dir else base, args.problems, seed=1)
    print(f"synth (or reuse): {time.perf_counter() - t:.1f} s", file=sys.stderr)
    time.sleep(3.5)             # let the files settle, as a tree checked out a while ago has
    files = [p for p in record_files(records) if p.suffix == ".yaml"]
    problems = [p for p in files if p.parent.parent.name == "problems"]
    changed = problems[len(problems) // 2]
    rows = []
    for i in range(args.repeat):
        row = once(records, files, dt.date.fromisoformat(args.as_of), changed)
        row["ratio"] = row["cold"] / row["parse"]
        rows.append(row)
        print(f"run {i + 1}: " + ", ".join(f"{k} {v:.2f}" for k, v in row.items()), file=sys.stderr)
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
    if args.header:
        print(HEADER)
    print(f"| {len(problems):,} | {len(files):,} | {med['parse']:.1f} s | {med['cold']:.1f} s | {med['ratio']:.2f}× "
          f"| {med['nocache']:.1f} s | {med['warm']:.2f} s | {med['changed']:.2f} s "
          f"| {med['warm_cli']:.2f} s | {med['changed_cli']:.2f} s | {peak:.0f} MB | {med['errors']:.0f} |")
    results.record("validate", str(args.problems), {**{k: round(v, 3) for k, v in med.items()}, "files": len(files),
                                                    "peak_mb": round(peak)}, env=env, **results.destination(args))


if __name__ == "__main__":
    main()
