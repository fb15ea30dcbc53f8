"""The public site in a real browser (Debian's chromium, headless, served on localhost):
Chinese search reaches the record, no page asks another host, and injected markup never runs."""
from __future__ import annotations

import functools
import re
import http.server
import socketserver
import threading
from pathlib import Path

import pytest

from conftest import CHROMIUM
from test_site import PAYLOADS, build, injected_city, paged_city  # noqa: F401  (the CLI build helper, fixtures)

ROOT = Path(__file__).resolve().parents[1]
playwright = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (make system-tools; .ci/run installs it)")]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve(folder: Path):
    handler = functools.partial(_Quiet, directory=str(folder))
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser") / "site"
    assert build(ROOT / "records", out, "--audience", "public").returncode == 0
    server, url = _serve(out / "public")
    yield url
    server.shutdown()
    server.server_close()


def _watch(page) -> dict[str, list]:
    """Dialogs (alert, confirm…) and Content-Security-Policy violations on a page."""
    seen: dict[str, list] = {"dialogs": [], "csp": []}
    page.on("dialog", lambda dialog: (seen["dialogs"].append(dialog.message), dialog.dismiss()))
    page.on("console", lambda msg: "Content Security Policy" in msg.text and seen["csp"].append(msg.text))
    return seen



def test_chinese_search_reaches_the_problem_and_nothing_leaves_localhost(served, browser):
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    seen = _watch(page)
    page.goto(served + "/")
    search = page.locator(".md-search__input")
    search.click()
    search.fill("盘龙区 占道经营")
    page.wait_for_selector(".md-search-result__item a", timeout=20_000)
    first = page.locator(".md-search-result__item a").first
    assert "/problems/P-2017-0002/" in first.get_attribute("href")
    first.click()
    page.wait_for_url("**/problems/P-2017-0002/**")
    assert page.locator("h1").inner_text() == "北京路与环城南路交叉口流动摊贩占道经营"
    page.goto(served + "/problems/source/media/")
    page.locator("input.tz-filter").fill("盘龙区")
    visible = page.locator("#problems tbody tr:visible")
    assert visible.count() >= 1
    assert all("盘龙区" in visible.nth(i).inner_text() for i in range(visible.count()))
    assert requested and all(url.startswith(served) for url in requested), \
        [u for u in requested if not u.startswith(served)]
    assert seen == {"dialogs": [], "csp": []}


def test_search_from_a_record_page_opens_a_record_and_escapes_result_text(served, browser):
    page = browser.new_page()
    seen = _watch(page)
    page.goto(served + "/problems/P-2017-0002/")            # relative paths differ from the home page
    page.keyboard.press("/")                                # the shortcut opens and focuses the search box
    page.keyboard.type("北京路")
    page.wait_for_selector(".md-search-result__item a", timeout=20_000)
    meta = page.locator(".md-search-result__meta").inner_text()
    assert re.search(r"\d+ 个符合条件的结果", meta), meta
    hrefs = page.locator(".md-search-result__item a").evaluate_all("links => links.map(a => a.href)")
    assert hrefs and all(h.startswith(served + "/") for h in hrefs)
    marks = page.locator(".md-search-result__item mark").all_inner_texts()
    assert marks and all("北京" in m or "京路" in m or "路" in m for m in marks)
    page.locator(".md-search-result__item a").first.click()
    page.wait_for_load_state()
    assert page.url.rstrip("/") in [h.rstrip("/") for h in hrefs]
    assert seen == {"dialogs": [], "csp": []}


def test_a_term_in_most_pages_still_finds_the_pages_with_it_in_their_title(paged_city, browser):
    import json
    from generator.site.search import shard_of
    site = paged_city / "site/public"
    manifest = json.loads((site / "search/manifest.json").read_text("utf-8"))
    shards = {n: json.loads((site / f"search/t/{n}.json").read_text("utf-8")) for n in range(manifest["shards"])}
    common = [t for t in manifest["common"] if re.fullmatch(r"[\u4e00-\u9fff]{2}", t)
              and shards[shard_of(t, manifest["shards"])].get("^" + t)]
    assert common, manifest["common"]
    term = common[0]
    titled = len(shards[shard_of(term, manifest["shards"])]["^" + term])
    server, url = _serve(site)
    try:
        page = browser.new_page()
        page.goto(url + "/")
        search = page.locator(".md-search__input")
        search.click()
        search.fill(term)
        page.wait_for_selector(".md-search-result__item a", timeout=20_000)
        assert f"{titled} 个符合条件的结果" in page.locator(".md-search-result__meta").inner_text()
        titles = page.locator(".md-search-result__item h1").all_inner_texts()
        assert titles and all(term in title for title in titles)
    finally:
        server.shutdown()
        server.server_close()


def _column(page, table: str, header: str) -> list[str]:
    """The sort keys (data-sort, else the text) of one column, top to bottom."""
    index = page.locator(f"{table} thead th").all_inner_texts().index(header) + 1
    return page.locator(f"{table} tbody tr td:nth-child({index})").evaluate_all(
        "cells => cells.map(c => c.getAttribute('data-sort') || c.textContent.trim())")


def _number(text: str) -> float:
    return float(text) if re.fullmatch(r"-?\d+(\.\d+)?", text) else float("-inf")   # "—" first


def test_tables_sort_by_clicking_a_header(served, browser):
    """Clicking a header sorts the whole rows by that column, ascending then descending; dates
    as dates, numbers as numbers (100.0 after 66.7, 8.0 before 21.5), text in Chinese order."""
    page = browser.new_page()
    page.goto(served + "/problems/state/closed/")

    def rows() -> list[tuple[str, str]]:
        return list(zip(_column(page, "#problems", "编号"), _column(page, "#problems", "发现日期")))
    before = rows()
    assert len(before) >= 10 and len({d for _, d in before}) >= 5, before
    header = page.locator("#problems thead th", has_text="发现日期")
    header.click()
    after = rows()
    assert [d for _, d in after] == sorted(d for _, d in before) and after != before
    assert sorted(after) == sorted(before)            # whole rows move: each id keeps its date
    assert header.get_attribute("aria-sort") == "ascending"
    header.click()
    assert [d for _, d in rows()] == sorted((d for _, d in before), reverse=True)
    assert header.get_attribute("aria-sort") == "descending"
    page.locator("#problems thead th", has_text="编号").click()
    assert [i for i, _ in rows()] == sorted(i for i, _ in before)
    # numbers: the districts' closing rate and average days on the dashboard
    page.goto(served + "/dashboards/")
    for column in ("销号率", "平均销号天数"):
        values = _column(page, "#districts", column)
        assert sorted(values) != sorted(values, key=_number), (column, values)   # as text: 100.0 before 14.3
        page.locator("#districts thead th", has_text=re.compile(f"^{column}$")).click()
        assert _column(page, "#districts", column) == sorted(values, key=_number), column
    page.close()


def test_the_injected_payloads_do_run_where_nothing_stops_them(browser):
    """Control for the test below: each script payload, placed raw in a page without escaping or
    a Content-Security-Policy, does set window.__injected, so `typeof window.__injected ==
    "undefined"` on the built sites means the sites stopped it, not that the payload was inert."""
    import markdown
    page = browser.new_page()
    page.on("dialog", lambda dialog: dialog.dismiss())
    scripts = [p for p in PAYLOADS if "__injected" in p]
    assert len(scripts) == 4
    for number, payload in enumerate(scripts, 1):
        page.set_content(f"<!doctype html><html><body><p>{markdown.markdown(payload)}</p></body></html>")
        if "javascript:" in payload:
            page.click("a")
        # the window outlives set_content: wait for this payload's number, not for any value
        page.wait_for_function(f"() => window.__injected === {number}", timeout=5_000)
        assert page.evaluate("() => window.__injected") == number
    page.close()


def test_injected_markup_never_runs_in_either_site(injected_city, browser):
    for audience in ("public", "internal"):
        server, url = _serve(injected_city / audience)
        try:
            pages = ["", "dashboards/", "problems/source/complaint/", "meetings/", "circulars/"]
            pages += sorted(p.parent.relative_to(injected_city / audience).as_posix() + "/"
                            for p in (injected_city / audience).glob("*/*/index.html"))[:40]
            page = browser.new_page()
            seen = _watch(page)
            for path in pages:
                page.goto(f"{url}/{path}")
                # every script payload sets window.__injected (see the control test above)
                assert page.evaluate("() => typeof window.__injected") == "undefined", (audience, path)
                injected = page.evaluate("""() => document.querySelectorAll(
                    '[onerror], [onload], img[src="x"], svg[onload], a[href^="javascript:"]').length""")
                assert injected == 0, (audience, path)
            # search results show record text (titles, excerpts) too
            for query in ("onerror", "script", "svg onload", "粗体"):
                search = page.locator(".md-search__input")
                search.click()
                search.fill(query)
                page.wait_for_selector(".md-search-result__item a", timeout=20_000)
                injected = page.evaluate("""() => document.querySelectorAll(
                    '.md-search-result [onerror], .md-search-result script, .md-search-result svg, .md-search-result img, .md-search-result b').length""")
                assert injected == 0, (audience, query)
            assert seen == {"dialogs": [], "csp": []}, (audience, seen)
            page.close()
        finally:
            server.shutdown()
            server.server_close()


@pytest.mark.parametrize("query", ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"])
def test_a_query_named_like_a_javascript_member_finds_nothing_and_breaks_nothing(served, browser, query):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(served + "/")
    search = page.locator(".md-search__input")
    search.click()
    search.fill(query)
    page.wait_for_function("() => /没有找到/.test(document.querySelector('.md-search-result__meta').textContent)",
                           timeout=20_000)
    assert errors == []
    search.fill("北京路")                   # the box still works afterwards
    page.wait_for_selector(".md-search-result__item a", timeout=20_000)
    assert errors == []


def test_a_record_page_drawer_loads_the_navigation_once_and_links_to_the_site_map_without_scripts(served, browser):
    """Record and list pages do not repeat the navigation: on a phone their drawer shows the same
    tree as a page in the navigation, loaded from one shared file; without scripts it offers the
    site map, which links every section."""
    def drawer(page) -> list[str]:
        page.locator("label.md-header__button[for='__drawer']").click()
        page.wait_for_timeout(400)
        items = page.locator(".md-sidebar--primary .md-nav--primary > .md-nav__list > .md-nav__item").all_inner_texts()
        return [item.split("\n")[0] for item in items]          # the entries, not the open page's contents

    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    loaded: list[str] = []
    page.on("request", lambda request: loaded.append(request.url.rsplit("/", 1)[-1]))
    page.goto(served + "/")
    home = drawer(page)
    assert len(home) > 8 and home[1] == "仪表板"
    page.goto(served + "/problems/P-2017-0002/")
    assert drawer(page) == home
    page.locator(".md-sidebar--primary label.md-nav__link", has_text="仪表板").click()
    page.locator(".md-sidebar--primary a", has_text="趋势与来源").click()
    page.wait_for_url("**/dashboards/trend/")
    page.goto(served + "/problems/state/closed/")
    assert drawer(page) == home
    assert loaded.count("taizhang-nav.json") >= 1 and "search.js" in loaded
    context.close()

    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    page.goto(served + "/problems/P-2017-0002/")
    page.locator("label.md-header__button[for='__drawer']").click()
    link = page.locator(".md-sidebar--primary a", has_text="网站地图")
    assert link.is_visible()
    link.click()
    page.wait_for_url("**/site-map/")
    sections = page.locator("article .tz-sitemap a").all_inner_texts()
    assert {"首页", "问题", "整改总览与排名", "责任单位", "开放数据"} <= set(sections)
    context.close()
