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
"""
from __future__ import annotations

import hashlib
import html
import json
import re
from array import array
from collections import defaultdict
from dataclasses import dataclass
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


class SearchIndex:
    """Collects documents while pages are written, then writes the shards."""

    def __init__(self) -> None:
        self.docs: list[Document] = []
        self.body: dict[str, array] = defaultdict(lambda: array("I"))
        self.title: dict[str, array] = defaultdict(lambda: array("I"))

    def add(self, url: str, title: str, article_html: str) -> None:
        text = plain(article_html)
        heading = _H1.search(article_html)
        shown_title = plain(heading.group(1)) if heading else title
        doc = len(self.docs)
        at = text.find(shown_title)
        summary = text[at + len(shown_title):].strip() if at >= 0 else text
        self.docs.append(Document(url, shown_title, summary[:SUMMARY_CHARS]))
        for term in terms(text):
            self.body[term].append(doc)
        for term in terms(shown_title):
            self.title[term].append(doc)

    def add_built_page(self, site: Path, page: Path) -> None:
        """A page MkDocs built: its marked article, if it has one."""
        found = _ARTICLE.search(page.read_text("utf-8"))
        if found:
            url = page.parent.relative_to(site).as_posix()
            self.add("" if url == "." else url + "/", "", found.group(1))

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        total = len(self.docs)
        common = sorted(t for t, ids in self.body.items() if len(ids) * 2 > total and total > 20)
        for t in common:
            del self.body[t]
        size = sum(len(ids) for ids in self.body.values()) * 3 + sum(len(ids) for ids in self.title.values()) * 3
        shards = 1
        while shards < MAX_SHARDS and size / shards > SHARD_BYTES:
            shards *= 2
        buckets: list[dict[str, list[int]]] = [{} for _ in range(shards)]
        for prefix, postings in (("", self.body), ("^", self.title)):
            for term, ids in postings.items():
                buckets[shard_of(term, shards)][prefix + term] = _deltas(ids)
        digest = hashlib.sha256()
        (folder / "t").mkdir(exist_ok=True)
        for n, bucket in enumerate(buckets):
            digest.update(_write_json(folder / "t" / f"{n}.json", dict(sorted(bucket.items()))))
        (folder / "d").mkdir(exist_ok=True)
        for n in range(0, max(total, 1), DOCS_PER_FILE):
            chunk = [[d.url, d.title, d.summary] for d in self.docs[n:n + DOCS_PER_FILE]]
            digest.update(_write_json(folder / "d" / f"{n // DOCS_PER_FILE}.json", chunk))
        _write_json(folder / "manifest.json", {
            "format": FORMAT, "version": digest.hexdigest()[:16], "docs": total, "shards": shards,
            "docs_per_file": DOCS_PER_FILE, "common": common})


def _deltas(ids: array) -> list[int]:
    previous, out = 0, []
    for i in ids:
        out.append(i - previous)
        previous = i
    return out


def _write_json(path: Path, value) -> bytes:
    data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    path.write_bytes(data)
    return data
