"""Stage 6c, search: Pagefind indexes a built site into site/pagefind/.

Material's own search makes every visitor download one index of the whole site (about 70 MB
at 100,000 problems). Pagefind writes the index in chunks and a query fetches only the chunks
and result fragments it needs. Its extended build segments Chinese with ICU4X, close to the
browser's Intl.Segmenter that splits the query. Only content inside `data-pagefind-body` is
indexed: articles, not navigation, and not the list pages.

The binary comes from npm (`make setup` installs tools/pagefind); TAIZHANG_PAGEFIND may name
another pagefind_extended binary.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[1] / "tools" / "pagefind" / "node_modules" / "@pagefind"


class SearchIndexError(Exception):
    """Pagefind is missing or failed."""


def pagefind_binary() -> Path:
    named = os.environ.get("TAIZHANG_PAGEFIND")
    found = [Path(named)] if named else sorted(TOOLS.glob("*/bin/pagefind_extended"))
    if not found or not found[0].is_file():
        raise SearchIndexError("找不到 Pagefind（站内搜索索引工具）：请先运行 make setup（需要 npm）")
    return found[0]


def index_site(site: Path) -> None:
    result = subprocess.run([str(pagefind_binary()), "--site", str(site), "--silent"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SearchIndexError(f"Pagefind 建立搜索索引失败：{result.stderr.strip() or result.stdout.strip()}")
