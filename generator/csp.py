"""A strict Content-Security-Policy for every built page, as a meta tag.

Scripts may come only from this site, plus the few inline scripts Material writes into each
page (they differ only by the page's depth); those are allowed by their SHA-256 hashes, the same
set on every page so that instant navigation between pages of different depths keeps working.
Record text can therefore never run as script, even if escaping failed somewhere.
"""
from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

_INLINE = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S)
_CHARSET = re.compile(rb'<meta charset="utf-8">', re.I)


def policy(hashes: set[str]) -> str:
    scripts = " ".join(f"'sha256-{h}'" for h in sorted(hashes))
    return ("default-src 'self'; "
            f"script-src 'self' {scripts}; "
            "style-src 'self' 'unsafe-inline'; "     # Material sets style attributes from its script
            "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-src 'none'")


def apply_csp(site: Path) -> str:
    """Add the policy to every HTML page under `site`; return it."""
    pages = sorted(site.rglob("*.html"))
    hashes: set[str] = set()
    for page in pages:
        for script in _INLINE.findall(page.read_bytes()):
            hashes.add(base64.b64encode(hashlib.sha256(script).digest()).decode())
    meta = f'<meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy" content="{policy(hashes)}">'
    for page in pages:
        html = page.read_bytes()
        page.write_bytes(_CHARSET.sub(lambda _m: meta.encode(), html, count=1))
    return policy(hashes)
