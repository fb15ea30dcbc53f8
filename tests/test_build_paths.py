"""`build` writes and deletes only the folders it made: a look-alike `--out` or `--work` is
refused with everything in it kept, output folders may not overlap the records or each other,
two builds never write into one `--out` at once, and a build killed at any moment leaves a
whole site published (the old one or the new one)."""
from __future__ import annotations

import fcntl
import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def build(tree, out: Path, work: Path, *extra: str, as_of: str = "2017-05-31") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", "build", "--records", str(tree.records), "--out", str(out),
                           "--work", str(work), "--as-of", as_of, *extra], cwd=ROOT, capture_output=True, text=True)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).digest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _home_lookalike(folder: Path) -> None:
    for rel in ("public/notes.txt", "public/photos/a.jpg", "internal/tax.pdf", ".public-backup/keep.txt",
                ".internal-old-1/keep.txt", "public/index.html"):
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"my own {rel}\n", "utf-8")


@pytest.mark.parametrize("option", ["--out", "--work"])
def test_a_folder_the_build_did_not_make_is_refused_and_kept(make_tree, tmp_path, option):
    tree = make_tree()
    home = tmp_path / "home"
    _home_lookalike(home)
    before = snapshot(home)
    out, work = (home, tmp_path / "work") if option == "--out" else (tmp_path / "site", home)
    result = build(tree, out, work)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "不是台账生成的" in result.stderr and "什么都没有改动" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(home) == before


@pytest.mark.parametrize("out, work", [
    ("records", "work"), ("records/site", "work"), ("site", "records"), ("site", "records/attachments"),
    ("x", "x"), ("x", "x/public/scratch"), ("x/scratch/site", "x/scratch"), (".", "work"), ("generator", "work"),
])
def test_output_folders_may_not_overlap_the_records_or_each_other(make_tree, tmp_path, out, work):
    tree = make_tree()
    before = snapshot(tmp_path)
    base = tree.root if out != "generator" else ROOT
    result = build(tree, base / out, tree.root / work)
    assert result.returncode == 2 and "用法错误" in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert snapshot(tmp_path) == before


def test_a_symlinked_site_folder_is_not_replaced(make_tree, tmp_path):
    tree = make_tree()
    elsewhere = tmp_path / "srv"
    elsewhere.mkdir()
    (elsewhere / "keep.html").write_text("x", "utf-8")
    (tmp_path / "site").mkdir()
    (tmp_path / "site/public").symlink_to(elsewhere)
    result = build(tree, tmp_path / "site", tmp_path / "work", "--audience", "public")
    assert result.returncode == 1 and "符号链接" in result.stderr
    assert (tmp_path / "site/public").is_symlink() and snapshot(elsewhere) == {"keep.html": snapshot(elsewhere)["keep.html"]}


def test_a_site_made_before_markers_existed_is_adopted(make_tree, tmp_path):
    tree = make_tree()
    old = tmp_path / "site/public"
    for rel in ("index.html", "search/manifest.json", "assets/taizhang.css", "problems/old/index.html"):
        (old / rel).parent.mkdir(parents=True, exist_ok=True)
        (old / rel).write_text("old", "utf-8")
    result = build(tree, tmp_path / "site", tmp_path / "work", "--audience", "public")
    assert result.returncode == 0, result.stderr
    assert not (old / "problems/old").exists() and (old / ".taizhang-build").read_text("utf-8") == "taizhang site\n"


def test_when_a_first_build_returns_out_holds_only_the_sites(make_tree, tmp_path, monkeypatch):
    # a reader of `out` right after the build (a copy to the web server, a test hashing it)
    # must not meet a staging folder that a detached process is still removing
    tree = make_tree()
    assert build(tree, tmp_path / "site", tmp_path / "work").returncode == 0
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == ["internal", "public"]
    from generator.site import publish
    detached = []
    monkeypatch.setattr(publish.subprocess, "Popen", lambda *a, **k: detached.append(a))
    fresh = tmp_path / "fresh"
    fresh.mkdir()

    def publish_a_site() -> None:
        container, _ = publish.new_staging(fresh, "public")
        (container / "site/x").mkdir(parents=True)
        publish.swap(container, fresh, "public", keep=False)
    publish_a_site()
    assert detached == [] and [p.name for p in fresh.iterdir()] == ["public"]
    publish_a_site()                         # now there is an old site to remove
    assert len(detached) == 1


def test_a_second_build_into_a_locked_out_is_refused(make_tree, tmp_path):
    tree = make_tree()
    assert build(tree, tmp_path / "site", tmp_path / "work").returncode == 0
    published = snapshot(tmp_path / "site/public")
    held = os.open(tmp_path / "site", os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = build(tree, tmp_path / "site", tmp_path / "work", as_of="2017-06-30")
    finally:
        os.close(held)
    assert result.returncode == 1 and "另一次生成正在写入" in result.stderr
    assert snapshot(tmp_path / "site/public") == published


def _as_of_dates(site: Path) -> set[str]:
    import re
    return {m for page in site.rglob("index.html") for m in re.findall(r"数据截至 (\d+年\d+月\d+日)", page.read_text("utf-8"))}


def test_two_builds_at_once_never_publish_a_mixture(make_tree, tmp_path):
    tree = make_tree()
    args = [sys.executable, "-m", "generator", "build", "--records", str(tree.records), "--out", str(tmp_path / "site"),
            "--work", str(tmp_path / "work")]
    first = subprocess.Popen(args + ["--as-of", "2017-05-31"], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(args + ["--as-of", "2017-06-30"], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    codes = [first.wait(timeout=600), second.wait(timeout=600)]
    assert 0 in codes, (first.stderr.read(), second.stderr.read())
    for audience in ("public", "internal"):
        assert len(_as_of_dates(tmp_path / "site" / audience)) == 1


def test_a_build_killed_at_any_moment_leaves_a_whole_site(make_tree, tmp_path):
    """The swap is one step (renameat2 RENAME_EXCHANGE): kill the build at random moments,
    from rendering to publishing, and each time site/public is a whole site."""
    tree = make_tree()
    out, work = tmp_path / "site", tmp_path / "work"
    started = time.monotonic()
    assert build(tree, out, work, "--audience", "public").returncode == 0
    took = time.monotonic() - started
    whole = snapshot(out / "public")
    moments = random.Random(7).sample(range(20, 100), 8)
    for percent in sorted(moments):
        process = subprocess.Popen([sys.executable, "-m", "generator", "build", "--records", str(tree.records),
                                    "--out", str(out), "--work", str(work), "--audience", "public",
                                    "--as-of", "2017-05-31"], cwd=ROOT, start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(took * percent / 100)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        assert (out / "public").is_dir(), percent
        assert snapshot(out / "public") == whole, percent     # same records, same bytes: old or new
    assert build(tree, out, work, "--audience", "public").returncode == 0
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".public-")]
    time.sleep(1)                                   # the old site is removed in the background
    assert snapshot(out / "public") == whole, leftovers


def test_the_swap_exchanges_in_one_step_here(tmp_path):
    from generator.site.folders import _exchange
    (tmp_path / "a").mkdir()
    (tmp_path / "a/x").write_text("a", "utf-8")
    (tmp_path / "b").mkdir()
    (tmp_path / "b/x").write_text("b", "utf-8")
    assert _exchange(tmp_path / "a", tmp_path / "b")
    assert (tmp_path / "a/x").read_text("utf-8") == "b" and (tmp_path / "b/x").read_text("utf-8") == "a"


def test_a_kill_between_any_two_steps_of_the_swap_leaves_a_site(tmp_path, monkeypatch):
    """Each rename the swap makes is followed by a simulated SIGKILL: whichever step it hits,
    the published folder is there, whole."""
    from generator.site import folders
    real = os.replace

    class Killed(BaseException):
        pass

    for kill_after in range(3):
        base = tmp_path / str(kill_after)
        target, container = base / "public", base / ".public-new-x"
        for folder, text in ((target, "old"), (container / "site", "new")):
            folder.mkdir(parents=True)
            (folder / "index.html").write_text(text, "utf-8")
        calls = []

        def replace(a, b, calls=calls, kill_after=kill_after):
            if len(calls) == kill_after:
                raise Killed
            calls.append((a, b))
            real(a, b)
        monkeypatch.setattr(folders.os, "replace", replace)
        try:
            folders.swap_in(container, target)
        except Killed:
            pass
        monkeypatch.setattr(folders.os, "replace", real)
        assert (target / "index.html").read_text("utf-8") in ("old", "new"), kill_after
