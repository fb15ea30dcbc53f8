"""A strict Content-Security-Policy for every built page, as a meta tag.

Scripts may come only from this site. Material's inline scripts are replaced by files of their
own (site_templates/overrides/partials/javascripts/), so pages carry none; should an inline
script appear (a Material upgrade that adds one), it is allowed by its SHA-256 hash, the same
set on every page so that instant navigation between pages of different depths keeps working.
Record text can therefore never run as script, even if escaping failed somewhere.
"""
from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

# inline scripts that run: not those with a source, nor data blocks (Material's JSON configuration)
_INLINE = re.compile(rb"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>(.*?)</script>", re.S)
_CHARSET = re.compile(rb'<meta charset="utf-8">', re.I)


def policy(hashes: set[str]) -> str:
    scripts = "".join(f" 'sha256-{h}'" for h in sorted(hashes))
    return ("default-src 'self'; "
            f"script-src 'self'{scripts}; "
            "style-src 'self' 'unsafe-inline'; "     # Material sets style attributes from its script
            "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-src 'none'")


# --- /admin/ (internal site only; generator/cms.py writes the page with this policy) ---------
# Decap CMS is a single-page app, so its page gets its own policy instead of the one above:
# - script-src 'self' 'unsafe-eval': its bundle is served from the site, but it validates its
#   configuration with ajv, which compiles JSON Schemas with new Function();
# - connect-src: the Git host's API it reads and writes records through (GitHub or GitLab, from
#   site_templates/admin/backend.yml) and decap-server on this machine (`make edit`, the tests);
# - img-src blob: and the hosts' avatar servers: previews of uploaded photos, the user's avatar;
# - frame-src 'none' still: the editor's preview pane, the only frame Decap uses, is turned off.
_HOST_APIS = {"github": ("https://api.github.com", "https://avatars.githubusercontent.com"),
              "gitlab": ("https://gitlab.com", "https://secure.gravatar.com")}


def admin_policy(backend: dict) -> str:
    hosts = set(_HOST_APIS.get(backend.get("name", ""), ()))
    for key in ("api_root", "base_url"):
        if backend.get(key):
            hosts.add(backend[key].split("/", 3)[0] + "//" + backend[key].split("/", 3)[2])
    extra = " ".join(sorted(hosts))
    return ("default-src 'self'; "
            "script-src 'self' 'unsafe-eval'; "
            "style-src 'self' 'unsafe-inline'; "     # emotion (Decap's styling) writes <style> elements
            f"img-src 'self' data: blob: {extra}; font-src 'self' data:; "
            f"connect-src 'self' blob: {extra} http://127.0.0.1:* http://localhost:*; worker-src 'self' blob:; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-src 'none'")


def apply_csp(site: Path) -> str:
    """Add the policy to every HTML page under `site`; return it."""
    # /admin/ carries admin_policy() already (internal site only)
    pages = sorted(p for p in site.rglob("*.html") if p.relative_to(site).parts[0] != "admin")
    hashes: set[str] = set()
    for page in pages:
        for script in _INLINE.findall(page.read_bytes()):
            hashes.add(base64.b64encode(hashlib.sha256(script).digest()).decode())
    meta = f'<meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy" content="{policy(hashes)}">'
    for page in pages:
        html = page.read_bytes()
        page.write_bytes(_CHARSET.sub(lambda _m: meta.encode(), html, count=1))
    return policy(hashes)
