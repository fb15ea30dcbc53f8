"""Malformed and unusual record files, end to end through `python -m generator validate`.

The corpus is tests/fixtures/malformed/ with its manifest expected.yaml (file → [line, code]);
tests/fixtures/accepted/ holds files that must be read as valid records.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

FIXTURES = Path(__file__).parent / "fixtures"
MALFORMED = FIXTURES / "malformed"
ACCEPTED = FIXTURES / "accepted"
MANIFEST: dict = yaml.safe_load((MALFORMED / "expected.yaml").read_text(encoding="utf-8"))

TARGET = "records/problems/2017/P-2017-0099.yaml"
# A second broken record in every run: its finding shows the other files are still checked.
SECOND = "records/org/units/broken-unit.yaml"
SECOND_TEXT = "id: broken-unit\nname: 某区某局\nkind: ministry\n"
SECOND_FINDING = (SECOND, 3, "E-SCHEMA-ENUM")


def _cases():
    for name, spec in MANIFEST.items():
        if isinstance(spec, list):
            spec = {"expect": spec}
        marks = [pytest.mark.xfail(strict=True, reason=spec["xfail"])] if "xfail" in spec else []
        yield pytest.param(name, spec.get("target", TARGET), tuple(spec["expect"]), marks=marks,
                           id=name.removesuffix(".yaml"))


def _line(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if needle in line)


def run_cli(tree):
    """validate in a subprocess: (exit code, findings, stderr)."""
    proc = tree.cli("validate", "--records", str(tree.records), "--as-of", tree.AS_OF,
                    "--format", "json")
    findings = json.loads(proc.stdout) if proc.stdout.strip().startswith("[") else None
    return proc.returncode, findings, proc.stderr


def assert_only(tree, target: str, expect: tuple) -> None:
    """The run reports exactly `expect` for `target`, the second file's finding, nothing else."""
    code, findings, stderr = run_cli(tree)
    assert "Traceback" not in stderr, stderr
    assert findings is not None, f"no JSON on stdout; stderr: {stderr}"
    assert tree.triples(findings, file=target) == [(target, *expect)]
    assert tree.triples(findings, file=SECOND) == [SECOND_FINDING]
    assert {f["file"] for f in findings} == {target, SECOND}
    assert code == 1


def test_manifest_lists_every_fixture_file():
    on_disk = {p.name for p in MALFORMED.iterdir() if p.name != "expected.yaml"}
    assert on_disk == set(MANIFEST)
    assert len(MANIFEST) >= 30


@pytest.mark.parametrize("name, target, expect", list(_cases()))
def test_malformed_file_reports_one_finding(make_tree, name, target, expect):
    tree = make_tree()
    tree.write(target, (MALFORMED / name).read_bytes())
    tree.write(SECOND, SECOND_TEXT)
    assert_only(tree, target, expect)


# --- generated rather than stored ---------------------------------------------------------------

def _padded_record(size: int) -> bytes:
    """A valid problem record padded with a comment to exactly `size` bytes."""
    body = (ACCEPTED / "crlf.yaml").read_bytes().replace(b"\r\n", b"\n")
    comment = b"# " + b"x" * (size - len(body) - 3) + b"\n"
    data = body + comment
    assert len(data) == size
    return data


@pytest.mark.parametrize("size", [1_000_001, 50_000_000])
def test_file_over_one_megabyte_is_refused(make_tree, size):
    tree = make_tree()
    tree.write(TARGET, _padded_record(size))
    tree.write(SECOND, SECOND_TEXT)
    assert_only(tree, TARGET, (1, "E-FILE-TOO-LARGE"))


def test_file_too_large_passes_at_exactly_the_limit(make_tree):
    tree = make_tree()
    tree.write(TARGET, _padded_record(1_000_000))
    code, findings = tree.validate()
    assert (code, tree.triples(findings)) == (0, [])


def test_record_symlink_out_of_records_is_refused(make_tree, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "P-2017-0099.yaml"
    outside.write_bytes((ACCEPTED / "crlf.yaml").read_bytes())
    tree = make_tree()
    tree.path(TARGET).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(outside, tree.path(TARGET))
    tree.write(SECOND, SECOND_TEXT)
    assert_only(tree, TARGET, (1, "E-FILE-SYMLINK"))


def test_dangling_record_symlink_is_reported_not_a_crash(make_tree):
    tree = make_tree()
    tree.path(TARGET).parent.mkdir(parents=True, exist_ok=True)
    os.symlink("P-2017-0100.yaml", tree.path(TARGET))      # target does not exist
    tree.write(SECOND, SECOND_TEXT)
    code, findings, stderr = run_cli(tree)
    assert "Traceback" not in stderr, stderr
    assert code == 1
    assert [(f["file"], f["line"]) for f in findings if f["file"] == TARGET] == [(TARGET, 1)]
    assert tree.triples(findings, file=SECOND) == [SECOND_FINDING]


def test_several_broken_files_are_all_reported_in_one_run(make_tree):
    """One bad file never hides another: each of a handful is reported in the same run."""
    tree = make_tree()
    picks = {
        "records/problems/2017/P-2017-0099.yaml": ("encoding_gbk.yaml", (2, "E-FILE-ENCODING")),
        "records/problems/2017/P-2017-0100.yaml": ("tab_indent.yaml", (12, "E-YAML-TAB")),
        "records/problems/2017/P-2017-0101.yaml": ("billion_laughs.yaml", (2, "E-YAML-ALIAS")),
        "records/problems/2017/P-2017-0102.yaml": ("empty.yaml", (1, "E-FILE-EMPTY")),
    }
    for target, (name, _) in picks.items():
        tree.write(target, (MALFORMED / name).read_bytes())
    tree.write(SECOND, SECOND_TEXT)
    code, findings = tree.validate()
    assert code == 1
    expected = sorted([(t, *e) for t, (_, e) in picks.items()] + [SECOND_FINDING])
    assert sorted(tree.triples(findings)) == expected


# --- files that must be accepted -----------------------------------------------------------------

# What each accepted file comes close to: the codes it is the passing case of (tests/test_checks.py::
# test_every_code_in_the_catalogue_has_a_test counts a code as tested only with one).
ACCEPTED_NEAR = {
    "comments_and_document_markers.yaml": ["E-FILE-EMPTY", "E-YAML-ROOT", "E-YAML-SYNTAX"],
    "crlf.yaml": ["E-FILE-BINARY", "E-FILE-EXTENSION", "E-YAML-SYNTAX"],
    "flow_style.yaml": ["E-YAML-KEY", "E-YAML-SYNTAX"],
    "utf8_bom.yaml": ["E-FILE-ENCODING", "E-FILE-BINARY"],
    "utf8_bom_crlf.yaml": ["E-FILE-ENCODING", "E-FILE-BINARY"],
    "yaml12_strings.yaml": ["E-YAML-TAG", "E-SCHEMA-TYPE"],
}


def test_every_accepted_file_says_what_it_comes_close_to():
    assert set(ACCEPTED_NEAR) == {p.name for p in ACCEPTED.iterdir()}


@pytest.mark.parametrize("name", sorted(p.name for p in ACCEPTED.iterdir()))
def test_accepted_file_is_a_valid_record(make_tree, name):
    tree = make_tree()
    tree.write(TARGET, (ACCEPTED / name).read_bytes())
    code, findings = tree.validate()
    assert (code, tree.triples(findings)) == (0, [])
    for near in ACCEPTED_NEAR[name]:
        assert not tree.triples(findings, near)


def _valid_record() -> str:
    return (ACCEPTED / "crlf.yaml").read_bytes().replace(b"\r\n", b"\n").decode("utf-8")


def _description(value: str) -> str:
    text = _valid_record()
    line = next(l for l in text.split("\n") if l.startswith("description:"))
    return text.replace(line, value)


# One step short of a malformed case: each must be read as a valid record.
NEAR_MISSES = [
    ("E-YAML-ALIAS", _description("description: 甲&乙 *注意* 两处事项")),            # & and * inside text
    ("E-YAML-TAG", _description("description: 注意 !important 与 ！重要")),         # ! inside text
    ("E-YAML-TAB", _description("description: 沿街商户占道经营\t# 注释前是一个 Tab")),  # a tab that indents nothing
    ("E-YAML-KEY", _description('"description": 带引号的键')),                       # a quoted key is still text
    ("E-YAML-SYNTAX", _description("description: 某路12号:东侧，时间10:30")),           # a colon without a space
    ("E-YAML-DUPLICATE-KEY", _valid_record().replace("    state: registered\n",
                                                     "    state: registered\n    note: 立项\n")
                                 + "note: 同一个键名在不同层级\n"),
    ("E-FILE-BINARY", _description("description: 生僻字𠀀与全角空格\u3000和表情😀")),
]


@pytest.mark.parametrize("code, text", NEAR_MISSES, ids=[c for c, _ in NEAR_MISSES])
def test_a_near_miss_is_read_as_a_record(make_tree, code, text):
    tree = make_tree()
    tree.write(TARGET, text)
    exit_code, findings = tree.validate()
    assert (exit_code, tree.triples(findings)) == (0, [])
    assert not tree.triples(findings, code)


def test_yaml_too_deep_passes_at_the_limit(make_tree):
    """31 nested lists stay within the nesting limit: read, then refused by the schema (text)."""
    tree = make_tree()
    text = _description("description: " + "[" * 31 + "深" + "]" * 31)
    tree.write(TARGET, text)
    _, findings = tree.validate()
    assert not tree.triples(findings, "E-YAML-TOO-DEEP")
    assert tree.triples(findings) == [(TARGET, _line(text, "description:"), "E-SCHEMA-TYPE")]


def test_file_symlink_passes_for_a_link_inside_records(make_tree):
    """A record file that is a link to another file under records/ is read (through the link):
    here it names the record the other file holds, so the id is reported twice, not the link."""
    tree = make_tree()
    tree.write("records/problems/2017/P-2017-0098.yaml", _valid_record().replace("P-2017-0099", "P-2017-0098"))
    target = tree.path(TARGET)
    os.symlink("P-2017-0098.yaml", target)
    _, findings = tree.validate()
    assert not tree.triples(findings, "E-FILE-SYMLINK")
    assert tree.triples(findings, file=TARGET) == [(TARGET, 1, "E-ID-DUPLICATE"), (TARGET, 1, "E-ID-FILENAME")]


def test_file_unknown_folder_passes_for_a_folder_of_the_model(make_tree):
    tree = make_tree()
    tree.write("records/org/people/cuihu-director.yaml", "id: cuihu-director\nrole: 翠湖街道办事处主任\nunit: panlong\n")
    code, findings = tree.validate()
    assert (code, tree.triples(findings)) == (0, [])
    assert not tree.triples(findings, "E-FILE-UNKNOWN-FOLDER")


def test_yes_no_on_off_stay_text(make_tree):
    """YAML 1.2: yes/no/on/off are strings; in a text field they are accepted as text."""
    from generator.validate.load import parse_text
    data, problem = parse_text(TARGET, (ACCEPTED / "yaml12_strings.yaml").read_text(encoding="utf-8"))
    assert problem is None
    assert (data["description"], data["location"], data["measures"]) == ("yes", "on", "no")
    assert data["history"][0]["note"] == "off"


@pytest.mark.parametrize("variant", ["bom", "crlf", "bom+crlf"])
def test_line_numbers_are_right_in_bom_and_crlf_files(make_tree, variant):
    """Both a schema finding and one located afterwards (reference pass) keep their lines."""
    text = (ACCEPTED / "crlf.yaml").read_bytes().replace(b"\r\n", b"\n").decode("utf-8")
    text = text.replace("street: wuhua-huashan", "street: wuhua-nowhere")          # line 5
    text = text.replace("    state: assigned", "    state: assignd")                # line 15
    data = text.replace("\n", "\r\n") if "crlf" in variant else text
    data = data.encode("utf-8")
    if "bom" in variant:
        data = b"\xef\xbb\xbf" + data
    tree = make_tree()
    tree.write(TARGET, data)
    code, findings = tree.validate()
    # the bad state makes only the history unreadable: the street is checked in the same run
    assert tree.triples(findings) == [(TARGET, 5, "E-REF-STREET"), (TARGET, 15, "E-SCHEMA-ENUM")]
    tree.write(TARGET, data.replace(b"assignd", b"assigned"))
    code, findings = tree.validate()
    assert tree.triples(findings) == [(TARGET, 5, "E-REF-STREET")]
    assert code == 1
