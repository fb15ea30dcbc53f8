"""Search: a chunked full-text index of a site, written to site/search/.

Material's own search makes every visitor download one index of the whole site (about 70 MB
at 100,000 problems); Pagefind, evaluated in its place, needed 7 GB of memory to index
100,000 small pages (see README). This index is written in shards: a query fetches the shards
of its own terms and the few document files of the results it shows, whatever the size of
the ledger. assets/search.js reads it.

Terms: Chinese text is indexed as overlapping character pairs (盘龙区 → 盘龙 龙区), the usual
way to search Chinese without a segmentation dictionary, so the browser splits a query
exactly as the index did; runs of Latin letters and digits are terms of their own (P-2017-0002
→ p 2017 0002). A term in more than half the documents (page headings, boilerplate) is indexed
only where it occurs in a title, and a query matches it only there. A document is the article of a page marked
`data-search` (record pages and the pages in the navigation); list pages repeat records and
are not indexed.

The index keeps each document's terms (`SearchState`), so that a build that rewrote a few
pages changes only the shards of the terms those pages gained or lost (`patch`), and one that
added or removed pages writes the index again without reading the other pages. The manifest's
version is a hash of every shard's and document file's hash, so it is the same either way.
"""
from __future__ import annotations

import hashlib
import html
import json
import re
from array import array
from collections import defaultdict
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

FORMAT = 1
DOCS_PER_FILE = 25
SHARD_BYTES = 24_000          # aim: a shard about this big, so a query downloads little
MAX_SHARDS = 8192
SUMMARY_CHARS = 90

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TERMS = re.compile(f"[{_CJK}]+|[0-9a-z]+")
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_ARTICLE = re.compile(r'<div data-search>(.*?)</div><!--/search-->', re.S)
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)


def terms(text: str) -> set[str]:
    found = set()
    for run in _TERMS.findall(text.lower()):
        if run[0].isascii():
            found.add(run)
        else:
            found.update(run[i:i + 2] for i in range(len(run) - 1))
    return found


def shard_of(term: str, shards: int) -> int:
    """FNV-1a over UTF-16 code units; assets/search.js computes the same."""
    h = 0x811C9DC5
    units = term.encode("utf-16-le")
    for i in range(0, len(units), 2):
        h = ((h ^ (units[i] | units[i + 1] << 8)) * 0x01000193) & 0xFFFFFFFF
    return h % shards


def plain(fragment: str) -> str:
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", fragment))).strip()


def marked(body: str) -> str:
    """A page body wrapped so that the index (and the built page) knows what to read."""
    return f"<div data-search>{body}</div><!--/search-->"


@dataclass(frozen=True)
class Document:
    url: str                 # relative to the site root, directory form: problems/P-2017-0001/
    title: str
    summary: str


@dataclass(frozen=True)
class Entry:
    """A document and its terms (space-separated: terms never hold a space)."""
    doc: Document
    body: str
    title: str


@dataclass
class SearchState:
    """A written index: its documents and their terms, and what a patch must keep equal."""
    entries: list[Entry]
    shards: int
    common: tuple[str, ...]
    counts: dict[str, int]           # documents holding each common term
    size: int                        # postings × 3: what decides the number of shards
    digests: list[bytes]             # SHA-256 of each shard file, then of each document file


def entry(url: str, title: str, article_html: str) -> Entry:
    """A page's article as a document with its terms."""
    text = plain(article_html)
    heading = _H1.search(article_html)
    shown_title = plain(heading.group(1)) if heading else title
    at = text.find(shown_title)
    summary = text[at + len(shown_title):].strip() if at >= 0 else text
    return Entry(Document(url, shown_title, summary[:SUMMARY_CHARS]), " ".join(sorted(terms(text))),
                 " ".join(sorted(terms(shown_title))))


def built_entry(site: Path, page: Path) -> Entry | None:
    """A page MkDocs built: its marked article, if it has one."""
    found = _ARTICLE.search(page.read_text("utf-8"))
    if not found:
        return None
    url = page.parent.relative_to(site).as_posix()
    return entry("" if url == "." else url + "/", "", found.group(1))


class SearchIndex:
    """The documents of a site (its `entries`), written as shards."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []

    def write(self, folder: Path) -> SearchState:
        entries = self.entries
        total = len(entries)
        body: dict[str, array] = defaultdict(lambda: array("I"))
        title: dict[str, array] = defaultdict(lambda: array("I"))
        for n, e in enumerate(entries):
            for term in e.body.split():
                body[term].append(n)
            for term in e.title.split():
                title[term].append(n)
        common = tuple(sorted(t for t, ids in body.items() if _common(len(ids), total)))
        counts = {t: len(body.pop(t)) for t in common}
        size = sum(len(ids) for ids in body.values()) * 3 + sum(len(ids) for ids in title.values()) * 3
        shards = shard_count(size)
        buckets: list[dict[str, list[int]]] = [{} for _ in range(shards)]
        for prefix, postings in (("", body), ("^", title)):
            for term, ids in postings.items():
                buckets[shard_of(term, shards)][prefix + term] = _deltas(ids)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "t").mkdir(exist_ok=True)
        digests = [_write_json(folder / "t" / f"{n}.json", dict(sorted(bucket.items())))
                   for n, bucket in enumerate(buckets)]
        (folder / "d").mkdir(exist_ok=True)
        for n in range(0, max(total, 1), DOCS_PER_FILE):
            digests.append(_write_json(folder / "d" / f"{n // DOCS_PER_FILE}.json", _doc_file(entries, n)))
        state = SearchState(entries, shards, common, counts, size, digests)
        _write_manifest(folder, state)
        return state


def _common(count: int, total: int) -> bool:
    return count * 2 > total and total > 20


def shard_count(size: int) -> int:
    shards = 1
    while shards < MAX_SHARDS and size / shards > SHARD_BYTES:
        shards *= 2
    return shards


def _doc_file(entries: list[Entry], start: int) -> list:
    return [[e.doc.url, e.doc.title, e.doc.summary] for e in entries[start:start + DOCS_PER_FILE]]


def _write_manifest(folder: Path, state: SearchState) -> None:
    (folder / "manifest.json").write_bytes(_manifest(state))


def _manifest(state: SearchState) -> bytes:
    version = hashlib.sha256(b"".join(state.digests)).hexdigest()[:16]
    return _json_bytes({"format": FORMAT, "version": version, "docs": len(state.entries), "shards": state.shards,
                        "docs_per_file": DOCS_PER_FILE, "common": list(state.common)})


def patch(state: SearchState, changed: dict[int, Entry], previous: Path, folder: Path,
          replace) -> SearchState | None:
    """The index of `state` with the documents at the given positions replaced, written by
    rewriting only the shards and document files that change: read from `previous` (the
    published index), written into `folder` through `replace(path, data)` (which must not write
    through a hard link). None when the change reaches further (a term becomes common or stops
    being so, or the number of shards changes): then the index is written anew."""
    total = len(state.entries)
    entries = list(state.entries)
    moves: dict[str, dict[int, int]] = defaultdict(dict)       # "^"-prefixed for titles: doc → ±1
    for n, new in changed.items():
        old = entries[n]
        entries[n] = new
        for prefix, before, after in (("", old.body, new.body), ("^", old.title, new.title)):
            a, b = set(before.split()), set(after.split())
            for term in a - b:
                moves[prefix + term][n] = -1
            for term in b - a:
                moves[prefix + term][n] = +1
    counts = dict(state.counts)
    size = state.size
    shards: dict[int, dict] = {}
    for key, doc_moves in moves.items():
        delta = sum(doc_moves.values())
        if key in counts:                               # a common term: counted, not listed
            counts[key] += delta
            if not _common(counts[key], total):
                return None
            continue
        n = shard_of(key[1:] if key.startswith("^") else key, state.shards)
        if n not in shards:
            try:
                shards[n] = json.loads((previous / "t" / f"{n}.json").read_text("utf-8"))
            except (OSError, ValueError):
                return None
        ids = set(accumulate(shards[n].get(key, ())))
        for doc, move in doc_moves.items():
            (ids.add if move > 0 else ids.discard)(doc)
        if not key.startswith("^") and _common(len(ids), total):
            return None
        size += 3 * delta
        if ids:
            shards[n][key] = _deltas(sorted(ids))
        else:
            shards[n].pop(key, None)
    if shard_count(size) != state.shards:
        return None
    digests = list(state.digests)
    for n, bucket in sorted(shards.items()):
        data = _json_bytes(dict(sorted(bucket.items())))
        replace(folder / "t" / f"{n}.json", data)
        digests[n] = hashlib.sha256(data).digest()
    for start in sorted({n // DOCS_PER_FILE * DOCS_PER_FILE for n, e in changed.items()
                         if e.doc != state.entries[n].doc}):
        data = _json_bytes(_doc_file(entries, start))
        replace(folder / "d" / f"{start // DOCS_PER_FILE}.json", data)
        digests[state.shards + start // DOCS_PER_FILE] = hashlib.sha256(data).digest()
    new = SearchState(entries, state.shards, state.common, counts, size, digests)
    replace(folder / "manifest.json", _manifest(new))
    return new


def _deltas(ids) -> list[int]:
    previous, out = 0, []
    for i in ids:
        out.append(i - previous)
        previous = i
    return out


def _json_bytes(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _write_json(path: Path, value) -> bytes:
    data = _json_bytes(value)
    path.write_bytes(data)
    return hashlib.sha256(data).digest()
