"""Screenshots of the sites for README.md (docs/screenshots/home.png, problem-mobile.png,
dashboard.png from the public site, decisions-internal.png from the internal one), taken from a
fresh build of the example records in Debian's chromium:
    .venv/bin/python tools/screenshots.py
The PNGs are reduced to a 256-colour palette (Pillow), which keeps text sharp at a third of the size.
"""
from __future__ import annotations

import functools
import http.server
import io
import os
import socketserver
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AS_OF = "2017-05-31"
SHOTS = [   # file, site, page, viewport width, height, the heading scrolled to the top (or None)
    ("home.png", "public", "", 1280, 800, None),
    ("problem-mobile.png", "public", "problems/P-2017-0002/", 390, 844, None),
    ("dashboard.png", "public", "dashboards/", 1280, 900, "红榜与黑榜"),     # the lists and the districts' chart
    ("decisions-internal.png", "internal", "dashboards/decisions/", 1280, 900, "未完成的议定事项（督办清单）"),
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _save(png: bytes, path: Path) -> None:
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    image.save(path, optimize=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        subprocess.run([sys.executable, "-m", "generator", "build", "--audience", "both", "--out", str(out),
                        "--work", str(Path(tmp) / "work"), "--as-of", AS_OF], cwd=ROOT, check=True)
        handler = functools.partial(_Quiet, directory=str(out))
        with socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler) as server, sync_playwright() as p:
            threading.Thread(target=server.serve_forever, daemon=True).start()
            url = f"http://127.0.0.1:{server.server_address[1]}/"
            browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            for name, site, path, width, height, heading in SHOTS:
                page = browser.new_page(viewport={"width": width, "height": height}, color_scheme="light", locale="zh-CN")
                page.goto(url + site + "/" + path)
                if heading:
                    page.locator("h2", has_text=heading).evaluate("h => window.scrollTo(0, h.offsetTop - 70)")
                    page.wait_for_timeout(500)      # Material hides the tabs on scroll (animated)
                _save(page.screenshot(), OUT / name)
                page.close()
            browser.close()
            server.shutdown()


if __name__ == "__main__":
    main()
