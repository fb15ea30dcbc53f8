"""The public site's Atom feed (feed.xml), built through the CLI from the example records on two
days: it is the Atom that RFC 4287 asks for, read by Python's XML parser element by element and
by feedparser as a feed reader would, and its ids do not change from one day to the next."""
from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")

pytestmark = pytest.mark.slow


def _feed(tmp_path: Path, as_of: str) -> bytes:
    out = tmp_path / as_of
    result = subprocess.run([sys.executable, "-m", "generator", "build", "--records", str(ROOT / "records"),
                             "--audience", "public", "--out", str(out), "--work", str(tmp_path / "work"),
                             "--as-of", as_of], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return (out / "public/feed.xml").read_bytes()


@pytest.fixture(scope="module")
def feeds(tmp_path_factory):
    base = tmp_path_factory.mktemp("feed")
    return _feed(base, "2017-05-31"), _feed(base, "2017-06-15")


def _one(parent, tag: str, where: str):
    found = parent.findall(ATOM + tag)
    assert len(found) == 1, f"{where}: {len(found)} <{tag}>, Atom wants exactly one"
    return found[0]


def check_atom(data: bytes) -> ET.Element:
    """The requirements of RFC 4287 a reader relies on: atom:feed with one id (an IRI), title and
    updated (RFC 3339), a self and an alternate link, an author for every entry (the feed's), and
    entries each with one id, title, updated and a link; ids unique."""
    root = ET.fromstring(data)
    assert root.tag == ATOM + "feed"
    assert IRI.match(_one(root, "id", "feed").text)
    assert _one(root, "title", "feed").text
    assert RFC3339.match(_one(root, "updated", "feed").text)
    links = {link.get("rel", "alternate"): link.get("href") for link in root.findall(ATOM + "link")}
    assert links.get("self") == "feed.xml", f"the self link: {links}"
    assert links.get("alternate") == "./", links
    assert _one(_one(root, "author", "feed"), "name", "feed author").text
    ids = set()
    entries = root.findall(ATOM + "entry")
    assert entries
    for n, entry in enumerate(entries):
        where = f"entry {n + 1}"
        entry_id = _one(entry, "id", where).text
        assert IRI.match(entry_id) and entry_id not in ids, entry_id
        ids.add(entry_id)
        assert _one(entry, "title", where).text
        assert RFC3339.match(_one(entry, "updated", where).text)
        assert entry.findall(ATOM + "link") or entry.findall(ATOM + "content"), where
    for element in root.iter():
        assert element.tag.startswith(ATOM), f"not an Atom element: {element.tag}"
    return root


def test_the_feed_is_valid_atom(feeds):
    today, _later = feeds
    check_atom(today)
    import feedparser
    parsed = feedparser.parse(today)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert any(link.rel == "self" for link in parsed.feed.links)
    assert parsed.feed.id and len(parsed.entries) > 10


def test_the_feed_and_its_entries_keep_their_ids_from_day_to_day(feeds):
    today, later = feeds
    first, second = check_atom(today), check_atom(later)
    feed_id = first.find(ATOM + "id").text
    assert feed_id == second.find(ATOM + "id").text
    assert "2017-05-31" not in feed_id and "2017-06-15" not in feed_id
    assert feed_id.startswith("tag:taizhang,")       # RFC 4151: dated by the campaign, not by the build
    entry_ids = [{e.find(ATOM + "id").text: e.find(ATOM + "title").text for e in root.findall(ATOM + "entry")}
                 for root in (first, second)]
    assert entry_ids[0] == entry_ids[1]               # the same records: the same entries, the same ids


def test_the_check_rejects_what_readers_reject():
    """The check above fails on the feed as it was: no self link and an id that is not an IRI."""
    bad = (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>feed</id>'
           b'<updated>2017-05-31T00:00:00+08:00</updated><link rel="alternate" href="./"/></feed>')
    with pytest.raises(AssertionError):
        check_atom(bad)
    no_self = (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>tag:x,2017:f</id>'
               b'<updated>2017-05-31T00:00:00+08:00</updated><link rel="alternate" href="./"/>'
               b'<author><name>a</name></author></feed>')
    with pytest.raises(AssertionError, match="self"):
        check_atom(no_self)
