"""Screenshots of the form editor for README.md and CONTRIBUTING.md (docs/screenshots/form-*.png).

Runs the same local setup as the browser test (tests/test_cms.py: a temporary Git copy of
records/, decap-server, the internal site's /admin/ on localhost) in Debian's chromium:
    .venv/bin/python tools/cms/screenshot.py
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from playwright.sync_api import sync_playwright  # noqa: E402

from conftest import CHROMIUM  # noqa: E402
from test_cms import _choose, local_cms  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, local_cms(Path(tmp)) as cms, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1100, "height": 860}, locale="zh-CN")
        page.goto(cms["url"])
        page.get_by_role("button", name="登录").click()
        page.goto(cms["url"] + "#/collections/problem/new")
        page.wait_for_function("document.querySelector('[id^=id-field]') && document.querySelector('[id^=id-field]').value")
        page.locator("[id^=title-field]").fill("金碧路公交站台公益广告牌破损")
        page.locator("[id^=description-field]").fill("金碧路公交站台：公益广告牌破损，“讲文明树新风”字样脱落。")
        _choose(page, "district", "盘龙")
        page.locator("[id^=street-field]").select_option("panlong-s02")
        page.locator("[id^=title-field]").click()
        page.screenshot(path=str(OUT / "form-new-problem.png"))
        page = browser.new_page(viewport={"width": 1100, "height": 860}, locale="zh-CN")
        page.goto(cms["url"] + "#/collections/problem/entries/2017/P-2017-0008")
        page.get_by_role("button", name="登录").click()
        page.wait_for_selector("text=新增整改过程", timeout=30_000)
        page.get_by_role("button", name="新增整改过程").click()
        _choose(page, "state", "已反馈")
        page.locator("[id^=state-field]").last.scroll_into_view_if_needed()
        page.mouse.wheel(0, 120)
        page.screenshot(path=str(OUT / "form-state-change.png"))
        browser.close()
    print(f"已写入 {OUT / 'form-new-problem.png'}、{OUT / 'form-state-change.png'}")


if __name__ == "__main__":
    main()
