"""`python -m generator nginx-conf`: deploy/nginx/taizhang/ installed for the built sites.

The snippets in deploy/nginx/taizhang/ are copied with their `taizhang/…` paths (relative to
/etc/nginx) made absolute paths into the output folder; what depends on the build is generated: the Content-Security-Policy header of each site (`public-csp.conf`,
`internal-csp.conf`, and `admin-csp.conf` for the form page) is read from the meta tag the
build wrote into the site's pages (generator/site/csp.py), so the header is the same policy and
cannot drift from it by hand-copying. A meta policy cannot set `frame-ancestors`; the header
adds `frame-ancestors 'none'`. Both are enforced (a browser applies every policy it receives),
so a header from an older build would block the inline scripts of a newer one: run this again
after every build that changes the policy (a different Material version or theme), and reload.
"""
from __future__ import annotations

import html
import os
import re
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SNIPPETS = ROOT / "deploy" / "nginx" / "taizhang"
FRAME_ANCESTORS = "frame-ancestors 'none'"

SHARED = ("types.conf", "security-headers.conf")
# audience → the snippet to include in its server {}, and the generated policy files:
# (file, the page of the built site whose meta policy it carries)
AUDIENCES = {
    "public": ("public-site.conf", (("public-csp.conf", "index.html"),)),
    "internal": ("internal-site.conf", (("internal-csp.conf", "index.html"),
                                        ("admin-csp.conf", "admin/index.html"))),
}

_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')


class NginxConfError(Exception):
    """The built site is missing or carries no policy: a Chinese message for the user."""


def page_policy(page: Path) -> str:
    """The Content-Security-Policy a built page carries in its meta tag."""
    try:
        found = _META.search(page.read_text("utf-8"))
    except OSError:
        found = None
    if found is None:
        raise NginxConfError(f"{page} 中没有内容安全策略（Content-Security-Policy）的 meta 标签。"
                             "提示：先用 make site（.venv/bin/taizhang build）生成网站")
    return html.unescape(found.group(1))


def header_policy(policy: str) -> str:
    """The page's policy as an HTTP header adds what only a header can say."""
    return f"{policy.rstrip('; ')}; {FRAME_ANCESTORS}"


def csp_directive(policy: str) -> str:
    # Inside an nginx string "$" starts a variable and "\" escapes; a policy has neither.
    if any(c in policy for c in '"\\$\n\r'):
        raise NginxConfError(f"内容安全策略中有 nginx 配置不能原样写入的字符：{policy}")
    return f'add_header Content-Security-Policy "{header_policy(policy)}" always;\n'


def nginx_path(path: Path) -> str:
    """`path` as an absolute, quoted nginx string."""
    text = str(path.resolve())
    if any(c in text for c in '"\\$\n\r{};'):
        raise NginxConfError(f"路径中有 nginx 配置不能原样写入的字符：{text}")
    return f'"{text}"'


def _install(snippet: str, out: Path) -> str:
    """A snippet with its `taizhang/…` paths (relative to /etc/nginx) made absolute paths into
    `out`, so the folder works wherever it is installed."""
    return re.sub(r"^(\s*(?:include|auth_basic_user_file)\s+)taizhang/([\w.-]+);",
                  lambda m: f"{m.group(1)}{nginx_path(out / m.group(2))};", snippet, flags=re.M)


def _write(path: Path, text: str) -> None:
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_conf(site: Path, out: Path) -> list[Path]:
    """Install the snippets for each site built under `site` (public/, internal/) into `out`
    (e.g. /etc/nginx/taizhang); return the files written. The internal site's password file
    is expected in the same folder, `internal.htpasswd`."""
    audiences = [a for a in AUDIENCES if (site / a).is_dir()]
    if not audiences:
        raise NginxConfError(f"{site} 下没有已生成的网站（public/ 或 internal/）。"
                             "提示：先运行 make site，或用 --site 指向 build 的 --out 文件夹")
    generated = {}       # read every policy first: nothing is written if one is missing
    for audience in audiences:
        for name, page in AUDIENCES[audience][1]:
            policy = page_policy(site / audience / page)
            generated[name] = ("# 由 python -m generator nginx-conf 从生成的网站（"
                               f"{audience}/{page}）读出，不要手改；重新生成网站后再运行一次。\n"
                               + csp_directive(policy))
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SHARED + tuple(AUDIENCES[a][0] for a in audiences):
        _write(out / name, _install((SNIPPETS / name).read_text("utf-8"), out))
        written.append(out / name)
    for name, text in generated.items():
        _write(out / name, text)
        written.append(out / name)
    return written


def serve_conf(site: Path, out: Path, listen: str) -> Path:
    """`out`/serve.conf: a complete nginx configuration that serves the built public site on
    `listen` in the foreground (`make serve`); pid, logs and temporary files under `out`/run."""
    if not re.fullmatch(r"[\w.:\[\]-]+", listen):       # before anything is written
        raise NginxConfError(f"监听地址应写成 地址:端口，例如 127.0.0.1:8000：{listen}")
    write_conf(site, out)
    run = out / "run"
    run.mkdir(exist_ok=True)
    # A master started by root hands requests to workers running as `user` (nobody by default),
    # who may not be allowed to read a checkout under /root: keep root's own rights for a preview.
    user = "user root;\n" if hasattr(os, "geteuid") and os.geteuid() == 0 else ""
    temp = "".join(f"    {kind}_temp_path {nginx_path(run / kind)};\n"
                   for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    text = ("# make serve：在本机预览公开站（python -m generator nginx-conf --serve 生成）。\n"
            f"{user}worker_processes 1;\npid {nginx_path(run / 'nginx.pid')};\nerror_log stderr;\n"
            "daemon off;\nevents { worker_connections 64; }\n"
            "http {\n    access_log off;\n" + temp +
            f"    server {{\n        listen {listen};\n        root {nginx_path(site / 'public')};\n"
            f"        include {nginx_path(out / AUDIENCES['public'][0])};\n    }}\n}}\n")
    conf = out / "serve.conf"
    _write(conf, text)
    return conf
