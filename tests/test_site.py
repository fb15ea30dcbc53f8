"""The public and internal sites, built through the CLI from the example records and from
hostile variants of a synthetic city: pages and their content, privacy (canaries), injection,
atomic and reproducible builds."""
from __future__ import annotations

import gzip
import hashlib
import itertools
import html as html_lib
import json
import re
import subprocess
import zipfile
from collections import Counter
from html.parser import HTMLParser
import sys
from pathlib import Path

import pytest
import yaml

from generator.model import RECORD_TYPES
from generator.model.fields import field_specs
from generator.model.yamltext import dump

import privacy_manifest

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2017-05-31"

pytestmark = pytest.mark.slow


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True,
                          text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": "/tmp"})


def build(records: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return cli("build", "--records", str(records), "--out", str(out), "--work", str(out.parent / "work"),
               "--as-of", AS_OF, *extra)


def site_text(site: Path) -> dict[str, str]:
    """Every file of a built site as text (gzip opened, binary read as latin-1)."""
    out = {}
    for path in sorted(site.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            elif path.suffix == ".xlsx":
                with zipfile.ZipFile(path) as archive:
                    data = b"\n".join(archive.read(name) for name in archive.namelist())
            try:
                out[path.relative_to(site).as_posix()] = data.decode("utf-8")
            except UnicodeDecodeError:
                out[path.relative_to(site).as_posix()] = data.decode("latin-1")
    return out


@pytest.fixture(scope="module")
def example_sites(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("example") / "site"
    result = build(ROOT / "records", out)
    assert result.returncode == 0, result.stderr
    return out


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text("utf-8")


def test_problem_page_shows_what_the_public_needs(example_sites):
    html = page(example_sites / "public", "problems/P-2017-0002")
    assert "北京路与环城南路交叉口流动摊贩占道经营" in html
    assert "盘龙区" in html and "整改时限" in html and "整改过程" in html
    assert re.search(r'class="tz-light tz-light--(red|yellow|green|done)"', html)
    assert 'lang="zh' in html


def test_closed_problem_shows_its_after_photo_without_exif(example_sites):
    closed = [p for p in (ROOT / "records/problems/2017").glob("*.yaml")
              if yaml.safe_load(p.read_text("utf-8"))["history"][-1]["state"] == "closed"]
    html = page(example_sites / "public", f"problems/{closed[0].stem}")
    src = re.search(r'class="tz-evidence">.*?<img src="([^"]+)"', html, re.S).group(1)
    image = (example_sites / "public" / "problems" / closed[0].stem / src).resolve()
    assert image.is_file()
    from PIL import Image
    with Image.open(image) as im:
        assert not im.getexif()


def test_every_section_index_and_home_page_exists(example_sites):
    for site in ("public", "internal"):
        for section in ("problems", "districts", "sub-hqs", "groups", "units", "meetings", "inspections",
                        "self-inspections", "patrols", "assessments", "media", "circulars", "tasks"):
            assert (example_sites / site / section / "index.html").is_file(), (site, section)
        home = page(example_sites / site, ".")
        assert "问题总数" in home and "grid cards" in home


def test_list_pages_by_state_source_month_and_light(example_sites):
    html = page(example_sites / "public", "problems")
    for path in ("state/closed/", "source/media/", "month/2017-04/", "light/red/"):
        assert f'href="../problems/{path}"' in html, path
    listing = page(example_sites / "public", "problems/source/media")
    assert "data-sortable" in listing and "tz-filter" in listing and "P-2017-0002" in listing


@pytest.fixture(scope="module")
def paged_city(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("paged")
    assert cli("synth", "--out", str(base), "--problems", "260", "--seed", "5").returncode == 0
    result = build(base / "records", base / "site", "--audience", "public")
    assert result.returncode == 0, result.stderr
    return base


def _problem_rows(path: Path) -> list[str]:
    return re.findall(r"<tr><td[^>]*>(P-\d{4}-\d{4})</td>", html_lib.unescape(path.read_text("utf-8")))


def test_long_lists_are_cut_into_linked_pages(paged_city):
    site = paged_city / "site/public"
    ids = sorted(p.stem for p in (paged_city / "records/problems").rglob("P-*.yaml"))
    listed = []
    for first in sorted((site / "problems/state").iterdir()):
        pages = [first / "index.html"] + sorted(first.glob("*/index.html"), key=lambda p: int(p.parent.name))
        for number, path in enumerate(pages, 1):
            rows = _problem_rows(path)
            assert 0 < len(rows) <= 100, path
            listed += rows
            text = path.read_text("utf-8")
            if len(pages) > 1:
                assert f"第 {number} / {len(pages)} 页" in text
                for href in re.findall(r'<nav class="tz-pager".*?</nav>', text, re.S)[0].split('href="')[1:]:
                    target = path.parent / href.split('"')[0] / "index.html"
                    assert target.resolve().is_file(), (path, href)
    assert sorted(listed) == ids            # every problem on exactly one page of the state lists
    assert any((site / "problems/state").glob("*/2/index.html"))
    districts = Counter(yaml.safe_load(p.read_text("utf-8"))["district"]
                        for p in (paged_city / "records/problems").rglob("P-*.yaml"))
    busiest, count = districts.most_common(1)[0]
    assert count > 20
    page_html = (site / "districts" / busiest / "index.html").read_text("utf-8")
    assert len(_problem_rows(site / "districts" / busiest / "index.html")) == 20
    assert f'href="../../problems/district/{busiest}/"' in page_html and f"查看全部 {count} 个问题" in page_html


def test_internal_site_has_banner_noindex_and_internal_records(example_sites):
    internal = page(example_sites / "internal", "problems/P-2017-0002")
    assert "内部资料 注意保密" in internal and 'content="noindex' in internal
    public = page(example_sites / "public", "problems/P-2017-0002")
    assert "内部资料" not in public and "noindex" not in public
    cases = sorted((ROOT / "records/accountability/2017").glob("*.yaml"))
    assert all((example_sites / "internal/accountability" / c.stem / "index.html").is_file() for c in cases)
    published = [c.stem for c in cases if yaml.safe_load(c.read_text("utf-8"))["state"] == "published"]
    public_cases = {p.parent.name for p in (example_sites / "public/accountability").glob("*/index.html")}
    assert public_cases == set(published)


def test_record_pages_stay_out_of_the_navigation(example_sites):
    home = page(example_sites / "public", ".")
    nav = re.search(r'<nav class="md-tabs".*?</nav>', home, re.S).group(0)
    assert "问题" in nav and "P-2017-0002" not in nav and "problems/source" not in nav


def _text(fragment: str) -> str:
    return html_lib.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def _title(html: str) -> str:
    return html_lib.unescape(re.search(r"<title>(.*?)</title>", html).group(1))


def test_every_page_title_agrees_with_its_heading_and_home_names_the_site_once(example_sites):
    site = example_sites / "public"
    home = page(site, ".")
    assert _title(home) == "昆明市创建全国文明城市"
    checked = 0
    for path in sorted(site.glob("*/*/index.html")) + sorted(site.glob("*/index.html")):
        html = path.read_text("utf-8")
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
        if heading is None:
            continue
        title = _title(html)
        assert title.endswith(" - 昆明市创建全国文明城市"), (path, title)
        assert title.startswith(_text(heading.group(1))), (path, title, _text(heading.group(1)))
        checked += 1
    assert checked > 500


def test_each_tab_opens_a_page_of_its_name(example_sites):
    """The tab 督查 holds 实地督查, 自检自查 and 老领导巡查: it opens an overview called 督查."""
    site = example_sites / "public"
    nav = re.search(r'<nav class="md-tabs".*?</nav>', page(site, "."), re.S).group(0)
    tabs = re.findall(r'<a href="([^"]*)" class="md-tabs__link">\s*(.*?)\s*</a>', nav)
    assert ("checks/", "督查") in tabs and ("org/", "组织") in tabs
    for href, label in tabs:
        target = page(site, href or ".")
        assert _title(target).split(" - ")[0] in (label, "昆明市创建全国文明城市"), (href, label, _title(target))
    checks = page(site, "checks")
    for section in ("inspections/", "self-inspections/", "patrols/"):
        assert f'href="../{section}"' in checks


def test_district_page_shows_totals_and_rank_not_its_own_name_in_every_row(example_sites):
    html = page(example_sites / "public", "districts/panlong")
    table = re.search(r'<table class="tz-table tz-cards tz-problems".*?</table>', html, re.S).group(0)
    assert "责任区" not in table and "责任单位" in table          # the district's own column is left out
    dashboard = page(example_sites / "public", "dashboards")
    row = re.search(r'<tr><td data-label="名次">(\d+)</td>.*?>盘龙区</a></td><td data-label="问题">(\d+)</td>'
                    r'<td data-label="未销号">(\d+)</td><td data-label="逾期">(\d+)</td>', dashboard).groups()
    rank, total, open_, overdue = row
    districts = re.search(r'<table [^>]*id="districts".*?</table>', dashboard, re.S).group(0)
    ranked = len(re.findall(r'<td data-label="名次">', districts))
    stats = dict((label, n) for n, label in re.findall(
        r'<span class="tz-stat__n">([^<]*)</span><span class="tz-stat__l">([^<]*)</span>', html))
    assert (stats["问题"], stats["未销号"], stats["逾期（红灯）"]) == (total, open_, overdue)
    assert stats["整改排名"] == f"{rank} / {ranked}"
    unit = page(example_sites / "public", "units/panlong-city-management")
    assert "责任单位</th>" not in re.search(r'<table class="tz-table tz-cards tz-problems".*?</table>', unit, re.S).group(0)


def test_organisation_pages_list_the_decisions_they_own(example_sites):
    owners = Counter()
    for path in (ROOT / "records/meetings/2017").glob("*.yaml"):
        for d in yaml.safe_load(path.read_text("utf-8")).get("decisions", []):
            owners[d["owner"]] += 1
    for owner, count in owners.items():
        section = {"districts": "districts", "units": "units", "sub-hqs": "sub-hqs", "hq": "hq"}
        found = [page(example_sites / "internal", f"{s}/{owner}") for s in section
                 if (example_sites / "internal" / s / owner).is_dir()]
        assert found, owner
        table = re.search(r'<table class="tz-table tz-cards tz-decisions" id="decisions".*?</table>', found[0], re.S)
        assert table, owner
        assert table.group(0).count("<tr>") == count + 1, owner          # the heading row and one per decision


def test_the_decisions_dashboard_lists_open_decisions_on_the_internal_site_only(example_sites):
    internal = html_lib.unescape(page(example_sites / "internal", "dashboards/decisions"))   # ids: id="open&#45;…"
    public = html_lib.unescape(page(example_sites / "public", "dashboards/decisions"))
    listing = re.search(r'<table class="tz-table tz-cards tz-decisions" id="open-decisions".*?</table>', internal, re.S)
    assert listing and 'id="open-decisions"' not in public
    rows = re.findall(r"<tr>(.*?)</tr>", listing.group(0), re.S)[1:]
    stats = dict((label, n) for n, label in re.findall(
        r'<span class="tz-stat__n">([^<]*)</span><span class="tz-stat__l">([^<]*)</span>', internal))
    assert len(rows) == int(stats["推进中"]) + int(stats["未启动"])
    assert int(stats["议定事项"]) == int(stats["已完成"]) + int(stats["推进中"]) + int(stats["未启动"])
    assert sum('tz-light--red' in r for r in rows) == int(stats["逾期未完成"])
    assert sum('tz-light--yellow' in r for r in rows) == int(stats["临近时限"])
    overdue = [int(re.search(r'data-label="逾期天数" data-sort="(\d+)"', r).group(1)) for r in rows]
    assert overdue == sorted(overdue, reverse=True) and overdue[0] > 0
    assert all('href="../../meetings/M-' in r for r in rows)          # the meeting it came from


def test_meeting_page_says_who_must_state_and_links_its_neighbours(example_sites):
    """Worked out from the records here: the last three of each assessment owe a statement at the
    first scheduling meeting after it, which lists them as 测评排名靠后 (and 已表态 when they spoke);
    the page links the scheduling meetings before and after it."""
    def load(folder):
        return [yaml.safe_load(f.read_text("utf-8")) for f in sorted((ROOT / "records" / folder).rglob("*.yaml"))]
    scheduling = sorted((m for m in load("meetings") if m["kind"] == "scheduling"), key=lambda m: (m["date"], m["id"]))
    held = [m for m in scheduling if m.get("status", "held") == "held"]
    checked = 0
    for a in load("assessments"):
        following = next((m for m in held if m["date"] > a["date"]), None)
        if following is None:
            continue
        ordered = sorted(a["scores"], key=lambda s: (-s["score"], s["district"]))
        html = page(example_sites / "public", f"meetings/{following['id']}")
        items = re.findall(r"<li>(.*?)</li>", re.search(r'<ul class="tz-list tz-expected">(.*?)</ul>', html, re.S).group(1))
        stated = {s["by"] for s in following.get("statements", [])}
        for score in ordered[-3:]:
            item = next(i for i in items if f'/districts/{score["district"]}/"' in i and "测评排名靠后" in i)
            assert ("已表态" in item) == (score["district"] in stated), item
            checked += 1
        i = scheduling.index(following)
        if i:
            assert f'上一次总指挥部工作调度会：<a href="../../meetings/{scheduling[i - 1]["id"]}/">' in html
        if i + 1 < len(scheduling):
            assert f'下一次总指挥部工作调度会：<a href="../../meetings/{scheduling[i + 1]["id"]}/">' in html
    assert checked >= 3
    sub_hq_meeting = next(m for m in load("meetings") if m["kind"] == "sub_hq")
    sub_hq = page(example_sites / "public", f"meetings/{sub_hq_meeting['id']}")          # a sub-HQ's: its own series
    around = re.findall(r'(上一次|下一次)分指挥部工作会议：<a href="../../meetings/(M-2017-\d+)/">', sub_hq)
    assert around
    series = sub_hq_meeting["sub_hq"]
    for _, other in around:
        assert yaml.safe_load((ROOT / f"records/meetings/2017/{other}.yaml").read_text("utf-8"))["sub_hq"] == series


def test_status_words_are_explained_and_a_problem_says_what_happens_next(example_sites):
    from generator.model.lifecycle import STATE_LABELS, TRANSITIONS
    site = example_sites / "public"
    glossary = page(site, "problems/states")
    for label in STATE_LABELS.values():
        assert f">{label}</span>" in glossary, label
    assert 'href="../problems/states/">问题状态说明' in page(site, "problems")
    for record in sorted((ROOT / "records/problems/2017").glob("*.yaml")):
        data = yaml.safe_load(record.read_text("utf-8"))
        html = page(site, f"problems/{record.stem}")
        assert 'href="../../problems/states/"' in html
        steps = re.search(r"<h2>接下来</h2>(.*?)(<h2>|<p class=\"tz-updated\")", html, re.S).group(1)
        following = TRANSITIONS[data["history"][-1]["state"]]
        assert re.findall(r"<strong>(.*?)</strong>", steps) == [STATE_LABELS[s] for s in following], record.stem


def test_icp_number_in_footer_and_no_other_host(example_sites):
    campaign = yaml.safe_load((ROOT / "records/campaign/campaign.yaml").read_text("utf-8"))
    for name, text in site_text(example_sites / "public").items():
        if name.endswith(".html"):
            assert campaign["icp"] in text, name
            # the only off-site address a page may carry is the ICP register's link
            for url in re.findall(r'(?:src|href)="(https?://[^"]+)"', text):
                assert url.startswith("https://beian.miit.gov.cn/"), (name, url)
            assert "fonts.googleapis" not in text and "fonts.gstatic" not in text


def test_search_index_is_sharded_and_holds_articles_only(example_sites):
    from generator.site.search import shard_of, terms
    for audience in ("public", "internal"):
        site = example_sites / audience
        manifest = json.loads((site / "search/manifest.json").read_text("utf-8"))
        marked = [p for p in site.rglob("index.html") if "<div data-search>" in p.read_text("utf-8")]
        assert manifest["docs"] == len(marked) and manifest["shards"] > 1
        docs = [d for f in sorted((site / "search/d").glob("*.json"), key=lambda f: int(f.stem))
                for d in json.loads(f.read_text("utf-8"))]
        urls = [d[0] for d in docs]
        assert len(urls) == len(set(urls)) == len(marked)
        assert "problems/P-2017-0002/" in urls and "dashboards/" in urls
        assert "problems/source/media/" not in urls          # list pages repeat records
        # the problem is found under each pair of characters of its title and under its id
        doc = urls.index("problems/P-2017-0002/")
        # the same cut as the browser's: character pairs, ASCII words in lower case
        expected = {"北京", "京路", "占道", "道经", "经营", "p", "2017", "0002"}
        assert terms("北京路 占道经营 P-2017-0002") == expected
        looked_up = expected - set(manifest["common"])
        assert {"北京", "京路", "占道", "经营", "0002"} <= looked_up      # not all too common to index
        for term in sorted(looked_up):
            shard = json.loads((site / f"search/t/{shard_of(term, manifest['shards'])}.json").read_text("utf-8"))
            assert doc in itertools.accumulate(shard[term]), term


def test_pages_out_of_the_navigation_carry_the_frame_and_no_placeholder(example_sites):
    home = page(example_sites / "public", ".")
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', home).group(1)
    for name, text in site_text(example_sites / "public").items():
        if name.endswith(".html"):
            assert "TZSHELL" not in text and f'content="{policy}"' in text, name
    record = page(example_sites / "public", "problems/P-2017-0002")
    assert "<title>北京路与环城南路交叉口流动摊贩占道经营（盘龙区） - " in record
    assert record.count("<h1") == 1 and 'for="__search"' in record and "md-tabs" in record
    # lean: the drawer links to the site map and names the shared navigation instead of repeating it
    assert 'data-tz-nav="../../assets/taizhang-nav.json"' in record and 'href="../../site-map/"' in record
    assert "__nav_2" not in record and "<path" not in record and "<script>" not in record
    assert not (example_sites / "public/_shell").exists()


def test_builds_are_byte_identical(tmp_path, example_sites):
    again = tmp_path / "site"
    assert build(ROOT / "records", again).returncode == 0

    def digest(folder: Path) -> dict[str, str]:
        return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in folder.rglob("*") if p.is_file()}
    assert digest(again) == digest(example_sites)


def test_invalid_records_leave_the_published_site_untouched(tmp_path):
    records = tmp_path / "records"
    subprocess.run(["cp", "-r", str(ROOT / "records"), str(records)], check=True)
    out = tmp_path / "site"
    assert build(records, out, "--audience", "public").returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (records / "problems/2017/P-2017-0002.yaml").write_text("id: P-2017-0002\ntitle: [broken\n", "utf-8")
    result = build(records, out, "--audience", "public")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "P-2017-0002.yaml:2:8: 错误 E-YAML-SYNTAX" in result.stderr   # where the [ opens
    assert "E-REF-MISSING" not in result.stderr     # no cascade from the unreadable file
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


# --- privacy: canaries in every field and record type of the privacy manifest --------------
#
# The fields come from schemas/privacy.yaml, the human-reviewed manifest, never from the flag
# the view strips by: a field whose `internal=True` is removed by mistake still gets its canary
# here, and then shows up on the public site. The city lives in a Git repository whose commits
# carry canaries in their subjects and authors (the internal record pages show Git history).

def _model_of(records: Path, path: Path):
    rel = path.relative_to(records).as_posix()
    return next(m for m in RECORD_TYPES.values() if rel.startswith(m.folder + "/"))


@pytest.fixture(scope="module")
def canary_city(tmp_path_factory):
    base = tmp_path_factory.mktemp("canary")
    assert cli("synth", "--out", str(base), "--problems", "40", "--seed", "3").returncode == 0
    records = base / "records"
    # the one record an internal reference (problem.responsible_person) names: its role is shown
    # wherever the reference is, and nowhere else
    unit = sorted(p.stem for p in (records / "org/units").glob("*.yaml"))[0]
    (records / "org/people/canary-person.yaml").write_text(
        f"id: canary-person\nrole: CANARYROLE0000000000\nunit: {unit}\n", "utf-8")
    canaries: list[str] = ["CANARYROLE0000000000"]
    hidden: list[str] = []
    planted: set[str] = set()
    hidden_types: set[str] = set()
    first_of_type: set[str] = set()
    for path in sorted(records.rglob("*.yaml")):
        data = yaml.load(path.read_text("utf-8"), Loader=yaml.BaseLoader)  # everything as text
        model = _model_of(records, path)
        token = f"CANARY{hashlib.sha1(data['id'].encode()).hexdigest()[:10]}"
        for field, values in privacy_manifest.plant(data, model.type_name, token, {"person": "canary-person"}).items():
            if values:
                planted.add(f"{model.type_name}.{field}")
                canaries.extend(re.findall(r"CANARY[0-9a-f]{16}", json.dumps(values)))
        # one record of each type with a title or name is made internal as a whole
        label_field = "title" if "title" in model.model_fields else ("name" if "name" in model.model_fields else None)
        if label_field and model.type_name not in first_of_type and model.type_name != "campaign":
            first_of_type.add(model.type_name)
            token = f"CANARYHIDDEN{model.type_name}"
            data["visibility"] = "internal"
            data[label_field] = token
            hidden.append(token)
        # the records of an internal type that no public circular has published
        if model.type_name in privacy_manifest.INTERNAL_TYPES and data.get("state") != "published":
            data["summary"] = f"CANARYCASE{data['id']}"
            hidden.append(data["summary"])
            hidden_types.add(model.type_name)
        path.write_text(dump(data), "utf-8")
    # every line of the manifest has a canary somewhere in the city
    assert planted == set(privacy_manifest.MANIFEST["fields"]), set(privacy_manifest.MANIFEST["fields"]) - planted
    assert privacy_manifest.INTERNAL_TYPES <= hidden_types
    # The records live in a Git repository whose commit subjects and authors name people: the
    # public site must show neither. The last commit touches an internal record only, on a day
    # no record mentions: no public page may be dated by it.
    _commit(base, "records", COMMIT_SUBJECT, COMMIT_AUTHOR, "2030-03-01T10:00:00+08:00")
    internal_only = next(p for p in sorted(records.rglob("*.yaml")) if "visibility: internal" in p.read_text("utf-8"))
    internal_only.write_text(internal_only.read_text("utf-8").replace("CANARYHIDDEN", "CANARYHIDDEN "), "utf-8")
    _commit(base, internal_only.relative_to(base).as_posix(), "CANARYINTERNALONLY 改内部记录", COMMIT_AUTHOR,
            "2031-01-02T10:00:00+08:00")
    out = base / "site"
    result = build(records, out)
    assert result.returncode == 0, result.stdout + result.stderr
    return out, canaries, hidden


COMMIT_SUBJECT = "CANARYSUBJECT 张三 13812345678 录入反映人信息"
COMMIT_AUTHOR = "CANARYAUTHOR 李四"


def _commit(repo: Path, path: str, subject: str, author: str, date: str) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(repo), "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": author,
           "GIT_COMMITTER_NAME": author, "GIT_AUTHOR_EMAIL": "13812345678@example.invalid",
           "GIT_COMMITTER_EMAIL": "13812345678@example.invalid", "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    for args in (["init", "-q"], ["add", "--", path], ["commit", "-q", "-m", subject]):
        subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args], cwd=repo,
                       env=env, check=True, capture_output=True)


def test_no_canary_reaches_the_public_site(canary_city):
    out, canaries, hidden = canary_city
    assert len(canaries) > 100 and len(hidden) > 10
    files = site_text(out / "public")
    assert {"data/problems.xlsx", "data/problems.csv", "feed.xml", "dashboards/index.html"} <= set(files)
    public = "\n".join(files.values()).lower()      # the search index keeps terms in lower case
    leaked = [c for c in canaries + hidden if c.lower() in public]
    assert not leaked, leaked[:10]
    assert "canary" not in public
    assert not (out / "public/admin").exists()      # the form editor (/admin/) is internal only


def test_no_commit_subject_author_or_commit_date_reaches_the_public_site(canary_city):
    """Commit subjects and authors are the staff's (HTML, search index, feed, downloads): the
    public pages are dated by the records, so a commit that touched only an internal record
    dates nothing either."""
    out, _, _ = canary_city
    public = "\n".join(site_text(out / "public").values())
    for secret in ("13812345678", "张三", "李四", "CANARYSUBJECT", "CANARYAUTHOR", "CANARYINTERNALONLY",
                   "2030年3月1日", "2031年1月2日", "2030-03-01", "2031-01-02", "修改记录"):
        assert secret.lower() not in public.lower(), secret
    assert public.count("最后更新") > 40
    internal = "\n".join(site_text(out / "internal").values())
    for kept in (COMMIT_SUBJECT, COMMIT_AUTHOR, "修改记录", "2031年1月2日"):
        assert kept in internal, kept


def test_canaries_do_reach_the_internal_site(canary_city):
    out, canaries, hidden = canary_city
    assert (out / "internal/admin/index.html").is_file()
    files = site_text(out / "internal")
    internal = "\n".join(files.values())
    assert sum(c in internal for c in canaries) > len(canaries) // 4
    assert any(h in internal for h in hidden)
    # the responsible person, by name (internal) where the public site would show the role
    assert f"CANARY{hashlib.sha1(b'canary-person').hexdigest()[:10]}" in internal
    # the internal search index holds internal text; the public check reads the public one
    index = "\n".join(text for name, text in files.items() if name.startswith("search/d/"))
    assert any(c in index for c in canaries + hidden)


# --- injection: markup in every text field ----------------------------------------------

# Each script payload sets window.__injected (the browser test checks it stays unset; its control
# test shows each one does set it in a page that neither escapes nor has a CSP) and alerts.
PAYLOADS = ['<script>window.__injected=1;alert("x1")</script>', '<img src=x onerror="window.__injected=2;alert(2)">',
            '[点我](javascript:window.__injected=3;alert(3))', '"><svg onload="window.__injected=4;alert(4)">',
            "{{ 7*'7' }}{% raw %}", "**粗体** `code` # 标题 <b>b</b>"]


# Fields that allow Markdown (rendered, then sanitised): emphasis there is meant, so the Markdown
# payload is not put in them (which file gets which payload depends on how many files there are).
MARKDOWN_FIELDS = {("circular", "body")}


def _inject(data: dict, model, payload: str) -> None:
    for spec in field_specs(model):
        value = data.get(spec.name)
        if payload == PAYLOADS[-1] and (getattr(model, "type_name", ""), spec.name) in MARKDOWN_FIELDS:
            continue
        if spec.text and not spec.internal and value is not None and spec.name != "id":
            data[spec.name] = [payload + str(v) for v in value] if spec.many else payload + str(value)
        elif spec.part is not None and value:
            for item in (value if spec.many else [value]):
                _inject(item, spec.part, payload)


@pytest.fixture(scope="module")
def injected_city(tmp_path_factory):
    base = tmp_path_factory.mktemp("inject")
    assert cli("synth", "--out", str(base), "--problems", "30", "--seed", "4").returncode == 0
    records = base / "records"
    for i, path in enumerate(sorted(records.rglob("*.yaml"))):
        data = yaml.load(path.read_text("utf-8"), Loader=yaml.BaseLoader)
        model = next(m for m in RECORD_TYPES.values()
                     if path.relative_to(records).as_posix().startswith(m.folder + "/"))
        _inject(data, model, PAYLOADS[i % len(PAYLOADS)])
        path.write_text(dump(data), "utf-8")
    out = base / "site"
    result = build(records, out)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


class _Elements(HTMLParser):
    """Every element a browser would build from a page, with its attributes and script text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def test_injected_markup_is_never_markup(injected_city):
    checked = 0
    for site in ("public", "internal"):
        for name, text in site_text(injected_city / site).items():
            if not name.endswith(".html"):
                continue
            parser = _Elements()
            parser.feed(text)
            checked += 1
            for tag, attrs in parser.elements:
                assert not [a for a in attrs if a.startswith("on")], (name, tag, attrs)
                for key in ("href", "src", "action"):
                    assert not (attrs.get(key) or "").strip().lower().startswith("javascript:"), (name, attrs)
                assert tag not in ("svg", "b") or "alert" not in str(attrs), (name, tag)
                assert not (tag == "img" and attrs.get("src") == "x"), name
            assert not any("alert(" in script for script in parser.scripts), name
            # a template that ran the payload would print 7777777 (a number like 49 may be a real count)
            assert "<strong>粗体</strong>" not in text and "7777777" not in text, name
    assert checked > 100


def test_a_killed_build_leaves_the_published_site_as_it_was(tmp_path, example_sites):
    import shutil
    import signal
    import time
    out = tmp_path / "site"
    shutil.copytree(example_sites, out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    process = subprocess.Popen([sys.executable, "-m", "generator", "build", "--records", str(ROOT / "records"),
                                "--out", str(out), "--work", str(tmp_path / "work"), "--as-of", "2017-06-15"],
                               cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": "/tmp"})
    # wait until MkDocs is writing the new site, then kill without warning
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list((tmp_path / "work").glob("*/site/problems")):
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    # the next build cleans up what the killed one left and publishes normally
    assert build(ROOT / "records", out).returncode == 0
    # the site it replaced is removed by a detached process, soon after the swap
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and [p for p in out.iterdir() if p.name.startswith(".")]:
        time.sleep(0.1)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_a_clean_clone_builds_the_same_site(tmp_path, example_sites):
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "records", "generator", "site_templates", "mkdocs.yml"],
                           cwd=ROOT, capture_output=True, text=True).stdout
    if dirty.strip() or not (ROOT / ".git").exists():
        pytest.skip("the working tree has uncommitted changes to what the site is built from")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    installed = ROOT / "tools/cms/node_modules"      # what `make cms` installs (the form at /admin/)
    if installed.exists():
        (clone / "tools/cms/node_modules").symlink_to(installed.resolve())
    out = tmp_path / "site"
    result = subprocess.run([sys.executable, "-m", "generator", "build", "--out", str(out), "--work", str(tmp_path / "w"),
                             "--as-of", AS_OF], cwd=clone, capture_output=True, text=True,
                            env={"PYTHONPATH": str(clone), "PATH": "/usr/bin:/bin", "HOME": "/tmp"})
    assert result.returncode == 0, result.stderr

    def digest(folder: Path) -> dict[str, str]:
        return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in folder.rglob("*") if p.is_file()}
    assert digest(out) == digest(example_sites)
