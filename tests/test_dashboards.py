"""Dashboards on a small hand-made campaign (tests/fixtures/dashboard/records), as of
2017-05-10, with every number worked out by hand:

problem  district  found  deadline  state on 04-30 → on 05-10          light on 05-10
P1       east      04-03  04-10     closed 04-09 (6 days)              done
P2       east      04-20  05-10     rectifying                          yellow (due today: not overdue)
P3       west      04-10  05-09     acknowledged                        red (1 day overdue)
P4       west      04-25  05-13     assigned                            yellow (3 days left: the boundary)
P5       west      05-02  05-14     — → closed 05-08 (6 days)           done
P6       west      04-05  04-15     closed 04-12 (7 days)               done
P7       east      05-03  05-14     — → registered                      green (4 days left)

east: now 1 of 3 closed (33.3 %), at the end of April 1 of 2 (50.0 %): rank 1 → 2, movement −1
west: now 2 of 4 closed (50.0 %), at the end of April 1 of 3 (33.3 %): rank 2 → 1, movement +1
overall: 3 of 7 closed (42.9 %), 1 overdue, average (6 + 6 + 7) / 3 = 6.3 days to close

decisions (M-2017-0001)  owner      deadline  state        light on 05-10
1 事项一                 east-unit  04-20     done (04-19) done
2 事项二                 west-unit  05-01     in progress  red (9 days overdue)
3 事项三                 west-unit  05-20     not started  green
4 事项四                 east-unit  05-12     not started  yellow (2 days left)
5 事项五                 west       05-08     not started  red (2 days overdue)

all: 5 = 1 done + 1 in progress + 3 not started; 2 late, 1 due soon
"""
from __future__ import annotations

import datetime as dt
import html as html_lib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.catalog.view import view
from generator.pipeline import internal_catalog
from generator.site.dashboards import compute
from generator.validate import validate

ROOT = Path(__file__).resolve().parents[1]
RECORDS = ROOT / "tests/fixtures/dashboard/records"
AS_OF = dt.date(2017, 5, 10)


@pytest.fixture(scope="module")
def dash():
    checked = validate(RECORDS, AS_OF, keep_records=True)
    assert checked.ok
    catalog = internal_catalog(checked)
    return compute(view(catalog, "public").catalog)


def test_overall_rate_lights_and_days_to_close(dash):
    o = dash.overall
    assert (o.total, o.closed, o.open, o.overdue, o.rate, o.avg_days_to_close) == (7, 3, 4, 1, 42.9, 6.3)
    assert dash.lights == {"red": 1, "yellow": 2, "green": 1, "done": 3}


def test_district_ranking_and_movement_since_last_month(dash):
    assert dash.previous == dt.date(2017, 4, 30)
    rows = [(r.id, r.rank, r.previous_rank, r.movement, r.tally.rate, r.tally.overdue) for r in dash.districts]
    assert rows == [("west", 1, 2, 1, 50.0, 1), ("east", 2, 1, -1, 33.3, 0)]
    assert [r.id for r in dash.red_list] == ["west"] and [r.id for r in dash.black_list] == ["east"]


def test_sub_hq_and_source_tallies(dash):
    living = dash.sub_hqs[0]
    assert (living.id, living.tally.total, living.tally.closed) == ("living", 7, 3)
    assert [(s.key, s.tally.total) for s in dash.by_source] == [("complaint", 7)]


def test_monthly_trend(dash):
    assert [(m.month, m.opened, m.closed, m.backlog) for m in dash.trend] == [
        ("2017-04", 5, 2, 3), ("2017-05", 2, 1, 4)]


def test_cadence_gaps(dash):
    assert [(label, n, ok) for label, n, ok in dash.scheduling.cells] == [("4/1起", 1, True), ("4/15起", 0, False)]
    assert [n for _, n, _ in dash.sub_hq_weeks[0].cells] == [1, 0, 1, 0] and dash.sub_hq_weeks[0].gaps == 2
    assert [(n, ok) for _, n, ok in dash.inspection_months[0].cells] == [(3, False)]
    assert [n for _, n, _ in dash.media_weeks.cells] == [1, 1, 0, 1] and dash.media_weeks.gaps == 1


def test_decision_counts_add_up_overall_and_per_owner(dash):
    d = dash.decisions
    assert (d.total, d.done, d.in_progress, d.not_started, d.late, d.due_soon) == (5, 1, 1, 3, 2, 1)
    rows = [(t.owner, t.total, t.done, t.in_progress, t.not_started, t.late, t.due_soon) for t in dash.decisions_by_owner]
    assert rows == [("west-unit", 2, 0, 1, 1, 1, 0), ("west", 1, 0, 0, 1, 1, 0), ("east-unit", 2, 1, 0, 1, 0, 1)]
    for t in (d, *dash.decisions_by_owner):
        assert t.total == t.done + t.in_progress + t.not_started, t
    assert sum(t.total for t in dash.decisions_by_owner) == d.total


def test_open_decisions_are_listed_most_overdue_first_with_lights(dash):
    rows = [(f.text, f.owner, f.light, f.overdue_days, f.meeting.id, f.number) for f in dash.open_decisions]
    assert rows == [("事项二", "west-unit", "red", 9, "M-2017-0001", 2), ("事项五", "west", "red", 2, "M-2017-0001", 5),
                    ("事项四", "east-unit", "yellow", 0, "M-2017-0001", 4),
                    ("事项三", "west-unit", "green", 0, "M-2017-0001", 3)]


def test_urging_list_is_the_overdue_problems_by_unit(dash):
    assert [(unit, [p.id for p in problems]) for unit, _, problems in dash.overdue_by_unit] == [
        ("west-unit", ["P-2017-0003"])]


@pytest.mark.slow
def test_dashboard_pages_show_the_numbers_and_the_urging_list_stays_internal(tmp_path):
    out = tmp_path / "site"
    result = subprocess.run([sys.executable, "-m", "generator", "build", "--records", str(RECORDS), "--out", str(out),
                             "--work", str(tmp_path / "work"), "--as-of", AS_OF.isoformat()],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    html = (out / "public/dashboards/index.html").read_text("utf-8")
    assert re.search(r"<td[^>]*>1</td><td[^>]*><span class=\"tz-up\" title=\"上升\">↑1</span></td><td><a [^>]+>西区</a>", html)
    assert "<svg" in html and 'aria-describedby="districts"' in html and 'id="districts"' in html
    assert (out / "internal/dashboards/urging/index.html").is_file()
    assert not (out / "public/dashboards/urging").exists()
    cadence = html_lib.unescape((out / "public/dashboards/cadence/index.html").read_text("utf-8"))
    # 1 fortnight, 2 sub-HQ weeks, 1 month, 1 Friday, 1 month without a third-party assessment
    assert cadence.count('<td class="tz-gap"') == 6
    urging = html_lib.unescape((out / "internal/dashboards/urging/index.html").read_text("utf-8"))
    assert re.search(r"背街小巷整治</a></td><td[^>]*>集中整治</td>.*?2017年4月20日</td><td[^>]*>20</td>", urging)
    assert re.search(r"东区农贸市场周边占道经营反复回潮</a>.*?逾期上报</span>（3 天）", urging)
    assert (out / "internal/major-matters/B-2017-0001/index.html").is_file()
    assert not (out / "public/major-matters").exists()
    assert "重要事项" not in (out / "public/index.html").read_text("utf-8")
    csv = (out / "public/data/rankings.csv").read_bytes()
    assert csv.startswith("\ufeff".encode()) and "整改排名,2017-05-10,1,west,西区,50.0".encode() in csv
    from openpyxl import load_workbook
    sheet = load_workbook(out / "public/data/problems.xlsx").active
    assert sheet["A1"].value == "编号" and sheet.max_row == 8 and sheet.freeze_panes == "A2"
    assert "<feed" in (out / "public/feed.xml").read_text("utf-8")


def test_milestones_and_major_matters(dash):
    """The fixture's task has one milestone 20 days past due; its major matter was reported 3 days
    after it was found (the time limit is 1 day), and it is internal: the public view has none."""
    assert [(m.task.id, m.title, m.days) for m in dash.late_milestones] == [("T-2017-0001", "集中整治", 20)]
    assert dash.matters == ()
    checked = validate(RECORDS, AS_OF, keep_records=True)
    internal = compute(view(internal_catalog(checked), "internal").catalog)
    assert [(r.matter.id, r.status, r.days, r.late) for r in internal.matters] == [("B-2017-0001", "逾期上报", 3, True)]


STATEMENT_TREE = {
    "records/campaign/campaign.yaml": "id: campaign\nname: 创建\ncity: 示例市\nstart: 2017-04-05\nend: 2017-05-31\n",
    "records/org/media/daily.yaml": "id: daily\nname: 日报\nkind: newspaper\n",
    "records/media-feedback/2017/F-2017-0001.yaml": """\
id: F-2017-0001
date: 2017-04-14
week_of: 2017-04-10
items:
  - outlet: daily
    title: 暗访
    kind: undercover
    district: wuhua
    indicator: street-order
    supervise: true
    problem: P-2017-0003
""",
    "records/problems/2017/P-2017-0002.yaml": """\
id: P-2017-0002
title: 某路灯不亮
district: panlong
source: complaint
found: 2017-04-06
responsible_unit: city-management
deadline: 2017-04-10
history:
  - date: 2017-04-06
    state: registered
  - date: 2017-04-06
    state: assigned
""",
    "records/problems/2017/P-2017-0003.yaml": """\
id: P-2017-0003
title: 某路占道
district: wuhua
source: media
source_ref: F-2017-0001
found: 2017-04-14
responsible_unit: city-management
deadline: 2017-06-30
history:
  - date: 2017-04-14
    state: registered
""",
    "records/meetings/2017/M-2017-0001.yaml": """\
id: M-2017-0001
kind: scheduling
title: 第1次调度会
date: 2017-04-20
statements:
  - by: city-management
    speaker_role: 局长
    reason: problem_department
""",
}


def test_statements_owed_at_each_scheduling_meeting_and_the_next(make_tree):
    """At the meeting of 04-20 the city department with a problem overdue since 04-11 spoke, the
    district exposed on 04-14 did not; as of 05-10 (the campaign still runs) the department still
    owes one at the next meeting, and nobody else."""
    tree = make_tree()
    for rel, text in STATEMENT_TREE.items():
        tree.write(rel, text)
    checked = validate(tree.records, AS_OF, keep_records=True)
    assert checked.ok, [f for f in checked.findings if f.severity == "error"]
    codes = {(f.file, f.code) for f in checked.findings}
    assert ("records/meetings/2017/M-2017-0001.yaml", "W-STATEMENT-EXPOSED") in codes
    assert ("records/meetings/2017/M-2017-0001.yaml", "W-STATEMENT-DEPARTMENT") not in codes
    dash = compute(view(internal_catalog(checked), "public").catalog)
    rows = [(r.meeting.id if r.meeting else None, r.date, [(o.by, o.reason, o.basis, o.made) for o in r.owed])
            for r in dash.statements]
    assert rows == [
        (None, AS_OF, [("city-management", "存在逾期问题的市级部门", "1 个问题逾期", False)]),
        ("M-2017-0001", dt.date(2017, 4, 20), [("city-management", "存在逾期问题的市级部门", "1 个问题逾期", True),
                                               ("wuhua", "媒体曝光", "被曝光并立项督查 1 次", False)]),
    ]
