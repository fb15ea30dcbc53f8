"""The two sites as people use them, in a real browser (Debian's chromium, headless, served on
localhost from one build of the example records):

- axe-core (npm, tools/axe) finds no serious or critical violation of WCAG 2.1 A/AA or its best
  practices on the pages of every kind, with the search box open, at 1280 and 390 px wide, in the
  light and the dark colour scheme;
- on a 390 px phone no page of any kind needs sideways scrolling: the page, and every table,
  figure and chart in the article, fit; chart text stays at least 11 px and is never cut;
- ids and dates never break inside themselves ("P-2017-／0054", "2017年5／月15日").
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import CHROMIUM
from test_browser import _serve
from test_site import build, cli

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "tools/axe/node_modules/axe-core/axe.min.js"
playwright = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (make system-tools; .ci/run installs it)")]

# The pages axe checks: one of each kind people asked about, per audience.
AXE_PAGES = {
    "public": ["", "problems/light/red/", "problems/P-2017-0002/", "meetings/M-2017-0003/", "districts/panlong/",
               "dashboards/", "dashboards/trend/", "dashboards/assessments/", "dashboards/cadence/",
               "dashboards/decisions/", "data/", "problems/states/", "checks/"],
    "internal": ["", "problems/P-2017-0002/", "dashboards/", "dashboards/urging/", "dashboards/decisions/",
                 "units/city-civilization-office/"],
}
WIDTHS = {1280: 800, 390: 844}          # width: height
SCHEMES = {"light": "default", "dark": "slate"}     # Playwright's colour scheme: Material's


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """Both sites built once from the example records, each served on its own localhost port; the
    internal one with the meeting papers linked from its dashboard (where the fonts are)."""
    from generator.papers.pdf import fonts_missing
    out = tmp_path_factory.mktemp("a11y") / "site"
    result = build(ROOT / "records", out, *([] if fonts_missing() else ["--papers"]))
    assert result.returncode == 0, result.stderr
    servers = {audience: _serve(out / audience) for audience in ("public", "internal")}
    yield {"dirs": {a: out / a for a in servers}, "urls": {a: url for a, (_, url) in servers.items()}}
    for server, _ in servers.values():
        server.shutdown()
        server.server_close()


def _context(browser, width: int, scheme: str):
    # bypass_csp: the sites' Content-Security-Policy rightly refuses the injected axe script
    return browser.new_context(viewport={"width": width, "height": WIDTHS[width]}, color_scheme=scheme,
                               bypass_csp=True)


def _open(page, url: str, scheme: str) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    # Material picks its palette from prefers-color-scheme: make sure the emulation took effect
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == SCHEMES[scheme], url


def _axe(page) -> list[str]:
    """The serious and critical violations axe finds on the page as it is now, one line each."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')
                 + ' — ' + (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 200)).join(' | '));
    }""")
    return found


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_axe_finds_no_serious_violation(sites, browser, width, scheme):
    assert AXE.is_file(), "run `make test` (installs axe-core into tools/axe)"
    context = _context(browser, width, scheme)
    page = context.new_page()
    problems = []
    for audience, paths in AXE_PAGES.items():
        for path in paths:
            _open(page, f"{sites['urls'][audience]}/{path}", scheme)
            problems += [f"{audience}/{path}: {v}" for v in _axe(page)]
    # the search box open with results (on the phone the search icon opens it)
    _open(page, sites["urls"]["public"] + "/", scheme)
    page.keyboard.press("/")
    page.keyboard.type("盘龙区 占道经营")
    page.wait_for_selector(".md-search-result__item a", timeout=20_000)
    assert page.locator(".md-search__input").is_visible()
    problems += [f"search: {v}" for v in _axe(page)]
    context.close()
    assert not problems, "\n".join(problems)


def _page_kinds(site: Path) -> list[str]:
    """One page of every kind: home, each section's index and its first record page, a problem
    list of each sort, every dashboard, open data."""
    paths = ["", "data/", "problems/", "problems/light/red/", "problems/state/closed/", "problems/source/media/",
             "problems/month/2017-04/", "problems/states/"]
    paths += sorted(p.parent.relative_to(site).as_posix() + "/" for p in site.glob("dashboards/*/index.html"))
    paths.append("dashboards/")
    for index in sorted(site.glob("*/index.html")):
        section = index.parent
        if section.name in ("problems", "dashboards", "data", "search", "assets", "admin"):   # admin: the form (Decap CMS)
            continue
        paths.append(section.name + "/")
        records = sorted(p.parent for p in section.glob("*/index.html"))
        if records:
            paths.append(records[-1].relative_to(site).as_posix() + "/")
    paths.append("problems/P-2017-0002/")
    return paths


FITS = """() => {
    const article = document.querySelector('article.md-content__inner');
    const box = article.getBoundingClientRect();
    const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && el.className.baseVal === undefined ? '.' + el.className.split(' ').join('.') : '');
    const wide = [];
    for (const el of article.querySelectorAll('table, figure, svg, pre, img, .tz-table-wrap, .tz-stats, .tz-two')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue;                  // not shown at this width
        if (r.left < box.left - 1 || r.right > box.right + 1 || el.scrollWidth > el.clientWidth + 1)
            wide.push(name(el) + ' ' + Math.round(r.width) + '/' + Math.round(box.width) + ' px');
    }
    const small = [], cut = [];
    for (const svg of article.querySelectorAll('figure svg')) {
        const frame = svg.getBoundingClientRect();
        if (frame.width === 0) continue;
        for (const text of svg.querySelectorAll('text')) {
            const px = parseFloat(text.getAttribute('font-size')) * text.getScreenCTM().a;
            if (px < 11) small.push(text.textContent + ' ' + px.toFixed(1) + ' px');
            const r = text.getBoundingClientRect();
            if (r.left < frame.left - 0.5 || r.right > frame.right + 0.5 || r.top < frame.top - 0.5 || r.bottom > frame.bottom + 0.5)
                cut.push(text.textContent);
        }
    }
    return {page: document.documentElement.scrollWidth, inner: innerWidth, wide, small, cut};
}"""


def test_no_page_needs_sideways_scrolling_on_a_phone(sites, browser):
    for audience in ("public", "internal"):
        paths = _page_kinds(sites["dirs"][audience])
        assert len(paths) > 30 and "meetings/" in paths and "dashboards/trend/" in paths
        context = _context(browser, 390, "light")
        page = context.new_page()
        misfits = {}
        for path in paths:
            page.goto(f"{sites['urls'][audience]}/{path}")
            seen = page.evaluate(FITS)
            if seen["page"] > seen["inner"] or seen["wide"] or seen["small"] or seen["cut"]:
                misfits[f"{audience}/{path}"] = seen
        context.close()
        assert not misfits, "\n".join(f"{path}: {seen}" for path, seen in misfits.items())


def test_phone_cards_label_every_value_and_the_filter_still_hides_rows(sites, browser):
    context = _context(browser, 390, "light")
    page = context.new_page()
    page.goto(sites["urls"]["public"] + "/problems/light/red/")
    cells = page.evaluate("""() => Array.from(document.querySelectorAll('#problems tbody tr:first-child td')).map(td =>
        [td.getAttribute('data-label'), getComputedStyle(td, '::before').content, td.getBoundingClientRect().width])""")
    headers = page.locator("#problems thead th").all_inner_texts()
    assert [label for label, _, _ in cells if label] == ["责任区", "责任单位", "来源", "发现日期", "整改时限"]
    for (label, before, width), header in zip(cells, headers):
        assert label is None or (label == header and before == f'"{label}"')   # the card shows its column's name
    rows = page.locator("#problems tbody tr")
    shown = rows.count()
    page.locator("input.tz-filter").fill(page.locator("#problems tbody tr:first-child td").first.inner_text())
    assert page.locator("#problems tbody tr:visible").count() == 1 < shown
    context.close()


NOWRAP = """() => Array.from(document.querySelectorAll('article .tz-nw')).filter(el => el.offsetParent).map(el => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const lines = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
    return [el.textContent, lines.size];
})"""


@pytest.mark.parametrize("width", WIDTHS)
def test_ids_and_dates_stay_on_one_line(sites, browser, width):
    context = _context(browser, width, "light")
    page = context.new_page()
    checked = 0
    for path in ("problems/light/red/", "problems/state/closed/", "meetings/M-2017-0003/", "meetings/", "dashboards/trend/"):
        page.goto(f"{sites['urls']['public']}/{path}")
        spans = page.evaluate(NOWRAP)
        assert spans, path
        assert [(text, n) for text, n in spans if n != 1] == [], path
        checked += len(spans)
    assert checked > 100
    context.close()


CHARTS = """() => Array.from(document.querySelectorAll('article figure.tz-chart')).map(figure => {
    const caption = figure.querySelector('figcaption');
    const svg = Array.from(figure.querySelectorAll('svg')).filter(s => s.getBoundingClientRect().width > 0);
    const shown = svg[0];
    const frame = shown.getBoundingClientRect();
    const texts = Array.from(shown.querySelectorAll('text'));
    return {
        caption: caption && caption.getBoundingClientRect().height > 0 ? caption.textContent : null,
        drawings: svg.length,
        labelledby: !!caption && shown.getAttribute('aria-labelledby') === caption.id,
        describes: !!document.getElementById(shown.getAttribute('aria-describedby') || '-'),
        texts: texts.map(t => t.textContent),
        small: texts.filter(t => parseFloat(t.getAttribute('font-size')) * t.getScreenCTM().a < 11).map(t => t.textContent),
        cut: texts.filter(t => { const r = t.getBoundingClientRect();
            return r.left < frame.left - 0.5 || r.right > frame.right + 0.5 || r.top < frame.top - 0.5 || r.bottom > frame.bottom + 0.5; })
            .map(t => t.textContent),
    };
})"""


@pytest.mark.parametrize("width", WIDTHS)
def test_charts_have_a_caption_whole_labels_and_chinese_months(sites, browser, width):
    context = _context(browser, width, "light")
    page = context.new_page()
    charts = {}
    for path in ("dashboards/", "dashboards/trend/", "dashboards/assessments/"):
        page.goto(f"{sites['urls']['public']}/{path}")
        charts[path] = page.evaluate(CHARTS)
    context.close()
    assert [len(charts[p]) for p in charts] == [2, 3, 1]
    for path, figures in charts.items():
        for chart in figures:
            assert chart["small"] == [] and chart["cut"] == [], (path, chart["caption"], chart["small"], chart["cut"])
            assert chart["caption"] and chart["drawings"] == 1 and chart["labelledby"] and chart["describes"], (path, chart)
    sub_hqs = charts["dashboards/"][1]["texts"]
    assert "人文环境整治和未成年人成长环境建设指挥部" in "".join(sub_hqs)     # whole, if on two lines
    trend = charts["dashboards/trend/"][0]["texts"]
    assert "2017年4月" in trend and not any("2017-0" in t for t in trend)


def test_a_year_of_cadence_scrolls_in_a_focusable_region_on_a_wide_screen_and_fits_a_phone(browser, tmp_path):
    """A campaign of a year has 52 weekly columns: too wide for any screen as a table. On a wide
    screen the table scrolls inside its wrapper, which then takes focus (axe:
    scrollable-region-focusable); on a phone the rows are cards and nothing scrolls."""
    records = tmp_path / "records"
    shutil.copytree(ROOT / "records", records)
    campaign = records / "campaign/campaign.yaml"
    campaign.write_text(campaign.read_text("utf-8").replace("end: 2017-05-31", "end: 2018-03-31"), "utf-8")
    result = cli("build", "--records", str(records), "--out", str(tmp_path / "site"), "--work", str(tmp_path / "work"),
                 "--as-of", "2018-03-31", "--audience", "public")
    assert result.returncode == 0, result.stderr
    server, url = _serve(tmp_path / "site/public")
    try:
        for width in WIDTHS:
            context = _context(browser, width, "light")
            page = context.new_page()
            _open(page, url + "/dashboards/cadence/", "light")
            wraps = page.evaluate("""() => Array.from(document.querySelectorAll('.tz-table-wrap')).map(w =>
                [w.scrollWidth > w.clientWidth, w.getAttribute('tabindex'), w.getAttribute('aria-label')])""")
            columns = page.locator("#sub-hq-weeks tbody tr:first-child td").count()
            assert columns > 40
            if width == 1280:
                # the weekly and monthly matrices scroll, each in a labelled region that takes focus;
                # narrower tables on the page (statements owed) neither scroll nor take focus
                assert wraps and sum(scrolls for scrolls, _, _ in wraps) >= 3, wraps
                assert all((tab == "0" and bool(label)) == scrolls for scrolls, tab, label in wraps), wraps
            else:
                assert wraps and not any(scrolls or tab for scrolls, tab, _ in wraps), wraps
                seen = page.evaluate(FITS)
                assert seen["page"] <= seen["inner"] and not seen["wide"], seen
            assert _axe(page) == []
            context.close()
    finally:
        server.shutdown()
        server.server_close()
