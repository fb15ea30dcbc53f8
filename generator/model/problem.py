"""Problems (问题) and their rectification history (整改)."""
from __future__ import annotations

from .base import Code, Date, Part, Record, choice, field, listing, ref
from .lifecycle import STATE_LABELS

SOURCES = {
    "inspection": "督查组督查",
    "simulated_assessment": "模拟测评",
    "media": "媒体曝光",
    "complaint": "群众投诉",
    "leadership_instruction": "领导批示",
    "superior_inspection": "上级调研督查",
    "patrol": "老领导巡查",
    "third_party_assessment": "第三方测评",
    "self_inspection": "自检自查",
}

# Which record a problem's `source_ref` may name, by source.
SOURCE_REF_TYPES = {
    "inspection": ("inspection",),
    "simulated_assessment": ("assessment",),
    "third_party_assessment": ("assessment",),
    "media": ("media_feedback",),
    "patrol": ("patrol_log",),
    "self_inspection": ("self_inspection",),
    "superior_inspection": ("inspection", "meeting"),
    "leadership_instruction": ("meeting",),
    "complaint": (),
}

Evidence = list[Code]


class Event(Part):
    date: Date = field("日期")
    state: choice(STATE_LABELS) = field("状态")
    by: ref("hq", "sub_hq", "unit", "district", "inspection_group") | None = field("经办单位", None)
    note: str | None = field("说明", None)
    evidence: Evidence = listing("佐证材料（相对 records/ 的路径）")
    reason: str | None = field("延期理由", None)
    new_deadline: Date | None = field("新整改时限", None)
    approved_by: ref("hq", "sub_hq") | None = field("批准单位", None)
    internal_note: str | None = field("内部说明", None, internal=True)


class Reporter(Part):
    name: str | None = field("姓名", None, internal=True)
    phone: str | None = field("电话", None, internal=True)
    id_number: str | None = field("身份证号", None, internal=True)
    address: str | None = field("住址", None, internal=True)


class Instruction(Part):
    by_role: str = field("批示领导职务")
    text: str = field("批示内容")


class Urging(Part):
    date: Date = field("日期")
    by: ref("hq", "sub_hq", "inspection_group") = field("催办单位")
    note: str | None = field("说明", None)


class Problem(Record):
    type_name = "problem"
    label = "问题"
    folder = "problems"
    yearly = True
    id_prefix = "P"

    title: str = field("标题", max_length=200)
    description: str | None = field("问题描述", None)
    district: ref("district") = field("责任区（县、市）")
    street: Code | None = field("街道", None, description="district 记录中 streets 的编号")
    location: str | None = field("点位地址", None)
    source: choice(SOURCES) = field("问题来源")
    source_ref: Code | None = field("来源记录", None, description="督查、测评、媒体反馈、巡查等记录的编号")
    found: Date = field("发现日期")
    site_type: ref("site_type") | None = field("点位类型", None)
    indicator: ref("indicator") | None = field("测评指标", None)
    sub_hq: ref("sub_hq") | None = field("牵头分指挥部", None)
    responsible_unit: ref("unit", "district") = field("责任单位")
    supporting_units: list[ref("unit")] = listing("配合单位")
    responsible_person: ref("person") | None = field("责任人", None, internal=True)
    deadline: Date = field("整改时限")
    measures: str | None = field("整改措施", None)
    reporter: Reporter | None = field("反映人", None, internal=True)
    instruction: Instruction | None = field("领导批示", None, internal=True)
    undercover_footage: list[str] = listing("暗访素材", internal=True)
    history: list[Event] = field("整改过程")
    urgings: list[Urging] = listing("催办记录")
