"""The scale benchmark behind `make bench`: a synthetic city at each size, measured through the
CLI the way staff and CI run it, written as a table into README.md.

    .venv/bin/python bench/run.py [--sizes 10000 25000 100000] [--work build/bench] [--no-readme]

Per size: parse only (libyaml's C loader over every record file, the floor for validation);
validate cold (no cache), warm (nothing changed) and after one changed file; build both sites
(wall time, each audience's time, peak memory of the build and the programs it ran); rebuild
after one record changed; the public site's size; and in headless Chromium on localhost, the
bytes a first Chinese search downloads and the time until its first result shows.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERY = "盘龙区 占道经营"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


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
    target = ("--out", str(base / "site"), "--work", str(base / "work"))
    built = generator("build", *common, *target)
    row["build"], row["peak_mb"] = built["seconds"], built["peak_mb"]
    row["audiences"] = {a: float(s) for a, s in re.findall(r"已生成 (\w+)：.*?用时 (\d+) 秒", built["out"])}
    path, old = touch_one_problem(records)
    try:
        row["rebuild"] = generator("build", *common, *target)["seconds"]
    finally:
        path.write_bytes(old)
    public = base / "site" / "public"
    # as published on a static host: without the .gz copies nginx's gzip_static serves (+~22 %)
    row["site_mb"] = sum(p.stat().st_size for p in public.rglob("*") if p.is_file() and p.suffix != ".gz") / 2**20
    row["search_bytes"], row["search_seconds"] = search_in_browser(public)
    return row


def table(rows: list[dict]) -> str:
    machine = (f"{platform.processor() or platform.machine()}，{os.cpu_count()} 核，"
               f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GB 内存，"
               f"Python {platform.python_version()}，{dt.date.today().isoformat()}")
    lines = [f"测量环境：{machine}（`make bench`）。", "",
             "| 问题数 | 记录文件 | libyaml 仅解析 | 冷校验 | 冷校验/解析 | 热校验 | 改一个文件后校验 | 生成两站 | 其中 public / internal | 峰值内存 | 改一条记录后重建 | 公开站大小 | 首次搜索下载 | 首次搜索用时 |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        a = r["audiences"]
        lines.append(
            f"| {r['problems']:,} | {r['files']:,} | {r['parse']:.1f} s | {r['cold']:.1f} s | {r['cold'] / r['parse']:.2f}× "
            f"| {r['warm']:.1f} s | {r['one_changed']:.1f} s | {r['build']:.0f} s | {a.get('public', 0):.0f} s / {a.get('internal', 0):.0f} s "
            f"| {r['peak_mb']:,} MB | {r['rebuild']:.0f} s | {r['site_mb']:,.0f} MB | {r['search_bytes'] / 1024:.0f} KB | {r['search_seconds']:.2f} s |")
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        ratio = (last["build"] / last["problems"]) / (first["build"] / first["problems"])
        lines += ["", f"每个问题的生成成本：{last['problems']:,} 个时是 {first['problems']:,} 个时的 {ratio:.2f} 倍。"]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 25_000, 100_000])
    ap.add_argument("--work", type=Path, default=ROOT / "build" / "bench")
    ap.add_argument("--no-readme", action="store_true", help="只打印表格，不写入 README.md")
    args = ap.parse_args()
    rows = []
    for size in args.sizes:
        rows.append(measure(size, args.work))
        print(json.dumps(rows[-1], ensure_ascii=False), file=sys.stderr, flush=True)
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
