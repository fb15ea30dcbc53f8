"""The documented template context (site_templates/README.md) matches the real one."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from generator.site.render import PageContext, Site

README = (Path(__file__).resolve().parents[1] / "site_templates" / "README.md").read_text("utf-8")


def test_every_page_context_field_is_documented():
    documented = set(re.findall(r"`ctx\.(\w+)`", README))
    assert documented == {f.name for f in dataclasses.fields(PageContext)}


def test_every_site_field_is_documented():
    row = next(line for line in README.splitlines() if line.startswith("| `ctx.site`"))
    assert {f.name for f in dataclasses.fields(Site)} <= set(re.findall(r"`(\w+)`", row))


def test_every_page_template_is_used_or_shared():
    from generator.site.render import SECTIONS
    templates = {p.name for p in (Path(__file__).resolve().parents[1] / "site_templates/pages").glob("*.j2")}
    from generator.site.pages import DASHBOARDS
    expected = {f"{t}.html.j2" for t in SECTIONS} | {"home.md.j2", "problem_list.html.j2", "problem_index.md.j2",
                                                    "record_list.html.j2", "_macros.j2", "_dash.j2", "data.md.j2",
                                                    "_footer.html.j2"}
    expected |= {template for _, template, _ in DASHBOARDS}
    assert templates == expected
