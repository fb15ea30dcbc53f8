"""The command structure: campaign settings, HQ, sub-HQs, inspection groups, districts, units,
people (by role), retired leaders' work groups, media outlets, third-party assessors; and the
assessment framework (items → indicators → site types)."""
from __future__ import annotations

from .base import Code, Date, Part, Record, choice, field, listing, ref


class Thresholds(Part):
    yellow_days: int = field("黄灯提前天数", 3, description="距整改时限不超过此天数亮黄灯")
    bottom_n: int = field("排名靠后名次数", 3, description="测评排名最后几名须在下次调度会表态发言")
    red_list: int = field("红榜名额", 3)
    black_list: int = field("黑榜名额", 3)
    statement_exposures: int = field(
        "媒体曝光次数", 1, ge=1,
        description="两次调度会之间在媒体反馈中被立项督查达到此次数的区，须在后一次调度会表态发言")
    statement_overdue: int = field(
        "逾期问题个数", 1, ge=1, description="调度会当天逾期问题达到此个数的市级部门，须在会上表态发言")
    district_report_days: int = field("区级会议上报时限（天）", 7, ge=0,
                                      description="区级工作会议后此天数内上报总指挥部办公室")
    self_inspection_days: int = field("自检自查报告时限（天）", 7, ge=0,
                                      description="被督查的区（县、市）在督查后此天数内提交自检自查报告")
    major_report_days: int = field("重要事项上报时限（天）", 1, ge=0,
                                   description="督查中发现的重要事项和重大问题在发现后此天数内上报总指挥部")


class Organisation(Part):
    """The command structure the campaign's documents set up; each count, when given, is
    checked against the organisation records (numbers 1 to the count, each once)."""
    commanders: int | None = field("总指挥长人数", None, ge=1, description="留空：至少一位")
    sub_hqs: int | None = field("分指挥部个数", None, ge=1, description="留空：序号从 1 起连续、不重复即可")
    inspection_groups: int | None = field("督查组个数", None, ge=1, description="留空：序号从 1 起连续、不重复即可")


class Cadence(Part):
    """How often the work mechanism meets, inspects, patrols and reports (warnings when missed)."""
    scheduling_days: int = field("调度会最长间隔（天）", 14, ge=1, description="总指挥部工作调度会原则上两周召开一次")
    sub_hq_weeks: int = field("分指挥部会议周期（周）", 1, ge=1, description="每个分指挥部每这么多个整周至少开会一次")
    inspections_min: int = field("督查组每月最少实地督查次数", 1, ge=0)
    inspections_max: int = field("督查组每月最多实地督查次数", 2, ge=1)
    media_weekday: int = field("媒体反馈日（星期几）", 5, ge=1, le=7, description="1 = 周一 … 7 = 周日")
    district_meeting_days: int = field("区级工作会议最长间隔（天）", 31, ge=1)
    patrol_days: int = field("老领导工作组巡查最长间隔（天）", 7, ge=1)
    third_party_months: int = field("第三方测评周期（月）", 1, ge=1, description="每这么多个整月至少一次第三方测评")


class Campaign(Record):
    type_name = "campaign"
    label = "创建工作设置"
    folder = "campaign"

    name: str = field("名称")
    city: str = field("城市")
    start: Date = field("开始日期", description="工作机制检查（会议、督查、媒体反馈频次）从此日起算")
    end: Date | None = field("结束日期", None, description="留空表示仍在进行；频次检查止于此日")
    icp: str | None = field("ICP 备案号", None, description="显示在公开站页脚")
    illustrative: bool = field("示例数据", False, description="true：页面标明为虚构的示例数据")
    thresholds: Thresholds = field("阈值与时限", Thresholds())
    organisation: Organisation = field("组织架构", Organisation())
    cadence: Cadence = field("工作频次", Cadence())


class Leader(Part):
    role: str = field("职务")
    position: choice({"commander": "总指挥长", "executive_deputy": "常务副指挥长",
                      "deputy": "副指挥长", "director": "主任", "member": "成员"}) = field("在指挥部中的角色")


class Hq(Record):
    type_name = "hq"
    label = "总指挥部"
    folder = "org/hq"

    name: str = field("名称")
    kind: choice({"general": "总指挥部", "office": "总指挥部办公室"}) = field("类别")
    leaders: list[Leader] = listing("领导")
    duties: list[str] = listing("职责")
    reviewers: list[str] = listing("审核人（代码托管账号）", internal=True)


class SubHq(Record):
    type_name = "sub_hq"
    label = "分指挥部"
    folder = "org/sub-hqs"

    name: str = field("名称")
    number: int = field("序号")
    commander_role: str = field("指挥长职务")
    focus: str | None = field("职责范围", None)
    member_units: list[ref("unit")] = listing("成员单位")
    reviewers: list[str] = listing("审核人（代码托管账号）", internal=True)


class InspectionGroup(Record):
    type_name = "inspection_group"
    label = "督查组"
    folder = "org/inspection-groups"

    name: str = field("名称")
    number: int = field("序号")
    leader_role: str = field("带队领导职务")
    districts: list[ref("district")] = listing("联系区（县、市）")


class Street(Part):
    id: Code = field("街道编号")
    name: str = field("街道名称")
    communities: list[str] = listing("社区")


class District(Record):
    type_name = "district"
    label = "区（县、市）和园区"
    folder = "org/districts"

    name: str = field("名称")
    kind: choice({"district": "区", "city": "县级市", "county": "县", "zone": "开发（度假）园区"}) = field("类别")
    order: int = field("排序", 0)
    streets: list[Street] = listing("街道办事处")
    reviewers: list[str] = listing("审核人（代码托管账号）", internal=True)


class Unit(Record):
    type_name = "unit"
    label = "责任单位"
    folder = "org/units"

    name: str = field("名称")
    kind: choice({"city_department": "市级部门", "district_department": "区级部门",
                  "street_office": "街道办事处", "enterprise": "企业", "other": "其他"}) = field("类别")
    district: ref("district") | None = field("所属区（县、市）", None)
    sub_hqs: list[ref("sub_hq")] = listing("所属分指挥部")


class Person(Record):
    type_name = "person"
    label = "人员"
    folder = "org/people"

    role: str = field("职务", description="公开显示职务，不显示姓名")
    unit: ref("unit", "district", "hq", "sub_hq") = field("所在单位")
    name: str | None = field("姓名", None, internal=True)
    phone: str | None = field("电话", None, internal=True)


class PatrolGroup(Record):
    type_name = "patrol_group"
    label = "市级老领导工作组"
    folder = "org/patrol-groups"

    name: str = field("名称")
    district: ref("district") = field("进驻区（县、市）")
    members: list[str] = listing("成员（职务）")


class MediaOutlet(Record):
    type_name = "media_outlet"
    label = "新闻媒体"
    folder = "org/media"

    name: str = field("名称")
    kind: choice({"newspaper": "报纸", "tv": "电视", "radio": "广播", "online": "网络"}) = field("类别")


class Assessor(Record):
    type_name = "assessor"
    label = "第三方测评机构"
    folder = "org/assessors"

    name: str = field("名称")


class AssessmentItem(Record):
    type_name = "assessment_item"
    label = "测评项目"
    folder = "framework/items"

    name: str = field("名称")
    order: int = field("序号")


METHODS = {"field_check": "实地考察", "document_review": "材料审核", "survey": "问卷调查",
           "online_report": "网上申报"}


class Indicator(Record):
    type_name = "indicator"
    label = "测评指标"
    folder = "framework/indicators"

    name: str = field("名称")
    item: ref("assessment_item") = field("所属测评项目")
    method: choice(METHODS) = field("测评方法")
    standard: str | None = field("测评内容与标准", None)
    site_types: list[ref("site_type")] = listing("实地考察点位类型")


class SiteType(Record):
    type_name = "site_type"
    label = "点位类型"
    folder = "framework/site-types"

    name: str = field("名称")


__all__ = ["Campaign", "Cadence", "Organisation", "Thresholds", "Hq", "SubHq", "InspectionGroup", "District", "Unit", "Person",
           "PatrolGroup", "MediaOutlet", "Assessor", "AssessmentItem", "Indicator", "SiteType",
           "METHODS"]
