"""Every check code, one failing and one passing case each, asserted as (file, line, code).

Each test starts from the minimal valid tree (conftest.make_tree), changes one thing, and runs
the real `validate` command. Expected lines are those of the offending key or value in the text
the test wrote (`line_of` finds them), or line 1 (the record's first key) when the finding is
about something missing from the record.
"""
from __future__ import annotations

import os

import pytest

from conftest import Triples

P = "records/problems/2017/P-2017-0001.yaml"
CAMPAIGN = "records/campaign/campaign.yaml"
SUBHQ = "records/org/sub-hqs/subhq-city-order.yaml"
GROUP = "records/org/inspection-groups/group-1.yaml"
M1 = "records/meetings/2017/M-2017-0001.yaml"
M2 = "records/meetings/2017/M-2017-0002.yaml"
M3 = "records/meetings/2017/M-2017-0003.yaml"
A1 = "records/assessments/2017/A-2017-0001.yaml"
EVIDENCE_LINE = "      - attachments/2017/P-2017-0001-after.jpg"


def run(tree, as_of="2017-05-31", code=None):
    """validate; return (exit code, sorted (file, line, code) triples, findings)."""
    exit_code, findings = tree.validate(as_of)
    return exit_code, Triples(sorted(tree.triples(findings, code=code)), code), findings


def errors_only(tree, as_of="2017-05-31"):
    exit_code, findings = tree.validate(as_of)
    return exit_code, Triples(sorted(t for t, f in zip(tree.triples(findings), findings)
                                     if f["severity"] == "error"))


def head(tree) -> str:
    """The minimal problem's text up to and including `history:`."""
    return tree.read(P).split("history:\n")[0] + "history:\n"


def set_history(tree, events: str) -> str:
    text = head(tree) + events
    tree.write(P, text)
    return text


# What the article has a scheduling meeting do (W-MEETING-CONTENT): hear the sub-HQs, hear the
# inspection and assessment reports, play the undercover footage.
HEARD = """\
reports_heard:
  - by: subhq-city-order
    summary: 汇报本周推进情况
  - by: group-1
    summary: 通报近期督查情况
footage_played:
  - 暗访视频第1期
"""


def meeting(number: int, date: str, kind: str = "scheduling", extra: str = "", heard: bool = True) -> str:
    return (f"id: M-2017-{number:04d}\nkind: {kind}\ntitle: 第{number}次会议\ndate: {date}\n"
            + (HEARD if kind == "scheduling" and heard else "") + extra)


def set_campaign(tree, start: str, end: str, extra: str = "") -> None:
    tree.write(CAMPAIGN, f"id: campaign\nname: 创建全国文明城市\ncity: 示例市\nstart: {start}\n"
                         f"end: {end}\n" + extra)


def test_minimal_tree_is_valid(make_tree):
    tree = make_tree()
    assert tree.validate() == (0, [])
    assert tree.validate(subprocess=True) == (0, [])


# --- schema ------------------------------------------------------------------------------------

def test_schema_required(make_tree):
    tree = make_tree()
    tree.edit(P, "title: 翠湖街道某某路占道经营\n", "")
    assert run(tree)[:2] == (1, [(P, 1, "E-SCHEMA-REQUIRED")])


def test_schema_required_nested_points_at_the_item(make_tree):
    tree = make_tree()
    text = tree.edit(P, "    state: acknowledged\n", "")
    assert run(tree)[:2] == (1, [(P, tree.line_of(text, "date: 2017-04-08"), "E-SCHEMA-REQUIRED")])


def test_schema_required_other_type(make_tree):
    tree = make_tree()
    tree.edit(CAMPAIGN, "start: 2017-04-05\n", "")
    assert run(tree)[:2] == (1, [(CAMPAIGN, 1, "E-SCHEMA-REQUIRED")])


def test_schema_required_passes_without_optional_fields(make_tree):
    tree = make_tree()
    for line in ("description: 沿街商户占道经营，影响行人通行。\n", "location: 某某路 12 号门前\n",
                 "measures: 劝导商户入店经营，清理占道物品。\n"):
        tree.edit(P, line, "")
    assert run(tree)[:2] == (0, [])


@pytest.mark.parametrize("old, new, typo, meant", [
    ("measures:", "deadlien: 2017-05-01\nmeasures:", "deadlien:", "deadline"),
    ("    state: registered\n", "    state: registered\n    evidense: []\n", "evidense:", "evidence"),
])
def test_schema_unknown_key_suggests_the_right_key(make_tree, old, new, typo, meant):
    tree = make_tree()
    text = tree.edit(P, old, new)
    code, triples, findings = run(tree)
    assert (code, triples) == (1, [(P, tree.line_of(text, typo), "E-SCHEMA-UNKNOWN-KEY")])
    assert f"是不是要写 {meant}" in findings[0]["message"]


def test_schema_unknown_key_misspelt_required_key(make_tree):
    tree = make_tree()
    text = tree.edit(P, "title: ", "titel: ")
    code, triples, findings = run(tree)
    assert triples == [(P, 1, "E-SCHEMA-REQUIRED"), (P, tree.line_of(text, "titel:"), "E-SCHEMA-UNKNOWN-KEY")]
    assert "是不是要写 title" in next(f["message"] for f in findings if f["code"] == "E-SCHEMA-UNKNOWN-KEY")


def test_schema_unknown_key_passes_for_declared_optional_keys(make_tree):
    tree = make_tree()
    tree.edit(P, "measures:", "note: 内部备注\nvisibility: public\nmeasures:")
    tree.edit(P, "    state: registered\n", "    state: registered\n    internal_note: 电话已通知\n")
    assert run(tree)[:2] == (0, [])


@pytest.mark.parametrize("rel, old, new, needle", [
    (P, "title: 翠湖街道某某路占道经营", "title: 2017", "title: 2017"),
    (P, "title: 翠湖街道某某路占道经营", "title: true", "title: true"),
    (P, "measures: 劝导", "measures:\n  第一步: 劝导", "第一步"),
    (SUBHQ, "number: 1", "number: 一", "number: 一"),
    (SUBHQ, "member_units:\n  - city-management", "member_units: city-management", "member_units:"),
])
def test_schema_type(make_tree, rel, old, new, needle):
    tree = make_tree()
    text = tree.edit(rel, old, new)
    assert run(tree)[:2] == (1, [(rel, tree.line_of(text, needle), "E-SCHEMA-TYPE")])


def test_schema_type_history_not_a_list(make_tree):
    tree = make_tree()
    text = head(tree).replace("history:\n", "history: 整改中\n")
    tree.write(P, text)
    assert run(tree)[:2] == (1, [(P, tree.line_of(text, "history:"), "E-SCHEMA-TYPE")])


def test_schema_type_reporter_phone_must_be_quoted(make_tree):
    tree = make_tree()
    text = tree.edit(P, "measures:", "reporter:\n  phone: 13812345678\nmeasures:")
    assert run(tree)[:2] == (1, [(P, tree.line_of(text, "phone:"), "E-SCHEMA-TYPE")])


def test_schema_type_passes_for_quoted_digits(make_tree):
    tree = make_tree()
    tree.edit(P, "title: 翠湖街道某某路占道经营", 'title: "2017"')
    tree.edit(SUBHQ, "number: 1", 'number: "1"')       # an int field takes digits in text
    assert run(tree)[:2] == (0, [])


@pytest.mark.parametrize("old, new", [
    ("source: inspection", "source: inspektion"),
    ("    state: assigned", "    state: finished"),
    ("kind: city_department", "kind: ministry"),
])
def test_schema_enum(make_tree, old, new):
    tree = make_tree()
    rel = "records/org/units/city-management.yaml" if "kind" in old else P
    text = tree.edit(rel, old, new)
    assert run(tree)[:2] == (1, [(rel, tree.line_of(text, new.strip()), "E-SCHEMA-ENUM")])


def test_schema_enum_passes_for_every_listed_value(make_tree):
    tree = make_tree()
    tree.edit(P, "source: inspection", "source: media")
    tree.edit(P, "measures:", "visibility: internal\nmeasures:")
    assert run(tree)[:2] == (0, [])


def test_schema_enum_hint_lists_the_chinese_labels(make_tree):
    tree = make_tree()
    tree.edit(P, "source: inspection", "source: inspektion")
    _, _, findings = run(tree)
    assert "inspection（督查组督查）" in findings[0]["message"]


ASSESSMENT = """\
id: A-2017-0001
kind: simulated
title: 四月模拟测评
period: 2017-04
date: 2017-04-06
scores:
  - district: panlong
    score: {panlong}
    by_indicator:
      - indicator: street-order
        score: {indicator}
  - district: wuhua
    score: 78
"""


@pytest.mark.parametrize("panlong, indicator, needle", [
    ("100.5", "90", "score: 100.5"),
    ("-1", "90", "score: -1"),
    ("90", "101", "score: 101"),
])
def test_schema_range(make_tree, panlong, indicator, needle):
    tree = make_tree()
    text = ASSESSMENT.format(panlong=panlong, indicator=indicator)
    tree.write(A1, text)
    assert run(tree)[:2] == (1, [(A1, tree.line_of(text, needle), "E-SCHEMA-RANGE")])


def test_schema_range_passes_at_the_bounds(make_tree):
    tree = make_tree()
    tree.write(A1, ASSESSMENT.format(panlong="100", indicator="0"))
    assert run(tree)[:2] == (0, [])


# --- dates ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["2017-02-30", "2017-13-01", "tomorrow", "2017-4-6", "20170406",
                                   "2017/04/06", '"2017-04-06 09:00"'])
def test_date_invalid(make_tree, value):
    tree = make_tree()
    text = tree.edit(P, "found: 2017-04-06", f"found: {value}")
    assert run(tree)[:2] == (1, [(P, tree.line_of(text, "found:"), "E-DATE-INVALID")])


def test_date_invalid_nested_and_other_types(make_tree):
    tree = make_tree()
    text = tree.edit(P, "  - date: 2017-04-10", "  - date: 2017-02-29")   # 2017 is no leap year
    tree.edit(CAMPAIGN, "end: 2017-04-08", "end: 2017-04-31")
    assert run(tree)[:2] == (1, [(CAMPAIGN, 5, "E-DATE-INVALID"),
                                 (P, tree.line_of(text, "2017-02-29"), "E-DATE-INVALID")])


@pytest.mark.parametrize("value", ["2017-02-28", '"2017-04-06"', "'2017-04-01'"])
def test_date_invalid_passes_for_the_valid_forms(make_tree, value):
    tree = make_tree()
    tree.edit(P, "found: 2017-04-06", f"found: {value}")
    assert run(tree)[:2] == (0, [])


def test_month_pattern(make_tree):
    tree = make_tree()
    text = ASSESSMENT.format(panlong="90", indicator="90").replace("period: 2017-04", "period: 2017-13")
    tree.write(A1, text)
    assert run(tree)[:2] == (1, [(A1, tree.line_of(text, "period:"), "E-SCHEMA-PATTERN")])


def test_schema_pattern_passes_for_december(make_tree):
    tree = make_tree()
    tree.write(A1, ASSESSMENT.format(panlong="90", indicator="90").replace("period: 2017-04", "period: 2016-12"))
    assert run(tree, code="E-SCHEMA-PATTERN")[:2] == (0, [])


def test_date_future(make_tree):
    tree = make_tree()
    text = tree.edit(P, "  - date: 2017-04-20", "  - date: 2017-06-01")
    assert run(tree, as_of="2017-05-31")[:2] == (1, [(P, tree.line_of(text, "2017-06-01"), "E-DATE-FUTURE")])
    assert run(tree, as_of="2017-06-01")[:2] == (0, [])       # the as-of day itself is not future


def test_date_future_of_found_and_of_a_held_meeting(make_tree):
    tree = make_tree()
    tree.write(M1, meeting(1, "2017-04-07"))
    # as of 2017-04-06 the meeting and every event after the 6th lie in the future
    code, triples, _ = run(tree, as_of="2017-04-06", code="E-DATE-FUTURE")
    text = tree.read(P)
    assert code == 1
    assert (M1, 4, "E-DATE-FUTURE") in triples
    assert (P, tree.line_of(text, "date: 2017-04-07"), "E-DATE-FUTURE") in triples
    assert (P, tree.line_of(text, "found:"), "E-DATE-FUTURE") not in triples


def test_date_future_not_for_a_planned_meeting(make_tree):
    tree = make_tree()
    tree.write(M1, meeting(1, "2017-04-08", extra="status: planned\n"))
    assert run(tree, as_of="2017-04-07", code="E-DATE-FUTURE")[1] == [
        (P, tree.line_of(tree.read(P), f"date: {d}"), "E-DATE-FUTURE")
        for d in ("2017-04-08", "2017-04-10", "2017-04-15", "2017-04-18", "2017-04-20")]


def test_date_before_found(make_tree):
    tree = make_tree()
    text = tree.edit(P, "  - date: 2017-04-06", "  - date: 2017-04-05")
    assert run(tree)[:2] == (1, [(P, tree.line_of(text, "2017-04-05"), "E-DATE-BEFORE-FOUND")])


def test_date_before_found_passes_for_an_event_on_the_day_found(make_tree):
    tree = make_tree()
    assert "found: 2017-04-06" in tree.read(P) and "  - date: 2017-04-06" in tree.read(P)
    assert run(tree, code="E-DATE-BEFORE-FOUND")[:2] == (0, [])


def test_date_order(make_tree):
    tree = make_tree()
    text = tree.edit(P, "  - date: 2017-04-10", "  - date: 2017-04-07")
    assert run(tree)[:2] == (1, [(P, tree.line_of(text, "date: 2017-04-07", 2), "E-DATE-ORDER")])


def test_date_order_allows_same_day_events(make_tree):
    tree = make_tree()
    tree.edit(P, "  - date: 2017-04-07", "  - date: 2017-04-06")
    tree.edit(P, "  - date: 2017-04-08", "  - date: 2017-04-06")
    assert run(tree)[:2] == (0, [])


def test_date_range_deadline_before_found(make_tree):
    tree = make_tree()
    text = tree.edit(P, "deadline: 2017-04-30", "deadline: 2017-04-05")
    assert run(tree)[:2] == (1, [(P, tree.line_of(text, "deadline:"), "E-DATE-RANGE")])


def test_date_range_deadline_on_found_day_passes(make_tree):
    tree = make_tree()
    tree.edit(P, "deadline: 2017-04-30", "deadline: 2017-04-06")
    assert run(tree)[:2] == (0, [])


# --- ids -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("rel, record_id", [
    ("records/problems/2017/P-2017-01.yaml", "P-2017-01"),
    ("records/problems/2017/P-2017-0001x.yaml", "P-2017-0001x"),
    ("records/problems/2017/Q-2017-0001.yaml", "Q-2017-0001"),
])
def test_id_pattern_yearly(make_tree, rel, record_id):
    tree = make_tree()
    text = tree.read(P).replace("id: P-2017-0001", f"id: {record_id}")
    tree.remove(P)
    tree.write(rel, text)
    assert run(tree)[:2] == (1, [(rel, 1, "E-ID-PATTERN")])


@pytest.mark.parametrize("record_id", ["city_mgmt", "x", "9th-bureau", "城管局"])
def test_id_pattern_plain(make_tree, record_id):
    tree = make_tree()
    rel = f"records/org/units/{record_id}.yaml"
    tree.write(rel, f"name: 某局\nkind: other\nid: {record_id}\n")
    assert run(tree)[:2] == (1, [(rel, 3, "E-ID-PATTERN")])


def test_id_pattern_passes(make_tree):
    tree = make_tree()
    text = tree.read(P).replace("id: P-2017-0001", "id: P-2017-000123")
    tree.remove(P)
    tree.write("records/problems/2017/P-2017-000123.yaml", text)
    tree.write("records/org/units/a1.yaml", "id: a1\nname: 某局\nkind: other\n")
    assert run(tree)[:2] == (0, [])


def test_id_pattern_rejects_full_width_digits(make_tree):
    tree = make_tree()
    rel = "records/problems/2017/P-2017-００９９.yaml"
    tree.write(rel, tree.read(P).replace("id: P-2017-0001", "id: P-2017-００９９"))
    assert (rel, 1, "E-ID-PATTERN") in run(tree)[1]


def test_id_filename(make_tree):
    tree = make_tree()
    tree.edit(P, "id: P-2017-0001", "id: P-2017-0002")
    tree.edit("records/org/hq/hq.yaml", "id: hq\n", "id: head-quarters\n")      # nothing refers to hq
    assert run(tree)[:2] == (1, [("records/org/hq/hq.yaml", 1, "E-ID-FILENAME"),
                                 (P, 1, "E-ID-FILENAME")])


def test_id_filename_passes_for_a_renamed_file_with_its_new_id(make_tree):
    tree = make_tree()
    tree.write("records/org/hq/head-quarters.yaml", tree.read("records/org/hq/hq.yaml").replace("id: hq\n", "id: head-quarters\n"))
    tree.remove("records/org/hq/hq.yaml")              # nothing refers to hq
    assert run(tree, code="E-ID-FILENAME")[:2] == (0, [])


@pytest.mark.parametrize("rel, record_id, extra", [
    ("records/org/units/panlong.yaml", "panlong", []),                       # a district's id
    ("records/org/units/Panlong.yaml", "Panlong", ["E-ID-PATTERN"]),         # differs in case
    ("records/org/units/ｐａｎｌｏｎｇ.yaml", "ｐａｎｌｏｎｇ", ["E-ID-PATTERN"]),  # full-width letters
])
def test_id_duplicate(make_tree, rel, record_id, extra):
    tree = make_tree()
    tree.write(rel, f"id: {record_id}\nname: 盘龙区某局\nkind: district_department\n")
    assert run(tree)[:2] == (1, sorted([(rel, 1, "E-ID-DUPLICATE")] + [(rel, 1, c) for c in extra]))


def test_id_duplicate_full_width_digits_in_a_problem_id(make_tree):
    tree = make_tree()
    rel = "records/problems/2017/P-2017-０００１.yaml"
    tree.write(rel, tree.read(P).replace("id: P-2017-0001", "id: P-2017-０００１"))
    code, triples, _ = run(tree)
    assert code == 1
    assert (rel, 1, "E-ID-DUPLICATE") in triples
    assert not [t for t in triples if t[0] == P]     # the first holder of the id is fine


def test_id_duplicate_passes_for_distinct_ids(make_tree):
    tree = make_tree()
    tree.write("records/org/units/panlong-east.yaml", "id: panlong-east\nname: 某局\nkind: other\n")
    tree.write("records/problems/2017/P-2017-0002.yaml",
               tree.read(P).replace("id: P-2017-0001", "id: P-2017-0002"))
    assert run(tree)[:2] == (0, [])


def test_file_year_folder(make_tree):
    tree = make_tree()
    text = tree.read(P)
    tree.remove(P)
    tree.write("records/problems/2018/P-2017-0001.yaml", text)
    tree.write("records/problems/P-2017-0002.yaml", text.replace("id: P-2017-0001", "id: P-2017-0002"))
    assert run(tree)[:2] == (1, [("records/problems/2018/P-2017-0001.yaml", 1, "E-FILE-YEAR-FOLDER"),
                                 ("records/problems/P-2017-0002.yaml", 1, "E-FILE-YEAR-FOLDER")])


def test_file_year_folder_passes_for_other_years(make_tree):
    tree = make_tree()
    text = tree.read(P).replace("P-2017-0001", "P-2018-0001").replace("2017", "2018")
    tree.write("records/problems/2018/P-2018-0001.yaml", text)
    tree.write("records/attachments/2018/P-2018-0001-after.jpg", _image("JPEG"))
    code, triples, _ = run(tree, as_of="2018-05-31")
    assert (code, triples) == (0, [])


# --- references ----------------------------------------------------------------------------------

@pytest.mark.parametrize("old, new, suggestion", [
    ("district: panlong", "district: panlog", "panlong"),
    ("responsible_unit: city-management", "responsible_unit: city-managment", "city-management"),
    ("    state: registered\n    by: hq-office", "    state: registered\n    by: hq-ofice", "hq-office"),
    ("sub_hq: subhq-city-order", "sub_hq: nothing-like-it", None),
])
def test_ref_missing(make_tree, old, new, suggestion):
    tree = make_tree()
    text = tree.edit(P, old, new)
    code, triples, findings = run(tree)
    assert (code, triples) == (1, [(P, tree.line_of(text, new.split("\n")[-1]), "E-REF-MISSING")])
    if suggestion:
        assert f"是不是 {suggestion}" in findings[0]["message"]
    else:
        assert "是不是" not in findings[0]["message"]


def test_ref_missing_not_reported_for_a_record_that_exists_but_is_broken(make_tree):
    tree = make_tree()
    text = tree.edit("records/org/units/city-management.yaml", "kind: city_department", "kind: ministry")
    assert run(tree)[:2] == (1, [("records/org/units/city-management.yaml",
                                  tree.line_of(text, "kind:"), "E-SCHEMA-ENUM")])


def test_ref_missing_passes(make_tree):
    tree = make_tree()
    tree.edit(P, "district: panlong", "district: wuhua")
    tree.edit(P, "street: panlong-cuihu", "street: wuhua-huashan")
    tree.edit(P, "responsible_unit: city-management", "responsible_unit: wuhua")
    assert run(tree)[:2] == (0, [])


@pytest.mark.parametrize("old, new", [
    ("district: panlong", "district: city-management"),          # a unit, not a district
    ("responsible_unit: city-management", "responsible_unit: hq"),  # HQ is not a unit/district
    ("source: inspection", "source: inspection\nsource_ref: P-2017-0001"),  # must be an inspection
])
def test_ref_type(make_tree, old, new):
    tree = make_tree()
    text = tree.edit(P, old, new)
    assert run(tree)[:2] == (1, [(P, tree.line_of(text, new.split("\n")[-1]), "E-REF-TYPE")])


# an inspection of Panlong by group-1, for the problem in the minimal tree to name as its source
INSPECTION = "records/inspections/2017/I-2017-0001.yaml"
INSPECTION_TEXT = """\
id: I-2017-0001
group: group-1
date: 2017-04-06
districts:
  - panlong
methods:
  - field
basis:
  - national
"""


def test_ref_type_source_ref_passes_for_the_right_type(make_tree):
    tree = make_tree()
    tree.write(INSPECTION, INSPECTION_TEXT)
    tree.edit(P, "source: inspection", "source: inspection\nsource_ref: I-2017-0001")
    assert run(tree)[:2] == (0, [])


def test_ref_street(make_tree):
    tree = make_tree()
    text = tree.edit(P, "street: panlong-cuihu", "street: wuhua-huashan")
    assert run(tree)[:2] == (1, [(P, tree.line_of(text, "street:"), "E-REF-STREET")])


def test_ref_street_passes_for_a_street_of_the_district(make_tree):
    tree = make_tree()
    tree.edit(P, "street: panlong-cuihu", "street: panlong-jindu")
    assert run(tree)[:2] == (0, [])


# --- attachments ---------------------------------------------------------------------------------

def set_evidence(tree, value: str) -> int:
    text = tree.edit(P, EVIDENCE_LINE, f"      - {value}")
    return tree.line_of(text, f"      - {value}")


@pytest.mark.parametrize("value", [
    "../secret.jpg",
    "attachments/../../outside.jpg",
    "/etc/photo.jpg",
    "'\\\\server\\share\\photo.jpg'",
    "attachments\\2017\\P-2017-0001-after.jpg",
    "C:/photos/after.jpg",
])
def test_attach_path_unsafe(make_tree, value):
    tree = make_tree()
    line = set_evidence(tree, value)
    assert run(tree)[:2] == (1, [(P, line, "E-ATTACH-PATH")])


def test_attach_path_passes_for_a_folder_inside_attachments(make_tree):
    tree = make_tree()
    tree.write("records/attachments/2017/04/P-2017-0001-after.jpg", _image("JPEG"))
    set_evidence(tree, "attachments/2017/04/P-2017-0001-after.jpg")
    assert run(tree, code="E-ATTACH-PATH")[:2] == (0, [])


def test_attach_path_symlink_out_of_records(make_tree, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "after.jpg"
    outside.write_bytes(b"\xff\xd8\xff\xd9")
    tree = make_tree()
    os.symlink(outside, tree.records / "attachments/2017/link.jpg")
    line = set_evidence(tree, "attachments/2017/link.jpg")
    assert run(tree)[:2] == (1, [(P, line, "E-ATTACH-PATH")])


def test_attach_path_symlink_inside_records_is_refused_too(make_tree):
    """A link inside records/ could still publish an internal record under a photo's name."""
    tree = make_tree()
    os.symlink("P-2017-0001-after.jpg", tree.records / "attachments/2017/link.jpg")
    line = set_evidence(tree, "attachments/2017/link.jpg")
    assert run(tree)[:2] == (1, [(P, line, "E-ATTACH-PATH")])


def test_attach_path_symlinked_directory_out_of_records(make_tree, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "after.jpg").write_bytes(b"\xff\xd8\xff\xd9")
    tree = make_tree()
    os.symlink(outside, tree.records / "attachments/elsewhere", target_is_directory=True)
    line = set_evidence(tree, "attachments/elsewhere/after.jpg")
    assert run(tree)[:2] == (1, [(P, line, "E-ATTACH-PATH")])


def test_attach_missing(make_tree):
    tree = make_tree()
    line = set_evidence(tree, "attachments/2017/P-2017-0001-before.jpg")
    assert run(tree)[:2] == (1, [(P, line, "E-ATTACH-MISSING")])


def test_attach_missing_passes_for_a_file_that_is_there(make_tree):
    tree = make_tree()
    tree.write("records/attachments/2017/P-2017-0001-before.jpg", _image("JPEG"))
    set_evidence(tree, "attachments/2017/P-2017-0001-before.jpg")
    assert run(tree, code="E-ATTACH-MISSING")[:2] == (0, [])


def test_attach_missing_for_a_directory(make_tree):
    tree = make_tree()
    (tree.records / "attachments/2017/photos.jpg").mkdir()
    line = set_evidence(tree, "attachments/2017/photos.jpg")
    assert run(tree)[:2] == (1, [(P, line, "E-ATTACH-MISSING")])


@pytest.mark.parametrize("name", ["P-2017-0001-after.docx", "P-2017-0001-after.exe",
                                  "P-2017-0001-after", "P-2017-0001-after.jpg.zip"])
def test_attach_type(make_tree, name):
    tree = make_tree()
    tree.write(f"records/attachments/2017/{name}", b"data")
    line = set_evidence(tree, f"attachments/2017/{name}")
    assert run(tree)[:2] == (1, [(P, line, "E-ATTACH-TYPE")])


def _pdf() -> bytes:
    import io
    import pikepdf
    pdf = pikepdf.new()
    pdf.add_blank_page()
    buffer = io.BytesIO()
    pdf.save(buffer, static_id=True)
    return buffer.getvalue()


def _image(fmt: str) -> bytes:
    import io
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.mark.parametrize("name, fmt", [("scan.PDF", None), ("photo.JPEG", "JPEG"), ("photo.png", "PNG"),
                                       ("photo.webp", "WEBP"), ("照片.jpg", "JPEG")])
def test_attach_type_passes(make_tree, name, fmt):
    tree = make_tree()
    tree.write(f"records/attachments/2017/{name}", _image(fmt) if fmt else _pdf())
    set_evidence(tree, f"attachments/2017/{name}")
    assert run(tree)[:2] == (0, [])


def test_attach_type_fails_for_a_photo_that_is_not_an_image(make_tree):
    tree = make_tree()
    tree.write("records/attachments/2017/broken.jpg", b"\xff\xd8\xff\xd9 not really a photo")
    line = set_evidence(tree, "attachments/2017/broken.jpg")
    assert run(tree)[:2] == (1, [(P, line, "E-ATTACH-TYPE")])


# --- hostile attachments: content proven, size bounded, names linted ----------------------------

def _png_header(width: int, height: int) -> bytes:
    """A small PNG file that declares a huge canvas (a decompression bomb's header)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1024)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("name, content, code", [
    ("bomb.png", _png_header(20000, 20000), "E-ATTACH-IMAGE-SIZE"),
    ("wide.png", _png_header(60000, 1000), "E-ATTACH-IMAGE-SIZE"),
    ("truncated.jpg", None, "E-ATTACH-TYPE"),
    ("script.pdf", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "E-ATTACH-TYPE"),
    ("page.jpg", b"<!doctype html><script>alert(1)</script>", "E-ATTACH-TYPE"),
    ("empty.jpg", b"", "E-ATTACH-TYPE"),
    ("fake.pdf", b"%PDF-1.7\n%%EOF\n", "E-ATTACH-TYPE"),
    ("gif.png", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "E-ATTACH-TYPE"),
])
def test_attach_content_is_proven_not_taken_from_the_name(make_tree, name, content, code):
    tree = make_tree()
    if content is None:                 # a real photo cut short
        content = _image("JPEG")
        content = content[: len(content) // 2]
    tree.write(f"records/attachments/2017/{name}", content)
    line = set_evidence(tree, f"attachments/2017/{name}")
    assert run(tree)[:2] == (1, [(P, line, code)])


def test_attach_too_large_is_refused_without_reading_it(make_tree):
    tree = make_tree()
    big = tree.records / "attachments/2017/huge.jpg"
    with open(big, "wb") as f:          # sparse: 60 MB on paper, nothing on disk
        f.truncate(60_000_000)
    line = set_evidence(tree, "attachments/2017/huge.jpg")
    assert run(tree)[:2] == (1, [(P, line, "E-ATTACH-TOO-LARGE")])


def test_attach_too_large_passes_at_exactly_the_limit(make_tree):
    """A file of exactly MAX_BYTES is not refused for its size: its content is looked at (and
    here, all zeros, is no photo)."""
    from generator.validate.check.attachments import MAX_BYTES
    tree = make_tree()
    with open(tree.records / "attachments/2017/big.jpg", "wb") as f:
        f.truncate(MAX_BYTES)
    line = set_evidence(tree, "attachments/2017/big.jpg")
    assert run(tree, code="E-ATTACH-TOO-LARGE")[:2] == (1, [])
    assert run(tree)[1] == [(P, line, "E-ATTACH-TYPE")]


def test_attach_image_size_passes_at_exactly_the_limit(make_tree):
    """A real image of exactly MAX_PIXELS (10,000 × 5,000, one bit per pixel) decodes and passes."""
    import io
    from PIL import Image
    from generator.validate.check.attachments import MAX_PIXELS
    buffer = io.BytesIO()
    Image.new("1", (10_000, MAX_PIXELS // 10_000)).save(buffer, format="PNG")
    tree = make_tree()
    tree.write("records/attachments/2017/P-2017-0001-wide.png", buffer.getvalue())
    set_evidence(tree, "attachments/2017/P-2017-0001-wide.png")
    assert run(tree, code="E-ATTACH-IMAGE-SIZE")[:2] == (0, [])


def test_attach_that_is_a_fifo_is_missing_and_never_opened(make_tree):
    tree = make_tree()
    os.mkfifo(tree.records / "attachments/2017/pipe.jpg")
    line = set_evidence(tree, "attachments/2017/pipe.jpg")
    assert run(tree)[:2] == (1, [(P, line, "E-ATTACH-MISSING")])


def test_attach_symlink_to_an_internal_record_is_refused(make_tree):
    tree = make_tree()
    tree.write("records/accountability/2017/Q-2017-0001.yaml", "id: Q-2017-0001\n")
    os.symlink("../../accountability/2017/Q-2017-0001.yaml", tree.records / "attachments/2017/scan.pdf")
    line = set_evidence(tree, "attachments/2017/scan.pdf")
    assert (P, line, "E-ATTACH-PATH") in run(tree)[1]


def test_attach_outside_the_attachments_folder_is_refused(make_tree):
    tree = make_tree()
    tree.write("records/org/units/photo.jpg", _image("JPEG"))
    line = set_evidence(tree, "org/units/photo.jpg")
    assert (P, line, "E-ATTACH-PATH") in run(tree)[1]


@pytest.mark.parametrize("name", ["13812345678.jpg", "P-2017-0001-张三-138 1234 5678.jpg",
                                  "身份证530102199001011234.pdf", "P-2017-0001-０８７１-６３１２３４５６.png"])
def test_attach_name_with_personal_data_is_refused(make_tree, name):
    tree = make_tree()
    tree.write(f"records/attachments/2017/{name}", _pdf() if name.endswith(".pdf") else _image("PNG" if name.endswith(".png") else "JPEG"))
    line = set_evidence(tree, f"attachments/2017/{name}")
    assert run(tree)[:2] == (1, [(P, line, "E-ATTACH-NAME")])


def test_attach_name_passes_with_an_id_and_a_date(make_tree):
    tree = make_tree()
    tree.write("records/attachments/2017/P-2017-0001-20170418-after-2.jpg", _image("JPEG"))
    set_evidence(tree, "attachments/2017/P-2017-0001-20170418-after-2.jpg")
    assert run(tree)[:2] == (0, [])


def test_attach_name_of_an_internal_record_is_not_linted(make_tree):
    tree = make_tree()
    tree.edit(P, "id: P-2017-0001\n", "id: P-2017-0001\nvisibility: internal\n")
    tree.write("records/attachments/2017/13812345678.jpg", _image("JPEG"))
    set_evidence(tree, "attachments/2017/13812345678.jpg")
    assert run(tree)[:2] == (0, [])


# --- the campaign's period bounds the cadence checks ---------------------------------------------

@pytest.mark.parametrize("start, end, key", [
    ("0001-01-01", "2017-04-08", "start"),
    ("1999-12-31", "2017-04-08", "start"),
    ("2017-04-05", "2017-04-01", "end"),
])
def test_campaign_range_is_an_error_not_a_flood_of_warnings(make_tree, start, end, key):
    tree = make_tree()
    set_campaign(tree, start, end)
    code, triples, findings = run(tree)
    assert (code, triples) == (1, [(CAMPAIGN, 4 if key == "start" else 5, "E-CAMPAIGN-RANGE")])


def test_campaign_range_counts_up_to_the_as_of_date_when_open_ended(make_tree):
    tree = make_tree()
    tree.write(CAMPAIGN, "id: campaign\nname: 创建全国文明城市\ncity: 示例市\nstart: 2001-01-01\n")
    code, triples, _findings = run(tree)
    assert (code, triples) == (1, [(CAMPAIGN, 4, "E-CAMPAIGN-RANGE")])


def test_campaign_range_passes_for_three_years(make_tree):
    tree = make_tree()
    set_campaign(tree, "2017-04-05", "2020-04-04")
    code, _triples, findings = run(tree)
    assert code == 0 and not tree.triples(findings, "E-CAMPAIGN-RANGE")


# --- lifecycle -----------------------------------------------------------------------------------

REG = "  - date: 2017-04-06\n    state: registered\n"
ASSIGNED = "  - date: 2017-04-07\n    state: assigned\n"


def test_lifecycle_start(make_tree):
    tree = make_tree()
    text = tree.edit(P, "  - date: 2017-04-06\n    state: registered\n    by: hq-office\n", "")
    assert run(tree)[:2] == (1, [(P, tree.line_of(text, "state: assigned"), "E-LIFECYCLE-START")])


def test_lifecycle_start_empty_history(make_tree):
    tree = make_tree()
    text = head(tree).replace("history:\n", "history: []\n")
    tree.write(P, text)
    assert run(tree)[:2] == (1, [(P, tree.line_of(text, "history:"), "E-LIFECYCLE-START")])


def test_lifecycle_start_passes_with_registered_only(make_tree):
    tree = make_tree()
    set_history(tree, REG)
    assert run(tree, as_of="2017-04-30")[:2] == (0, [])


@pytest.mark.parametrize("events, bad", [
    # registered → closed
    (REG + "  - date: 2017-04-20\n    state: closed\n    evidence:\n"
           "      - attachments/2017/P-2017-0001-after.jpg\n", "state: closed"),
    # reported → closed without verified
    (REG + ASSIGNED + "  - date: 2017-04-08\n    state: acknowledged\n"
     "  - date: 2017-04-15\n    state: reported\n    evidence:\n"
     "      - attachments/2017/P-2017-0001-after.jpg\n"
     "  - date: 2017-04-20\n    state: closed\n", "state: closed"),
    # registered → registered
    (REG + "  - date: 2017-04-07\n    state: registered\n", "state: registered\n  - date"),
    # assigned → rectifying, skipping acknowledged
    (REG + ASSIGNED + "  - date: 2017-04-08\n    state: rectifying\n", "state: rectifying"),
])
def test_lifecycle_transition(make_tree, events, bad):
    tree = make_tree()
    text = set_history(tree, events)
    line = tree.line_of(text, bad.split("\n")[0], text.count(bad.split("\n")[0]))
    assert errors_only(tree) == (1, [(P, line, "E-LIFECYCLE-TRANSITION")])


def test_lifecycle_transition_passes_for_the_whole_chain(make_tree):
    tree = make_tree()
    set_history(tree, REG + ASSIGNED + """\
  - date: 2017-04-08
    state: acknowledged
  - date: 2017-04-09
    state: extended
    reason: 雨季施工
    new_deadline: 2017-05-10
    approved_by: subhq-city-order
  - date: 2017-04-10
    state: rectifying
  - date: 2017-04-15
    state: reported
  - date: 2017-04-16
    state: returned
    note: 整改不彻底
  - date: 2017-04-17
    state: rectifying
  - date: 2017-04-25
    state: reported
    evidence:
      - attachments/2017/P-2017-0001-after.jpg
  - date: 2017-04-26
    state: verified
  - date: 2017-04-27
    state: closed
""")
    assert run(tree)[:2] == (0, [])


def test_lifecycle_no_evidence(make_tree):
    tree = make_tree()
    text = tree.edit(P, "    evidence:\n" + EVIDENCE_LINE + "\n", "")
    assert run(tree)[:2] == (1, [(P, tree.line_of(text, "date: 2017-04-20"), "E-LIFECYCLE-NO-EVIDENCE")])


def test_lifecycle_no_evidence_passes_with_evidence_on_any_event(make_tree):
    tree = make_tree()
    tree.edit(P, "    evidence:\n" + EVIDENCE_LINE + "\n", "")
    tree.edit(P, "    by: group-1\n", "    by: group-1\n    evidence:\n" + EVIDENCE_LINE + "\n")
    assert run(tree)[:2] == (0, [])


def test_lifecycle_no_evidence_not_required_before_closing(make_tree):
    tree = make_tree()
    tree.edit(P, "    evidence:\n" + EVIDENCE_LINE + "\n", "")
    tree.edit(P, "  - date: 2017-04-20\n    state: closed\n    by: hq-office\n", "")
    assert run(tree)[:2] == (0, [])


EXTENDED = """\
  - date: 2017-04-08
    state: extended
    reason: 雨季施工
    new_deadline: {new}
    approved_by: subhq-city-order
"""


@pytest.mark.parametrize("drop, missing", [
    ("    approved_by: subhq-city-order\n", "approved_by"),
    ("    reason: 雨季施工\n", "reason"),
])
def test_lifecycle_extension_incomplete(make_tree, drop, missing):
    tree = make_tree()
    text = set_history(tree, REG + ASSIGNED + EXTENDED.format(new="2017-05-10").replace(drop, ""))
    code, triples, findings = run(tree, as_of="2017-04-20")
    assert (code, triples) == (1, [(P, tree.line_of(text, "date: 2017-04-08"), "E-LIFECYCLE-EXTENSION")])
    assert missing in findings[0]["message"]


def test_lifecycle_extension_complete_passes(make_tree):
    tree = make_tree()
    set_history(tree, REG + ASSIGNED + EXTENDED.format(new="2017-05-10"))
    assert run(tree, as_of="2017-04-20")[:2] == (0, [])


@pytest.mark.parametrize("new", ["2017-04-30", "2017-04-20"])     # equal to / before the deadline
def test_lifecycle_deadline_not_later(make_tree, new):
    tree = make_tree()
    text = set_history(tree, REG + ASSIGNED + EXTENDED.format(new=new))
    assert run(tree, as_of="2017-04-20")[:2] == (1, [(P, tree.line_of(text, "new_deadline:"),
                                                      "E-LIFECYCLE-DEADLINE")])


def test_lifecycle_deadline_passes_for_a_later_one(make_tree):
    tree = make_tree()
    set_history(tree, REG + ASSIGNED + EXTENDED.format(new="2017-05-01"))   # the day after the deadline
    assert run(tree, as_of="2017-04-20", code="E-LIFECYCLE-DEADLINE")[:2] == (0, [])


def test_lifecycle_deadline_second_extension_compares_with_the_first(make_tree):
    tree = make_tree()
    second = EXTENDED.format(new="2017-05-05").replace("2017-04-08", "2017-04-09")
    text = set_history(tree, REG + ASSIGNED + EXTENDED.format(new="2017-05-10") + second)
    assert run(tree, as_of="2017-04-20")[:2] == (1, [(P, tree.line_of(text, "new_deadline: 2017-05-05"),
                                                      "E-LIFECYCLE-DEADLINE")])


# --- required by kind --------------------------------------------------------------------------

@pytest.mark.parametrize("rel, text", [
    (M1, meeting(1, "2017-04-07", kind="sub_hq")),
    (M1, meeting(1, "2017-04-07", kind="district")),
    (A1, ASSESSMENT.format(panlong="90", indicator="90").replace("kind: simulated", "kind: third_party")),
])
def test_record_field(make_tree, rel, text):
    tree = make_tree()
    tree.write(rel, text)
    assert run(tree)[:2] == (1, [(rel, 1, "E-RECORD-FIELD")])


def test_record_field_passes(make_tree):
    tree = make_tree()
    tree.write(M1, meeting(1, "2017-04-07", kind="sub_hq", extra="sub_hq: subhq-city-order\n"))
    tree.write(M2, meeting(2, "2017-04-07", kind="district", extra="district: wuhua\n"))
    tree.write("records/org/assessors/survey-co.yaml", "id: survey-co\nname: 某调查公司\n")
    tree.write(A1, ASSESSMENT.format(panlong="90", indicator="90").replace(
        "kind: simulated", "kind: third_party\nassessor: survey-co"))
    assert run(tree)[:2] == (0, [])


# --- text and privacy ------------------------------------------------------------------------------

@pytest.mark.parametrize("old, new, needle", [
    ("title: 翠湖街道", "title: 翠湖街道\u202e某某路", "title:"),                  # bidi override
    ("location: 某某路 12 号门前", 'location: "某某路\\x07 12 号"', "location:"),   # escaped BEL
    ("    by: group-1", '    by: group-1\n    note: "复核\\u2066通过"', "复核"),     # bidi isolate
    ("measures:", 'note: "内部\\x1b备注"\nmeasures:', "note:"),                    # internal field too
])
def test_text_control(make_tree, old, new, needle):
    tree = make_tree()
    text = tree.edit(P, old, new)
    assert run(tree)[:2] == (1, [(P, tree.line_of(text, needle), "E-TEXT-CONTROL")])


def test_text_control_passes_for_ordinary_text(make_tree):
    tree = make_tree()
    tree.edit(P, "title: 翠湖街道某某路占道经营", 'title: "翠湖街道「某某路」占道经营——第2次\\t复查 ✓"')
    tree.edit(P, "description: 沿街商户占道经营，影响行人通行。", "description: |\n  第一行\n  第二行（Ⅱ）\n")
    assert run(tree)[:2] == (0, [])


@pytest.mark.parametrize("old, new, needle", [
    ("title: 翠湖街道", "title: 翠湖街道（店主电话13812345678）", "title:"),
    ("description: 沿街", "description: 店主身份证53010219800101123X，沿街", "description:"),
    ("description: 沿街", "description: 店主身份证 530102198001011234 沿街", "description:"),
    ("location: 某某路 12 号门前", "location: 某某路 12 号，电话 0871-63123456", "location:"),
    ("location: 某某路 12 号门前", "location: 某某路 12 号，电话（0871）63123456", "location:"),
    ("    by: group-1", "    by: group-1\n    note: 已电话联系 15987654321 复核", "note:"),
    ("title: 翠湖街道", "title: 翠湖街道（店主电话138-1234-5678）", "title:"),
    ("description: 沿街", "description: 云A·12345 号车辆长期占道，沿街", "description:"),
    ("description: 沿街", "description: 车牌云AD12345的新能源车占道，沿街", "description:"),
])
def test_privacy_pii_in_public_text(make_tree, old, new, needle):
    tree = make_tree()
    text = tree.edit(P, old, new)
    assert run(tree)[:2] == (1, [(P, tree.line_of(text, needle), "E-PRIVACY-PII")])


def test_privacy_pii_passes_in_internal_fields(make_tree):
    tree = make_tree()
    tree.edit(P, "measures:", "reporter:\n  name: 张三\n  phone: \"13812345678\"\n"
                              "  id_number: 53010219800101123X\n  address: 某某路 12 号 0871-63123456\n"
                              "note: 反映人电话 13812345678\nmeasures:")
    tree.edit(P, "    by: group-1", "    by: group-1\n    internal_note: 已电话联系 15987654321")
    tree.write("records/org/people/shop-owner-contact.yaml",
               'id: shop-owner-contact\nrole: 城管队员\nunit: city-management\nphone: "13812345678"\n')
    assert run(tree)[:2] == (0, [])


def test_privacy_pii_passes_in_an_internal_record_and_for_other_numbers(make_tree):
    tree = make_tree()
    tree.edit(P, "title: 翠湖街道", "title: 翠湖街道（12345678901 号工单，门牌 20170406，云南省 ABC 公司）")
    tree.edit(P, "measures:", "visibility: internal\nmeasures:")
    tree.edit(P, "description: 沿街", "description: 店主电话13812345678，沿街")
    assert run(tree)[:2] == (0, [])


def test_privacy_pii_passes_inside_an_internal_part(make_tree):
    tree = make_tree()
    tree.edit(P, "measures:", "instruction:\n  by_role: 市长\n  text: 请联系店主 13812345678 尽快处理\nmeasures:")
    assert run(tree)[:2] == (0, [])


def test_privacy_pii_full_width_digits(make_tree):
    tree = make_tree()
    text = tree.edit(P, "title: 翠湖街道", "title: 翠湖街道（店主电话１３８１２３４５６７８）")
    assert run(tree)[:2] == (1, [(P, tree.line_of(text, "title:"), "E-PRIVACY-PII")])


# --- warnings: overdue ---------------------------------------------------------------------------

OPEN_HISTORY = REG + ASSIGNED


@pytest.mark.parametrize("as_of, overdue", [("2017-04-29", False), ("2017-04-30", False),
                                            ("2017-05-01", True), ("2017-06-30", True)])
def test_problem_overdue_boundary(make_tree, as_of, overdue):
    tree = make_tree()
    text = set_history(tree, OPEN_HISTORY)
    expected = [(P, tree.line_of(text, "deadline:"), "W-PROBLEM-OVERDUE")] if overdue else []
    assert run(tree, as_of=as_of)[:2] == (0, expected)       # a warning does not fail the run


def test_problem_overdue_uses_the_extended_deadline(make_tree):
    tree = make_tree()
    text = set_history(tree, OPEN_HISTORY + EXTENDED.format(new="2017-05-10"))
    assert run(tree, as_of="2017-05-10")[:2] == (0, [])
    assert run(tree, as_of="2017-05-11")[:2] == (0, [(P, tree.line_of(text, "deadline:"), "W-PROBLEM-OVERDUE")])


def test_problem_not_overdue_once_reported(make_tree):
    tree = make_tree()
    set_history(tree, OPEN_HISTORY + "  - date: 2017-04-08\n    state: acknowledged\n"
                "  - date: 2017-04-20\n    state: reported\n")
    assert run(tree, as_of="2017-06-30")[:2] == (0, [])


DECISION = """\
decisions:
  - text: 清理某某路占道经营
    owner: city-management
    deadline: 2017-05-15
    state: {state}
"""


@pytest.mark.parametrize("as_of, state, overdue", [
    ("2017-05-15", "open", False), ("2017-05-16", "open", True),
    ("2017-05-16", "in_progress", True), ("2017-05-16", "done", False),
])
def test_decision_overdue(make_tree, as_of, state, overdue):
    tree = make_tree()
    text = meeting(1, "2017-04-07", extra=DECISION.format(state=state))
    tree.write(M1, text)
    expected = [(M1, tree.line_of(text, "deadline:"), "W-DECISION-OVERDUE")] if overdue else []
    assert run(tree, as_of=as_of)[:2] == (0, expected)


# --- warnings: cadence of the work mechanism -------------------------------------------------------

@pytest.mark.parametrize("dates, expected", [
    (["2017-04-10", "2017-04-28"], [(M2, 4)]),                    # 18 days between two meetings
    (["2017-04-10", "2017-04-20", "2017-04-30"], []),
    (["2017-04-10", "2017-04-24"], []),                           # exactly 14 days is fine
    (["2017-04-25"], [(M1, 4)]),                                  # 20 days after the start
    (["2017-04-10"], [(M1, 1)]),                                  # 20 days from it to the end
    ([], [(CAMPAIGN, 1)]),                                        # none in 25 days
])
def test_cadence_scheduling(make_tree, dates, expected):
    tree = make_tree()
    set_campaign(tree, "2017-04-05", "2017-04-30")
    for i, date in enumerate(dates, 1):
        tree.write(f"records/meetings/2017/M-2017-{i:04d}.yaml", meeting(i, date))
    code, triples, _ = run(tree, code="W-CADENCE-SCHEDULING")
    assert code == 0
    assert triples == sorted((f, line, "W-CADENCE-SCHEDULING") for f, line in expected)


def test_cadence_scheduling_ignores_planned_and_other_meetings(make_tree):
    tree = make_tree()
    set_campaign(tree, "2017-04-05", "2017-04-30")
    tree.write(M1, meeting(1, "2017-04-10"))
    tree.write(M2, meeting(2, "2017-04-20", extra="status: planned\n"))
    tree.write(M3, meeting(3, "2017-04-20", kind="hq"))
    code, triples, _ = run(tree, code="W-CADENCE-SCHEDULING")
    assert triples == [(M1, 1, "W-CADENCE-SCHEDULING")]


@pytest.mark.parametrize("date, extra, warned", [
    ("2017-04-12", "", False),
    ("2017-04-16", "", False),                    # Sunday: same week
    ("2017-04-12", "status: planned\n", True),    # planned, not held
])
def test_cadence_subhq(make_tree, date, extra, warned):
    tree = make_tree()
    set_campaign(tree, "2017-04-10", "2017-04-16")          # one whole week, Monday to Sunday
    tree.write(M1, meeting(1, date, kind="sub_hq", extra="sub_hq: subhq-city-order\n" + extra))
    code, triples, _ = run(tree, code="W-CADENCE-SUBHQ")
    assert (code, triples) == (0, [(SUBHQ, 1, "W-CADENCE-SUBHQ")] if warned else [])


def test_cadence_subhq_without_any_meeting(make_tree):
    tree = make_tree()
    set_campaign(tree, "2017-04-10", "2017-04-23")          # two whole weeks
    tree.write(M1, meeting(1, "2017-04-18", kind="sub_hq", extra="sub_hq: subhq-city-order\n"))
    code, triples, _ = run(tree, code="W-CADENCE-SUBHQ")
    assert (code, triples) == (0, [(SUBHQ, 1, "W-CADENCE-SUBHQ")])   # only the first week


def inspection(number: int, date: str) -> str:
    return (f"id: I-2017-{number:04d}\ngroup: group-1\ndate: {date}\ndistricts:\n  - panlong\n"
            "methods:\n  - field\n")


@pytest.mark.parametrize("count, warned", [(0, True), (1, False), (2, False), (3, True)])
def test_cadence_inspection(make_tree, count, warned):
    tree = make_tree()
    set_campaign(tree, "2017-05-01", "2017-05-31")          # one whole month
    for i in range(1, count + 1):
        tree.write(f"records/inspections/2017/I-2017-{i:04d}.yaml", inspection(i, f"2017-05-{i * 7:02d}"))
    code, triples, _ = run(tree, as_of="2017-06-30", code="W-CADENCE-INSPECTION")
    assert (code, triples) == (0, [(GROUP, 1, "W-CADENCE-INSPECTION")] if warned else [])


def test_cadence_inspection_counts_per_month(make_tree):
    tree = make_tree()
    set_campaign(tree, "2017-04-01", "2017-05-31")
    tree.write("records/inspections/2017/I-2017-0001.yaml", inspection(1, "2017-04-10"))
    tree.write("records/inspections/2017/I-2017-0002.yaml", inspection(2, "2017-04-20"))
    tree.write("records/inspections/2017/I-2017-0003.yaml", inspection(3, "2017-05-10"))
    code, triples, _ = run(tree, as_of="2017-06-30", code="W-CADENCE-INSPECTION")
    assert (code, triples) == (0, [])


def media_feedback(date: str) -> str:
    return f"""\
id: F-2017-0001
date: {date}
items:
  - outlet: city-daily
    title: 某某路占道经营回头看
    kind: undercover
    district: panlong
"""


@pytest.mark.parametrize("date, warned", [(None, True), ("2017-04-14", False), ("2017-04-21", True)])
def test_cadence_media(make_tree, date, warned):
    tree = make_tree()
    set_campaign(tree, "2017-04-10", "2017-04-16")
    tree.write("records/org/media/city-daily.yaml", "id: city-daily\nname: 示例日报\nkind: newspaper\n")
    if date:
        tree.write("records/media-feedback/2017/F-2017-0001.yaml", media_feedback(date))
    code, triples, _ = run(tree, code="W-CADENCE-MEDIA")
    assert (code, triples) == (0, [(CAMPAIGN, 1, "W-CADENCE-MEDIA")] if warned else [])


def test_cadence_quiet_before_the_first_whole_week(make_tree):
    tree = make_tree()
    set_campaign(tree, "2017-04-05", "2017-05-31")
    code, triples, _ = run(tree, as_of="2017-04-15")     # the first whole week ends 2017-04-16
    assert [t for t in triples if t[2] in ("W-CADENCE-SUBHQ", "W-CADENCE-MEDIA", "W-CADENCE-INSPECTION")] == []


STATEMENT = """\
statements:
  - by: {district}
    speaker_role: 区长
    reason: low_rank
"""


@pytest.mark.parametrize("statement, expected_needle", [
    (None, None),                  # no statements at all: the record (line 1)
    ("panlong", "statements:"),    # the wrong district spoke
    ("wuhua", ""),                 # the bottom district spoke: no warning
])
def test_statement_missing(make_tree, statement, expected_needle):
    tree = make_tree()
    tree.edit(CAMPAIGN, "end: 2017-04-08\n", "end: 2017-04-08\nthresholds:\n  bottom_n: 1\n")
    tree.write(A1, ASSESSMENT.format(panlong="85.5", indicator="90"))      # wuhua 78 is last
    text = meeting(1, "2017-04-07", extra=STATEMENT.format(district=statement) if statement else "")
    tree.write(M1, text)
    code, triples, _ = run(tree)
    if expected_needle == "":
        assert (code, triples) == (0, [])
    else:
        line = tree.line_of(text, expected_needle) + 1 if expected_needle else 1   # the list itself
        assert (code, triples) == (0, [(M1, line, "W-STATEMENT-MISSING")])


def test_statement_not_required_when_no_district_is_below_the_top_n(make_tree):
    tree = make_tree()       # default bottom_n is 3 and there are only two districts
    tree.write(A1, ASSESSMENT.format(panlong="85.5", indicator="90"))
    tree.write(M1, meeting(1, "2017-04-07"))
    assert run(tree)[:2] == (0, [])


# --- the catalogue -------------------------------------------------------------------------------

# Codes no record can currently produce: E-SCHEMA-INVALID is the fallback for pydantic errors
# that the model's field types do not raise today (every one they do raise has its own code).
UNREACHABLE = {"E-SCHEMA-INVALID"}


def _slug(code: str) -> str:
    """E-SCHEMA-REQUIRED → schema_required, as the tests about it are named."""
    return code.split("-", 1)[1].lower().replace("-", "_")


def _finding_notes(request, expected: set[str], timeout: float = 1800) -> dict[str, dict]:
    """The notes of the tests in `expected`, from every process of this run; waits until the
    other pytest-xdist workers have finished them (this test is collected last)."""
    import json
    import time
    import conftest
    folder = conftest.finding_notes_folder(request.config)
    deadline = time.monotonic() + timeout
    while True:
        notes = {}
        for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
            for line in path.read_text("utf-8").splitlines():
                if line.endswith("}"):
                    record = json.loads(line)
                    notes[record["nodeid"]] = record
        missing = expected - set(notes)
        if not missing or time.monotonic() > deadline:
            assert not missing, f"{len(missing)} finding-code tests never finished: {sorted(missing)[:5]}"
            return notes
        time.sleep(1)


def test_every_code_in_the_catalogue_has_a_test(request):
    """Every code in findings.CODES has, in this run, a failing case (a passing test asserted the
    code as a (file, line, code) triple of real validate output) and a passing case (a passing
    test asserted it absent, or asserted no finding at all in a test that also asserts the code).
    The evidence is what the tests compared (conftest.Triples), not where a code's name appears."""
    import conftest
    from generator.findings import CODES
    items = {i.nodeid for i in request.session.items}
    modules = {n.split("::")[0] for n in items if conftest._in_finding_module(n)}
    if conftest.deselected_finding_tests or modules != set(conftest.FINDING_MODULES):
        pytest.skip("only part of the tests that assert finding codes was selected; the check needs all of them")
    expected = {n for n in items if conftest._in_finding_module(n) and n != request.node.nodeid}
    present, absent = set(), set()
    by_function: dict[str, dict] = {}
    for nodeid, notes in _finding_notes(request, expected).items():
        if not notes["passed"]:
            continue
        present |= set(notes["present"])
        absent |= set(notes["absent"])
        function = by_function.setdefault(nodeid.split("[")[0], {"present": set(), "clean": False})
        function["present"] |= set(notes["present"])
        function["clean"] |= notes["clean"]
    # a clean tree asserted (no finding at all) is the passing case of the codes the same test
    # function asserts in another case, and of the code its name is about (test_id_pattern_passes)
    for name, function in by_function.items():
        if function["clean"]:
            absent |= function["present"]
            absent |= {code for code in CODES if f"::test_{_slug(code)}_" in name + "_"}
    never_found = sorted(set(CODES) - present - UNREACHABLE)
    assert not never_found, f"codes no passing test asserts as a (file, line, code) finding: {never_found}"
    never_absent = sorted(set(CODES) - absent - UNREACHABLE)
    assert not never_absent, f"codes no passing test asserts absent where they could be: {never_absent}"
    assert not UNREACHABLE & present, "a code listed as unreachable is produced: take it off UNREACHABLE"


# --- files that are not records, files that cannot be read -------------------------------

def test_file_not_record_fails_for_a_photo_among_records(make_tree):
    tree = make_tree()
    tree.write("records/problems/2017/after.jpg", b"\xff\xd8\xff\xd9")
    code, findings = tree.validate()
    assert code == 1
    assert tree.triples(findings) == [("records/problems/2017/after.jpg", 1, "E-FILE-NOT-RECORD")]


def test_file_not_record_passes_for_a_photo_under_attachments(make_tree):
    tree = make_tree()
    tree.write("records/attachments/2017/extra.jpg", b"\xff\xd8\xff\xd9")
    code, findings = tree.validate()
    assert code == 0 and not tree.triples(findings, "E-FILE-NOT-RECORD")


def test_file_unreadable_is_reported_not_a_crash(make_tree, monkeypatch):
    # Root reads every file, so the unreadable one is simulated at the only place files are read.
    from generator.validate import load
    tree = make_tree()
    real = load.read_text

    def read_text(file, path):
        if path.name == "P-2017-0001.yaml":
            raise PermissionError(13, "Permission denied")
        return real(file, path)

    monkeypatch.setattr(load, "read_text", read_text)
    code, findings = tree.validate()
    assert code == 1
    assert ("records/problems/2017/P-2017-0001.yaml", 1, "E-FILE-UNREADABLE") in tree.triples(findings)


def test_file_unreadable_passes_when_the_file_reads(make_tree):
    tree = make_tree()
    code, findings = tree.validate()
    assert code == 0 and not tree.triples(findings, "E-FILE-UNREADABLE")


def test_references_that_point_at_each_other_are_fine(make_tree):
    """A problem found by an inspection whose finding names the problem: a cycle of references,
    which must neither be an error nor make any stage loop."""
    tree = make_tree()
    tree.write(INSPECTION, INSPECTION_TEXT + "findings:\n  - text: 占道经营\n    problem: P-2017-0001\n")
    tree.edit(P, "source: inspection", "source: inspection\nsource_ref: I-2017-0001")
    assert run(tree)[:2] == (0, [])


@pytest.mark.parametrize("cache", [True, False])
def test_file_unreadable_for_a_fifo_named_like_a_record_is_reported_not_read(make_tree, cache):
    """Reading a FIFO blocks forever: the validator must not open it (with or without the cache,
    and with the worker processes of a large tree too: see test_cache)."""
    import subprocess
    import sys
    tree = make_tree()
    os.mkfifo(tree.records / "problems/2017/P-2017-0009.yaml")
    args = [sys.executable, "-m", "generator", "validate", "--records", str(tree.records), "--as-of", "2017-05-31"]
    proc = subprocess.run(args + ([] if cache else ["--no-cache"]), capture_output=True, text=True, timeout=60,
                          cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert proc.returncode == 1 and "E-FILE-UNREADABLE" in proc.stdout and "P-2017-0009.yaml" in proc.stdout
    fmt = subprocess.run([sys.executable, "-m", "generator", "fmt", "--records", str(tree.records)],
                         capture_output=True, text=True, timeout=60,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert fmt.returncode == 0 and "Traceback" not in fmt.stderr


# --- several independent errors in one record: all in one run ------------------------------

MULTI = os.path.join(os.path.dirname(__file__), "fixtures", "multi_error")


@pytest.mark.parametrize("cache", [True, False])
def test_one_run_lists_every_independent_error(make_tree, cache):
    """tests/fixtures/multi_error: each record has several errors of different passes; one run
    reports them all (with and without the cache, in this process and as a subprocess)."""
    import shutil
    import yaml
    tree = make_tree()
    shutil.copytree(os.path.join(MULTI, "records"), tree.records, dirs_exist_ok=True)
    with open(os.path.join(MULTI, "expected.yaml"), encoding="utf-8") as f:
        expected = [tuple(item) for item in yaml.safe_load(f)]
    if cache:
        code, findings = tree.validate()
        assert tree.validate() == (code, findings)            # warm: the same again
    else:
        import json
        proc = tree.cli("validate", "--records", str(tree.records), "--as-of", tree.AS_OF, "--format", "json",
                        "--no-cache")
        assert "Traceback" not in proc.stderr
        code, findings = proc.returncode, json.loads(proc.stdout)
    assert code == 1 and tree.triples(findings) == expected
    # fixing one error leaves the others: none of them was hiding behind it
    tree.edit("records/problems/2017/P-2017-0002.yaml", "source: foo", "source: complaint")
    code, findings = tree.validate()
    assert tree.triples(findings, file="records/problems/2017/P-2017-0002.yaml") == [
        ("records/problems/2017/P-2017-0002.yaml", 8, "E-DATE-RANGE"),
        ("records/problems/2017/P-2017-0002.yaml", 8, "W-PROBLEM-OVERDUE")]
