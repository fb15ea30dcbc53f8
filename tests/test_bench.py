"""The benchmark bookkeeping (bench/results.py, bench/city.py, the memory probe of bench/run.py):
README's tables are rendered from bench/results.json and nothing else, a partial run replaces
only its rows, the sentences quote the rows they are about, a row says which commit it measured,
a cached city is written again when synth changes, and build memory sums every process."""
from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import city  # noqa: E402
import results  # noqa: E402

ENV = {"commit": "abc1234567", "dirty": False, "date": "2026-12-01", "python": "3.11.7",
       "libraries": {"mkdocs": "1.6.1"}, "machine": "x86_64，2 核，24 GB 内存", "load": 1.5}


def _scale(problems: int, build: float, env: dict = ENV) -> dict:
    def rebuild(share: float) -> dict:
        return {"seconds": build * share, "peak_sum_mb": problems / 50, "peak_single_mb": problems / 70,
                "audiences": {a: {"pages": problems + 1000, "written": 1, "seconds": build * share} for a in ("public", "internal")}}
    return {"values": {"files": problems + 900, "parse": problems / 3000, "cold": problems / 4000, "warm": 0.5,
                       "one_changed": 0.6, "build": build,
                       "audiences": {a: {"pages": problems + 1000, "written": problems + 1000, "seconds": build * 0.7}
                                     for a in ("public", "internal")},
                       "peak_sum_mb": problems / 40, "peak_single_mb": problems / 60,
                       "rebuild_description": rebuild(0.05), "rebuild_state": rebuild(0.08), "rebuild_day": rebuild(0.5),
                       "same_as_full": True, "problem_page_kb": 9.5, "site_mb": problems / 100,
                       "search_bytes": 300 * 1024, "search_seconds": 0.4},
            "env": env}


def _readme(tmp_path: Path) -> Path:
    """A README with every block of the real one, hand-written text around them."""
    blocks = "\n\n".join(f"前文 {name}\n<!-- bench:{name}:start -->\n旧内容\n<!-- bench:{name}:end -->\n后文 {name}"
                         for name in results.RENDERERS)
    path = tmp_path / "README.md"
    path.write_text("# 标题\n\n" + blocks + "\n", "utf-8")
    return path


def _block(text: str, name: str) -> str:
    return text.split(f"<!-- bench:{name}:start -->\n")[1].split(f"\n<!-- bench:{name}:end -->")[0]


def test_the_committed_readme_is_rendered_from_the_committed_results():
    """Nobody edits README between the markers by hand: it is exactly what results.json renders."""
    readme = (ROOT / "README.md").read_text("utf-8")
    assert results.render(readme, results.load(ROOT / "bench/results.json")) == readme


def test_rendering_touches_only_the_blocks(tmp_path):
    readme = _readme(tmp_path)
    data = {"scale": {"10000": _scale(10_000, 25)}}
    once = results.render(readme.read_text("utf-8"), data)
    assert results.render(once, data) == once
    outside = [line for line in once.splitlines() if line.startswith(("前文", "后文", "# "))]
    assert outside == [line for line in readme.read_text("utf-8").splitlines() if line.startswith(("前文", "后文", "# "))]
    assert "旧内容" not in once


def test_a_partial_run_replaces_only_its_rows(tmp_path):
    readme, store = _readme(tmp_path), tmp_path / "results.json"
    old = {**ENV, "commit": "1111111111", "date": "2026-11-26"}
    results.record("scale", "10000", _scale(10_000, 25, old)["values"], env=old, results=store, readme=readme)
    results.record("scale", "100000", _scale(100_000, 221, old)["values"], env=old, results=store, readme=readme)
    before = _block(readme.read_text("utf-8"), "scale")
    rows_100k = [line for line in before.splitlines() if line.startswith("| 100,000 |")]     # both tables
    new = {**ENV, "commit": "2222222222", "dirty": True}
    results.record("scale", "10000", _scale(10_000, 30, new)["values"], env=new, results=store, readme=readme)
    text = readme.read_text("utf-8")
    table = _block(text, "scale")
    assert len(rows_100k) == 2 and set(rows_100k) <= set(table.splitlines())    # untouched, with its own commit
    row_10k = next(line for line in table.splitlines() if line.startswith("| 10,000 | 11,000 / 11,000 |"))
    assert "| 30 s |" in row_10k and "2222222222（有未提交的改动），2026-12-01" in row_10k
    assert all("1111111111，2026-11-26" in row for row in rows_100k)
    # both measurements are described, with versions and machine
    assert "- 1111111111，2026-11-26：Python 3.11.7；mkdocs 1.6.1；x86_64" in table
    assert "- 2222222222（有未提交的改动），2026-12-01：" in table
    assert "（两行不是同一次测量，仅供参考）" in table
    assert sorted(json.loads(store.read_text("utf-8"))["scale"]) == ["10000", "100000"]


BASELINE = {str(n): {"values": {"commit": "0123456789", "build": seconds,
                                 "audiences": {a: {"pages": n + 1000, "written": n + 1000, "seconds": seconds}
                                               for a in ("public", "internal")}}, "env": ENV}
            for n, seconds in ((10_000, 30), (100_000, 204))}


def test_the_targets_quote_the_largest_size_measured(tmp_path):
    data = {"scale": {"10000": _scale(10_000, 25), "100000": _scale(100_000, 221)}}
    text = results.scale_targets(data["scale"], {}, BASELINE)
    assert text.startswith("目标按 100,000 个问题定；下面是 100,000 个问题的结果（abc1234567，2026-12-01）：")
    assert "两个网站冷生成 ≤ 10 分钟：221 秒，**达到**" in text
    # rebuilds: the slower of the two edits, against 10 % of the cold build at 10,000 and 15 s at 100,000
    assert "1 万个问题时改一个问题后重建两站 ≤ 冷生成的 10 %：改描述与改状态中较慢的 2.0 秒，冷生成的 8 %，**达到**" in text
    assert "10 万个问题时改一个问题后重建两站 ≤ 15 秒：改描述与改状态中较慢的 17.7 秒，**未达到**" in text
    assert "1 万个问题时问题页中位数 ≤ 12 KB、公开站 ≤ 110 MB：9.5 KB、100 MB，**达到**" in text
    assert "10 万个问题时公开站 ≤ 1 GB：1,000 MB，**达到**" in text
    # per page against the baseline commit measured on the same city (bench/baseline.py)
    assert ("两站冷生成每页不比之前（提交 0123456789，`bench/baseline.py` 在同一座城市上测）慢：10,000 个问题每页 1.14 毫秒"
            "（之前 1.36 毫秒）；100,000 个问题每页 1.09 毫秒（之前 1.01 毫秒），**未达到**") in text
    assert "每个问题的生成成本不超过 1 万个问题时的 1.3 倍：0.88 倍，**达到**" in text
    # a run of 10,000 only: the sentences say so, instead of quoting 100,000
    small = results.scale_targets({"10000": _scale(10_000, 25)}, {}, {})
    assert "下面是 10,000 个问题的结果" in small and "规模小于目标" in small and "221" not in small
    # memory over 4 GB (the sum of the processes) is not met
    heavy = copy.deepcopy(data["scale"])
    heavy["100000"]["values"]["peak_sum_mb"] = 5000
    assert "峰值内存 ≤ 4 GB：5,000 MB（冷生成与重建中最大的各进程峰值之和），**未达到**" in results.scale_targets(heavy, {}, {})


def test_the_build_table_shows_each_rebuild_against_the_cold_build():
    data = {"10000": _scale(10_000, 40)}
    table = results.scale(data)
    row = next(line for line in table.splitlines() if line.startswith("| 10,000 | 11,000 / 11,000 |"))
    assert "| 40 s |" in row and "| 2.0 s（5 %） | 3.2 s（8 %） | 20 s（50 %） |" in row and "| 9.5 KB | 100 MB |" in row
    assert "逐字节相同（10,000 个问题）" in table


def test_a_missing_marker_changes_no_file(tmp_path):
    readme, store = _readme(tmp_path), tmp_path / "results.json"
    readme.write_text(readme.read_text("utf-8").replace("<!-- bench:review:end -->", ""), "utf-8")
    before = readme.read_bytes()
    with pytest.raises(ValueError, match="bench:review"):
        results.record("scale", "10000", _scale(10_000, 25)["values"], env=ENV, results=store, readme=readme)
    assert readme.read_bytes() == before and not store.exists()


def test_environment_names_the_commit_and_whether_the_tree_had_changes():
    env = results.environment()
    head = subprocess.run(["git", "rev-parse", "--short=10", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    if head.returncode != 0:
        pytest.skip("not in a Git checkout")
    assert env["commit"] == head.stdout.strip()
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                            capture_output=True, text=True).stdout
    changed = [line[3:] for line in status.splitlines() if line[3:] not in ("README.md", "bench/results.json")]
    assert env["dirty"] == bool(changed)
    assert env["python"] and {"mkdocs", "pydantic", "PyYAML"} <= set(env["libraries"])
    assert results.label({**env, "dirty": True}).endswith(f"（有未提交的改动），{env['date']}")


def test_the_benchmark_s_own_output_does_not_make_the_tree_dirty():
    assert not results.dirty(" M README.md\n M bench/results.json\n")
    assert results.dirty(" M README.md\n M generator/cli.py\n")
    assert results.dirty("M  generator/cli.py\n") and not results.dirty("")


def _fake_root(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for rel in ("generator/synth/city.py", "generator/model/base.py", "generator/site/pages.py"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(f"# {rel}\n", "utf-8")
    return root


def test_a_cached_city_is_stale_when_synth_or_the_model_changes(tmp_path):
    root = _fake_root(tmp_path)
    base = tmp_path / "city"
    (base / "records").mkdir(parents=True)
    (base / ".complete").write_text(json.dumps(city.stamp_for(1000, 1, root)), "utf-8")
    assert city.is_current(base, 1000, 1, root)
    assert not city.is_current(base, 2000, 1, root) and not city.is_current(base, 1000, 2, root)
    (root / "generator/site/pages.py").write_text("# changed\n", "utf-8")        # not synth's code
    assert city.is_current(base, 1000, 1, root)
    (root / "generator/synth/city.py").write_text("# changed\n", "utf-8")
    assert not city.is_current(base, 1000, 1, root)
    (base / ".complete").write_text("", "utf-8")                                 # the old, empty stamp
    assert not city.is_current(base, 1000, 1, root)


def test_a_folder_the_benchmark_did_not_write_is_never_removed(tmp_path):
    (tmp_path / "mine.txt").write_text("不要删除", "utf-8")
    with pytest.raises(SystemExit, match="不是基准测试写的城市"):
        city.ensure_city(tmp_path, 10)
    assert (tmp_path / "mine.txt").read_text("utf-8") == "不要删除"


def test_the_probe_adds_up_the_peaks_of_every_process(tmp_path):
    """Two children that each hold ~60 MB while the parent holds ~60 MB: the sum is over 150 MB,
    the largest single process well under it."""
    script = tmp_path / "fork.py"
    script.write_text(
        "import os, time\n"
        "block = bytearray(60 * 2**20)\n"
        "children = []\n"
        "for _ in range(2):\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        own = bytearray(60 * 2**20)\n"
        "        time.sleep(1.0)\n"
        "        os._exit(0)\n"
        "    children.append(pid)\n"
        "for pid in children:\n"
        "    os.waitpid(pid, 0)\n", "utf-8")
    sys.path.insert(0, str(ROOT / "bench"))
    import run
    measured = run.run(sys.executable, str(script))
    assert measured["code"] == 0 and measured["processes"] >= 3
    assert measured["peak_sum_mb"] > 150 > measured["peak_single_mb"] > 55
