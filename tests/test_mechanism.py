"""The article's rules (issue 16), each code with a failing and a passing case, asserted as
(file, line, code), on the minimal tree of conftest.py through the real `validate` command.

Sentence by sentence, what each group of tests holds the records to:

- 书记、市长担任总指挥长 / 下设办公室和9个分指挥部 / 督查组共设8个组: the HQ names its
  commanders-in-chief, sub-HQs and inspection groups are numbered 1 to the count in the
  campaign settings (E-ORG-*);
- 调度会 … 听取汇报 … 播放媒体暗访素材 … 推进创建任务按序时落实 … 表态发言 (W-MEETING-CONTENT,
  W-MILESTONE-OVERDUE, W-STATEMENT-*);
- 各区 … 定期召开会议 … 及时上报 (W-CADENCE-DISTRICT, W-DISTRICT-REPORT);
- 每月开展1—2次实地调研督查，采取实地查看、工作会议、现场办公 … 依据《全国文明城市测评体系》…
  及时上报 … 重要事项和重大问题 … 自检自查报告 (W-CADENCE-INSPECTION, W-INSPECTION-BASIS,
  W-MAJOR-LATE, W-SELF-INSPECTION);
- 老领导组成工作组进驻各区 … 日常巡查 (E-PATROL-DISTRICT, W-CADENCE-PATROL);
- 参照评测指标体系开展舆论监督，每周五 … 反馈 … 梳理汇总后，立项督查 (W-MEDIA-*, E-MEDIA-*,
  E-SOURCE-*);
- 第三方测评机构，定期 … 测评 (W-CADENCE-ASSESSMENT);
- 推卸责任、进展缓慢、整改不力的，将严格实行责任倒查 (W-ACCOUNTABILITY-BASIS).
"""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from test_checks import CAMPAIGN, GROUP, M1, M2, SUBHQ, meeting, run, set_campaign

HQ = "records/org/hq/hq.yaml"
SUBHQ2 = "records/org/sub-hqs/subhq-living.yaml"
GROUP2 = "records/org/inspection-groups/group-2.yaml"
P2 = "records/problems/2017/P-2017-0002.yaml"
F1 = "records/media-feedback/2017/F-2017-0001.yaml"
I1 = "records/inspections/2017/I-2017-0001.yaml"
I2 = "records/inspections/2017/I-2017-0002.yaml"
T1 = "records/tasks/2017/T-2017-0001.yaml"
B1 = "records/major-matters/2017/B-2017-0001.yaml"
Q1 = "records/accountability/2017/Q-2017-0001.yaml"
S1 = "records/self-inspections/2017/S-2017-0001.yaml"
PG = "records/org/patrol-groups/patrol-panlong.yaml"
PANLONG = "records/org/districts/panlong.yaml"
OUTLET = "records/org/media/city-daily.yaml"


def codes(tree, code, as_of="2017-05-31"):
    """(exit code, the triples of one code)."""
    exit_code, triples, _ = run(tree, as_of=as_of, code=code)
    return exit_code, triples


def settings_block(**groups) -> str:
    """campaign.yaml lines for settings groups: settings_block(organisation={"sub_hqs": 2})."""
    out = ""
    for group, values in groups.items():
        out += f"{group}:\n" + "".join(f"  {k}: {v}\n" for k, v in values.items())
    return out


def campaign(tree, start="2017-04-05", end="2017-04-08", **groups) -> str:
    set_campaign(tree, start, end, settings_block(**groups))
    return tree.read(CAMPAIGN)


# --- 书记、市长担任总指挥长; 9个分指挥部; 8个督查组 ---------------------------------------------

HQ_TEXT = """\
id: hq
name: 示例市创建全国文明城市工作总指挥部
kind: general
leaders:
  - role: 市委书记
    position: {first}
  - role: 市长
    position: {second}
"""


@pytest.mark.parametrize("first, second, setting, ok", [
    ("commander", "commander", None, True),
    ("commander", "deputy", None, True),            # no setting: at least one
    ("deputy", "deputy", None, False),              # nobody is 总指挥长
    ("commander", "deputy", 2, False),              # the settings say two
    ("commander", "commander", 2, True),
])
def test_org_commander(make_tree, first, second, setting, ok):
    tree = make_tree()
    if setting:
        campaign(tree, organisation={"commanders": setting})
    text = HQ_TEXT.format(first=first, second=second)
    tree.write(HQ, text)
    expected = [] if ok else [(HQ, tree.line_of(text, "- role: 市委书记"), "E-ORG-COMMANDER")]
    assert codes(tree, "E-ORG-COMMANDER") == (0 if ok else 1, expected)


def test_org_commander_missing_leaders_points_at_the_record(make_tree):
    tree = make_tree()
    tree.write(HQ, "id: hq\nname: 总指挥部\nkind: general\n")
    assert codes(tree, "E-ORG-COMMANDER") == (1, [(HQ, 1, "E-ORG-COMMANDER")])


def sub_hq(sid: str, number: int) -> str:
    return f"id: {sid}\nname: 第{number}分指挥部\nnumber: {number}\ncommander_role: 分管副市长\n"


def group(number: int) -> str:
    return f"id: group-{number}\nname: 第{number}督查组\nnumber: {number}\nleader_role: 市领导\n"


@pytest.mark.parametrize("setting, number, expected", [
    (None, 2, []),                     # no setting: 1..the number of records
    (None, 1, ["E-ORG-NUMBER"]),       # a duplicate number
    (None, 3, ["E-ORG-NUMBER"]),       # 1 and 3 of two: out of 1–2
    (2, 2, []),
    (1, 2, ["E-ORG-NUMBER"]),          # a second sub-HQ where the settings have one (“a 10th of 9”)
])
def test_org_number_of_sub_hqs(make_tree, setting, number, expected):
    tree = make_tree()
    if setting:
        campaign(tree, organisation={"sub_hqs": setting})
    text = sub_hq("subhq-living", number)
    tree.write(SUBHQ2, text)
    exit_code, triples, _ = run(tree)
    found = [t for t in triples if t[2].startswith("E-ORG")]
    assert found == [(SUBHQ2, tree.line_of(text, "number:"), code) for code in expected]
    assert exit_code == (1 if expected else 0)


@pytest.mark.parametrize("setting, ok", [(None, True), (2, True), (1, False)])
def test_org_number_of_inspection_groups(make_tree, setting, ok):
    tree = make_tree()
    if setting:
        campaign(tree, organisation={"inspection_groups": setting})
    text = group(2)
    tree.write(GROUP2, text)
    expected = [] if ok else [(GROUP2, tree.line_of(text, "number:"), "E-ORG-NUMBER")]
    assert codes(tree, "E-ORG-NUMBER") == (0 if ok else 1, expected)


@pytest.mark.parametrize("setting, ok", [(1, True), (2, False), (8, False)])
def test_org_count_missing_numbers(make_tree, setting, ok):
    tree = make_tree()
    text = campaign(tree, organisation={"inspection_groups": setting})
    expected = [] if ok else [(CAMPAIGN, tree.line_of(text, "inspection_groups:"), "E-ORG-COUNT")]
    assert codes(tree, "E-ORG-COUNT") == (0 if ok else 1, expected)


def test_org_count_message_names_the_missing_numbers(make_tree):
    tree = make_tree()
    campaign(tree, organisation={"sub_hqs": 9})
    _, _, findings = run(tree)
    message = next(f["message"] for f in findings if f["code"] == "E-ORG-COUNT")
    assert "9 个分指挥部" in message and "2、3、4、5、6、7、8、9" in message


# --- 调度会: 听取汇报, 播放暗访素材; 按序时落实; 表态发言 -------------------------------------------

@pytest.mark.parametrize("extra, heard, warned", [
    ("", True, False),
    ("", False, True),                                           # nothing heard, no footage
    ("reports_heard:\n  - by: subhq-city-order\n    summary: 汇报\nfootage_played:\n  - 暗访视频\n",
     False, True),                                               # no inspection or assessment report
    ("reports_heard:\n  - by: hq-office\n    summary: 通报督查测评情况\n  - by: subhq-city-order\n"
     "    summary: 汇报\n", False, True),                         # no footage
    ("reports_heard:\n  - by: hq-office\n    summary: 通报督查测评情况\n  - by: subhq-city-order\n"
     "    summary: 汇报\nfootage_played:\n  - 暗访视频\n", False, False),
    ("status: planned\n", False, False),                         # not held yet
])
def test_meeting_content(make_tree, extra, heard, warned):
    tree = make_tree()
    text = meeting(1, "2017-04-07", extra=extra, heard=heard)
    tree.write(M1, text)
    line = tree.line_of(text, "reports_heard:") + 1 if "reports_heard" in text else 1
    assert codes(tree, "W-MEETING-CONTENT") == (0, [(M1, line, "W-MEETING-CONTENT")] if warned else [])


def test_meeting_content_only_for_scheduling_meetings(make_tree):
    tree = make_tree()
    tree.write(M1, meeting(1, "2017-04-07", kind="hq"))
    assert codes(tree, "W-MEETING-CONTENT") == (0, [])


TASK = """\
id: T-2017-0001
title: 农贸市场专项整治
sub_hq: subhq-city-order
lead_unit: city-management
assigned: 2017-04-06
deadline: 2017-06-30
milestones:
  - title: 制定方案
    due: 2017-04-20
    state: done
    done_date: 2017-04-18
  - title: 集中整治
    due: 2017-05-15
    state: {state}
"""


@pytest.mark.parametrize("as_of, state, warned", [
    ("2017-05-15", "in_progress", False),       # due today: not yet late
    ("2017-05-16", "in_progress", True),
    ("2017-05-16", "open", True),
    ("2017-05-16", "done\n    done_date: 2017-05-14", False),
])
def test_milestone_overdue(make_tree, as_of, state, warned):
    tree = make_tree()
    text = TASK.format(state=state)
    tree.write(T1, text)
    expected = [(T1, tree.line_of(text, "due: 2017-05-15"), "W-MILESTONE-OVERDUE")] if warned else []
    assert codes(tree, "W-MILESTONE-OVERDUE", as_of=as_of) == (0, expected)


def media_problem(found: str, source_ref: str = "F-2017-0001", district: str = "panlong",
                  unit: str = "city-management", deadline: str = "2017-05-30", state: str = "assigned") -> str:
    street = "panlong-cuihu" if district == "panlong" else "wuhua-huashan"
    return f"""\
id: P-2017-0002
title: 某某路公厕卫生差
district: {district}
street: {street}
source: media
source_ref: {source_ref}
found: {found}
responsible_unit: {unit}
deadline: {deadline}
history:
  - date: {found}
    state: registered
    by: hq-office
  - date: {found}
    state: {state}
    by: hq-office
"""


FEEDBACK = """\
id: F-2017-0001
date: {date}
week_of: {week_of}
items:
  - outlet: city-daily
    title: 记者暗访：某某路公厕卫生差
    kind: undercover
    district: {district}
    indicator: street-order
    supervise: {supervise}
{problem}"""


def feedback(tree, date="2017-04-07", week_of="2017-04-03", district="panlong", supervise="true",
             problem="P-2017-0002", indicator=True) -> str:
    tree.write(OUTLET, "id: city-daily\nname: 示例日报\nkind: newspaper\n")
    text = FEEDBACK.format(date=date, week_of=week_of, district=district, supervise=supervise,
                           problem=f"    problem: {problem}\n" if problem else "")
    if not indicator:
        text = text.replace("    indicator: street-order\n", "")
    tree.write(F1, text)
    return text


@pytest.mark.parametrize("statement, threshold, warned", [
    (None, None, True),                   # exposed once, no statement
    ("panlong", None, False),
    ("wuhua", None, True),                # someone else spoke
    (None, 2, False),                     # the settings ask for two exposures
])
def test_statement_exposed(make_tree, statement, threshold, warned):
    tree = make_tree()
    groups = {"thresholds": {"statement_exposures": threshold}} if threshold else {}
    campaign(tree, "2017-04-05", "2017-04-30", **groups)
    feedback(tree)
    tree.write(P2, media_problem("2017-04-07"))
    extra = (f"statements:\n  - by: {statement}\n    speaker_role: 区长\n    reason: media_exposure\n"
             if statement else "")
    text = meeting(1, "2017-04-10", extra=extra)
    tree.write(M1, text)
    line = tree.line_of(text, "statements:") + 1 if statement else 1
    assert codes(tree, "W-STATEMENT-EXPOSED") == (0, [(M1, line, "W-STATEMENT-EXPOSED")] if warned else [])


def test_statement_exposed_counts_only_since_the_previous_meeting(make_tree):
    tree = make_tree()
    campaign(tree, "2017-04-05", "2017-04-30")
    feedback(tree)
    tree.write(P2, media_problem("2017-04-07"))
    tree.write(M1, meeting(1, "2017-04-10"))
    tree.write(M2, meeting(2, "2017-04-20"))     # the exposure is before the first meeting only
    assert codes(tree, "W-STATEMENT-EXPOSED") == (0, [(M1, 1, "W-STATEMENT-EXPOSED")])


@pytest.mark.parametrize("meeting_date, statement, threshold, warned", [
    ("2017-04-12", None, None, True),              # overdue since 04-10
    ("2017-04-09", None, None, False),             # the deadline day itself: not overdue yet
    ("2017-04-12", "city-management", None, False),
    ("2017-04-12", None, 2, False),                # the settings ask for two overdue problems
])
def test_statement_department(make_tree, meeting_date, statement, threshold, warned):
    tree = make_tree()
    groups = {"thresholds": {"statement_overdue": threshold}} if threshold else {}
    campaign(tree, "2017-04-05", "2017-04-30", **groups)
    tree.write(P2, media_problem("2017-04-06", source_ref="", deadline="2017-04-09").replace(
        "source: media\nsource_ref: \n", "source: complaint\n"))
    extra = (f"statements:\n  - by: {statement}\n    speaker_role: 局长\n    reason: problem_department\n"
             if statement else "")
    tree.write(M1, meeting(1, meeting_date, extra=extra))
    expected = [(M1, 1, "W-STATEMENT-DEPARTMENT")] if warned else []
    assert codes(tree, "W-STATEMENT-DEPARTMENT") == (0, expected)


def test_statement_department_not_for_a_district_department(make_tree):
    tree = make_tree()
    campaign(tree, "2017-04-05", "2017-04-30")
    tree.write("records/org/units/panlong-city-management.yaml",
               "id: panlong-city-management\nname: 盘龙区城管局\nkind: district_department\ndistrict: panlong\n")
    tree.write(P2, media_problem("2017-04-06", source_ref="", deadline="2017-04-09",
                                 unit="panlong-city-management").replace("source: media\nsource_ref: \n",
                                                                         "source: complaint\n"))
    tree.write(M1, meeting(1, "2017-04-12"))
    assert codes(tree, "W-STATEMENT-DEPARTMENT") == (0, [])


# --- 各区 … 定期召开会议 … 工作情况要及时上报市总指挥部办公室 ---------------------------------------

def district_meeting(number: int, date: str, district: str = "panlong", reported: str | None = None) -> str:
    return (meeting(number, date, kind="district", extra=f"district: {district}\n")
            + (f"reported_to_office: {reported}\n" if reported else ""))


@pytest.mark.parametrize("dates, expected", [
    ([], [(PANLONG, 1)]),                                  # none in 40 days
    (["2017-04-20"], []),
    (["2017-05-10"], [(M1, 4)]),                           # 35 days after the start
])
def test_cadence_district(make_tree, dates, expected):
    tree = make_tree()
    campaign(tree, "2017-04-05", "2017-05-15")
    for i, date in enumerate(dates, 1):
        tree.write(f"records/meetings/2017/M-2017-{i:04d}.yaml", district_meeting(i, date, reported=date))
    tree.write("records/meetings/2017/M-2017-0009.yaml", district_meeting(9, "2017-04-25", "wuhua", "2017-04-26"))
    assert codes(tree, "W-CADENCE-DISTRICT", as_of="2017-05-15") == \
        (0, [(f, line, "W-CADENCE-DISTRICT") for f, line in expected])


def test_cadence_district_follows_the_setting(make_tree):
    tree = make_tree()
    campaign(tree, "2017-04-05", "2017-05-15", cadence={"district_meeting_days": 60})
    assert codes(tree, "W-CADENCE-DISTRICT", as_of="2017-05-15") == (0, [])


@pytest.mark.parametrize("reported, end, warned_at", [
    (None, "2017-04-30", "date:"),              # 20 days, not reported
    (None, "2017-04-15", None),                 # 5 days to the end of the campaign: still in time
    ("2017-04-12", "2017-04-30", None),
    ("2017-04-20", "2017-04-30", "reported_to_office:"),   # 10 days after the meeting
])
def test_district_report(make_tree, reported, end, warned_at):
    tree = make_tree()
    campaign(tree, "2017-04-05", end)
    text = district_meeting(1, "2017-04-10", reported=reported)
    tree.write(M1, text)
    expected = [(M1, tree.line_of(text, warned_at), "W-DISTRICT-REPORT")] if warned_at else []
    assert codes(tree, "W-DISTRICT-REPORT") == (0, expected)


# --- 实地调研督查: 实地查看、工作会议、现场办公; 督查依据; 自检自查报告; 重要事项 ----------------------

def inspection(number: int, date: str, methods=("field",), basis: str = "basis:\n  - national\n",
               districts=("panlong",)) -> str:
    return (f"id: I-2017-{number:04d}\ngroup: group-1\ndate: {date}\ndistricts:\n"
            + "".join(f"  - {d}\n" for d in districts) + "methods:\n"
            + "".join(f"  - {m}\n" for m in methods) + basis)


@pytest.mark.parametrize("methods, warned", [
    (("field",), False), (("site_visit", "work_meeting"), False), (("onsite_office",), False),
    (("work_meeting",), True), (("circular", "assignment"), True),     # no field work: counts 0
])
def test_cadence_inspection_counts_field_work_only(make_tree, methods, warned):
    tree = make_tree()
    campaign(tree, "2017-05-01", "2017-05-31")
    tree.write(I1, inspection(1, "2017-05-10", methods))
    assert codes(tree, "W-CADENCE-INSPECTION", as_of="2017-06-30") == \
        (0, [(GROUP, 1, "W-CADENCE-INSPECTION")] if warned else [])


def test_cadence_inspection_a_work_meeting_does_not_make_it_three(make_tree):
    tree = make_tree()
    campaign(tree, "2017-05-01", "2017-05-31")
    tree.write(I1, inspection(1, "2017-05-10"))
    tree.write(I2, inspection(2, "2017-05-20"))
    tree.write("records/inspections/2017/I-2017-0003.yaml", inspection(3, "2017-05-25", ("work_meeting",)))
    assert codes(tree, "W-CADENCE-INSPECTION", as_of="2017-06-30") == (0, [])
    campaign(tree, "2017-05-01", "2017-05-31", cadence={"inspections_max": 1})
    assert codes(tree, "W-CADENCE-INSPECTION", as_of="2017-06-30") == (0, [(GROUP, 1, "W-CADENCE-INSPECTION")])


@pytest.mark.parametrize("basis, warned", [
    ("", True),
    ("basis:\n  - national\n  - minors\n", False),
    ("indicators:\n  - street-order\n", False),
])
def test_inspection_basis(make_tree, basis, warned):
    tree = make_tree()
    text = inspection(1, "2017-04-06", basis=basis)
    tree.write(I1, text)
    expected = [(I1, tree.line_of(text, "- field"), "W-INSPECTION-BASIS")] if warned else []
    assert codes(tree, "W-INSPECTION-BASIS") == (0, expected)


@pytest.mark.parametrize("report, warned", [
    (None, True),
    ("2017-04-10", False),
    ("2017-04-20", True),          # 14 days after: later than the 7 days of the settings
])
def test_self_inspection(make_tree, report, warned):
    tree = make_tree()
    campaign(tree, "2017-04-05", "2017-04-30")
    text = inspection(1, "2017-04-06", districts=("panlong", "wuhua"))
    tree.write(I1, text)
    tree.write("records/self-inspections/2017/S-2017-0002.yaml", self_report(2, "wuhua", "2017-04-08"))
    if report:
        tree.write(S1, self_report(1, "panlong", report))
    expected = [(I1, tree.line_of(text, "- panlong"), "W-SELF-INSPECTION")] if warned else []
    assert codes(tree, "W-SELF-INSPECTION") == (0, expected)


def test_self_inspection_not_due_yet_or_after_the_campaign(make_tree):
    tree = make_tree()
    tree.write(I1, inspection(1, "2017-04-06"))       # due 04-13, after the campaign's end (04-08)
    assert codes(tree, "W-SELF-INSPECTION") == (0, [])
    campaign(tree, "2017-04-05", "2017-04-12")
    assert codes(tree, "W-SELF-INSPECTION") == (0, [])
    campaign(tree, "2017-04-05", "2017-04-14")
    assert codes(tree, "W-SELF-INSPECTION") == (0, [(I1, 5, "W-SELF-INSPECTION")])


def self_report(number: int, by: str, date: str) -> str:
    return (f"id: S-2017-{number:04d}\nby: {by}\ndate: {date}\ntitle: 自检自查报告\ntask_status: 逐项自查\n"
            "progress: 已整改八成\nmeasures: 挂图作战\n")


MAJOR = """\
id: B-2017-0001
title: 某某农贸市场周边大面积占道经营
kind: problem
by: group-1
found: 2017-05-20
to: hq
district: panlong
summary: 督查发现市场周边占道经营反复回潮，需市级层面协调。
"""


@pytest.mark.parametrize("reported, as_of, warned_at", [
    (None, "2017-05-21", None),               # 1 day: in time
    (None, "2017-05-22", "found:"),           # 2 days, not reported
    ("2017-05-21", "2017-05-31", None),
    ("2017-05-22", "2017-05-31", "reported:"),  # reported 2 days after
])
def test_major_late(make_tree, reported, as_of, warned_at):
    tree = make_tree()
    text = MAJOR + (f"reported: {reported}\n" if reported else "")
    tree.write(B1, text)
    expected = [(B1, tree.line_of(text, warned_at), "W-MAJOR-LATE")] if warned_at else []
    assert codes(tree, "W-MAJOR-LATE", as_of=as_of) == (0, expected)


def test_major_matter_reported_before_found_is_an_error(make_tree):
    tree = make_tree()
    text = MAJOR + "reported: 2017-05-19\n"
    tree.write(B1, text)
    assert codes(tree, "E-DATE-RANGE") == (1, [(B1, tree.line_of(text, "reported:"), "E-DATE-RANGE")])


# --- 老领导工作组进驻各区，日常巡查 --------------------------------------------------------------------

def patrol(number: int, date: str, district: str = "panlong") -> str:
    return f"id: R-2017-{number:04d}\ngroup: patrol-panlong\ndate: {date}\ndistrict: {district}\n"


@pytest.mark.parametrize("district, ok", [("panlong", True), ("wuhua", False)])
def test_patrol_district(make_tree, district, ok):
    tree = make_tree()
    tree.write(PG, "id: patrol-panlong\nname: 市级老领导盘龙区工作组\ndistrict: panlong\n")
    text = patrol(1, "2017-04-06", district)
    tree.write("records/patrols/2017/R-2017-0001.yaml", text)
    expected = [] if ok else [("records/patrols/2017/R-2017-0001.yaml", tree.line_of(text, "district:"),
                               "E-PATROL-DISTRICT")]
    assert codes(tree, "E-PATROL-DISTRICT") == (0 if ok else 1, expected)


@pytest.mark.parametrize("dates, setting, expected", [
    (["2017-04-07", "2017-04-14", "2017-04-20"], None, []),
    (["2017-04-07", "2017-04-18"], None, ["R-2017-0002"]),       # 11 days
    (["2017-04-07", "2017-04-18"], 14, []),
    ([], None, ["group"]),                                        # none in 16 days
])
def test_cadence_patrol(make_tree, dates, setting, expected):
    tree = make_tree()
    groups = {"cadence": {"patrol_days": setting}} if setting else {}
    campaign(tree, "2017-04-05", "2017-04-20", **groups)
    tree.write(PG, "id: patrol-panlong\nname: 市级老领导盘龙区工作组\ndistrict: panlong\n")
    for i, date in enumerate(dates, 1):
        tree.write(f"records/patrols/2017/R-2017-{i:04d}.yaml", patrol(i, date))
    files = [PG if e == "group" else f"records/patrols/2017/{e}.yaml" for e in expected]
    lines = [1 if e == "group" else 3 for e in expected]
    assert codes(tree, "W-CADENCE-PATROL", as_of="2017-04-20") == \
        (0, [(f, line, "W-CADENCE-PATROL") for f, line in zip(files, lines)])


# --- 新闻媒体参照评测指标体系开展舆论监督，每周五 … 反馈 … 梳理汇总后，立项督查 ----------------------------

@pytest.mark.parametrize("date, week_of, weekday, warned", [
    ("2017-04-07", "2017-04-03", None, False),       # a Friday
    ("2017-04-05", "2017-04-03", None, True),        # a Wednesday
    ("2017-04-05", "2017-04-03", 3, False),          # … where the settings make Wednesday the day
])
def test_media_weekday(make_tree, date, week_of, weekday, warned):
    tree = make_tree()
    if weekday:
        campaign(tree, cadence={"media_weekday": weekday})
    text = feedback(tree, date=date, week_of=week_of)
    tree.write(P2, media_problem(date))
    expected = [(F1, tree.line_of(text, "date:"), "W-MEDIA-WEEKDAY")] if warned else []
    assert codes(tree, "W-MEDIA-WEEKDAY") == (0, expected)


def test_media_weekday_message_names_the_day(make_tree):
    tree = make_tree()
    feedback(tree, date="2017-04-05")
    tree.write(P2, media_problem("2017-04-05"))
    _, _, findings = run(tree)
    assert "是周三，不是周五" in next(f["message"] for f in findings if f["code"] == "W-MEDIA-WEEKDAY")


@pytest.mark.parametrize("week_of, ok", [
    ("2017-04-03", True), ("2017-04-04", False),     # a Tuesday
    ("2017-03-27", False),                           # a Monday, of the week before
])
def test_media_week(make_tree, week_of, ok):
    tree = make_tree()
    text = feedback(tree, week_of=week_of)
    tree.write(P2, media_problem("2017-04-07"))
    expected = [] if ok else [(F1, tree.line_of(text, "week_of:"), "E-MEDIA-WEEK")]
    assert codes(tree, "E-MEDIA-WEEK") == (0 if ok else 1, expected)


@pytest.mark.parametrize("indicator, supervise, warned", [(True, "true", False), (False, "true", True),
                                                           (False, "false", False)])
def test_media_indicator(make_tree, indicator, supervise, warned):
    tree = make_tree()
    problem = "P-2017-0002" if supervise == "true" else None
    text = feedback(tree, indicator=indicator, supervise=supervise, problem=problem)
    tree.write(P2, media_problem("2017-04-07"))
    expected = [(F1, tree.line_of(text, "- outlet"), "W-MEDIA-INDICATOR")] if warned else []
    assert codes(tree, "W-MEDIA-INDICATOR") == (0, expected)


@pytest.mark.parametrize("supervise, problem, ok", [("true", None, False), ("true", "P-2017-0002", True),
                                                    ("false", None, True)])
def test_media_supervise(make_tree, supervise, problem, ok):
    tree = make_tree()
    text = feedback(tree, supervise=supervise, problem=problem)
    tree.write(P2, media_problem("2017-04-07"))
    expected = [] if ok else [(F1, tree.line_of(text, "supervise:"), "E-MEDIA-SUPERVISE")]
    assert codes(tree, "E-MEDIA-SUPERVISE") == (0 if ok else 1, expected)


@pytest.mark.parametrize("problem_text, ok", [
    (media_problem("2017-04-07"), True),
    (media_problem("2017-04-07").replace("source: media\nsource_ref: F-2017-0001\n", "source: complaint\n"), False),
    (media_problem("2017-04-14", source_ref="F-2017-0002"), False),       # from another week's feedback
    (media_problem("2017-04-07", source_ref="").replace("source_ref: \n", ""), False),
])
def test_source_link(make_tree, problem_text, ok):
    tree = make_tree()
    text = feedback(tree)
    tree.write("records/media-feedback/2017/F-2017-0002.yaml", FEEDBACK.format(
        date="2017-04-14", week_of="2017-04-10", district="panlong", supervise="false", problem="").replace(
        "F-2017-0001", "F-2017-0002"))
    tree.write(P2, problem_text)
    expected = [] if ok else [(F1, tree.line_of(text, "problem:"), "E-SOURCE-LINK")]
    assert codes(tree, "E-SOURCE-LINK") == (0 if ok else 1, expected)


@pytest.mark.parametrize("found, ok", [("2017-04-07", True), ("2017-04-08", True), ("2017-04-03", False)])
def test_source_date_of_a_media_problem(make_tree, found, ok):
    """The example P-2017-0002 once cited a feedback dated four days after it was found."""
    tree = make_tree()
    feedback(tree)
    text = media_problem(found)
    tree.write(P2, text)
    expected = [] if ok else [(P2, tree.line_of(text, "found:"), "E-SOURCE-DATE")]
    assert codes(tree, "E-SOURCE-DATE") == (0 if ok else 1, expected)


ASSESSMENT = """\
id: A-2017-0001
kind: simulated
title: 四月模拟测评
period: 2017-04
date: 2017-04-20
scores:
  - district: panlong
    score: 85
  - district: wuhua
    score: 80
"""


@pytest.mark.parametrize("found, ok", [("2017-04-06", True),    # during the month assessed, before it is published
                                       ("2017-03-31", False)])
def test_source_date_of_an_assessment_problem(make_tree, found, ok):
    tree = make_tree()
    tree.write("records/assessments/2017/A-2017-0001.yaml", ASSESSMENT)
    text = media_problem(found, source_ref="A-2017-0001").replace("source: media", "source: simulated_assessment")
    tree.write(P2, text)
    expected = [] if ok else [(P2, tree.line_of(text, "found:"), "E-SOURCE-DATE")]
    assert codes(tree, "E-SOURCE-DATE") == (0 if ok else 1, expected)


@pytest.mark.parametrize("district, ok", [("panlong", True), ("wuhua", False)])
def test_source_district(make_tree, district, ok):
    tree = make_tree()
    tree.write(I1, inspection(1, "2017-04-06"))          # inspected panlong only
    text = media_problem("2017-04-06", source_ref="I-2017-0001", district=district).replace(
        "source: media", "source: inspection")
    tree.write(P2, text)
    expected = [] if ok else [(P2, tree.line_of(text, "district:"), "W-SOURCE-DISTRICT")]
    assert codes(tree, "W-SOURCE-DISTRICT") == (0, expected)


# --- 第三方测评 … 定期 … 排名 ----------------------------------------------------------------------

def third_party(number: int, period: str) -> str:
    return (f"id: A-2017-{number:04d}\nkind: third_party\ntitle: {period} 第三方测评\nperiod: {period}\n"
            f"date: {period}-25\nassessor: assessor-1\nscores:\n  - district: panlong\n    score: 85\n")


@pytest.mark.parametrize("periods, months, warned", [
    (["2017-04", "2017-05"], None, False),
    (["2017-04"], None, True),              # none for May
    (["2017-04"], 2, False),                # every two months
])
def test_cadence_assessment(make_tree, periods, months, warned):
    tree = make_tree()
    groups = {"cadence": {"third_party_months": months}} if months else {}
    campaign(tree, "2017-04-01", "2017-05-31", **groups)
    tree.write("records/org/assessors/assessor-1.yaml", "id: assessor-1\nname: 某测评公司\n")
    for i, period in enumerate(periods, 1):
        tree.write(f"records/assessments/2017/A-2017-{i:04d}.yaml", third_party(i, period))
    assert codes(tree, "W-CADENCE-ASSESSMENT") == (0, [(CAMPAIGN, 1, "W-CADENCE-ASSESSMENT")] if warned else [])


# --- 推卸责任、进展缓慢、整改不力的，将严格实行责任倒查 -----------------------------------------------------

CASE = """\
id: Q-2017-0001
date: {date}
target: {target}
reason: slow_progress
measure: interview
state: decided
{problems}"""


@pytest.mark.parametrize("date, target, problems, warned_at", [
    ("2017-04-12", "city-management", ["P-2017-0002"], None),       # overdue since 04-10
    ("2017-04-09", "city-management", ["P-2017-0002"], "- P-2017-0002"),   # not yet overdue
    ("2017-04-25", "city-management", ["P-2017-0001"], "- P-2017-0001"),   # closed on time
    ("2017-04-12", "panlong", ["P-2017-0002"], None),               # its district's problem
    ("2017-04-12", "wuhua", ["P-2017-0002"], "- P-2017-0002"),      # another's problem
    ("2017-04-12", "city-management", [], "record"),
])
def test_accountability_basis(make_tree, date, target, problems, warned_at):
    tree = make_tree()
    tree.write(P2, media_problem("2017-04-06", source_ref="", deadline="2017-04-09").replace(
        "source: media\nsource_ref: \n", "source: complaint\n"))
    text = CASE.format(date=date, target=target,
                       problems="problems:\n" + "".join(f"  - {p}\n" for p in problems) if problems else "")
    tree.write(Q1, text)
    line = 1 if warned_at == "record" else (tree.line_of(text, warned_at) if warned_at else None)
    expected = [(Q1, line, "W-ACCOUNTABILITY-BASIS")] if warned_at else []
    assert codes(tree, "W-ACCOUNTABILITY-BASIS") == (0, expected)


def test_accountability_basis_counts_a_problem_sent_back(make_tree):
    tree = make_tree()
    events = ("  - date: 2017-04-07\n    state: acknowledged\n  - date: 2017-04-08\n    state: reported\n"
              "  - date: 2017-04-09\n    state: returned\n")
    tree.write(P2, media_problem("2017-04-06", source_ref="", deadline="2017-04-30").replace(
        "source: media\nsource_ref: \n", "source: complaint\n") + events)
    tree.write(Q1, CASE.format(date="2017-04-10", target="city-management", problems="problems:\n  - P-2017-0002\n"))
    assert codes(tree, "W-ACCOUNTABILITY-BASIS") == (0, [])


# --- settings: another city changes data, not code ------------------------------------------------

def test_scheduling_and_sub_hq_cadence_follow_the_settings(make_tree):
    tree = make_tree()
    campaign(tree, "2017-04-10", "2017-04-30")
    tree.write(M1, meeting(1, "2017-04-11", kind="sub_hq", extra="sub_hq: subhq-city-order\n"))
    tree.write(M2, meeting(2, "2017-04-11"))
    assert codes(tree, "W-CADENCE-SUBHQ", as_of="2017-04-30")[1] == [(SUBHQ, 1, "W-CADENCE-SUBHQ")] * 2
    assert codes(tree, "W-CADENCE-SCHEDULING", as_of="2017-04-30")[1] == [(M2, 1, "W-CADENCE-SCHEDULING")]
    campaign(tree, "2017-04-10", "2017-04-30", cadence={"sub_hq_weeks": 2, "scheduling_days": 21})
    assert codes(tree, "W-CADENCE-SUBHQ", as_of="2017-04-30") == (0, [])
    assert codes(tree, "W-CADENCE-SCHEDULING", as_of="2017-04-30") == (0, [])


def test_settings_that_contradict_each_other_are_an_error(make_tree):
    tree = make_tree()
    text = campaign(tree, cadence={"inspections_min": 3, "inspections_max": 2})
    assert codes(tree, "E-SCHEMA-RANGE") == (1, [(CAMPAIGN, tree.line_of(text, "inspections_min:"), "E-SCHEMA-RANGE")])


# --- the shared rule: when a problem stood overdue or sent back --------------------------------------

STATES = ["assigned", "acknowledged", "rectifying", "extended", "reported", "returned", "verified", "closed"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from(STATES), st.integers(1, 20)), max_size=7),
       st.integers(0, 25))
def test_spans_agree_with_status_on_every_day(steps, deadline_offset):
    """model.mechanism.spans (what the validator keeps per problem) says a problem is overdue or
    returned on exactly the days model.lifecycle.status_on (what pages and dashboards use) does."""
    from types import SimpleNamespace as Event
    from generator.model.lifecycle import status_on
    from generator.model.mechanism import on, spans
    day0 = dt.date(2017, 4, 1)
    history, day = [Event(date=day0, state="registered", new_deadline=None)], day0
    for gap, state, extend in steps:
        day += dt.timedelta(days=gap)
        new = day + dt.timedelta(days=extend) if state == "extended" else None
        history.append(Event(date=day, state=state, new_deadline=new))
    deadline = day0 + dt.timedelta(days=deadline_offset)
    overdue, returned = spans(history, deadline)
    for offset in range(-2, 60):
        d = day0 + dt.timedelta(days=offset)
        st_ = status_on(history, deadline, d)
        assert on(overdue, d) == (st_ is not None and st_.light == "red"), (d, history)
        assert on(returned, d) == (st_ is not None and st_.state == "returned"), (d, history)


def test_readme_lists_every_campaign_setting_with_its_default():
    """README's settings table is how another city learns what it can change: every field of the
    campaign's thresholds, organisation and cadence, with the model's default, and nothing else."""
    import re
    from pathlib import Path
    from generator.model.org import Cadence, Organisation, Thresholds
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    rows = dict(re.findall(r"^\| `((?:thresholds|organisation|cadence)\.\w+)` \| .*? \| (.*?) \|$", readme, re.M))
    expected = {}
    for prefix, part in (("thresholds", Thresholds), ("organisation", Organisation), ("cadence", Cadence)):
        for name, info in part.model_fields.items():
            expected[f"{prefix}.{name}"] = "留空" if info.default is None else str(info.default)
    assert rows == expected
