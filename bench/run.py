"""The scale benchmark behind `make bench`: a synthetic city at each size, measured through the
CLI the way staff and CI run it, recorded in bench/results.json and written into README.md.

    .venv/bin/python bench/run.py [--sizes 10000 25000 100000] [--work build/bench] [--no-readme]

Per size: parse only (libyaml's C loader over every record file, the floor for validation);
validate cold (no cache), warm (nothing changed) and after one changed file; in headless
Chromium on localhost, the bytes a first Chinese search downloads and the time until its first
result shows. Then the builds: a cold build of both sites into empty folders (wall time, each
audience's time and pages, and memory: the sum of the peaks of the build and every process it
started, and the largest one); three rebuilds into the same folders (site/incremental.py):
after one problem's description changed, after one problem's state changed (`transition`), and
on the next day with nothing changed; then a `--full` build of the same records into fresh
folders, compared with the rebuilt sites byte for byte (a difference stops the benchmark). The
public site's size and its median problem page. Each size is one row of README's tables
(bench/results.py): a run of one size replaces only that row.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import results  # noqa: E402
from city import ensure_city  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
QUERY = "盘龙区 占道经营"


# Runs a command and follows its process tree: every 0.1 s the peak resident size (VmHWM) of
# each process in it, by pid and start time; the sum of those peaks is the memory the command
# could need at most at once (forked workers share pages with their parent: an upper bound).
PROBE = r"""
import json, os, resource, subprocess, sys, threading, time

def tree(pid):
    found = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                for child in f.read().split():
                    found += tree(int(child))
    except OSError:
        pass
    return found

def peak_kb(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            start = f.read().rsplit(")", 1)[1].split()[19]
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return start, int(line.split()[1])
    except (OSError, IndexError, ValueError):
        pass
    return None, None

t = time.perf_counter()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
out = []
reader = threading.Thread(target=lambda: out.append(process.stdout.read()))
reader.start()
peaks = {}
while process.poll() is None:
    for pid in tree(process.pid):
        start, kb = peak_kb(pid)
        if kb:
            peaks[(pid, start)] = max(peaks.get((pid, start), 0), kb)
    time.sleep(0.1)
reader.join()
single = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": time.perf_counter() - t, "code": process.returncode, "out": "".join(out),
                  "peak_single_mb": single / 1024, "peak_sum_mb": max(sum(peaks.values()), single) / 1024,
                  "processes": len(peaks)}))
"""


def run(*args: str, cwd: Path = ROOT) -> dict:
    """Run a command in a fresh process (in `cwd`); its wall time, output and peak memory (MB):
    the sum of the peaks of it and every process it started, and the largest single one."""
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=cwd, check=True)
    return json.loads(result.stdout)


def generator(*args: str) -> dict:
    result = run(sys.executable, "-m", "generator", *args)
    if result["code"] not in (0,):
        raise SystemExit(f"generator {' '.join(args)} failed:\n{result['out'][-3000:]}")
    return result


def parse_only(records: Path) -> float:
    code = ("import sys, time, yaml\nfrom pathlib import Path\n"
            "files = sorted(p for p in Path(sys.argv[1]).rglob('*.yaml'))\n"
            "t = time.perf_counter()\n"
            "for p in files: yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader)\n"
            "print(time.perf_counter() - t)\n")
    return float(subprocess.run([sys.executable, "-c", code, str(records)], capture_output=True, text=True,
                                check=True).stdout)


def latest_found(records: Path) -> dt.date:
    found = re.compile(rb"^found: (\d{4}-\d{2}-\d{2})$", re.M)
    newest = max(found.search(p.read_bytes()).group(1) for p in records.glob("problems/*/*.yaml"))
    return dt.date.fromisoformat(newest.decode())


def touch_one_problem(records: Path) -> tuple[Path, bytes]:
    """Change one problem's description, as an editor would; return the file and its old bytes."""
    path = sorted(records.glob("problems/*/*.yaml"))[len(list(records.glob("problems/*/*.yaml"))) // 2]
    old = path.read_bytes()
    path.write_bytes(re.sub(rb"^(description: .*)$", lambda m: m.group(1) + "（已复核）".encode(), old, count=1, flags=re.M))
    return path, old


def move_one_problem(records: Path, as_of: str) -> tuple[Path, bytes]:
    """Move one open problem to its next state on the data date with `transition`, as staff
    would; return the file and its old bytes."""
    import yaml
    following = {"assigned": "acknowledged", "acknowledged": "rectifying", "rectifying": "reported",
                 "returned": "rectifying"}
    paths = sorted(records.glob("problems/*/*.yaml"))
    for path in paths[len(paths) // 3:] + paths[: len(paths) // 3]:
        record = yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
        last = record["history"][-1]
        if last["state"] in following and str(last["date"]) <= as_of:
            old = path.read_bytes()
            generator("transition", record["id"], following[last["state"]], "--records", str(records),
                      "--date", as_of, "--as-of", as_of, "--by", record["responsible_unit"])
            return path, old
    raise SystemExit("没有可以推进状态的问题")


def digests(site: Path) -> dict[str, str]:
    import hashlib
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in site.rglob("*") if p.is_file()}


def same_sites(mine: Path, full: Path) -> bool:
    """Both sites of two --out folders hold the same files with the same bytes."""
    for audience in ("public", "internal"):
        a, b = digests(mine / audience), digests(full / audience)
        if a != b:
            differ = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
            print(f"{audience}：增量生成与完整生成有 {len(differ)} 个文件不同，例如 {differ[:5]}", file=sys.stderr)
            return False
    return True


def audiences(output: str) -> dict[str, dict]:
    """Each site's pages, pages written and seconds, as build prints them."""
    found = {}
    for audience, pages, written, seconds in re.findall(r"已生成 (\w+)：.*?（(\d+) 页(?:，重写 (\d+) 页，其余沿用)?，用时 (\d+) 秒",
                                                       output):
        found[audience] = {"pages": int(pages), "written": int(written or pages), "seconds": float(seconds)}
    return found


def build(*args: str) -> dict:
    """A build's wall time, memory (MB: the sum of the processes' peaks, the largest one) and
    each site's pages and time."""
    done = generator("build", *args)
    return {"seconds": done["seconds"], "peak_sum_mb": round(done["peak_sum_mb"]),
            "peak_single_mb": round(done["peak_single_mb"]), "audiences": audiences(done["out"])}


def search_in_browser(site: Path) -> tuple[int, float]:
    """Bytes downloaded from typing the query to the first result, and the time it took."""
    import functools
    import http.server
    import socketserver
    import threading
    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                                        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page()
            page.goto(url)
            page.wait_for_load_state("networkidle")
            sizes: list[int] = []
            page.on("requestfinished", lambda request: sizes.append(len(request.response().body())))
            search = page.locator(".md-search__input")
            search.click()
            started = time.perf_counter()
            search.fill(QUERY)
            page.wait_for_selector(".md-search-result__item a", timeout=60_000)
            elapsed = time.perf_counter() - started
            page.wait_for_load_state("networkidle")
            browser.close()
            return sum(sizes), elapsed
    finally:
        server.shutdown()
        server.server_close()


def measure(problems: int, work: Path) -> dict:
    base = work / str(problems)
    records = ensure_city(base, problems, seed=1)      # written again when synth has changed
    as_of = (latest_found(records) + dt.timedelta(days=30)).isoformat()
    files = sum(1 for _ in records.rglob("*.yaml"))
    row: dict = {"problems": problems, "files": files, "as_of": as_of, "parse": parse_only(records)}
    common = ("--records", str(records), "--as-of", as_of)
    row["cold"] = generator("validate", *common, "--no-cache")["seconds"]
    generator("validate", *common)                             # fills the cache
    row["warm"] = generator("validate", *common)["seconds"]
    path, old = touch_one_problem(records)
    try:
        row["one_changed"] = generator("validate", *common)["seconds"]
    finally:
        path.write_bytes(old)
    for folder in ("site", "work", "full", "full-work"):     # cold: nothing from an earlier run
        shutil.rmtree(base / folder, ignore_errors=True)
    target = ("--out", str(base / "site"), "--work", str(base / "work"))
    cold = build(*common, *target)
    row["build"], row["peak_sum_mb"], row["peak_single_mb"] = cold["seconds"], cold["peak_sum_mb"], cold["peak_single_mb"]
    row["audiences"] = cold["audiences"]
    changed = [touch_one_problem(records)]
    try:
        row["rebuild_description"] = build(*common, *target)
        changed.append(move_one_problem(records, as_of))
        row["rebuild_state"] = build(*common, *target)
        next_day = (dt.date.fromisoformat(as_of) + dt.timedelta(days=1)).isoformat()
        later = ("--records", str(records), "--as-of", next_day)
        row["rebuild_day"] = build(*later, *target)
        row["full_again"] = build(*later, "--out", str(base / "full"), "--work", str(base / "full-work"), "--full")
        row["same_as_full"] = same_sites(base / "site", base / "full")
    finally:
        for path, old in reversed(changed):
            path.write_bytes(old)
    shutil.rmtree(base / "full", ignore_errors=True)
    shutil.rmtree(base / "full-work", ignore_errors=True)
    if not row["same_as_full"]:
        raise SystemExit("增量生成的网站与完整生成的不同（见上）")
    public = base / "site" / "public"
    # as published on a static host: without the .gz copies nginx's gzip_static serves (+~22 %)
    row["site_mb"] = sum(p.stat().st_size for p in public.rglob("*") if p.is_file() and p.suffix != ".gz") / 2**20
    row["problem_page_kb"] = statistics.median(p.stat().st_size for p in public.glob("problems/P-*/index.html")) / 1024
    row["search_bytes"], row["search_seconds"] = search_in_browser(public)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 25_000, 100_000])
    ap.add_argument("--work", type=Path, default=ROOT / "build" / "bench")
    results.options(ap)
    args = ap.parse_args()
    for size in args.sizes:
        env = results.environment()             # before: the load as the measurement starts
        row = measure(size, args.work)
        print(json.dumps(row, ensure_ascii=False), file=sys.stderr, flush=True)
        values = {k: v for k, v in row.items() if k != "problems"}
        results.record("scale", str(size), values, env=env, **results.destination(args))
    if not args.no_readme:
        print(f"已写入 {args.readme} 与 {args.results}", file=sys.stderr)


if __name__ == "__main__":
    main()
