"""The template contract (site_templates/README.md), held against the templates and the code,
as Datasette's docs tests do: every template is parsed, and each name, filter and context
field it uses must be documented; each documented one must exist.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from jinja2 import Environment, meta, nodes
from jinja2.defaults import DEFAULT_FILTERS, DEFAULT_NAMESPACE, DEFAULT_TESTS

from generator.catalog.catalog import Catalog, build_catalog
from generator.catalog.view import Disclosure, view
from generator.site.context import EXTRAS, PageContext, Site
from generator.site.publish import TEMPLATES
from generator.site.render import Renderer

README = (TEMPLATES / "README.md").read_text("utf-8")
PAGES = sorted((TEMPLATES / "pages").glob("*.j2"))


def _section(title: str) -> str:
    return README.split(f"### {title}\n", 1)[1].split("\n### ", 1)[0]


DOCUMENTED = {
    "ctx": set(re.findall(r"`ctx\.(\w+)`", README)),
    "extra": set(re.findall(r"`ctx\.extra\.(\w+)`", README)),
    "site": set(re.findall(r"`site\.(\w+)`", README)),
    "catalog": set(re.findall(r"`catalog\.(\w+)", README)),
    "shows": set(re.findall(r"`shows\.(\w+)`", README)),
    # names: the context's shortcuts and every global
    "names": {"ctx"} | set(re.findall(r"/ `(\w+)`", _section("The context")))
             | set(re.findall(r"^\| `(\w+)", _section("Globals"), re.M)),
    "filters": set(re.findall(r"^\| `(\w+)`", _section("Filters"), re.M)),
}


@pytest.fixture(scope="module")
def renderer():
    internal = view(build_catalog([], dt.date(2017, 5, 31), "internal"), "internal")
    return Renderer(TEMPLATES, internal, Site.of(internal))


def _fields(cls) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def _parsed(renderer, path: Path) -> nodes.Template:
    """The template's syntax tree, parsed with the site's filters but none of its globals, so
    that every global a template uses shows up as undeclared."""
    bare = Environment(trim_blocks=True, lstrip_blocks=True)
    bare.filters.update(renderer.env.filters)
    return bare.parse(path.read_text("utf-8"))


def _uses(tree: nodes.Template) -> dict[str, set[str]]:
    """What one template uses: names from outside, filters, tests, and the attributes it reads
    of ctx (ctx.extra's as extra), site, catalog and shows."""
    assigned = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    assigned |= {n.target for n in tree.find_all(nodes.Import)} | {n.name for n in tree.find_all(nodes.Macro)}
    used = {"names": meta.find_undeclared_variables(tree) - assigned,
            "filters": {f.name for f in tree.find_all(nodes.Filter)},
            "tests": {t.name for t in tree.find_all(nodes.Test)},
            "ctx": set(), "extra": set(), "site": set(), "catalog": set(), "shows": set()}
    for node in tree.find_all(nodes.Getattr):
        chain = []
        while isinstance(node, nodes.Getattr):
            chain.insert(0, node.attr)
            node = node.node
        if isinstance(node, nodes.Name) and node.name in ("ctx", "site", "catalog", "shows"):
            used[node.name].add(chain[0])
            if node.name == "ctx" and chain[0] == "extra" and len(chain) > 1:
                used["extra"].add(chain[1])
    return used


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_a_template_uses_only_what_is_documented(renderer, path):
    used = _uses(_parsed(renderer, path))
    assert used["names"] <= DOCUMENTED["names"] | set(DEFAULT_NAMESPACE), "undocumented name"
    assert used["filters"] <= DOCUMENTED["filters"] | set(DEFAULT_FILTERS), "undocumented filter"
    assert used["tests"] <= set(DEFAULT_TESTS)
    for kind in ("ctx", "extra", "site", "catalog", "shows"):
        assert used[kind] <= DOCUMENTED[kind], f"undocumented {kind} attribute"


def test_everything_documented_exists(renderer):
    assert DOCUMENTED["ctx"] == _fields(PageContext)
    assert DOCUMENTED["extra"] == set().union(*map(_fields, EXTRAS))
    assert all(f"`{cls.__name__}`" in README for cls in EXTRAS)
    assert DOCUMENTED["site"] == _fields(Site)
    assert DOCUMENTED["shows"] == _fields(Disclosure)
    assert all(hasattr(Catalog, name) or name in _fields(Catalog) for name in DOCUMENTED["catalog"])
    context = PageContext(renderer.site, renderer.catalog, "index.md", "")
    given = set(renderer.env.globals) - set(DEFAULT_NAMESPACE) | set(renderer.page_values(context))
    assert DOCUMENTED["names"] == given
    assert DOCUMENTED["filters"] == set(renderer.env.filters) - set(DEFAULT_FILTERS)


def test_the_contract_test_sees_what_templates_use(renderer):
    """The parser finds globals in macros, filters in expressions and fields two levels deep."""
    tree = Environment().parse('{% import "_macros.j2" as m %}{% macro x(a) %}{{ link(a) }}{% endmacro %}'
                               '{% set t = ctx.extra.tables %}{{ t|length }}{{ shows.urging }}{{ m.back() }}')
    used = _uses(tree)
    assert used["names"] == {"link", "ctx", "shows"} and used["extra"] == {"tables"}
    assert used["shows"] == {"urging"} and used["filters"] == {"length"}


def test_every_page_template_is_used_or_shared():
    from generator.site.urls import SECTIONS
    templates = {p.name for p in (Path(__file__).resolve().parents[1] / "site_templates/pages").glob("*.j2")}
    from generator.site.pages import DASHBOARDS
    expected = {f"{t}.html.j2" for t in SECTIONS} | {"home.md.j2", "problem_list.html.j2", "problem_index.md.j2",
                                                    "record_list.html.j2", "_macros.j2", "_dash.j2", "data.md.j2",
                                                    "_footer.html.j2", "glossary.md.j2", "group_index.md.j2",
                                                    "site_map.md.j2"}
    expected |= {template for _, template, _ in DASHBOARDS}
    assert templates == expected


def test_page_urls_are_directories_also_for_ids_ending_in_index():
    """MkDocs turns only a file named index.md into its folder's URL; a record whose id merely
    ends in "index" keeps its own folder (the link, the written file and the open data agree)."""
    from generator.site.urls import depth, page_url
    assert [page_url(p) for p in ("index.md", "problems/index.md", "problems/P-2017-0001.md", "units/reindex.md")] \
        == ["", "problems/", "problems/P-2017-0001/", "units/reindex/"]
    assert [depth(p) for p in ("index.md", "problems/index.md", "units/reindex.md")] == [0, 1, 2]
