"""The campaign's work: meetings, inspections, self-inspection reports, assessments, media
feedback, patrol logs, circulars, accountability cases and HQ tasks."""
from __future__ import annotations

from .base import Code, Date, Month, Part, Record, choice, field, listing, ref

ORG_BODY = ("hq", "sub_hq", "unit", "district", "inspection_group", "patrol_group",
            "media_outlet", "assessor")
ITEM_STATES = {"open": "未启动", "in_progress": "推进中", "done": "已完成"}

MEETING_KINDS = {"hq": "总指挥部会议", "scheduling": "总指挥部工作调度会",
                 "sub_hq": "分指挥部工作会议", "district": "区（县、市）工作会议"}


class ReportHeard(Part):
    by: ref(*ORG_BODY) = field("汇报单位")
    summary: str = field("汇报要点")


class Decision(Part):
    text: str = field("议定事项")
    owner: ref("unit", "district", "sub_hq", "hq") = field("责任单位")
    deadline: Date = field("完成时限")
    state: choice(ITEM_STATES) = field("状态", "open")
    done_date: Date | None = field("完成日期", None)


class Statement(Part):
    by: ref("district", "unit") = field("表态单位")
    speaker_role: str = field("发言人职务")
    reason: choice({"low_rank": "测评排名靠后", "media_exposure": "媒体曝光",
                    "problem_department": "存在问题的市级部门"}) = field("表态原因")
    summary: str | None = field("表态要点", None)


class Meeting(Record):
    type_name = "meeting"
    label = "会议"
    folder = "meetings"
    yearly = True
    id_prefix = "M"

    kind: choice(MEETING_KINDS) = field("会议类别")
    title: str = field("会议名称", max_length=200)
    date: Date = field("日期")
    status: choice({"held": "已召开", "planned": "计划召开"}) = field("状态", "held")
    chair_role: str | None = field("主持人职务", None)
    sub_hq: ref("sub_hq") | None = field("分指挥部", None, description="分指挥部工作会议必填")
    district: ref("district") | None = field("区（县、市）", None, description="区级会议必填")
    attendees: list[str] = listing("参会人员（职务或单位）")
    agenda: list[str] = listing("议程")
    reports_heard: list[ReportHeard] = listing("听取汇报")
    footage_played: list[str] = listing("播放的暗访素材", internal=True)
    decisions: list[Decision] = listing("议定事项")
    statements: list[Statement] = listing("表态发言")
    summary: str | None = field("会议纪要", None)
    reported_to_office: Date | None = field(
        "上报总指挥部办公室日期", None, description="区级工作会议：工作情况上报市总指挥部办公室的日期")


INSPECTION_METHODS = {"self_check": "自检自查", "field": "实地督查", "circular": "通报情况",
                      "assignment": "交办督办", "accountability": "责任追究",
                      "site_visit": "实地查看", "work_meeting": "工作会议", "onsite_office": "现场办公"}
# The methods that take a group out to the districts: only these count towards the monthly
# 1–2 field inspections (实地调研督查); a work meeting or a circular alone does not.
FIELD_METHODS = frozenset({"field", "site_visit", "onsite_office"})
# What inspections are checked against (督查依据): the two national assessment systems and the
# city's own field-inspection standards.
INSPECTION_BASES = {"national": "《全国文明城市测评体系》",
                    "minors": "《全国未成年人思想道德建设工作测评体系》",
                    "city": "本市创建全国文明城市实地考察督查督办标准"}


class InspectionFinding(Part):
    text: str = field("发现的问题")
    district: ref("district") | None = field("区（县、市）", None)
    problem: ref("problem") | None = field("立项问题", None)


class Inspection(Record):
    type_name = "inspection"
    label = "实地督查"
    folder = "inspections"
    yearly = True
    id_prefix = "I"

    group: ref("inspection_group") = field("督查组")
    date: Date = field("日期")
    districts: list[ref("district")] = field("被督查区（县、市）")
    methods: list[choice(INSPECTION_METHODS)] = field("督查方式")
    basis: list[choice(INSPECTION_BASES)] = listing("督查依据")
    indicators: list[ref("indicator")] = listing("督查的测评指标")
    sites: list[str] = listing("查看点位")
    findings: list[InspectionFinding] = listing("发现问题")
    summary: str | None = field("督查情况", None)


class SelfInspection(Record):
    type_name = "self_inspection"
    label = "自检自查报告"
    folder = "self-inspections"
    yearly = True
    id_prefix = "S"

    by: ref("district", "unit") = field("报告单位")
    date: Date = field("日期")
    inspection: ref("inspection") | None = field("对应督查", None)
    title: str = field("标题", max_length=200)
    task_status: str = field("任务落实情况")
    progress: str = field("完成进度")
    measures: str = field("措施运用")
    improvements: str | None = field("改进措施", None)
    suggestions: str | None = field("工作建议", None)


class IndicatorScore(Part):
    indicator: ref("indicator") = field("测评指标")
    score: float = field("得分率（%）", ge=0, le=100)


class DistrictScore(Part):
    district: ref("district") = field("区（县、市）")
    score: float = field("总得分率（%）", ge=0, le=100)
    by_indicator: list[IndicatorScore] = listing("分指标得分")


class Assessment(Record):
    type_name = "assessment"
    label = "测评"
    folder = "assessments"
    yearly = True
    id_prefix = "A"

    kind: choice({"simulated": "模拟测评", "third_party": "第三方测评"}) = field("测评类别")
    title: str = field("标题", max_length=200)
    period: Month = field("测评月份", description="YYYY-MM")
    date: Date = field("发布日期")
    assessor: ref("assessor") | None = field("测评机构", None, description="第三方测评必填")
    scores: list[DistrictScore] = field("各区得分")
    analysis: str | None = field("分析研判", None)


class MediaItem(Part):
    outlet: ref("media_outlet") = field("媒体")
    title: str = field("报道标题", max_length=200)
    kind: choice({"report": "新闻报道", "undercover": "暗访追踪"}) = field("类别")
    district: ref("district") | None = field("涉及区（县、市）", None)
    indicator: ref("indicator") | None = field("参照的测评指标", None)
    supervise: bool = field("立项督查", False)
    problem: ref("problem") | None = field("立项问题", None)
    footage: list[str] = listing("暗访素材", internal=True)


class MediaFeedback(Record):
    type_name = "media_feedback"
    label = "媒体反馈"
    folder = "media-feedback"
    yearly = True
    id_prefix = "F"

    date: Date = field("反馈日期（周五）")
    week_of: Date | None = field("所属周的周一", None)
    items: list[MediaItem] = field("报道与暗访")
    summary: str | None = field("办公室梳理汇总", None)


class PatrolLog(Record):
    type_name = "patrol_log"
    label = "老领导巡查记录"
    folder = "patrols"
    yearly = True
    id_prefix = "R"

    group: ref("patrol_group") = field("工作组")
    date: Date = field("日期")
    district: ref("district") = field("区（县、市）")
    street: Code | None = field("街道", None)
    places: list[str] = listing("巡查点位")
    findings: list[InspectionFinding] = listing("发现问题")
    advice: str | None = field("意见建议", None)


class Circular(Record):
    type_name = "circular"
    label = "通报"
    folder = "circulars"
    yearly = True
    id_prefix = "C"

    title: str = field("标题", max_length=200)
    date: Date = field("日期")
    kind: choice({"criticism": "通报批评", "praise": "通报表扬", "situation": "情况通报",
                  "assessment": "测评结果通报"}) = field("类别")
    issuer: ref("hq", "sub_hq") = field("发文单位")
    body: str = field("正文（可用 Markdown）")
    districts: list[ref("district")] = listing("涉及区（县、市）")
    units: list[ref("unit")] = listing("涉及单位")
    problems: list[ref("problem")] = listing("涉及问题")
    assessment: ref("assessment") | None = field("测评", None)
    accountability: list[ref("accountability")] = listing("公开的责任追究")


class Accountability(Record):
    type_name = "accountability"
    label = "责任追究"
    folder = "accountability"
    yearly = True
    id_prefix = "Q"
    internal_type = True

    date: Date = field("立案日期")
    target: ref("district", "unit") = field("被追究单位")
    reason: choice({"shirking": "推卸责任", "slow_progress": "进展缓慢",
                    "poor_rectification": "整改不力"}) = field("事由")
    measure: choice({"interview": "约谈", "org_interview": "组织部约谈",
                     "criticism": "通报批评", "accountability": "问责"}) = field("处理方式")
    state: choice({"drafting": "拟稿", "decided": "已决定", "published": "已通报"}) = field("状态")
    problems: list[ref("problem")] = listing("涉及问题")
    summary: str | None = field("情况", None)
    draft: str | None = field("处理意见草稿", None, internal=True)


class MajorMatter(Record):
    """An important matter or major problem reported to the HQ (及时上报重要事项和重大问题)."""
    type_name = "major_matter"
    label = "重要事项报告"
    folder = "major-matters"
    yearly = True
    id_prefix = "B"
    internal_type = True

    title: str = field("标题", max_length=200)
    kind: choice({"matter": "重要事项", "problem": "重大问题"}) = field("类别")
    by: ref("inspection_group", "patrol_group", "sub_hq", "district", "unit") = field("报告单位")
    found: Date = field("发现日期")
    reported: Date | None = field("上报日期", None, description="留空表示尚未上报")
    to: ref("hq") = field("上报对象", "hq")
    inspection: ref("inspection") | None = field("发现于督查", None)
    district: ref("district") | None = field("涉及区（县、市）", None)
    problems: list[ref("problem")] = listing("涉及问题")
    summary: str = field("情况")
    response: str | None = field("总指挥部处理意见", None)
    responded: Date | None = field("处理日期", None)


class Milestone(Part):
    title: str = field("节点")
    due: Date = field("时限")
    state: choice(ITEM_STATES) = field("状态", "open")
    done_date: Date | None = field("完成日期", None)


class Task(Record):
    type_name = "task"
    label = "工作任务"
    folder = "tasks"
    yearly = True
    id_prefix = "T"

    title: str = field("任务")
    sub_hq: ref("sub_hq") = field("牵头分指挥部")
    lead_unit: ref("unit", "district") = field("牵头单位")
    supporting_units: list[ref("unit")] = listing("配合单位")
    assigned: Date = field("部署日期")
    deadline: Date = field("完成时限")
    description: str | None = field("任务内容", None)
    milestones: list[Milestone] = listing("节点")
