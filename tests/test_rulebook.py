"""One rulebook: the validator, the writers (`transition`, `new`) and the form apply the same rules.

- The lifecycle's allowed transitions are written out here once more, by hand, from the
  documented chain (README “问题的整改流程”, DOMAIN.md §3), not imported from the model; every
  one of the 81 (state, next state) pairs is checked against `validate` (a history written by
  hand), `transition` (the command line) and the form's rule script (node).
- Every (state, next state, fields) case runs through the validator's per-record checks and
  through site_templates/admin/taizhang-rules.js with the rule table the build writes; the
  findings (code, place, message, hint) must be the same.
- The cases the issue names: each refused by the writer with exit 1 and the code validate
  gives, records/ byte for byte unchanged; the closing path works without hand edits.
- A property test: random `transition` calls never leave a tree that validate rejects.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import EVIDENCE, JPEG, MINIMAL, PROBLEM, Tree

ROOT = Path(__file__).resolve().parents[1]
NODE = shutil.which("node")
RULES_JS = ROOT / "site_templates/admin/taizhang-rules.js"
needs_node = pytest.mark.skipif(not NODE, reason="needs node (the form's rule script is JavaScript)")

STATES = ["registered", "assigned", "acknowledged", "rectifying", "extended", "reported", "returned",
          "verified", "closed"]

# The documented chain, by hand: 立项 → 交办 → 签收 → 整改中 → 已反馈 → 复核通过 → 销号; 签收 may report at
# once; 延期 from 交办, 签收, 整改中, 退回重办 and after a 延期 (then 整改中 or 已反馈); 已反馈 is checked:
# 复核通过 or 退回重办; 退回重办 goes back to 整改中 (or reports, or is extended again); 销号 is the end.
ALLOWED = {
    ("registered", "assigned"),
    ("assigned", "acknowledged"), ("assigned", "extended"),
    ("acknowledged", "rectifying"), ("acknowledged", "extended"), ("acknowledged", "reported"),
    ("rectifying", "reported"), ("rectifying", "extended"),
    ("extended", "rectifying"), ("extended", "reported"), ("extended", "extended"),
    ("reported", "verified"), ("reported", "returned"),
    ("returned", "rectifying"), ("returned", "reported"), ("returned", "extended"),
    ("verified", "closed"),
}
PAIRS = [(a, b) for a in STATES for b in STATES]
assert len(PAIRS) - len(ALLOWED) == 64

FOUND = dt.date(2017, 4, 6)
# A path to each state, each event valid (an extension with its three fields and a later deadline).
PATHS = {
    "registered": [], "assigned": ["assigned"], "acknowledged": ["assigned", "acknowledged"],
    "rectifying": ["assigned", "acknowledged", "rectifying"], "extended": ["assigned", "extended"],
    "reported": ["assigned", "acknowledged", "reported"],
    "returned": ["assigned", "acknowledged", "reported", "returned"],
    "verified": ["assigned", "acknowledged", "reported", "verified"],
    "closed": ["assigned", "acknowledged", "reported", "verified", "closed"],
}
HEAD = MINIMAL[PROBLEM].split("history:\n")[0] + "history:\n"     # deadline 2017-04-30


def event(day: dt.date, state: str, **fields) -> dict:
    return {"date": day.isoformat(), "state": state, **fields}


def history_to(state: str, evidence: bool = True) -> list[dict]:
    """Events up to `state`, one a day from the found date; evidence on 已反馈 if asked."""
    out = [event(FOUND, "registered", by="hq-office")]
    for i, step in enumerate(PATHS[state], 1):
        extra = {}
        if step == "extended":
            extra = {"reason": "雨季施工", "new_deadline": "2017-05-31", "approved_by": "subhq-city-order"}
        if step == "reported" and evidence:
            extra = {"evidence": [EVIDENCE]}
        out.append(event(FOUND + dt.timedelta(days=i), step, **extra))
    return out


def yaml_events(events: list[dict]) -> str:
    from generator.model.yamltext import dump
    return dump({"history": events}).split("history:\n", 1)[1]


def problem_text(events: list[dict], head: str = HEAD) -> str:
    return head + yaml_events(events)


def new_tree(base: Path) -> Tree:
    tree = Tree(base)
    for rel, text in MINIMAL.items():
        tree.write(rel, text)
    tree.write("records/" + EVIDENCE, JPEG)
    return tree


def cli(*argv: str) -> tuple[int, str, str]:
    """`python -m generator ARGV` in this process: (exit code, stdout, stderr)."""
    from generator.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def validate_codes(tree: Tree) -> tuple[int, list[dict]]:
    return tree.validate("2017-05-31")


def snapshot(records: Path) -> dict[str, bytes]:
    return {p.relative_to(records).as_posix(): p.read_bytes() for p in sorted(records.rglob("*")) if p.is_file()}


def transition(tree: Tree, *args: str) -> tuple[int, str, str]:
    return cli("transition", "P-2017-0001", *args, "--records", str(tree.records), "--as-of", "2017-05-31")


# --- the form's rule script against the validator ------------------------------------------

def python_rule(data: dict, type_name: str = "problem") -> list[tuple]:
    """What the validator's per-record passes say of `data` (the codes the form can check)."""
    from generator.model import RECORD_TYPES
    from generator.model.rulebook import FORM_CODES
    from generator.validate.check import examine
    from generator.validate.load import Document
    model = RECORD_TYPES[type_name]
    file = f"records/{model.folder}/2017/{data.get('id', 'x')}.yaml"
    e = examine(Document(file, ROOT / file, model, data, "2017"))
    found = list(e.model_findings)
    if e.facts is not None:
        found += list(e.facts.rules.lifecycle) + list(e.facts.rules.kind_and_text)
    return sorted((f.code, f.path, f.message, f.hint) for f in found if f.code in FORM_CODES)


_HARNESS = """
const rules = require(process.argv[1]);
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(input.cases.map(c => rules.check(input.model, c.type, c.data)
  .map(f => [f.code, f.path, f.message, f.hint]))));
"""


def js_rule(cases: list[tuple[str, dict]]) -> list[list[tuple]]:
    from generator.site.cms import model_shapes
    result = subprocess.run([NODE, "-e", _HARNESS, str(RULES_JS)], capture_output=True, text=True, check=True,
                            input=json.dumps({"model": model_shapes(),
                                              "cases": [{"type": t, "data": d} for t, d in cases]}))
    return [sorted(tuple(f) for f in found) for found in json.loads(result.stdout)]


def problem_data(events: list[dict], **top) -> dict:
    from generator.validate.load import parse_text
    data, problem = parse_text("x.yaml", HEAD)
    data = {k: v for k, v in data.items() if v is not None} | top
    data["history"] = events
    return {k: v for k, v in data.items() if v is not None}


def _event_variants(previous_day: dt.date, state: str):
    """The fields a new event of `state` may come with: complete or not, dates in order or not."""
    later = previous_day + dt.timedelta(days=1)
    yield event(later, state)
    yield event(previous_day - dt.timedelta(days=1), state)                   # before the previous event
    yield event(FOUND - dt.timedelta(days=1), state)                            # before the found date
    yield event(later, state, evidence=[EVIDENCE])
    yield event(later, state, note="整改\u202e完毕")                            # a bidi override
    for new_deadline in ("2017-04-20", "2017-04-30", "2017-05-31", "2017-06-30", None):
        for reason in ("雨季施工", None):
            for approved_by in ("hq-office", None):
                fields = {k: v for k, v in (("reason", reason), ("new_deadline", new_deadline),
                                            ("approved_by", approved_by)) if v is not None}
                yield event(later, state, **fields)


def every_case() -> list[tuple[str, dict]]:
    cases = []
    for before in STATES:
        for evidence in (True, False):
            prefix = history_to(before, evidence)
            last = dt.date.fromisoformat(prefix[-1]["date"])
            for after in STATES:
                for new in _event_variants(last, after):
                    cases.append(("problem", problem_data(prefix + [new])))
    # whole-record rules: the start, an empty history, a deadline before the found date, a part begun
    cases.append(("problem", problem_data([event(FOUND, "assigned")])))
    cases.append(("problem", problem_data([])))
    cases.append(("problem", problem_data(history_to("rectifying"), deadline="2017-04-01")))
    cases.append(("problem", problem_data(history_to("rectifying"), instruction={"by_role": "市长"})))
    cases.append(("problem", problem_data(history_to("rectifying")[:2] + [{"state": "acknowledged"}])))
    cases.append(("problem", problem_data(history_to("reported"), title="某路\x07占道")))
    for kind, extra in (("sub_hq", {}), ("sub_hq", {"sub_hq": "subhq-city-order"}), ("district", {}),
                        ("scheduling", {})):
        cases.append(("meeting", {"id": "M-2017-0001", "kind": kind, "title": "会议", "date": "2017-04-07"} | extra))
    cases.append(("assessment", {"id": "A-2017-0001", "kind": "third_party", "title": "测评", "period": "2017-04",
                                 "date": "2017-04-30", "scores": [{"district": "panlong", "score": 90}]}))
    return cases


@needs_node
def test_the_form_and_the_validator_apply_the_same_rules_to_every_case():
    cases = every_case()
    assert len(cases) > 2000
    expected = [python_rule(data, type_name) for type_name, data in cases]
    got = js_rule(cases)
    differ = [(case, want, have) for case, want, have in zip(cases, expected, got) if want != have]
    assert not differ, differ[:3]
    codes = {f[0] for found in expected for f in found}
    from generator.model.rulebook import FORM_CODES
    assert codes == set(FORM_CODES)          # every rule the form applies is exercised


# --- every pair of states: validator, writer, form -----------------------------------------

def _forced(before: str, after: str) -> list[dict]:
    """The history to `before` with an event `after` that needs nothing else (extension fields
    and evidence given), so that only the transition itself can be wrong."""
    prefix = history_to(before)
    day = dt.date.fromisoformat(prefix[-1]["date"]) + dt.timedelta(days=1)
    extra = {"evidence": [EVIDENCE]}           # in the order of the model's fields, as `fmt` keeps them
    if after == "extended":
        extra |= {"reason": "需协调搬迁", "new_deadline": "2017-06-30", "approved_by": "hq-office"}
    return prefix + [event(day, after, **extra)]


@pytest.mark.parametrize("before, after", PAIRS)
def test_every_transition_in_the_validator(make_tree, before, after):
    tree = make_tree()
    tree.write(PROBLEM, problem_text(_forced(before, after)))
    code, findings = validate_codes(tree)
    codes = [f["code"] for f in findings if f["severity"] == "error"]
    if (before, after) in ALLOWED:
        assert code == 0 and codes == [], findings
    else:
        assert codes == ["E-LIFECYCLE-TRANSITION"], findings


@pytest.mark.slow
def test_every_transition_through_the_command_line(tmp_path):
    """81 pairs, each on a fresh copy: allowed ones are written and validate; forbidden ones are
    refused with exit 1, the validator's code, and the file unchanged."""
    for before, after in PAIRS:
        tree = new_tree(tmp_path / f"{before}-{after}")
        tree.write(PROBLEM, problem_text(history_to(before)))
        records = snapshot(tree.records)
        forced = _forced(before, after)[-1]
        args = [after, "--date", forced["date"], "--evidence", EVIDENCE]
        if after == "extended":
            args += ["--reason", "需协调搬迁", "--new-deadline", "2017-06-30", "--approved-by", "hq-office"]
        code, out, err = transition(tree, *args)
        if (before, after) in ALLOWED:
            assert code == 0, (before, after, err)
            assert tree.read(PROBLEM) == problem_text(_forced(before, after))
            assert cli("fmt", "--check", str(tree.path(PROBLEM)), "--records", str(tree.records))[0] == 0
            assert validate_codes(tree)[0] == 0
        else:
            assert code == 1 and "E-LIFECYCLE-TRANSITION" in err and "Traceback" not in err, (before, after, err)
            assert snapshot(tree.records) == records, (before, after)


@needs_node
def test_every_transition_in_the_form():
    got = js_rule([("problem", problem_data(_forced(before, after))) for before, after in PAIRS])
    for (before, after), found in zip(PAIRS, got):
        assert [f[0] for f in found] == ([] if (before, after) in ALLOWED else ["E-LIFECYCLE-TRANSITION"]), \
            (before, after, found)


# --- the cases of the issue: refused, exit 1, validate's code, nothing changed ---------------

RECTIFYING = history_to("rectifying")
NEXT = (FOUND + dt.timedelta(days=4)).isoformat()


@pytest.mark.parametrize("args, code", [
    (["extended", "--reason", "雨季", "--new-deadline", "2017-04-20", "--approved-by", "hq-office"],
     "E-LIFECYCLE-DEADLINE"),
    (["extended", "--reason", "雨季", "--new-deadline", "2017-05-20", "--approved-by", "city-management"],
     "E-REF-TYPE"),
    (["extended", "--reason", "雨季", "--new-deadline", "2017-05-20", "--approved-by", "no-such-body"],
     "E-REF-MISSING"),
    (["extended", "--new-deadline", "2017-05-20"], "E-LIFECYCLE-EXTENSION"),
    (["reported", "--by", "no-such-unit"], "E-REF-MISSING"),
    (["reported", "--note", "已整改\x01完毕"], "E-TEXT-CONTROL"),
    (["reported", "--evidence", "attachments/2017/no-such-photo.jpg"], "E-ATTACH-MISSING"),
    (["closed", "--evidence", EVIDENCE], "E-LIFECYCLE-TRANSITION"),
    (["reported", "--date", "2017-06-30"], "E-DATE-FUTURE"),
    (["reported", "--date", "2017-04-08"], "E-DATE-ORDER"),
])
def test_transition_refuses_what_validate_rejects(make_tree, args, code):
    tree = make_tree()
    tree.write(PROBLEM, problem_text(RECTIFYING))
    before = snapshot(tree.records)
    if "--date" not in args:
        args = args + ["--date", NEXT]
    exit_code, out, err = transition(tree, *args)
    assert exit_code == 1 and out == "" and "Traceback" not in err
    assert f"错误 {code} " in err and "未写入" in err
    assert snapshot(tree.records) == before
    # the same event written into the file (the text `--dry-run` prints): validate gives the same
    # code, at the line the writer named
    status, text, _err = transition(tree, *args, "--dry-run")
    assert status == 1 and text.startswith("# 试运行")
    tree.write(PROBLEM, text.split("\n", 1)[1])
    status, findings = validate_codes(tree)
    assert status == 1 and code in [f["code"] for f in findings]
    line = next(f["line"] for f in findings if f["code"] == code)
    assert f"{PROBLEM}:{line}:" in err


def test_new_refuses_what_validate_rejects(make_tree):
    tree = make_tree()
    before = snapshot(tree.records)
    code, out, err = cli("new", "problem", "--records", str(tree.records), "--date", "2017-05-20", "--as-of", "2017-05-31",
                         "--title", "某路占道", "--district", "panlong", "--source", "foo", "--deadline", "2017-13-01",
                         "--responsible-unit", "no-such-unit")
    assert code == 1 and out == "" and "Traceback" not in err
    for expected in ("E-SCHEMA-ENUM", "E-DATE-INVALID", "E-REF-MISSING"):
        assert f"错误 {expected} " in err
    assert snapshot(tree.records) == before


def test_an_error_elsewhere_does_not_block_an_unrelated_edit_but_is_mentioned(make_tree):
    tree = make_tree()
    tree.write(PROBLEM, problem_text(RECTIFYING))
    tree.write("records/org/units/broken.yaml", "id: broken\nname: 坏单位\nkind: nonsense\n")
    code, out, err = transition(tree, "reported", "--date", NEXT, "--evidence", EVIDENCE)
    assert code == 0, err
    assert "原有 1 个错误" in err
    assert tree.read(PROBLEM).endswith(f"  - date: {NEXT}\n    state: reported\n    evidence:\n      - {EVIDENCE}\n")


def test_dry_run_prints_the_yaml_and_writes_nothing(make_tree):
    tree = make_tree()
    tree.write(PROBLEM, problem_text(RECTIFYING))
    before = snapshot(tree.records)
    code, out, err = transition(tree, "reported", "--date", NEXT, "--note", "已清理", "--dry-run")
    assert code == 0 and snapshot(tree.records) == before
    assert out.split("\n", 1)[1] == problem_text(RECTIFYING) + f"  - date: {NEXT}\n    state: reported\n    note: 已清理\n"
    code, out, err = transition(tree, "closed", "--date", NEXT, "--dry-run")
    assert code == 1 and "E-LIFECYCLE-TRANSITION" in err and snapshot(tree.records) == before
    code, out, err = cli("new", "problem", "--records", str(tree.records), "--date", "2017-05-20", "--dry-run",
                         "--title", "某路", "--district", "panlong", "--source", "complaint", "--deadline", "2017-06-01",
                         "--responsible-unit", "city-management")
    assert code == 0 and "id: P-2017-0002\n" in out and snapshot(tree.records) == before


def test_closing_without_hand_edits_evidence_on_the_closing_event(make_tree):
    """A problem verified without evidence: 销号 with --evidence closes it (one rule everywhere:
    evidence on some event up to and including 销号)."""
    tree = make_tree()
    tree.write(PROBLEM, problem_text(history_to("verified", evidence=False)))
    day = (FOUND + dt.timedelta(days=5)).isoformat()
    code, _out, err = transition(tree, "closed", "--date", day)
    assert code == 1 and "E-LIFECYCLE-NO-EVIDENCE" in err
    code, _out, err = transition(tree, "closed", "--date", day, "--by", "hq-office", "--evidence", EVIDENCE)
    assert code == 0, err
    assert validate_codes(tree) == (0, [])
    assert tree.read(PROBLEM).endswith(f"    state: closed\n    by: hq-office\n    evidence:\n      - {EVIDENCE}\n")


def test_closing_path_from_the_command_line(make_tree):
    """立项 → … → 销号 with nothing but `transition`, including an extension."""
    tree = make_tree()
    tree.write(PROBLEM, problem_text(history_to("registered")))
    steps = [["assigned", "--by", "hq-office"], ["acknowledged", "--by", "city-management"],
             ["extended", "--reason", "需协调搬迁", "--new-deadline", "2017-05-20", "--approved-by", "subhq-city-order"],
             ["rectifying"], ["reported", "--evidence", EVIDENCE], ["verified", "--by", "group-1"],
             ["closed", "--by", "hq-office"]]
    for i, step in enumerate(steps, 1):
        code, _out, err = transition(tree, *step, "--date", (FOUND + dt.timedelta(days=i)).isoformat())
        assert code == 0, (step, err)
    assert validate_codes(tree) == (0, [])


# --- property: random transitions never leave a tree validate rejects ------------------------

DAYS = st.integers(0, 60).map(lambda n: (FOUND + dt.timedelta(days=n - 3)).isoformat())
CALL = st.tuples(
    st.sampled_from(STATES), DAYS,
    st.sampled_from([None, "hq-office", "city-management", "group-1", "no-such-unit"]),
    st.sampled_from([None, "已整改", "整改\x01中", ""]),
    st.sampled_from([None, EVIDENCE, "attachments/2017/missing.jpg"]),
    st.sampled_from([None, "需协调搬迁"]),
    st.one_of(st.none(), DAYS),
    st.sampled_from([None, "hq-office", "subhq-city-order", "city-management", "nobody"]),
)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.sampled_from(STATES), evidence=st.booleans(), calls=st.lists(CALL, min_size=1, max_size=6))
def test_random_transitions_never_leave_a_tree_validate_rejects(tmp_path_factory, start, evidence, calls):
    tree = new_tree(tmp_path_factory.mktemp("walk"))
    tree.write(PROBLEM, problem_text(history_to(start, evidence)))
    assume(validate_codes(tree)[0] == 0)          # a closed problem needs its evidence: not a draw to use
    for state, day, by, note, proof, reason, new_deadline, approved_by in calls:
        before = tree.read(PROBLEM)
        args = [state, "--date", day]
        for option, value in (("--by", by), ("--note", note), ("--evidence", proof), ("--reason", reason),
                              ("--new-deadline", new_deadline), ("--approved-by", approved_by)):
            if value is not None:
                args += [option, value]
        code, _out, err = transition(tree, *args)
        assert code in (0, 1) and "Traceback" not in err
        if code == 1:
            assert tree.read(PROBLEM) == before
        else:
            assert tree.read(PROBLEM).startswith(before) and len(tree.read(PROBLEM)) > len(before)
        status, findings = validate_codes(tree)
        assert status == 0, (args, findings)


def test_the_readme_states_the_same_rule_for_staff():
    """README “问题的整改流程” is the rule as staff read it: its table allows exactly these pairs."""
    import re
    text = (ROOT / "README.md").read_text("utf-8")
    section = text.split("### 问题的整改流程", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1:-1] for line in section.splitlines() if re.match(r"^\| [^-|]", line)][1:]
    labels = {cells[0].strip(): cells[1].strip().strip("`") for cells in rows}
    assert sorted(labels.values()) == sorted(STATES)
    stated = {(labels[cells[0].strip()], labels[after]) for cells in rows
              for after in re.split(r"[、，]", cells[2].strip()) if after in labels}
    assert stated == ALLOWED
