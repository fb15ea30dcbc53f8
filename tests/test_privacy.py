"""Who sees what is a reviewed decision: the record model's internal declarations equal the
human-reviewed manifest schemas/privacy.yaml exactly, in both directions, and the manifest is
owned by the HQ office in both CODEOWNERS files."""
from __future__ import annotations

import re
from pathlib import Path

from generator.model import RECORD_TYPES
from generator.model.fields import field_specs

from privacy_manifest import MANIFEST, MANIFEST_FILE, fields_of, spec_of

ROOT = Path(__file__).resolve().parents[1]


def _declared(model, prefix: str = ""):
    """Every field path the model declares internal, nested parts included (also inside a part
    that is internal as a whole: a flag there is a declaration too)."""
    for spec in field_specs(model):
        path = prefix + spec.name
        if spec.internal:
            yield path
        if spec.part is not None:
            yield from _declared(spec.part, path + ("[]." if spec.many else "."))


def model_fields() -> set[str]:
    return {f"{name}.{path}" for name, model in RECORD_TYPES.items() for path in _declared(model)}


def model_types() -> set[str]:
    return {name for name, model in RECORD_TYPES.items() if model.internal_type}


def test_every_internal_field_of_the_model_is_in_the_manifest_and_nothing_else():
    declared, listed = model_fields(), set(MANIFEST["fields"])
    assert not declared - listed, (
        f"模型里声明为内部、但 {MANIFEST_FILE.name} 里没有的字段（加一行并写明为什么，经总指挥部办公室审阅）："
        f"{sorted(declared - listed)}")
    assert not listed - declared, (
        f"{MANIFEST_FILE.name} 说是内部、但模型里没有声明 internal=True 的字段（公开站会显示它们）："
        f"{sorted(listed - declared)}")


def test_every_internal_record_type_of_the_model_is_in_the_manifest_and_nothing_else():
    assert model_types() == set(MANIFEST["types"])
    assert set(MANIFEST["types"]) <= set(RECORD_TYPES)


def test_each_manifest_line_says_why_in_chinese():
    for key, why in {**MANIFEST["types"], **MANIFEST["fields"]}.items():
        assert isinstance(why, str) and len(why) >= 8 and re.search(r"[\u4e00-\u9fff]", why), key


def test_each_manifest_field_names_a_field_of_its_type():
    for key in MANIFEST["fields"]:
        type_name, _, path = key.partition(".")
        assert type_name in RECORD_TYPES, key
        assert path in fields_of(type_name)
        spec_of(type_name, path)            # fails with the step that does not exist


def test_the_manifest_is_owned_by_the_hq_office():
    """Both CODEOWNERS files route schemas/privacy.yaml to the reviewers of the HQ office
    (the same owners as /records/org/), in GitHub's and GitLab's syntax."""
    github = (ROOT / ".github/CODEOWNERS").read_text("utf-8").splitlines()
    office = next(line.split()[1:] for line in github if line.startswith("/records/org/ "))
    assert office
    at = github.index("/schemas/privacy.yaml " + " ".join(office))
    # the last matching line wins: every line after it names a path under records/
    assert all(line.startswith(("/records/", "#")) for line in github[at + 1:] if line.strip())
    gitlab = (ROOT / ".gitlab/CODEOWNERS").read_text("utf-8")
    section = gitlab.split("[总指挥部办公室]", 1)[1].split("\n[", 1)[0]
    assert section.split("\n", 1)[0].split() == office
    assert "/schemas/privacy.yaml" in section.split()
