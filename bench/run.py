"""The scale benchmark behind `make bench`: a synthetic city at each size, measured through the
CLI the way staff and CI run it, written as two tables into README.md.

    .venv/bin/python bench/run.py [--sizes 10000 25000 100000] [--work build/bench] [--no-readme] [--saved]

Per size: parse only (libyaml's C loader over every record file, the floor for validation);
validate cold (no cache), warm (nothing changed) and after one changed file; in headless
Chromium on localhost, the bytes a first Chinese search downloads and the time until its first
result shows. Then the builds: a cold build of both sites into empty folders (wall time, each
audience's time and pages, peak memory of the build and the programs it ran); three rebuilds
into the same folders (site/incremental.py): after one problem's description changed, after
one problem's state changed (`transition`), and on the next day with nothing changed; then a
`--full` build of the same records into fresh folders, compared with the rebuilt sites byte for
byte (a difference stops the benchmark). The public site's size and its median problem page.

Each size's measurement is saved as result.json in its folder; `--saved` takes a saved one
instead of measuring again (to run the largest size apart, e.g. in the background).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERY = "盘龙区 占道经营"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
RESULT = "result.json"


def run(*args: str) -> dict:
    """Run a command in a fresh process; its wall time, peak memory (MB, the command and what it
    ran) and output."""
    probe = ("import json, resource, subprocess, sys, time\n"
             "t = time.perf_counter()\n"
             "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
             "print(json.dumps({'seconds': time.perf_counter() - t, 'code': r.returncode, 'out': r.stdout + r.stderr,\n"
             "                  'peak_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024}))\n")
    result = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, cwd=ROOT, check=True)
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
    records = base / "records"
    if not (base / ".complete").exists():
        generator("synth", "--out", str(base), "--problems", str(problems), "--seed", "1")
        (base / ".complete").write_text("")
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
    built = generator("build", *common, *target)
    row["build"], row["peak_mb"], row["audiences"] = built["seconds"], built["peak_mb"], audiences(built["out"])
    changed = [touch_one_problem(records)]
    try:
        rebuilt = generator("build", *common, *target)
        row["rebuild"], row["rebuild_peak_mb"] = rebuilt["seconds"], rebuilt["peak_mb"]
        row["rebuild_audiences"] = audiences(rebuilt["out"])
        changed.append(move_one_problem(records, as_of))
        moved = generator("build", *common, *target)
        row["rebuild_state"], row["rebuild_state_peak_mb"] = moved["seconds"], moved["peak_mb"]
        row["rebuild_state_audiences"] = audiences(moved["out"])
        next_day = (dt.date.fromisoformat(as_of) + dt.timedelta(days=1)).isoformat()
        later = ("--records", str(records), "--as-of", next_day)
        day = generator("build", *later, *target)
        row["rebuild_day"], row["rebuild_day_audiences"] = day["seconds"], audiences(day["out"])
        full = generator("build", *later, "--out", str(base / "full"), "--work", str(base / "full-work"), "--full")
        row["full_again"] = full["seconds"]
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


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or platform.machine())
    return (f"{cpu}（{platform.machine()}），{os.cpu_count()} 核，"
            f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GB 内存，"
            f"Python {platform.python_version()}")


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f} %"


def table(rows: list[dict]) -> str:
    machines = {r["machine"] for r in rows}
    dates = sorted({r["date"] for r in rows})
    lines = [f"测量环境：{'；'.join(sorted(machines))}，{'、'.join(dates)}（`make bench`；本机同时有其他人的负载）。", "",
             "| 问题数 | 记录文件 | libyaml 仅解析 | 冷校验 | 冷校验/解析 | 热校验 | 改一个文件后校验 | 首次搜索下载 | 首次搜索用时 |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(
            f"| {r['problems']:,} | {r['files']:,} | {r['parse']:.1f} s | {r['cold']:.1f} s | {r['cold'] / r['parse']:.2f}× "
            f"| {r['warm']:.1f} s | {r['one_changed']:.1f} s | {r['search_bytes'] / 1024:.0f} KB | {r['search_seconds']:.2f} s |")
    lines += ["", "| 问题数 | 页数 public / internal | 冷生成两站 | 其中 public / internal | 峰值内存 | 改一个问题的描述后重建 "
              "| 改一个问题的状态后重建 | 次日重建（记录未改） | 重建峰值内存 | 问题页中位数 | 公开站大小 |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        a = r["audiences"]
        pages = f"{a['public']['pages']:,} / {a['internal']['pages']:,}"
        rebuild_peak = max(r["rebuild_peak_mb"], r["rebuild_state_peak_mb"])
        lines.append(
            f"| {r['problems']:,} | {pages} | {r['build']:.0f} s | {a['public']['seconds']:.0f} s / {a['internal']['seconds']:.0f} s "
            f"| {r['peak_mb']:,} MB | {r['rebuild']:.1f} s（{_pct(r['rebuild'], r['build'])}） "
            f"| {r['rebuild_state']:.1f} s（{_pct(r['rebuild_state'], r['build'])}） "
            f"| {r['rebuild_day']:.0f} s（{_pct(r['rebuild_day'], r['build'])}） | {rebuild_peak:,} MB "
            f"| {r['problem_page_kb']:.1f} KB | {r['site_mb']:,.0f} MB |")
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        ratio = (last["build"] / last["problems"]) / (first["build"] / first["problems"])
        lines += ["", f"每个问题的冷生成成本：{last['problems']:,} 个时是 {first['problems']:,} 个时的 {ratio:.2f} 倍。"]
    same = "、".join(f"{r['problems']:,}" for r in rows if r.get("same_as_full"))
    lines += ["", f"三次重建之后，同一批记录用 `--full` 生成到新的文件夹，两个网站的全部文件与重建的逐字节相同（{same} 个问题）。"]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 25_000, 100_000])
    ap.add_argument("--work", type=Path, default=ROOT / "build" / "bench")
    ap.add_argument("--no-readme", action="store_true", help="只打印表格，不写入 README.md")
    ap.add_argument("--saved", action="store_true", help="已有保存的测量结果（result.json）的规模不再测量")
    args = ap.parse_args()
    rows = []
    for size in args.sizes:
        saved = args.work / str(size) / RESULT
        if args.saved and saved.exists():
            rows.append(json.loads(saved.read_text("utf-8")))
            continue
        row = measure(size, args.work)
        row.update(machine=machine(), date=dt.date.today().isoformat())
        saved.write_text(json.dumps(row, ensure_ascii=False, indent=1), "utf-8")
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), file=sys.stderr, flush=True)
    text = table(rows)
    print(text)
    if not args.no_readme:
        readme = ROOT / "README.md"
        content = readme.read_text("utf-8")
        if START not in content:
            raise SystemExit("README.md 中没有 <!-- bench:start --> 标记")
        head, rest = content.split(START, 1)
        readme.write_text(head + START + "\n" + text + "\n" + END + rest.split(END, 1)[1], "utf-8")


if __name__ == "__main__":
    main()
