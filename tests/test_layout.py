"""The package's layout is its pipeline, and stays so: read from the source, not from what a run
happens to import.

- stages in order: model < validate < catalog < site; a stage imports only earlier stages (and
  findings); inside validate, load/locate < check < engine;
- authoring and synth may import model, validate and catalog; cli (with command, papers_cli and
  formats), pipeline and __main__ anything;
- papers (the meeting papers) may import model, catalog and site, not validate: the pack takes its
  numbers from the site's own Dashboard (site/dashboards.py) so a paper and a dashboard page cannot
  disagree, and it works on a catalog that is already checked. No stage imports papers: the
  pipeline hands the site a function that writes them (site/publish.py `Downloads`);
- findings (the finding type) and atomic (writing a file all or nothing) are for everyone and
  import nothing of the package;
- no import cycles (imports inside functions count too);
- at most 12 modules at the top of generator/, none over 450 lines.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "generator"
STAGES = ("model", "validate", "catalog", "site")
BESIDE = {"authoring": {"model", "validate", "catalog"}, "synth": {"model", "validate", "catalog"},
          "papers": {"model", "catalog", "site"}}
ON_TOP = {"cli", "command", "papers_cli", "formats", "pipeline", "__main__", "__init__"}
FOR_ALL = {"findings", "atomic"}
VALIDATE_STEPS = {"load": 0, "locate": 0, "check": 1, "engine": 2}
MAX_LINES = 450
MAX_TOP_MODULES = 12


def _modules() -> dict[str, Path]:
    """Dotted name relative to the package ("validate.check", "cli") → file."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1] or ["__init__"]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The package's modules that module `name` imports, anywhere in it."""
    is_package = path.name == "__init__.py"
    here = name.split(".") if is_package and name != "__init__" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_bytes())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = here[:len(here) - node.level + 1]
            module = base + (node.module.split(".") if node.module else [])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("generator"):
            module = node.module.split(".")[1:]
        elif isinstance(node, ast.Import):
            found |= {".".join(a.name.split(".")[1:]) or "__init__" for a in node.names if a.name.startswith("generator")}
            continue
        else:
            continue
        target = ".".join(module) or "__init__"
        for alias in node.names:
            submodule = f"{target}.{alias.name}" if target != "__init__" else alias.name
            found.add(submodule if submodule in MODULES else target)
    assert found <= set(MODULES), (name, found - set(MODULES))
    return found


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _part(name: str) -> str:
    return name.split(".")[0]


def _allowed(source: str, target: str) -> bool:
    part, other = _part(source), _part(target)
    if part in FOR_ALL:
        return False
    if part in ON_TOP or other in FOR_ALL:
        return True
    if part == other == "validate":
        if source == "validate":            # the package's face hands on names from its steps
            return True
        if target == "validate":            # a step importing the face would import itself
            return False
        return VALIDATE_STEPS[target.split(".")[1]] <= VALIDATE_STEPS[source.split(".")[1]]
    if part == other:
        return True
    if part in BESIDE:
        return other in BESIDE[part]
    return part in STAGES and other in STAGES and STAGES.index(other) < STAGES.index(part)


def test_nothing_imports_a_later_stage():
    wrong = sorted((s, t) for s, targets in GRAPH.items() for t in targets if not _allowed(s, t))
    assert wrong == []


def test_the_rule_reads_real_imports():
    """The graph is read right: known imports are there, and the rule tells them apart."""
    assert "validate.load" in GRAPH["validate.check.schema"]
    assert "model.ranking" in GRAPH["validate.check.mechanism"]
    assert "catalog.catalog" in GRAPH["pipeline"] and "site.publish" in GRAPH["pipeline"]
    assert not _allowed("validate.check.rules", "validate.engine.cache")       # a check reaching for the cache
    assert not _allowed("validate.check.cadence", "catalog.catalog")           # a check reaching for the catalog
    assert not _allowed("authoring.ledger", "site.render")                     # a tool reaching for the renderer
    assert not _allowed("model.base", "validate.load") and not _allowed("findings", "model")
    assert not _allowed("atomic", "findings") and _allowed("authoring.edit", "atomic")
    assert _allowed("site.render", "model.ranking") and _allowed("cli", "site.publish")
    assert "site.dashboards" in GRAPH["papers.briefing"] and "catalog.meetings" in GRAPH["papers.occasion"]
    assert "papers.briefing" in GRAPH["pipeline"] and "papers.briefing" in GRAPH["papers_cli"]
    assert not _allowed("site.publish", "papers.briefing")                    # the site stage making papers itself
    assert not _allowed("papers.briefing", "validate.engine.run")             # papers re-validating records
    assert not _allowed("authoring.ledger", "papers.docx")


def test_no_import_cycles():
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(name: str) -> None:           # Tarjan's strongly connected components
        index[name] = low[name] = len(index)
        stack.append(name)
        on_stack.add(name)
        for target in GRAPH[name]:
            if target not in index:
                visit(target)
                low[name] = min(low[name], low[target])
            elif target in on_stack:
                low[name] = min(low[name], index[target])
        if low[name] == index[name]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == name:
                    break
            if len(component) > 1 or name in GRAPH[name]:
                cycles.append(sorted(component))

    for name in GRAPH:
        if name not in index:
            visit(name)
    assert cycles == []


def test_few_modules_at_the_top():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_MODULES, top


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_too_long(name):
    lines = MODULES[name].read_text("utf-8").count("\n")
    assert lines <= MAX_LINES, f"{MODULES[name].relative_to(PACKAGE)}: {lines} lines; split it by stage or record type"
