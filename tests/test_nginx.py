"""deploy/nginx/ in front of real sites: both sites are built from the example records, the
snippets installed with `python -m generator nginx-conf`, and Debian's nginx started on
127.0.0.1 with them (pid, logs and temporary files in tmp); requests go through http.client."""
from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2017-05-31"
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
USER, PASSWORD = "staff", "correct horse battery"

pytestmark = pytest.mark.slow


def needs_nginx() -> None:
    if NGINX is None:
        pytest.skip("needs Debian's nginx (make system-tools; .ci/run installs it)")


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=ROOT, capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": "/tmp"})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def meta_policy(page: Path) -> str:
    return re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">',
                     page.read_text("utf-8")).group(1)


@contextlib.contextmanager
def running(conf: Path, ports: list[int]):
    """nginx in the foreground (its own process group) with `conf`, until every port accepts."""
    needs_nginx()
    prefix = conf.parent
    log = prefix / "nginx.stderr"
    with log.open("wb") as err:
        process = subprocess.Popen([NGINX, "-p", f"{prefix}/", "-c", str(conf), "-e", "stderr"],
                                   stdin=subprocess.DEVNULL, stdout=err, stderr=err, start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        for port in ports:
            while True:
                if process.poll() is not None:
                    pytest.fail(f"nginx exited with {process.returncode}:\n{log.read_text()}")
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        pytest.fail(f"nginx does not listen on {port}:\n{log.read_text()}")
                    time.sleep(0.05)
        yield log
    finally:
        process.terminate()                       # the master stops its workers
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def get(port: int, path: str, headers: dict | None = None, auth: tuple[str, str] | None = None,
        source: str = "127.0.0.1", method: str = "GET") -> tuple[int, http.client.HTTPMessage, bytes]:
    headers = dict(headers or {})
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(":".join(auth).encode()).decode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """The built sites and one nginx serving: the public site; the internal site to 127.0.0.1;
    the internal site to 127.0.0.2 only (the allow-list); the internal site installed without
    its password file."""
    needs_nginx()
    base = tmp_path_factory.mktemp("nginx")
    site = base / "site"
    built = cli("build", "--out", str(site), "--work", str(base / "work"), "--as-of", AS_OF)
    assert built.returncode == 0, built.stderr
    snippets = base / "conf" / "taizhang"
    installed = cli("nginx-conf", "--site", str(site), "--out", str(snippets))
    assert installed.returncode == 0, installed.stderr
    # {SHA}: base64 of the password's SHA-1, one of the formats nginx reads besides crypt(3)
    digest = base64.b64encode(hashlib.sha1(PASSWORD.encode()).digest()).decode()
    (snippets / "internal.htpasswd").write_text(f"{USER}:{{SHA}}{digest}\n")
    # the same snippets installed without a password file
    bare = base / "conf" / "bare"
    assert cli("nginx-conf", "--site", str(site), "--out", str(bare)).returncode == 0
    ports = {"public": free_port(), "internal": free_port(), "elsewhere": free_port(), "no-passwords": free_port()}
    temp = "".join(f"    {kind}_temp_path temp/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = base / "conf" / "nginx.conf"
    conf.write_text(
        # as root (CI), workers would run as nobody, who cannot enter pytest's tmp folders
        ("user root;\n" if os.geteuid() == 0 else "") +
        "worker_processes 1;\npid nginx.pid;\nerror_log stderr;\ndaemon off;\nevents { worker_connections 64; }\n"
        "http {\n    access_log off;\n" + temp +
        f"    server {{ listen 127.0.0.1:{ports['public']}; root {site / 'public'};"
        f" include {snippets / 'public-site.conf'}; }}\n"
        f"    server {{ listen 127.0.0.1:{ports['internal']}; root {site / 'internal'};"
        f" allow 127.0.0.1; include {snippets / 'internal-site.conf'}; }}\n"
        f"    server {{ listen 127.0.0.1:{ports['elsewhere']}; root {site / 'internal'};"
        f" allow 127.0.0.2; include {snippets / 'internal-site.conf'}; }}\n"
        f"    server {{ listen 127.0.0.1:{ports['no-passwords']}; root {site / 'internal'};"
        f" allow 127.0.0.1; include {bare / 'internal-site.conf'}; }}\n"
        "}\n")
    (base / "conf" / "temp").mkdir()
    with running(conf, list(ports.values())):
        yield site, ports


# --- internal site ---------------------------------------------------------------------------

def test_internal_site_asks_for_a_password_and_serves_with_it(servers):
    site, ports = servers
    for path in ("/", "/problems/P-2017-0002/", "/data/problems.csv", "/search/manifest.json", "/feed.xml"):
        status, headers, body = get(ports["internal"], path)
        assert status == 401, path
        assert headers["WWW-Authenticate"].startswith("Basic"), path
        assert "P-2017" not in body.decode("utf-8", "replace"), path
        assert get(ports["internal"], path, auth=(USER, "wrong"))[0] == 401, path
    status, headers, body = get(ports["internal"], "/problems/P-2017-0002/", auth=(USER, PASSWORD))
    assert status == 200
    assert body == (site / "internal/problems/P-2017-0002/index.html").read_bytes()
    assert headers["X-Robots-Tag"] == "noindex, nofollow"
    assert headers["Cache-Control"] == "no-store"
    assert headers["Content-Security-Policy"] == meta_policy(site / "internal/index.html") + "; frame-ancestors 'none'"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_the_401_answer_also_says_noindex(servers):
    _, ports = servers
    status, headers, _ = get(ports["internal"], "/")
    assert status == 401 and headers["X-Robots-Tag"] == "noindex, nofollow"


def test_the_form_editor_is_behind_the_same_password_with_its_own_policy(servers):
    site, ports = servers
    assert get(ports["internal"], "/admin/")[0] == 401
    assert get(ports["internal"], "/admin/config.json")[0] == 401
    status, headers, body = get(ports["internal"], "/admin/", auth=(USER, PASSWORD))
    assert status == 200 and body == (site / "internal/admin/index.html").read_bytes()
    policy = headers["Content-Security-Policy"]
    assert policy == meta_policy(site / "internal/admin/index.html") + "; frame-ancestors 'none'"
    assert "'unsafe-eval'" in policy          # Decap needs it; the rest of the site must not have it
    assert "'unsafe-eval'" not in get(ports["internal"], "/", auth=(USER, PASSWORD))[1]["Content-Security-Policy"]
    assert headers["X-Robots-Tag"] == "noindex, nofollow"


def test_an_address_outside_the_allow_list_is_refused_even_with_the_password(servers):
    _, ports = servers
    assert get(ports["elsewhere"], "/", auth=(USER, PASSWORD))[0] == 403
    assert get(ports["elsewhere"], "/admin/", auth=(USER, PASSWORD))[0] == 403
    # the same server lets its allowed address in (all of 127.0.0.0/8 is this machine)
    assert get(ports["elsewhere"], "/", auth=(USER, PASSWORD), source="127.0.0.2")[0] == 200
    assert get(ports["elsewhere"], "/", source="127.0.0.2")[0] == 401


def test_without_a_password_file_nobody_gets_in(servers):
    _, ports = servers
    assert get(ports["no-passwords"], "/")[0] == 401
    assert get(ports["no-passwords"], "/", auth=(USER, PASSWORD))[0] == 403


# --- public site -----------------------------------------------------------------------------

def test_public_pages_carry_the_security_headers(servers):
    site, ports = servers
    status, headers, body = get(ports["public"], "/")
    assert status == 200 and body == (site / "public/index.html").read_bytes()
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    # the policy the build wrote into the pages, plus what only a header can say
    assert headers["Content-Security-Policy"] == meta_policy(site / "public/index.html") + "; frame-ancestors 'none'"
    assert "script-src 'self';" in headers["Content-Security-Policy"]      # no inline script at all
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"] and "geolocation=()" in headers["Permissions-Policy"]
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert "X-Robots-Tag" not in headers
    assert headers["Server"] == "nginx"                      # no version
    assert get(ports["public"], "/admin/")[0] == 404


def test_precompressed_files_go_to_clients_that_accept_gzip(servers):
    site, ports = servers
    page = site / "public/problems/P-2017-0002/index.html"
    gz = page.with_name("index.html.gz")
    assert gz.is_file() and gzip.decompress(gz.read_bytes()) == page.read_bytes()
    status, headers, body = get(ports["public"], "/problems/P-2017-0002/", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert body == gz.read_bytes()                          # the file written by the build, not nginx's own gzip
    assert "Accept-Encoding" in headers["Vary"]
    assert headers["Content-Security-Policy"].endswith("frame-ancestors 'none'")
    status, headers, body = get(ports["public"], "/problems/P-2017-0002/")
    assert status == 200 and "Content-Encoding" not in headers and body == page.read_bytes()
    status, headers, body = get(ports["public"], "/problems/P-2017-0002/", {"Accept-Encoding": "br"})
    assert "Content-Encoding" not in headers and body == page.read_bytes()


def test_text_without_a_gz_is_compressed_on_the_fly(servers):
    site, ports = servers
    target = site / "public/assets/taizhang.css"
    gz = target.with_name(target.name + ".gz")
    assert target.stat().st_size >= 1024 and gz.exists()
    saved = gz.read_bytes()
    gz.unlink()                       # as for a file added to the site after the build
    try:
        status, headers, body = get(ports["public"], "/assets/taizhang.css", {"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert body != saved and gzip.decompress(body) == target.read_bytes()
    finally:
        gz.write_bytes(saved)


def test_a_missing_page_gets_the_sites_404_page(servers):
    site, ports = servers
    status, headers, body = get(ports["public"], "/problems/P-2099-9999/")
    assert status == 404
    assert body == (site / "public/404.html").read_bytes()
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Content-Security-Policy"].endswith("frame-ancestors 'none'")
    assert headers["X-Content-Type-Options"] == "nosniff"
    status, _, body = get(ports["internal"], "/nothing-here/", auth=(USER, PASSWORD))
    assert status == 404 and body == (site / "internal/404.html").read_bytes()


def test_search_shards_feed_and_open_data_have_their_types(servers):
    site, ports = servers
    shard = sorted((site / "public/search/d").glob("*.json"))[0].relative_to(site / "public").as_posix()
    expected = {
        "/search/manifest.json": "application/json",
        "/" + shard: "application/json",
        "/feed.xml": "application/atom+xml; charset=utf-8",
        "/data/problems.json": "application/json",
        "/data/problems.csv": "text/csv; charset=utf-8",
        "/data/problems.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "/sitemap.xml": "application/xml; charset=utf-8",
        "/assets/taizhang.js": "application/javascript; charset=utf-8",
        "/assets/logo.svg": "image/svg+xml; charset=utf-8",
    }
    for path, content_type in expected.items():
        for encoding in ({}, {"Accept-Encoding": "gzip"}):
            status, headers, _ = get(ports["public"], path, encoding)
            assert (status, headers["Content-Type"]) == (200, content_type), (path, encoding)
            assert headers["X-Content-Type-Options"] == "nosniff"
    status, headers, _ = get(ports["internal"], "/feed.xml", auth=(USER, PASSWORD))
    assert headers["Content-Type"] == "application/atom+xml; charset=utf-8"


def test_cache_headers_long_for_hashed_assets_revalidate_for_the_rest(servers):
    site, ports = servers
    hashed = [p for p in (site / "public/assets").rglob("*.min.*") if re.search(r"\.[0-9a-f]{8}\.min\.(js|css)$", p.name)]
    assert {p.suffix for p in hashed} == {".js", ".css"}      # Material's bundle, stylesheets, search worker
    for path in hashed:
        url = "/" + path.relative_to(site / "public").as_posix()
        assert get(ports["public"], url)[1]["Cache-Control"] == "public, max-age=31536000, immutable", url
    for url in ("/", "/problems/P-2017-0002/", "/search/manifest.json", "/feed.xml", "/data/problems.csv",
                "/assets/taizhang.js", "/assets/search.js", "/assets/taizhang.css"):
        assert get(ports["public"], url)[1]["Cache-Control"] == "public, no-cache", url
    # revalidation answers 304 without the body
    _, headers, _ = get(ports["public"], "/problems/P-2017-0002/")
    status, _, body = get(ports["public"], "/problems/P-2017-0002/", {"If-None-Match": headers["ETag"]})
    assert status == 304 and body == b""
    # internal: nothing with records in it is stored by the browser; hashed code may be
    url = "/" + hashed[0].relative_to(site / "public").as_posix()
    assert get(ports["internal"], url, auth=(USER, PASSWORD))[1]["Cache-Control"] == "private, max-age=31536000, immutable"
    assert get(ports["internal"], "/data/problems.csv", auth=(USER, PASSWORD))[1]["Cache-Control"] == "no-store"


# --- make serve ------------------------------------------------------------------------------

def test_the_preview_configuration_serves_the_public_site(servers, tmp_path):
    site, _ = servers
    port = free_port()
    result = cli("nginx-conf", "--site", str(site), "--out", str(tmp_path / "nginx"), "--serve", f"127.0.0.1:{port}")
    assert result.returncode == 0, result.stderr
    conf = Path(result.stdout.strip())
    with running(conf, [port]):
        status, headers, body = get(port, "/", {"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(body) == (site / "public/index.html").read_bytes()
        assert headers["Content-Security-Policy"].endswith("frame-ancestors 'none'")
    assert not (tmp_path / "nginx/run/nginx.pid").exists()     # stopped cleanly


def test_nginx_conf_refuses_a_folder_without_a_built_site(tmp_path):
    result = cli("nginx-conf", "--site", str(tmp_path), "--out", str(tmp_path / "out"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "make site" in result.stderr
    assert not (tmp_path / "out").exists()


# --- a real browser behind nginx ---------------------------------------------------------------

def test_the_public_site_works_in_a_browser_behind_nginx(servers, browser):
    """With the policy in the header as well as in the page, compressed pages, scripts and search
    shards: search still finds the record, nothing is blocked, the 404 page has its styles."""
    _, ports = servers
    base = f"http://127.0.0.1:{ports['public']}"
    page = browser.new_page()
    responses: list = []
    page.on("response", lambda response: responses.append(response))
    violations: list[str] = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and violations.append(msg.text))
    page.goto(base + "/")
    search = page.locator(".md-search__input")
    search.click()
    search.fill("盘龙区 占道经营")
    page.wait_for_selector(".md-search-result__item a", timeout=20_000)
    page.locator(".md-search-result__item a").first.click()
    page.wait_for_url("**/problems/P-2017-0002/**")
    assert page.locator("h1").inner_text() == "北京路与环城南路交叉口流动摊贩占道经营"
    gzipped = {r.url.removeprefix(base) for r in responses if r.headers.get("content-encoding") == "gzip"}
    assert "/" in gzipped and "/problems/P-2017-0002/" in gzipped
    assert any(url.startswith("/search/d/") for url in gzipped)      # the result excerpts' shard
    assert any(url.startswith("/assets/javascripts/bundle.") for url in gzipped)
    assert all(r.status in (200, 304) for r in responses), [(r.url, r.status) for r in responses if r.status >= 400]
    responses.clear()
    assert page.goto(base + "/no/such/page/").status == 404
    assert page.locator("h1").inner_text() == "404 - Not found"
    stylesheets = [r for r in responses if r.url.endswith(".css")]
    assert stylesheets and all(r.status in (200, 304) for r in stylesheets)
    assert violations == []
    page.close()
