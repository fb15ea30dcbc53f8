"""Where every page lives: the one home of page paths and URLs.

A page is named by its path under docs/ (`problems/P-2017-0001.md`), as MkDocs names it; its URL
is the directory form (`problems/P-2017-0001/`), and every page's URL lies at a known depth, so
a link from one page to another climbs to the site root and down to its target. Paths are built
from ids, which their patterns keep to safe characters.
"""
from __future__ import annotations

from ..model import Record

# record type → site section; types without a section have no page of their own
SECTIONS = {
    "problem": "problems", "meeting": "meetings", "inspection": "inspections",
    "self_inspection": "self-inspections", "assessment": "assessments", "media_feedback": "media",
    "patrol_log": "patrols", "circular": "circulars", "accountability": "accountability",
    "task": "tasks", "district": "districts", "sub_hq": "sub-hqs", "inspection_group": "groups",
    "unit": "units", "hq": "hq", "major_matter": "major-matters",
}


def record_path(record: Record) -> str | None:
    section = SECTIONS.get(record.type_name)
    return f"{section}/{record.id}.md" if section else None


def list_path(kind: str, key: str) -> str:
    """The first page of the problem list of one kind (state, source, month, light, district,
    sub_hq, unit) and key."""
    return f"problems/{kind}/{key}.md"


def page_path(first: str, number: int) -> str:
    """Page `number` of a list whose first page is `first`: problems/state/open.md → problems/state/open/2.md,
    meetings/index.md → meetings/2.md."""
    if number == 1:
        return first
    stem = first[: -len("index.md")] if first.endswith("index.md") else first[: -len(".md")] + "/"
    return f"{stem}{number}.md"


def page_url(docs_path: str) -> str:
    """The page's URL relative to the site root, directory form: problems/P-2017-0001.md →
    problems/P-2017-0001/, problems/index.md → problems/, index.md → ''."""
    stem = docs_path[: -len(".md")]
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"           # also for an id that merely ends in "index" (units/reindex.md)


def depth(docs_path: str) -> int:
    """Directories between the site root and the page's directory URL: index.md → 0,
    problems/index.md → 1, problems/P-2017-0001.md → 2."""
    parts = docs_path[: -len(".md")].split("/")
    return len(parts) - 1 if parts[-1] == "index" else len(parts)
