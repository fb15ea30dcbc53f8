"""The form editor at /admin/ of the internal site (Decap CMS, generator/site/cms.py).

Fast tests: the configuration comes from the record model, and the record writer in
site_templates/admin/taizhang-cms.js (run under node) writes what `fmt` writes and keeps what
the form did not change. Slow test: a real browser creates a problem and records a state change
through the form, against decap-server on a temporary copy of the records in Git; the files that
arrive validate and are formatted.
"""
from __future__ import annotations

import contextlib
import difflib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from generator.site.cms import JS_YAML, TEMPLATES, decap_config, model_shapes
from generator.authoring.fmt import format_text
from generator.catalog.catalog import build_catalog
from generator.model.lifecycle import STATE_LABELS
from generator.validate.load import _classify, parse_text
from generator.model import RECORD_TYPES
from generator.model.fields import field_specs

ROOT = Path(__file__).resolve().parents[1]
NODE = shutil.which("node")
CMS_MODULES = ROOT / "tools" / "cms" / "node_modules"
needs_node = pytest.mark.skipif(not NODE, reason="needs node (the form's record writer is JavaScript)")
needs_cms = pytest.mark.skipif(not (CMS_MODULES / "decap-cms").is_dir() or not JS_YAML.is_file(),
                               reason="run `make test` (installs tools/cms: Decap CMS, decap-server, js-yaml)")


def _catalog():
    import datetime as dt
    records = []
    for path in sorted((ROOT / "records").rglob("*.yaml")):
        model, _year = _classify(path.relative_to(ROOT / "records"))
        if model is not None:
            records.append((str(path), model.model_validate(yaml.safe_load(path.read_text("utf-8")))))
    return build_catalog(records, dt.date(2017, 5, 31), "internal")


@pytest.fixture(scope="module")
def config():
    return decap_config(_catalog(), {"name": "github", "repo": "example/taizhang", "branch": "main"})


def _fields(collection: dict) -> dict:
    return {f["name"]: f for f in collection["fields"]}


def test_one_collection_per_record_type_in_its_folder_with_every_field(config):
    assert config["locale"] == "zh_Hans" and config["publish_mode"] == "editorial_workflow"
    assert config["backend"]["name"] == "github" and config["local_backend"]["url"].startswith("http://127.0.0.1:")
    collections = {c["name"]: c for c in config["collections"]}
    assert set(collections) == set(RECORD_TYPES)
    for name, model in RECORD_TYPES.items():
        c = collections[name]
        assert c["folder"] == f"records/{model.folder}" and c["extension"] == "yaml"
        assert c["label"] == model.label and c["format"] == f"taizhang-{name}"
        assert c.get("path") == ("{{year}}/{{slug}}" if model.yearly else None)
        fields = _fields(c)
        assert list(fields)[0] == "id" and set(fields) == {s.name for s in field_specs(model)}
        for spec in field_specs(model):
            if spec.name == "id":
                continue
            assert fields[spec.name]["label"].startswith(spec.title)
            assert fields[spec.name]["required"] == model.model_fields[spec.name].is_required(), (name, spec.name)
            if spec.internal:
                assert "内部字段" in fields[spec.name]["hint"] and "（内部）" in fields[spec.name]["label"]


def test_widgets_follow_the_field_types(config):
    problem = _fields(next(c for c in config["collections"] if c["name"] == "problem"))
    assert problem["found"]["widget"] == "tz-date" and problem["found"]["today_default"] is True
    assert problem["source"]["widget"] == "select"
    assert {"label": "媒体曝光", "value": "media"} in problem["source"]["options"]
    district = problem["district"]           # one target type: a relation searched by name
    assert (district["widget"], district["collection"], district["value_field"]) == ("relation", "district", "id")
    assert district["search_fields"] == ["name", "id"] and "搜索" in district["hint"]
    assert problem["supporting_units"]["multiple"] is True
    unit = problem["responsible_unit"]       # unit or district: one select over both, with names
    assert unit["widget"] == "select"
    assert {"label": "责任单位：盘龙区城市管理局（panlong-city-management）",
            "value": "panlong-city-management"} in unit["options"]
    assert any(o["label"].startswith("区（县、市）和园区：盘龙区") for o in unit["options"])
    history = problem["history"]
    assert history["widget"] == "list" and history["required"] is True
    assert history["default"] == [{"state": "registered", "by": "hq-office"}]
    event = _fields(history)
    assert [o["label"] for o in event["state"]["options"]] == list(STATE_LABELS.values())
    assert event["date"]["widget"] == "tz-date" and event["new_deadline"]["required"] is False
    assert history["summary"] == "{{fields.date}} {{fields.state}}"
    assert history["summary_labels"] == {"state": STATE_LABELS}       # collapsed rows: 整改中, not rectifying
    assert problem["urgings"]["summary_labels"]["by"]["hq-office"] == "总指挥部办公室"
    street = problem["street"]               # a select of the chosen district's streets
    assert street["widget"] == "tz-street" and ["panlong-s01", "拓东街道"] in street["streets"]["panlong"]
    assert "streets 的编号" not in street["hint"]
    assert event["internal_note"]["hint"].startswith("内部字段")
    reporter = problem["reporter"]           # an optional part: its fields are not demanded
    assert reporter["widget"] == "object" and not any(f["required"] for f in reporter["fields"])
    assert problem["title"]["pattern"][0] == "^[\\s\\S]{0,200}$"
    assert problem["id"]["widget"] == "tz-id" and problem["id"]["id_prefix"] == "P"
    district_type = _fields(next(c for c in config["collections"] if c["name"] == "district"))
    assert district_type["id"]["widget"] == "tz-code" and district_type["id"]["pattern"][0] == "^[a-z][a-z0-9-]{1,62}$"
    assessment = _fields(next(c for c in config["collections"] if c["name"] == "assessment"))
    score = _fields(assessment["scores"])["score"]
    assert (score["widget"], score["value_type"], score["min"], score["max"]) == ("number", "float", 0, 100)
    person = next(c for c in config["collections"] if c["name"] == "person")
    assert person["summary"] == "{{id}} {{role}}"      # people are known by role: names are internal


# --- the record writer (JavaScript, under node) --------------------------------------------

_HARNESS = """
globalThis.window = globalThis;
globalThis.jsyaml = require(process.argv[1]);
require(process.argv[2]);
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
window.TaizhangCMS.setModel(input.model);
process.stdout.write(JSON.stringify(input.jobs.map(job => {
  if (job.original !== undefined) window.TaizhangCMS.format(job.type).fromFile(job.original);
  return window.TaizhangCMS.recordText(job.type, job.data);
})));
"""


def _write(jobs: list[dict]) -> list[str]:
    result = subprocess.run([NODE, "-e", _HARNESS, str(JS_YAML), str(TEMPLATES / "taizhang-cms.js")],
                            input=json.dumps({"model": model_shapes(), "jobs": jobs}),
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def _data(text: str) -> dict:
    """What the form holds for a file: YAML 1.2 values (the validator's loader), dates as text."""
    data, problem = parse_text("record.yaml", text)
    assert problem is None, problem
    return json.loads(json.dumps(data, default=str))


@needs_node
@needs_cms
def test_writer_keeps_unchanged_records_and_writes_fmt_canonical_form():
    records = ROOT / "records"
    files = []
    for path in sorted(records.rglob("*.yaml")):
        model, _year = _classify(path.relative_to(records))
        if model is not None:
            files.append((path, model, path.read_text("utf-8")))
    jobs = []
    for _path, model, text in files:
        jobs.append({"type": model.type_name, "data": _data(text), "original": text})
        jobs.append({"type": model.type_name, "data": _data(text)})
    out = _write(jobs)
    assert len(files) > 500
    for i, (path, model, text) in enumerate(files):
        kept, fresh = out[2 * i], out[2 * i + 1]
        assert kept == text, path                       # nothing changed: byte for byte
        assert format_text(fresh, model) == fresh, path  # written anew: already canonical
        assert _data(fresh) == _data(text), path


TRICKY = ["abc", "13900569389", "a: b", "- x", "#x", "x #y", "true", "yes", "null", "2017-05-08", "1.5",
          "a'b", '"q"', "line1\nline2", "多行\n文字\n", "trailing ", " lead", "x:", "@at", "%p", "`b", "a,b",
          "[x]", "{x}", "x]", "?x", "? x", "!x", "*x", "&x", "|x", ">x", "0x1F", "1e3", ".5", "~", "NO", "on",
          "中文：冒号", "a\tb", "12:30", "+1", "0o17", ".inf", "1_000", "0777", "-", "- ", "a\\b", "Null",
          "\u200b", "é", "---x", "...", "a\x01b", "\ufeffx", "a  b", "a \nb", "a\n b", "\U0001F600笑", "=",
          "<<", "1:2", "-1", "-.5", "\xa0x", "it's\nok", "a\"b'c", "广告牌\u3000破损", "\\n"]


@needs_node
@needs_cms
def test_writer_quotes_strings_exactly_as_fmt_does():
    problem = RECORD_TYPES["problem"]
    base = {"id": "P-2017-0001", "district": "panlong", "source": "media", "found": "2017-05-01",
            "responsible_unit": "panlong-city-management", "deadline": "2017-05-02"}
    jobs = [{"type": "problem", "data": base | {"title": text, "reporter": {"phone": text},
                                                "history": [{"date": "2017-05-01", "state": "registered",
                                                             "note": text, "evidence": [text]}]}}
            for text in TRICKY]
    for text, written in zip(TRICKY, _write(jobs)):
        assert format_text(written, problem) == written, (text, written)
        back = _data(written)
        assert back["title"] == back["reporter"]["phone"] == back["history"][0]["note"] == text, written
        assert back["history"][0]["evidence"] == [text]


@needs_node
@needs_cms
def test_writer_drops_empty_inputs_and_defaults_and_keeps_comments_of_untouched_fields():
    original = ("# 问题（由 python -m generator new 创建于 2017-05-20）\n"
                "id: P-2017-0100\n"
                "title: 金碧路公交站台广告牌破损   # 标题\n"
                "district: panlong\n"
                "source: complaint\n"
                "found: 2017-05-20\n"
                "responsible_unit: panlong-city-management\n"
                "deadline: 2017-06-20   # 整改时限\n"
                "history:   # 整改过程\n"
                "  - date: 2017-05-20\n"
                "    state: registered\n"
                "    by: hq-office   # 总指挥部办公室\n"
                "urgings:\n"
                "  - date: 2017-05-21\n"
                "    by: hq-office\n")
    problem = RECORD_TYPES["problem"]
    assert format_text(original, problem) == original
    data = _data(original)
    # what Decap hands over after a state change: empty inputs and defaults filled in
    data.update(visibility="public", description="", reporter={"name": "", "phone": None},
                supporting_units=[], street=None)
    data["history"].append({"date": "2017-05-22", "state": "assigned", "by": "hq-office", "note": "",
                            "evidence": [], "reason": None})
    written, = _write([{"type": "problem", "data": data, "original": original}])
    expected = original.replace("urgings:", "  - date: 2017-05-22\n    state: assigned\n    by: hq-office\nurgings:")
    assert written == expected
    assert format_text(written, problem) == written
    # a new record, no original: defaults and empty parts are left out, keys in model order
    data = {"history": [{"state": "registered", "date": "2017-05-20"}], "id": "P-2017-0101",
            "deadline": "2017-06-20", "title": "x", "visibility": "public", "district": "panlong",
            "source": "media", "found": "2017-05-20", "responsible_unit": "panlong-city-management",
            "instruction": {"by_role": "", "text": ""}, "undercover_footage": [""]}
    written, = _write([{"type": "problem", "data": data}])
    assert written == ("id: P-2017-0101\ntitle: x\ndistrict: panlong\nsource: media\nfound: 2017-05-20\n"
                       "responsible_unit: panlong-city-management\ndeadline: 2017-06-20\n"
                       "history:\n  - date: 2017-05-20\n    state: registered\n")


# --- a real browser, the local backend, a temporary Git copy of the records -----------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


VERIFIED = "records/problems/2017/P-2017-0056.yaml"
COMMENTED = {"deadline: 2017-05-09\n": "deadline: 2017-05-09   # 原定整改时限\n",
             "    state: assigned\n": "    state: assigned   # 交办\n"}


@contextlib.contextmanager
def local_cms(base: Path):
    """The internal site's /admin/ served on localhost and decap-server (git mode, editorial
    workflow) on a temporary repository holding a copy of records/ (never the working copy).
    Also used by tools/cms/screenshot.py."""
    from test_browser import _serve
    from test_site import build
    repo = base / "repo"
    shutil.copytree(ROOT / "records", repo / "records")
    edited = repo / "records/problems/2017/P-2017-0008.yaml"     # comments the form must keep
    text = edited.read_text("utf-8")
    for old, new in COMMENTED.items():
        text = text.replace(old, new, 1)
    assert format_text(text, RECORD_TYPES["problem"]) == text
    edited.write_text(text, "utf-8")
    verified = repo / VERIFIED                                    # verified, its evidence not yet given
    verified.write_text(verified.read_text("utf-8").replace(
        "    evidence:\n      - attachments/2017/P-2017-0056-after.jpg\n", ""), "utf-8")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.name", "测试")
    _git(repo, "config", "user.email", "test@example.invalid")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "示例记录")
    out = base / "site"
    result = build(repo / "records", out, "--audience", "internal")
    assert result.returncode == 0, result.stderr
    port = _free_port()
    settings_path = out / "internal/admin/config.json"
    settings = json.loads(settings_path.read_text("utf-8"))
    settings["decap"]["local_backend"]["url"] = f"http://127.0.0.1:{port}/api/v1"
    settings_path.write_text(json.dumps(settings, ensure_ascii=False), "utf-8")
    env = os.environ | {"PORT": str(port), "BIND_HOST": "127.0.0.1", "MODE": "git",
                        "GIT_REPO_DIRECTORY": str(repo), "LOG_LEVEL": "warn"}
    server = subprocess.Popen([NODE, str(CMS_MODULES / "decap-server/dist/index.js")], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    http = None
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        http, url = _serve(out / "internal")
        yield {"url": url + "/admin/", "repo": repo, "original": text}
    finally:
        if http is not None:
            http.shutdown()
            http.server_close()
        server.terminate()
        server.wait(10)


@pytest.fixture(scope="module")
def cms(tmp_path_factory):
    if not NODE or not (CMS_MODULES / "decap-server").is_dir():
        pytest.skip("run `make test` (installs tools/cms: Decap CMS, decap-server, js-yaml)")
    with local_cms(tmp_path_factory.mktemp("cms")) as session:
        yield session


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1280, "height": 1000}, locale="zh-CN")
    page.set_default_timeout(60_000)      # Decap's bundle is large; CI runs other builds alongside
    seen = {"requests": [], "errors": [], "dialogs": []}
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("console", lambda m: m.type == "error" and "Content Security Policy" in m.text and seen["errors"].append(m.text))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.accept()))
    page.goto(url)
    page.get_by_role("button", name="登录").click()
    return page, seen


def _choose(page, field: str, text: str) -> None:
    """Type into a select or relation widget and take the first match."""
    page.locator(f"[id^={field}-field]").last.fill(text)
    option = page.locator("[id^=react-select][id*=-option-]").first
    option.wait_for(timeout=60_000)
    assert text in option.inner_text()
    option.click()


def _settled(repo: Path, timeout: float = 60) -> None:
    """Wait until decap-server has put the repository back on main with a clean working tree: in
    git mode it checks out the entry's branch while saving or publishing, so right after the page
    says “saved” the file may still be in the working tree for a moment."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline:
        lock = (repo / ".git" / "index.lock").exists()
        head = subprocess.run(["git", "-C", str(repo), "symbolic-ref", "-q", "HEAD"], capture_output=True,
                              text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=all",
                                "records"], capture_output=True, text=True).stdout.strip()
        quiet = quiet + 1 if (not lock and head == "refs/heads/main" and not dirty) else 0
        if quiet >= 3:
            return
        time.sleep(0.2)
    raise AssertionError(f"decap-server did not leave {repo} on a clean main after {timeout} s "
                         f"(index.lock: {lock}, HEAD: {head or 'detached'}, changed: {dirty[:300]!r})")


def _publish(page) -> None:
    """Editorial workflow: mark the entry ready, then publish it (merges its branch)."""
    page.get_by_text("状态: 草稿").click()
    page.get_by_role("menuitem", name="就绪").click()
    page.wait_for_selector("text=状态: 就绪")
    page.get_by_role("button", name="发布", exact=True).click()
    page.get_by_role("menuitem", name="立即发布").click()
    page.wait_for_selector("text=已发布", timeout=60_000)


def _validate(repo: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", "validate", "--records", str(repo / "records")],
                          cwd=ROOT, capture_output=True, text=True)


def _fmt_check(repo: Path, path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", "fmt", "--check", "--records",
                           str(repo / "records"), str(path)], cwd=ROOT, capture_output=True, text=True)


@pytest.mark.slow
def test_form_creates_a_problem_that_validates_and_is_formatted(cms, browser):
    page, seen = _open(browser, cms["url"] + "#/collections/problem/new")
    id_input = page.locator("[id^=id-field]")
    page.wait_for_function("document.querySelector('[id^=id-field]') && document.querySelector('[id^=id-field]').value")
    record_id = id_input.input_value()
    year = record_id.split("-")[1]
    assert record_id == f"P-{year}-0001"        # the copy has no problem of this year yet
    assert page.locator("[id^=found-field]").input_value() == page.evaluate(
        "new Intl.DateTimeFormat('en-CA', {timeZone: 'Asia/Shanghai'}).format(new Date())")
    # dates are typed and shown as YYYY-MM-DD, in Beijing time; no UTC, no mm/dd/yyyy
    assert "UTC" not in page.locator("body").inner_text() and page.get_by_text("北京时间").count() > 1
    page.locator("[id^=title-field]").fill("金碧路公交站台公益广告牌破损")
    page.locator("[id^=description-field]").fill("金碧路公交站台：公益广告牌破损，“讲文明树新风”字样脱落。")
    street = page.locator("[id^=street-field]")
    assert street.is_disabled()                                   # no district yet: no streets to offer
    _choose(page, "district", "盘龙")
    street_names = street.locator("option").all_inner_texts()
    assert street_names[0] == "（不填街道）" and "拓东街道（panlong-s01）" in street_names
    assert not [n for n in street_names[1:] if "panlong-s" not in n]          # only the district's own
    street.select_option("panlong-s02")
    _choose(page, "source", "群众投诉")
    _choose(page, "responsible_unit", "盘龙区城市管理")
    _choose(page, "site_type", "公交")
    page.locator("[id^=deadline-field]").fill(f"{year}-02-30")         # no such day: not saved
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_selector("text=日期应写成 YYYY-MM-DD", timeout=60_000)
    assert _git(cms["repo"], "branch", "--list", "cms/*") == ""
    page.locator("[id^=deadline-field]").fill(f"{year}-12-31")
    page.locator("[id^=deadline-field]").blur()
    page.screenshot(path=str(cms["repo"] / "form.png"))
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_selector("text=修改已保存", timeout=60_000)
    _settled(cms["repo"])
    branches = _git(cms["repo"], "branch", "--list", "cms/*")
    assert f"cms/problem/{year}/p-{year}-0001" in branches       # a branch: the pull request
    path = cms["repo"] / f"records/problems/{year}/{record_id}.yaml"
    assert not path.exists()                                      # not in main until published
    _publish(page)
    _settled(cms["repo"])
    assert path.is_file()
    text = path.read_text("utf-8")
    assert text.startswith(f"id: {record_id}\ntitle: 金碧路公交站台公益广告牌破损\n")
    data = yaml.safe_load(text)
    assert data["district"] == "panlong" and data["source"] == "complaint" and data["site_type"] == "bus-stop"
    assert data["responsible_unit"] == "panlong-city-management" and str(data["deadline"]) == f"{year}-12-31"
    assert data["street"] == "panlong-s02"
    assert [e["state"] for e in data["history"]] == ["registered"] and data["history"][0]["by"] == "hq-office"
    assert "visibility" not in data and "reporter" not in data
    result = _validate(cms["repo"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert record_id not in result.stdout                         # not even a warning about it
    result = _fmt_check(cms["repo"], path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert all(u.startswith(("http://127.0.0.1:", "data:", "blob:")) for u in seen["requests"]), seen["requests"]
    assert seen["errors"] == []


@pytest.mark.slow
def test_form_records_a_state_change_and_keeps_the_rest_of_the_file(cms, browser):
    page, seen = _open(browser, cms["url"] + "#/collections/problem/entries/2017/P-2017-0008")
    page.wait_for_selector("text=新增整改过程", timeout=60_000)
    # collapsed events are summed up in Chinese: date and state label, never the state's code
    body = page.locator("body").inner_text()
    assert "2017-04-11 交办" in body and "2017-04-14 整改中" in body and "2017-05-12 总指挥部办公室" in body
    assert not any(code in body for code in ("registered", "assigned", "acknowledged", "rectifying", "hq-office"))
    page.get_by_role("button", name="新增整改过程").click()
    # the new event is the last one; its date starts as today
    _choose(page, "state", "销号")
    page.get_by_role("button", name="保存", exact=True).click()
    # the form refuses a change the lifecycle does not allow, and says why, in Chinese only
    toast = page.locator(".Toastify").get_by_text("不能从“整改中”直接变为“销号”")
    toast.wait_for(timeout=60_000)
    assert toast.inner_text().startswith("未保存：") and "Error" not in toast.inner_text()
    assert _git(cms["repo"], "branch", "--list", "cms/problem/2017/*") == ""
    page.locator("[id^=state-field]").last.fill("已反馈")
    page.keyboard.press("Enter")
    event = page.locator("[id^=state-field]").last.locator(          # the new event's own inputs
        "xpath=ancestor::div[.//*[starts-with(@id, 'note-field')]][1]")
    event.locator("[id^=note-field]").fill("已修复志愿服务站并安排专人值守")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_selector("text=修改已保存", timeout=60_000)
    _settled(cms["repo"])
    _publish(page)
    _settled(cms["repo"])
    path = cms["repo"] / "records/problems/2017/P-2017-0008.yaml"
    text = path.read_text("utf-8")
    old, new = cms["original"].splitlines(), text.splitlines()
    changes = [op for op in difflib.SequenceMatcher(a=old, b=new).get_opcodes() if op[0] != "equal"]
    assert [op[0] for op in changes] == ["insert"], [new[j1:j2] for _t, _i1, _i2, j1, j2 in changes]  # only added lines
    _tag, i1, _i2, j1, j2 = changes[0]
    assert old[i1] == "urgings:"                                  # right after the last event
    added = new[j1:j2]
    assert added[0].startswith("  - date: ") and added[1:] == [
        "    state: reported", "    note: 已修复志愿服务站并安排专人值守"]
    assert "deadline: 2017-05-09   # 原定整改时限" in text and "    state: assigned   # 交办" in text
    assert _fmt_check(cms["repo"], path).returncode == 0
    result = _validate(cms["repo"])
    assert result.returncode == 0, result.stdout + result.stderr
    log = _git(cms["repo"], "log", "--format=%s", "-3")
    assert "修改问题 2017/P-2017-0008（网页表单）" in log
    assert seen["errors"] == []


@pytest.mark.slow
def test_ids_of_existing_records_are_read_only_and_the_login_button_stands_clear(cms, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page.set_default_timeout(60_000)
    page.goto(cms["url"])
    logo = page.locator("[class*=StyledAuthenticationPage] > [class*=LogoIcon] svg").bounding_box()
    login = page.get_by_role("button", name="登录").bounding_box()
    assert login["y"] - (logo["y"] + logo["height"]) >= 16, (logo, login)    # clear of the logo, not touching it
    page.get_by_role("button", name="登录").click()
    for entry in ("district/entries/panlong", "problem/entries/2017/P-2017-0008"):
        page.goto(cms["url"] + "#/collections/" + entry)
        page.reload()
        record_id = page.locator("[id^=id-field]").first
        record_id.wait_for()
        assert record_id.evaluate("e => e.readOnly"), entry
    page.goto(cms["url"] + "#/collections/district/new")
    page.reload()
    new_id = page.locator("[id^=id-field]").first
    new_id.wait_for()
    assert not new_id.evaluate("e => e.readOnly")                           # a new record's id is typed
    page.close()


# --- the form and the command line refuse the same cases -----------------------------------

def _cli_codes(repo: Path, record_id: str, args: list[str]) -> set[str]:
    """The error codes `transition --dry-run` gives for the same event (nothing is written)."""
    import re
    result = subprocess.run([sys.executable, "-m", "generator", "transition", record_id, *args, "--dry-run",
                             "--records", str(repo / "records"), "--no-cache"],
                            cwd=ROOT, capture_output=True, text=True)
    assert "Traceback" not in result.stderr
    assert result.returncode == (1 if "错误 E-" in result.stderr else 0), result.stderr
    return set(re.findall(r"错误 (E-[A-Z-]+) ", result.stderr))


def _new_event(page, record_id: str, state: str, fields: dict):
    """Open the problem, add an event of `state` (its date today, as the form sets it) with
    `fields`, and press 保存; return the new event's part of the form."""
    page.goto(page.url.split("#")[0] + f"#/collections/problem/entries/2017/{record_id}")
    page.wait_for_selector("text=新增整改过程", timeout=60_000)
    page.get_by_role("button", name="新增整改过程").click()
    _choose(page, "state", state)
    event = page.locator("[id^=state-field]").last.locator(          # the new event's own inputs
        "xpath=ancestor::div[.//*[starts-with(@id, 'note-field')]][1]")
    for name, value in fields.items():
        if name == "approved_by":
            _choose(page, name, value)
        else:
            field = event.locator(f"[id^={name}-field]")
            field.fill(value)
            field.blur()
    page.get_by_role("button", name="保存", exact=True).click()
    return event


# (problem, state in the form, the form's inputs, the same event for `transition`)
REFUSED = [
    ("P-2017-0058", "销号", {}, ["closed"]),
    ("P-2017-0058", "延期", {"reason": "需协调搬迁", "new_deadline": "2017-06-01", "approved_by": "总指挥部办公室"},
     ["extended", "--reason", "需协调搬迁", "--new-deadline", "2017-06-01", "--approved-by", "hq-office"]),
    ("P-2017-0058", "延期", {"new_deadline": "2017-06-30", "approved_by": "总指挥部办公室"},
     ["extended", "--new-deadline", "2017-06-30", "--approved-by", "hq-office"]),
    ("P-2017-0058", "已反馈", {"note": "已整改\u202e完毕"}, ["reported", "--note", "已整改\u202e完毕"]),
    ("P-2017-0058", "已反馈", {"date": "2017-05-10"}, ["reported", "--date", "2017-05-10"]),
    (VERIFIED.rsplit("/", 1)[1][:-5], "销号", {}, ["closed"]),
]


@pytest.mark.slow
def test_form_and_command_line_refuse_the_same_cases(cms, browser):
    import re
    page, seen = _open(browser, cms["url"])
    for record_id, state, fields, args in REFUSED:
        expected = _cli_codes(cms["repo"], record_id, args)
        assert expected, (record_id, args)
        _new_event(page, record_id, state, fields)
        shown = page.locator(".Toastify").get_by_text("未保存：", exact=False).last
        shown.wait_for(timeout=60_000)
        assert set(re.findall(r"E-[A-Z]+(?:-[A-Z]+)*", shown.inner_text())) == expected, (record_id, args, shown.inner_text())
        assert _git(cms["repo"], "branch", "--list", "cms/problem/2017/*") == ""   # nothing saved
        page.close()
        page, seen = _open(browser, cms["url"])
    # the closing path: a verified problem without evidence is closed with the photo on 销号
    record_id = VERIFIED.rsplit("/", 1)[1][:-5]
    assert _cli_codes(cms["repo"], record_id, ["closed", "--evidence", "attachments/2017/P-2017-0056-after.jpg"]) == set()
    event = _new_event(page, record_id, "销号", {})               # refused: no evidence yet
    page.locator(".Toastify").get_by_text("未保存：", exact=False).last.wait_for(timeout=60_000)
    event.get_by_role("button", name="新增佐证材料（相对 records/ 的路径）").click()
    event.locator("[id^=item-field]").last.fill("attachments/2017/P-2017-0056-after.jpg")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_selector("text=修改已保存", timeout=60_000)
    _settled(cms["repo"])
    _publish(page)
    _settled(cms["repo"])
    text = (cms["repo"] / VERIFIED).read_text("utf-8")
    assert "    state: closed\n" in text and text.rstrip().endswith("- attachments/2017/P-2017-0056-after.jpg")
    result = _validate(cms["repo"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert seen["errors"] == []
