"""The documented template context (site_templates/README.md) matches the real one."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from generator.site.context import PageContext, Site

README = (Path(__file__).resolve().parents[1] / "site_templates" / "README.md").read_text("utf-8")


def test_every_page_context_field_is_documented():
    documented = set(re.findall(r"`ctx\.(\w+)`", README))
    assert documented == {f.name for f in dataclasses.fields(PageContext)}


def test_every_site_field_is_documented():
    row = next(line for line in README.splitlines() if line.startswith("| `ctx.site`"))
    assert {f.name for f in dataclasses.fields(Site)} <= set(re.findall(r"`(\w+)`", row))


def test_every_page_template_is_used_or_shared():
    from generator.site.urls import SECTIONS
    templates = {p.name for p in (Path(__file__).resolve().parents[1] / "site_templates/pages").glob("*.j2")}
    from generator.site.pages import DASHBOARDS
    expected = {f"{t}.html.j2" for t in SECTIONS} | {"home.md.j2", "problem_list.html.j2", "problem_index.md.j2",
                                                    "record_list.html.j2", "_macros.j2", "_dash.j2", "data.md.j2",
                                                    "_footer.html.j2"}
    expected |= {template for _, template, _ in DASHBOARDS}
    assert templates == expected


def test_page_urls_are_directories_also_for_ids_ending_in_index():
    """MkDocs turns only a file named index.md into its folder's URL; a record whose id merely
    ends in "index" keeps its own folder (the link, the written file and the open data agree)."""
    from generator.site.urls import depth, page_url
    assert [page_url(p) for p in ("index.md", "problems/index.md", "problems/P-2017-0001.md", "units/reindex.md")] \
        == ["", "problems/", "problems/P-2017-0001/", "units/reindex/"]
    assert [depth(p) for p in ("index.md", "problems/index.md", "units/reindex.md")] == [0, 1, 2]
