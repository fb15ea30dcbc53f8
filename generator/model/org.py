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
    thresholds: Thresholds = field("阈值", Thresholds())


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


__all__ = ["Campaign", "Hq", "SubHq", "InspectionGroup", "District", "Unit", "Person",
           "PatrolGroup", "MediaOutlet", "Assessor", "AssessmentItem", "Indicator", "SiteType",
           "METHODS"]
