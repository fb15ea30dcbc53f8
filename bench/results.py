"""Benchmark results: kept in bench/results.json, written into README.md between markers.

Every benchmark script records its rows here with `record(table, key, values)`: the row is
stored under its key (a size, a format), together with where it was measured (commit, whether
the working tree had uncommitted changes, date, Python and library versions, machine, load),
and every table of README.md between `<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->`
is rendered again from all rows. So a partial run (`make bench BENCH_SIZES=10000`) replaces
only the rows it measured; every other row keeps its numbers and says when and at which commit
it was measured; the sentences that quote numbers are rendered from the rows too.

Nothing in README between the markers is written by hand.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results.json"
README = ROOT / "README.md"
LIBRARIES = ("mkdocs", "mkdocs-material", "pydantic", "PyYAML", "Jinja2", "typst", "python-docx")
# what may change while a benchmark runs: the two files it writes
_OWN_FILES = ("README.md", "bench/results.json")


# --- where a row was measured ---------------------------------------------------------------

def _git(*args: str) -> str | None:
    try:
        result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    except OSError:
        return None
    return result.stdout if result.returncode == 0 else None


def dirty(status: str) -> bool:
    """Whether `git status --porcelain` names a changed tracked file other than the benchmark's own
    output (each line: two status letters, a space, the path)."""
    return any(line[3:] not in _OWN_FILES for line in status.splitlines() if line.strip())


def environment() -> dict:
    """The commit and versions a measurement belongs to, and the machine it ran on."""
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"commit": (_git("rev-parse", "--short=10", "HEAD") or "").strip() or None,
            "dirty": dirty(_git("status", "--porcelain", "--untracked-files=no") or ""),
            "date": dt.date.today().isoformat(),
            "python": platform.python_version(),
            "libraries": versions,
            "machine": f"{platform.machine()}，{os.cpu_count()} 核，{memory:.0f} GB 内存",
            "load": round(os.getloadavg()[0], 1)}


def label(env: dict) -> str:
    """How a row names its measurement: the commit and the date."""
    commit = env.get("commit")
    if not commit:
        return f"提交不详，{env.get('date', '日期不详')}"
    return f"{commit}{'（有未提交的改动）' if env.get('dirty') else ''}，{env.get('date')}"


def describe(env: dict) -> str:
    parts = [f"Python {env['python']}"] if env.get("python") else []
    parts += [f"{name} {version}" for name, version in sorted(env.get("libraries", {}).items())]
    if env.get("machine"):
        parts.append(env["machine"])
    if env.get("load") is not None:
        parts.append(f"测量开始时负载 {env['load']}")
    if env.get("note"):
        parts.append(env["note"])
    return "；".join(parts)


def _environments(rows: list[dict]) -> str:
    seen: dict[str, dict] = {}
    for row in rows:
        seen.setdefault(label(row["env"]), row["env"])
    return "\n".join(f"- {name}：{describe(env)}" for name, env in seen.items())


# --- numbers as the tables write them -------------------------------------------------------

def _n(value, fmt: str, unit: str = "") -> str:
    if value is None:
        return "—"
    return f"{value:{fmt}}{unit}"


def _status(ok: bool) -> str:
    return "**达到**" if ok else "**未达到**"


def _sized(rows: dict[str, dict]) -> list[dict]:
    """Rows keyed by a number of problems, smallest first, each with its key as `problems`."""
    out = []
    for key, row in rows.items():
        if key.isdigit():
            out.append({**row, "problems": int(key)})
    return sorted(out, key=lambda r: r["problems"])


# --- the tables ------------------------------------------------------------------------------

def _pages(audiences: dict) -> int | None:
    """The pages of both sites of a build (bench/run.py's audiences())."""
    if not audiences:
        return None
    return sum(a["pages"] for a in audiences.values())


def _share(rebuild: dict | None, cold: float | None, fmt: str = ".1f") -> str:
    if rebuild is None:
        return "—"
    share = f"（{100 * rebuild['seconds'] / cold:.0f} %）" if cold else ""
    return f"{rebuild['seconds']:{fmt}} s{share}"


REBUILDS = ("rebuild_description", "rebuild_state", "rebuild_day")


def scale(rows: dict[str, dict]) -> str:
    sized = _sized(rows)
    lines = ["| 问题数 | 记录文件 | libyaml 仅解析 | 冷校验 | 冷校验/解析 | 热校验 | 改一个文件后校验 "
             "| 首次搜索下载 | 首次搜索用时 | 测量 |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for row in sized:
        v = row["values"]
        ratio = v["cold"] / v["parse"] if v.get("cold") and v.get("parse") else None
        lines.append(
            f"| {row['problems']:,} | {_n(v.get('files'), ',')} | {_n(v.get('parse'), '.1f', ' s')} "
            f"| {_n(v.get('cold'), '.1f', ' s')} | {_n(ratio, '.2f', '×')} | {_n(v.get('warm'), '.1f', ' s')} "
            f"| {_n(v.get('one_changed'), '.1f', ' s')} "
            f"| {_n(v['search_bytes'] / 1024 if v.get('search_bytes') is not None else None, '.0f', ' KB')} "
            f"| {_n(v.get('search_seconds'), '.2f', ' s')} | {label(row['env'])} |")
    lines += ["", "| 问题数 | 页数 public / internal | 冷生成两站 | 其中 public / internal | 峰值内存（各进程之和） "
              "| 其中最大的进程 | 改一个问题的描述后重建 | 改一个问题的状态后重建 | 次日重建（记录未改） "
              "| 重建峰值内存（之和） | 问题页中位数 | 公开站大小 | 测量 |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for row in sized:
        v = row["values"]
        audiences = v.get("audiences") or {}
        pages = [(audiences.get(a) or {}).get("pages") for a in ("public", "internal")]
        rebuilds = [v.get(key) for key in REBUILDS]
        peaks = [r["peak_sum_mb"] for r in rebuilds if r and r.get("peak_sum_mb") is not None]
        lines.append(
            f"| {row['problems']:,} | {_n(pages[0], ',')} / {_n(pages[1], ',')} | {_n(v.get('build'), '.0f', ' s')} "
            f"| {_n((audiences.get('public') or {}).get('seconds'), '.0f', ' s')} "
            f"/ {_n((audiences.get('internal') or {}).get('seconds'), '.0f', ' s')} "
            f"| {_n(v.get('peak_sum_mb'), ',.0f', ' MB')} | {_n(v.get('peak_single_mb'), ',.0f', ' MB')} "
            f"| {_share(rebuilds[0], v.get('build'))} | {_share(rebuilds[1], v.get('build'))} "
            f"| {_share(rebuilds[2], v.get('build'), '.0f')} | {_n(max(peaks) if peaks else None, ',.0f', ' MB')} "
            f"| {_n(v.get('problem_page_kb'), '.1f', ' KB')} | {_n(v.get('site_mb'), ',.0f', ' MB')} "
            f"| {label(row['env'])} |")
    text = "\n".join(lines)
    built = [r for r in sized if r["values"].get("build")]
    if len(built) > 1:
        last = built[-1]
        first = next((r for r in built if r["problems"] == 10_000 and r is not last), built[0])   # the target's base
        cost = (last["values"]["build"] / last["problems"]) / (first["values"]["build"] / first["problems"])
        text += (f"\n\n每个问题的冷生成成本：{last['problems']:,} 个时是 {first['problems']:,} 个时的 {cost:.2f} 倍"
                 + ("。" if label(first["env"]) == label(last["env"]) else "（两行不是同一次测量，仅供参考）。"))
    same = "、".join(f"{r['problems']:,}" for r in sized if r["values"].get("same_as_full"))
    if same:
        text += (f"\n\n三次重建之后，同一批记录用 `--full` 生成到新的文件夹，两个网站的全部文件与重建的逐字节相同"
                 f"（{same} 个问题）。")
    return text + "\n\n测量环境：\n\n" + _environments(sized)


TARGET_SIZE = 100_000


def scale_targets(rows: dict[str, dict], validate_rows: dict[str, dict], baseline: dict[str, dict]) -> str:
    """The targets, each with the number measured at the size it is set for (the largest
    size there is, and 10,000 where a target names it)."""
    sized = [r for r in _sized(rows) if r["values"].get("build")]
    if not sized:
        return "（还没有测量结果：运行 `make bench`。）"
    big = sized[-1]
    v, n = big["values"], big["problems"]
    head = (f"目标按 {TARGET_SIZE:,} 个问题定；下面是 {n:,} 个问题的结果（{label(big['env'])}）"
            + ("" if n == TARGET_SIZE else f"，规模小于目标，结果不能说明 {TARGET_SIZE:,} 个问题时的情况") + "：")
    items = []
    ratio = v["cold"] / v["parse"]
    items.append(f"冷校验不超过只用 libyaml 解析的 2 倍：{ratio:.2f} 倍，{_status(ratio <= 2)}。")
    same = validate_rows.get(str(n))
    in_process = (f"；在同一进程里计时（`bench/validate.py`，{label(same['env'])}）"
                  f"{same['values']['changed']:.2f} 秒，{_status(same['values']['changed'] <= 1)}") if same else ""
    items.append(f"没有改动时再校验 ≤ 2 秒：{v['warm']:.1f} 秒，{_status(v['warm'] <= 2)}。改一个文件后 ≤ 1 秒："
                 f"作为一次命令行运行（含启动 Python 与导入）{v['one_changed']:.1f} 秒，{_status(v['one_changed'] <= 1)}"
                 f"{in_process}。")
    peaks = [v.get("peak_sum_mb")] + [(r or {}).get("peak_sum_mb") for r in (v.get(k) for k in REBUILDS)]
    peaks = [p for p in peaks if p is not None]
    peak_text = (f"{max(peaks):,.0f} MB（冷生成与重建中最大的各进程峰值之和），{_status(max(peaks) <= 4096)}" if peaks
                 else f"只有最大的一个进程的峰值 {v.get('peak_single_mb', 0):,.0f} MB，没有各进程之和，无法判断")
    items.append(f"两个网站冷生成 ≤ 10 分钟：{v['build']:.0f} 秒，{_status(v['build'] <= 600)}；峰值内存 ≤ 4 GB：{peak_text}。")
    small = next((r for r in sized if r["problems"] == 10_000), None)
    if small and n > 10_000:
        cost = (v["build"] / n) / (small["values"]["build"] / 10_000)
        items.append(f"每个问题的生成成本不超过 1 万个问题时的 1.3 倍：{cost:.2f} 倍，{_status(cost <= 1.3)}"
                     + ("。" if label(small["env"]) == label(big["env"]) else "（两行不是同一次测量）。"))
    before = [(r, baseline[str(r["problems"])]["values"]) for r in sized if str(r["problems"]) in baseline]
    if before:
        def per_page(v: dict) -> float:
            return 1000 * v["build"] / _pages(v["audiences"])
        parts = [f"{r['problems']:,} 个问题每页 {per_page(r['values']):.2f} 毫秒（之前 {per_page(b):.2f} 毫秒）"
                 for r, b in before]
        ok = all(per_page(r["values"]) <= per_page(b) for r, b in before)
        commits = "、".join(sorted({b["commit"] for _r, b in before}))
        items.append(f"两站冷生成每页不比之前（提交 {commits}，`bench/baseline.py` 在同一座城市上测）慢：{'；'.join(parts)}，"
                     f"{_status(ok)}。")
    for row, limit, what in ((small, None, "1 万"), (big if n == TARGET_SIZE else None, 15, "10 万")):
        if row is None:
            continue
        r = row["values"]
        worst = max((r.get(k) for k in REBUILDS[:2]), key=lambda x: x["seconds"] if x else 0)
        if worst is None:
            continue
        if limit is None:
            share = worst["seconds"] / r["build"]
            items.append(f"{what}个问题时改一个问题后重建两站 ≤ 冷生成的 10 %：改描述与改状态中较慢的 {worst['seconds']:.1f} 秒，"
                         f"冷生成的 {100 * share:.0f} %，{_status(share <= 0.10)}。")
        else:
            items.append(f"{what}个问题时改一个问题后重建两站 ≤ {limit} 秒：改描述与改状态中较慢的 {worst['seconds']:.1f} 秒，"
                         f"{_status(worst['seconds'] <= limit)}。")
    if small and small["values"].get("problem_page_kb") is not None:
        kb, mb = small["values"]["problem_page_kb"], small["values"]["site_mb"]
        items.append(f"1 万个问题时问题页中位数 ≤ 12 KB、公开站 ≤ 110 MB：{kb:.1f} KB、{mb:.0f} MB，"
                     f"{_status(kb <= 12 and mb <= 110)}。")
    if n == TARGET_SIZE and v.get("site_mb") is not None:
        items.append(f"10 万个问题时公开站 ≤ 1 GB：{v['site_mb']:,.0f} MB，{_status(v['site_mb'] <= 1024)}。")
    kb, seconds = v["search_bytes"] / 1024, v["search_seconds"]
    items.append(f"公开站首次中文搜索下载 ≤ 1 MB、≤ 1 秒：{kb:.0f} KB、{seconds:.2f} 秒，"
                 f"{_status(kb <= 1024 and seconds <= 1)}。")
    return head + "\n\n" + "\n".join(f"- {item}" for item in items)


def validate_table(rows: dict[str, dict]) -> str:
    sized = _sized(rows)
    lines = ["| 问题数 | 仅解析 | 冷校验 | 冷/解析 | 热校验 | 改一个文件后 | 峰值内存 | 测量 |",
             "|---:|---:|---:|---:|---:|---:|---:|---|"]
    for row in sized:
        v = row["values"]
        lines.append(f"| {row['problems']:,} | {v['parse']:.1f} s | {v['cold']:.1f} s | {v['cold'] / v['parse']:.2f}× "
                     f"| {v['warm']:.2f} s | {v['changed']:.2f} s | {_n(v.get('peak_mb'), ',.0f', ' MB')} "
                     f"| {label(row['env'])} |")
    return "\n".join(lines) + "\n\n测量环境：\n\n" + _environments(sized)


def review_table(rows: dict[str, dict]) -> str:
    entries = sorted(rows.values(), key=lambda r: (r["values"]["problems"], r["values"]["weeks"]))
    lines = ["| 问题数 | 提交 | 读一遍修改记录（全部记录） | 一周的变更摘要 | 一年的变更摘要 | 测量 |",
             "|---:|---|---:|---:|---:|---|"]
    for row in entries:
        v = row["values"]
        lines.append(f"| {v['problems']:,} | {v['weeks']} × {v['per_week']} | {v['history']:.1f} s "
                     f"| {v['diff_week']:.1f} s | {v['diff_year']:.1f} s | {label(row['env'])} |")
    return "\n".join(lines) + "\n\n测量环境：\n\n" + _environments(entries)


def dashboards_table(rows: dict[str, dict]) -> str:
    entries = sorted(rows.values(), key=lambda r: r["values"]["problems"])
    lines = ["| 问题数 | 计算仪表板 | 开放数据（CSV/JSON/XLSX）与订阅 | 渲染仪表板页面 | 合计 | 测量 |",
             "|---:|---:|---:|---:|---:|---|"]
    for row in entries:
        v = row["values"]
        what = "（示例记录）" if v.get("examples") else "（synth）"
        lines.append(f"| {v['problems']:,}{what} | {v['compute']:.2f} s | {v['data']:.2f} s | {v['render']:.2f} s "
                     f"| {v['compute'] + v['data'] + v['render']:.2f} s | {label(row['env'])} |")
    return "\n".join(lines) + "\n\n测量环境：\n\n" + _environments(entries)


def papers_table(rows: dict[str, dict]) -> str:
    entries = [rows[k] for k in ("PDF", "DOCX") if k in rows]
    lines = ["| 格式 | 表格行数 | 页数 | 文件大小 | 用时（中位数） | CPU 时间 | 峰值内存 | 测量 |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for key, row in zip(("PDF", "DOCX"), entries):
        v = row["values"]
        lines.append(f"| {key} | {v['rows']:,} | {v.get('pages') or '—'} | {v['size_mb']:.1f} MB | {v['seconds']:.1f} s "
                     f"| {v['cpu']:.1f} s | {v['peak_mb']:,.0f} MB | {label(row['env'])} |")
    text = "\n".join(lines)
    pdf = rows.get("PDF")
    if pdf:
        env = pdf["env"]
        load = f"测量开始时机器的平均负载为 {env['load']}（{env.get('machine', '')}），安静时会更快。" if env.get("load") is not None else ""
        text += (f"\n\n{load}目标“≤ 20 秒（含 PDF）”：只排版 PDF {pdf['values']['seconds']:.1f} 秒，"
                 f"{_status(pdf['values']['seconds'] <= 20)}；从记录出材料的完整命令见上。")
    return text + "\n\n测量环境：\n\n" + _environments(entries)


RENDERERS: dict[str, Callable[[dict], str]] = {
    "scale": lambda r: scale(r.get("scale", {})),
    "scale-targets": lambda r: scale_targets(r.get("scale", {}), r.get("validate", {}), r.get("baseline", {})),
    "validate": lambda r: validate_table(r.get("validate", {})),
    "review": lambda r: review_table(r.get("review", {})),
    "dashboards": lambda r: dashboards_table(r.get("dashboards", {})),
    "papers": lambda r: papers_table(r.get("papers", {})),
}


# --- reading and writing ---------------------------------------------------------------------

def load(path: Path = RESULTS) -> dict:
    return json.loads(path.read_text("utf-8")) if path.exists() else {}


def render(readme: str, results: dict) -> str:
    """README's text with every benchmark block rendered again from `results`."""
    for name, make in RENDERERS.items():
        start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
        if readme.count(start) != 1 or readme.count(end) != 1:
            raise ValueError(f"README.md 中应有且只有一对 {start} … {end}")
        head, rest = readme.split(start)
        _, tail = rest.split(end)
        readme = head + start + "\n" + make(results) + "\n" + end + tail
    return readme


def _write(path: Path, text: str) -> None:
    """Atomically: a temporary file in the same folder, fsync, rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def record(table: str, key: str, values: dict, *, env: dict | None = None,
           results: Path = RESULTS, readme: Path | None = README) -> dict:
    """Store one row (replacing the row of the same key) and render README again."""
    data = load(results)
    data.setdefault(table, {})[str(key)] = {"values": values, "env": env or environment()}
    data = {t: dict(sorted(rows.items())) for t, rows in sorted(data.items())}
    if readme is not None:
        text = render(readme.read_text("utf-8"), data)       # before anything is written
        _write(results, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
        _write(readme, text)
    else:
        _write(results, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    return data


def options(ap) -> None:
    """The options every benchmark script takes: where its rows go."""
    ap.add_argument("--results", type=Path, default=RESULTS, help="结果文件（默认 bench/results.json）")
    ap.add_argument("--readme", type=Path, default=README, help="写入哪个 README（默认仓库的 README.md）")
    ap.add_argument("--no-readme", action="store_true", help="只记录结果，不改写 README")


def destination(args) -> dict:
    return {"results": args.results, "readme": None if args.no_readme else args.readme}


if __name__ == "__main__":       # render README from bench/results.json without measuring anything
    README.write_text(render(README.read_text("utf-8"), load()), "utf-8")
    print("README.md 的基准表格已按 bench/results.json 重新生成", file=sys.stderr)
