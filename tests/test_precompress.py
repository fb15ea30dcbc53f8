"""Precompressed `.gz` siblings for nginx's gzip_static (generator/site/precompress.py): written by
the build for the public site, deterministic, always matching their file, reused across builds."""
from __future__ import annotations

import gzip
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.site.precompress import MIN_SIZE, TEXT_SUFFIXES, gzip_bytes, precompress

ROOT = Path(__file__).resolve().parents[1]


def text(n: int, seed: str = "a") -> bytes:
    return b"".join(hashlib.sha256(f"{seed}{i}".encode()).hexdigest().encode() + b"\n" for i in range(n // 65 + 1))[:n]


def test_gzip_bytes_are_deterministic_and_carry_no_name_or_time():
    data = text(5000)
    packed = gzip_bytes(data)
    assert packed == gzip_bytes(data)
    assert packed[:4] == b"\x1f\x8b\x08\x00"          # deflate, no flags: no file name, no comment
    assert packed[4:8] == b"\x00\x00\x00\x00"          # mtime 0
    assert gzip.decompress(packed) == data


def test_text_files_above_the_threshold_get_a_gz(tmp_path):
    site = tmp_path / "site"
    (site / "a/b").mkdir(parents=True)
    (site / "a/b/index.html").write_bytes(text(3000))
    (site / "search.json").write_bytes(text(MIN_SIZE))
    (site / "small.css").write_bytes(text(MIN_SIZE - 1))
    (site / "photo.jpg").write_bytes(text(5000))
    result = precompress(site)
    assert result.compressed == 2
    assert gzip.decompress((site / "a/b/index.html.gz").read_bytes()) == (site / "a/b/index.html").read_bytes()
    assert (site / "search.json.gz").exists()
    assert not (site / "small.css.gz").exists() and not (site / "photo.jpg.gz").exists()
    assert not [p for p in site.rglob(".*")]           # no temporary files left


def test_a_rebuild_links_unchanged_gz_from_the_published_site_and_recompresses_the_rest(tmp_path):
    published, staged = tmp_path / "published", tmp_path / "staged"
    for site in (published, staged):
        site.mkdir()
        (site / "same.html").write_bytes(text(4000, "same"))
    (published / "changed.html").write_bytes(text(4000, "old"))
    (staged / "changed.html").write_bytes(text(4000, "new"))
    precompress(published)
    result = precompress(staged, previous=published)
    assert (result.compressed, result.reused) == (1, 1)
    assert (staged / "same.html.gz").samefile(published / "same.html.gz")
    assert gzip.decompress((staged / "changed.html.gz").read_bytes()) == text(4000, "new")


def test_a_published_gz_that_does_not_match_its_file_is_not_taken_over(tmp_path):
    published, staged = tmp_path / "published", tmp_path / "staged"
    for site in (published, staged):
        site.mkdir()
        (site / "page.html").write_bytes(text(4000))
    (published / "page.html.gz").write_bytes(gzip_bytes(text(4000, "stale")))
    assert precompress(staged, previous=published).compressed == 1
    assert gzip.decompress((staged / "page.html.gz").read_bytes()) == text(4000)


def test_a_stale_gz_linked_into_the_staged_site_is_replaced_not_written_through(tmp_path):
    """A site staged by hard links from the published one: a page that changed still has the
    published page's .gz linked in; it must be replaced, and the published one left alone."""
    published, staged = tmp_path / "published", tmp_path / "staged"
    published.mkdir()
    (published / "page.html").write_bytes(text(4000, "old"))
    precompress(published)
    before = (published / "page.html.gz").read_bytes()
    staged.mkdir()
    os.link(published / "page.html.gz", staged / "page.html.gz")
    (staged / "page.html").write_bytes(text(4000, "new"))
    precompress(staged, previous=published)
    assert gzip.decompress((staged / "page.html.gz").read_bytes()) == text(4000, "new")
    assert (published / "page.html.gz").read_bytes() == before


def test_gz_files_whose_file_is_gone_or_now_small_are_removed(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "gone.html.gz").write_bytes(gzip_bytes(text(4000)))
    (site / "shrunk.html").write_bytes(b"<p>short</p>")
    (site / "shrunk.html.gz").write_bytes(gzip_bytes(text(4000)))
    (site / "sitemap.xml").write_bytes(b"<urlset/>")                 # small, but its .gz matches:
    (site / "sitemap.xml.gz").write_bytes(gzip.compress(b"<urlset/>"))  # MkDocs writes it; kept
    (site / "archive.tar.gz").write_bytes(b"not ours")
    result = precompress(site)
    assert result.removed == 2
    assert sorted(p.name for p in site.iterdir()) == ["archive.tar.gz", "shrunk.html", "sitemap.xml", "sitemap.xml.gz"]


# --- through the build -------------------------------------------------------------------------

def build(out: Path, as_of: str, *extra: str) -> None:
    result = subprocess.run([sys.executable, "-m", "generator", "build", "--out", str(out), "--work",
                             str(out.parent / f"work-{out.name}"), "--as-of", as_of, *extra],
                            cwd=ROOT, capture_output=True, text=True,
                            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": "/tmp"})
    assert result.returncode == 0, result.stderr


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_a_rebuild_over_a_published_site_equals_a_cold_build(tmp_path):
    """The public site rebuilt for another day over the published one (its .gz reused where a
    file did not change) is byte for byte the cold build of that day; every .gz matches its file."""
    rebuilt, cold = tmp_path / "rebuilt", tmp_path / "cold"
    build(rebuilt, "2017-05-31")
    first = digest(rebuilt / "public")
    build(rebuilt, "2017-06-15")
    build(cold, "2017-06-15", "--audience", "public")
    again = digest(rebuilt / "public")
    assert again == digest(cold / "public")
    gz = [name for name in again if name.endswith(".gz")]
    assert [n for n in gz if first.get(n) == again[n]] and [n for n in gz if n in first and first[n] != again[n]]
    site = rebuilt / "public"
    for path in site.rglob("*"):
        sibling = path.with_name(path.name + ".gz")
        if path.suffix == ".gz":
            assert gzip.decompress(path.read_bytes()) == path.with_suffix("").read_bytes(), path
        elif path.suffix in TEXT_SUFFIXES and path.stat().st_size >= MIN_SIZE:
            assert sibling.exists(), path
    assert {p.name for p in (rebuilt / "internal").rglob("*.gz")} <= {"sitemap.xml.gz"}   # public only
