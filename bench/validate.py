"""Validate timing against the floor: parsing the same files with libyaml's C loader.

    python bench/validate.py --problems 10000 [--as-of 2018-01-01]

Writes a synthetic city to a temporary folder (or --dir), then times, in one process:
parse only (yaml.load with CSafeLoader over every record file) and a full cold `validate`
(load → check → locate). Prints one Markdown table row.
"""
from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import yaml  # noqa: E402

from generator.load import record_files  # noqa: E402
from generator.pipeline import validate  # noqa: E402
from generator.synth import write_city  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--problems", type=int, default=10_000)
    ap.add_argument("--dir")
    ap.add_argument("--as-of", default="2099-01-01")
    args = ap.parse_args()
    base = Path(args.dir or tempfile.mkdtemp(prefix="taizhang-bench-"))
    records = base / "records"
    if not records.exists():
        t = time.perf_counter()
        write_city(base, args.problems, seed=1)
        print(f"synth: {time.perf_counter() - t:.1f} s", file=sys.stderr)
    files = [p for p in record_files(records) if p.suffix == ".yaml"]
    t = time.perf_counter()
    for path in files:
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    parse = time.perf_counter() - t
    t = time.perf_counter()
    checked = validate(records, dt.date.fromisoformat(args.as_of))
    full = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    errors = sum(f.severity == "error" for f in checked.findings)
    print(f"| {args.problems:,} | {len(files):,} | {parse:.1f} s | {full:.1f} s | {full / parse:.2f}× "
          f"| {peak:.0f} MB | {errors} |")


if __name__ == "__main__":
    main()
