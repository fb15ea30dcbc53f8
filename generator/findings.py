"""The one finding type every stage reports through, and the catalogue of stable codes.

A finding is created with a code and the values its message needs; the message and hint are
Chinese templates from CODES, so a code always reads the same way and tests compare
(file, line, code) rather than wording. Line and column may be left at 0 by a stage that only
knows the path inside the record (`history[2].date`); `locate` fills them in afterwards.
"""
from __future__ import annotations

import operator
import unicodedata
from dataclasses import dataclass, fields, replace
from typing import Literal

Severity = Literal["error", "warning"]
Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Code:
    severity: Severity
    message: str
    hint: str


CODES: dict[str, Code] = {
    # files and YAML syntax
    "E-FILE-ENCODING": Code("error", "文件不是 UTF-8 编码{detail}", "请用 UTF-8 编码另存此文件（记事本/WPS：另存为 → 编码选 UTF-8）。"),
    "E-FILE-BINARY": Code("error", "文件含有二进制内容，不是文本", "记录文件只能是 YAML 文本；图片等附件请放在 records/attachments/ 下。"),
    "E-FILE-EMPTY": Code("error", "文件是空的", "请填写记录内容，或删除此文件。"),
    "E-FILE-TOO-LARGE": Code("error", "文件过大（{size}），超过单条记录上限 {limit}", "一条记录不应这么大；长文本请精简，附件放在 records/attachments/。"),
    "E-FILE-UNKNOWN-FOLDER": Code("error", "文件不在任何记录类型的文件夹里：{folder}", "记录应放在对应类型的文件夹，例如 {example}。"),
    "E-FILE-NOT-RECORD": Code("error", "记录文件夹里只能放 .yaml 记录文件：{name}", "照片、文档等附件请放在 records/attachments/ 下，并在记录中用 evidence 引用。"),
    "E-FILE-EXTENSION": Code("error", "记录文件的扩展名应为 .yaml：{name}", "请把文件改名为 {suggestion}。"),
    "E-FILE-YEAR-FOLDER": Code("error", "记录应放在年份文件夹里（如 {example}）", "把文件移到与编号年份相同的文件夹。"),
    "E-FILE-SYMLINK": Code("error", "记录文件是指向 records/ 之外或不存在的符号链接", "请放入真实文件，不要使用符号链接。"),
    "E-FILE-UNREADABLE": Code("error", "无法读取文件：{detail}", "请检查文件权限，或重新保存此文件。"),
    "E-YAML-SYNTAX": Code("error", "YAML 语法错误：{detail}", "{hint}"),
    "E-YAML-TAB": Code("error", "缩进里有制表符（Tab）", "YAML 只能用空格缩进；请把 Tab 换成两个空格。"),
    "E-YAML-DUPLICATE-KEY": Code("error", "字段 {key} 重复出现（第一次在第 {first_line} 行）", "每个字段只能写一次；请删除或合并重复的一行。"),
    "E-YAML-ALIAS": Code("error", "不允许使用 YAML 锚点或别名（& 或 *）", "请把要重复的内容直接写出来。"),
    "E-YAML-TAG": Code("error", "不允许使用 YAML 标签 {tag}", "请去掉以 ! 开头的标签，直接写值。"),
    "E-YAML-TOO-DEEP": Code("error", "嵌套层级过深（超过 {limit} 层）", "记录不需要这么深的结构；请检查缩进。"),
    "E-YAML-ROOT": Code("error", "记录文件的顶层必须是“字段: 值”的映射，这里是{kind}", "每行写成“字段: 值”，例如 title: 某某路占道经营。"),
    "E-YAML-KEY": Code("error", "字段名必须是文字", "请把字段名写成普通文字，例如 title。"),
    # schema
    "E-SCHEMA-REQUIRED": Code("error", "缺少必填字段 {field}", "请补上一行 {name}: …"),
    "E-SCHEMA-UNKNOWN-KEY": Code("error", "未知字段 {field}{suggestion}", "请检查拼写；{type_label}可用的字段：{allowed}。"),
    "E-SCHEMA-TYPE": Code("error", "{field} 的值类型不对：应为{expected}", "请按“{expected}”填写。"),
    "E-SCHEMA-ENUM": Code("error", "{field} 的值 {value} 不在可选范围内", "可选值：{allowed}。"),
    "E-SCHEMA-PATTERN": Code("error", "{field} 的格式不对：{value}", "应符合格式 {pattern}。"),
    "E-SCHEMA-RANGE": Code("error", "{field} 的值超出范围：{detail}", "请检查数值。"),
    "E-SCHEMA-INVALID": Code("error", "{field} 的值不合规：{detail}", "请对照字段说明修改。"),
    "E-DATE-INVALID": Code("error", "{field} 不是有效日期：{value}", "日期写成 YYYY-MM-DD，例如 2017-04-07，且须是日历上存在的日子。"),
    # ids
    "E-ID-PATTERN": Code("error", "编号 {id} 不符合{type_label}的编号格式", "应符合 {pattern}，例如 {example}。用 .venv/bin/taizhang new 生成可避免手写。"),
    "E-ID-FILENAME": Code("error", "编号 {id} 与文件名 {name} 不一致", "文件名必须是“编号.yaml”：改名为 {id}.yaml，或把 id 改为 {stem}。"),
    "E-ID-DUPLICATE": Code("error", "编号 {id} 已被 {other} 使用", "每个编号在全库唯一；请换一个编号（大小写或全角半角不同也算重复）。"),
    # references
    "E-REF-MISSING": Code("error", "{field} 引用的 {value} 不存在{suggestion}", "应为已有{targets}记录的编号。"),
    "E-REF-TYPE": Code("error", "{field} 引用的 {value} 是{actual}，应为{targets}", "请填写{targets}的编号。"),
    "E-REF-STREET": Code("error", "街道 {value} 不属于 {district}", "请填写该区（县、市）记录里 streets 中的街道编号。"),
    "E-PATROL-DISTRICT": Code("error", "巡查的区（县、市）{value} 不是{group}进驻的{home}", "《工作机制》：市级老领导组成工作组进驻各区开展日常巡查督导。请填写工作组进驻的区，或改正工作组。"),
    # attachments
    "E-ATTACH-PATH": Code("error", "附件路径 {value} 不安全：{detail}", "附件路径相对 records/ 书写，例如 attachments/2017/P-2017-0042-after.jpg，不能含 .. 或以 / 开头。"),
    "E-ATTACH-MISSING": Code("error", "附件 {value} 不存在", "请把文件放到 records/{value}，或改正路径。"),
    "E-ATTACH-TYPE": Code("error", "附件 {value} 的类型不支持", "支持 {allowed}。"),
    "E-ATTACH-TOO-LARGE": Code("error", "附件 {value} 过大（{size}），上限 {limit}", "请压缩图片或拆分文件后再附上。"),
    "E-ATTACH-IMAGE-SIZE": Code("error", "附件 {value} 的图片尺寸过大（{size}）", "请把图片缩小到 5000 万像素以内（手机照片都在此范围内）。"),
    "E-ATTACH-NAME": Code("error", "附件文件名里含有{what}：{excerpt}", "公开站的链接会显示文件名：请给文件改名（例如 P-2017-0042-after.jpg），并同时改正记录中的路径。"),
    # dates and lifecycle
    "E-DATE-FUTURE": Code("error", "{field} 的日期 {value} 晚于校验日期 {as_of}", "已发生的事不能写未来日期；请核对日期或用 --as-of 指定日期。"),
    "E-DATE-BEFORE-FOUND": Code("error", "{field} 的日期 {value} 早于发现日期 {found}", "事件不能早于问题被发现的日期。"),
    "E-DATE-ORDER": Code("error", "{field} 的日期 {value} 早于上一条事件的 {previous}", "history 中的事件须按日期先后排列。"),
    "E-DATE-RANGE": Code("error", "{field} 的日期 {value} 早于 {other_field} 的 {other}", "请核对这两个日期。"),
    "E-LIFECYCLE-START": Code("error", "history 的第一条事件应为“立项”（registered），这里是“{state}”", "在最前面加一条 state: registered 的事件。"),
    "E-LIFECYCLE-TRANSITION": Code("error", "不能从“{from_label}”直接变为“{to_label}”", "“{from_label}”之后可以是：{allowed}。"),
    "E-LIFECYCLE-NO-EVIDENCE": Code("error", "销号时还没有整改后照片或佐证材料", "在“已反馈”（reported）事件或这条“销号”事件里用 evidence 列出整改后照片或文件（命令行：transition 编号 closed --evidence 路径；表单：这条事件的“佐证材料”）。"),
    "E-LIFECYCLE-EXTENSION": Code("error", "延期事件缺少 {missing}", "延期须写明 reason（理由）、new_deadline（新时限）和 approved_by（批准单位：总指挥部或分指挥部）；命令行用 --reason、--new-deadline、--approved-by。"),
    "E-LIFECYCLE-DEADLINE": Code("error", "延期后的新时限 {value} 不晚于原时限 {previous}", "新时限须晚于原时限。"),
    "E-CAMPAIGN-RANGE": Code("error", "创建工作的起止日期不合理：{detail}", "开始日期写成实际开始的日子（2000 年以后），结束日期不早于开始日期，一期不超过 10 年。"),
    "E-RECORD-FIELD": Code("error", "{kind_label}须填写 {field}", "{hint}"),
    "E-SOURCE-DATE": Code("error", "发现日期 {found} 早于来源记录 {source} 的日期 {source_date}（早 {days} 天）", "问题是由来源记录发现的，发现日期不能早于它（测评：不早于测评月份的第一天）。请核对 found 或 source_ref。"),
    "E-SOURCE-LINK": Code("error", "立项问题 {problem} 的来源{actual}，应为本次媒体反馈 {feedback}", "《工作机制》：办公室根据媒体反馈梳理汇总后立项督查。请把问题的 source: media、source_ref: {feedback} 写对，或改正这里的 problem。"),
    "E-MEDIA-WEEK": Code("error", "所属周的周一 {value} {detail}", "week_of 写反馈所在那一周的周一：{monday}。"),
    "E-MEDIA-SUPERVISE": Code("error", "报道“{title}”标明立项督查（supervise: true），但没有写明立项的问题", "《工作机制》：办公室梳理汇总后立项督查。请先登记问题，再写上 problem: 问题编号；不立项请写 supervise: false。"),
    # text and privacy
    "E-TEXT-CONTROL": Code("error", "{field} 含有不可见的控制字符或文字方向控制符（{char}）", "请删除后重新输入；常见于从网页、聊天软件复制的文字。"),
    "E-PRIVACY-PII": Code("error", "公开字段 {field} 里含有{what}：{excerpt}", "公开站会显示此字段。请删去，并把它写到内部字段 {internal_field}。"),
    # rules from the work mechanism (warnings)
    "W-CADENCE-SCHEDULING": Code("warning", "总指挥部工作调度会间隔 {days} 天（{start} 至 {end}），超过 {limit} 天", "《工作机制》：总指挥部工作调度会原则上两周召开一次（间隔天数见 campaign.yaml 的 cadence.scheduling_days）。"),
    "W-CADENCE-SUBHQ": Code("warning", "{sub_hq}在 {week} 没有召开分指挥部工作会议", "《工作机制》：各分指挥部工作会议{every}召开一次（campaign.yaml 的 cadence.sub_hq_weeks）。"),
    "W-CADENCE-INSPECTION": Code("warning", "{group}在 {month} 开展实地督查 {count} 次（应为 {low}—{high} 次）", "《工作机制》：督查组原则上每月开展 1—2 次实地调研督查；只计采取实地督查、实地查看或现场办公的督查，只开工作会议、只发通报的不计。"),
    "W-CADENCE-MEDIA": Code("warning", "{day}（{weekday}）所在的一周没有媒体反馈", "《工作机制》：新闻媒体每周五将本周新闻报道和暗访追踪情况反馈总指挥部办公室（反馈日见 campaign.yaml 的 cadence.media_weekday）。"),
    "W-STATEMENT-MISSING": Code("warning", "{district}在 {assessment} 中排名靠后，但 {meeting} 没有其表态发言", "当月测评排名靠后的区（市）主要负责人须在下一次调度会上表态发言。"),
    "W-PROBLEM-OVERDUE": Code("warning", "问题已逾期 {days} 天（整改时限 {deadline}，当前“{state_label}”）", "请督促责任单位整改，或按程序申请延期。"),
    "W-DECISION-OVERDUE": Code("warning", "议定事项“{text}”已逾期（时限 {deadline}）", "请推动落实，或在会议记录中更新其状态。"),
    "W-MEETING-CONTENT": Code("warning", "调度会没有记录：{missing}", "《工作机制》：调度会听取各指挥部工作推进汇报，听取各督查和测评情况报告，播放媒体暗访素材，协调解决存在困难。请补上 reports_heard（汇报单位）和 footage_played（内部字段）。"),
    "W-MILESTONE-OVERDUE": Code("warning", "任务节点“{title}”已逾期 {days} 天（时限 {due}）", "《工作机制》：推进创建任务按序时落实。请推动完成，或在任务记录中更新节点状态（state: done 与 done_date）。"),
    "W-STATEMENT-EXPOSED": Code("warning", "{district}自上次调度会以来被媒体曝光并立项督查 {count} 次，但 {meeting} 没有其表态发言", "《工作机制》：根据媒体曝光……的区（市）主要负责人要在会议上作表态发言（次数见 campaign.yaml 的 thresholds.statement_exposures）。"),
    "W-STATEMENT-DEPARTMENT": Code("warning", "{unit}在 {date} 有 {count} 个逾期问题，但 {meeting} 没有其表态发言", "《工作机制》：存在问题的市级部门主要负责人要在会议上作表态发言（逾期问题个数见 campaign.yaml 的 thresholds.statement_overdue）。"),
    "W-CADENCE-DISTRICT": Code("warning", "{district}的区级工作会议间隔 {days} 天（{start} 至 {end}），超过 {limit} 天", "《工作机制》：各区建立本地工作会议协调制度，定期召开会议研究推进工作（间隔天数见 campaign.yaml 的 cadence.district_meeting_days）。"),
    "W-DISTRICT-REPORT": Code("warning", "{meeting}的工作情况{detail}（时限 {limit} 天）", "《工作机制》：工作情况要及时上报市总指挥部办公室。上报后写上 reported_to_office: 上报日期。"),
    "W-INSPECTION-BASIS": Code("warning", "督查没有写明依据的测评体系（basis）或检查的测评指标（indicators）", "《工作机制》：督查依据《全国文明城市测评体系》《全国未成年人思想道德建设工作测评体系》和本市实地考察督查督办标准进行。"),
    "W-MAJOR-LATE": Code("warning", "重要事项“{title}”{detail}（时限 {limit} 天）", "《工作机制》：督查组及时上报督查中发现的重要事项和重大问题。上报后写上 reported: 上报日期。"),
    "W-CADENCE-PATROL": Code("warning", "{group}巡查间隔 {days} 天（{start} 至 {end}），超过 {limit} 天", "《工作机制》：市级老领导工作组进驻各区，对街道和社区开展日常巡查督导（间隔天数见 campaign.yaml 的 cadence.patrol_days）。"),
    "W-MEDIA-WEEKDAY": Code("warning", "媒体反馈日期 {date} 是{weekday}，不是{expected}", "《工作机制》：新闻媒体每周五将本周新闻报道和暗访追踪情况反馈总指挥部办公室。"),
    "W-MEDIA-INDICATOR": Code("warning", "立项督查的报道“{title}”没有写明参照的测评指标（indicator）", "《工作机制》：新闻媒体参照测评指标体系开展舆论监督。"),
    "W-CADENCE-ASSESSMENT": Code("warning", "{period}没有第三方测评", "《工作机制》：邀请第三方测评机构定期开展实地测评，每月排名并向各区通报（周期见 campaign.yaml 的 cadence.third_party_months）。"),
    "W-SELF-INSPECTION": Code("warning", "{district}在 {date} 被督查后 {limit} 天内没有提交自检自查报告", "《工作机制》：被督查地区要进行自查自检，制定改进措施，提出工作建议，形成自检自查报告（时限见 campaign.yaml 的 thresholds.self_inspection_days）。"),
    "W-ACCOUNTABILITY-BASIS": Code("warning", "责任追究的依据不足：{detail}", "《工作机制》：对推卸责任、进展缓慢、整改不力的实行责任倒查。请在 problems 中列出被追究单位在立案日逾期或退回重办的问题。"),
    "W-SOURCE-DISTRICT": Code("warning", "责任区 {value} 不在来源记录 {source} 涉及的区（县、市）中（{districts}）", "请核对责任区，或改正来源记录（source_ref）。"),
    # the organisation the campaign settings describe (records/campaign/)
    "E-ORG-COMMANDER": Code("error", "{hq}写明了 {count} 位总指挥长，应为{expected}", "《工作机制》：书记、市长担任总指挥长。在 leaders 中写明其职务，position: commander；人数见 campaign.yaml 的 organisation.commanders。"),
    "E-ORG-NUMBER": Code("error", "{kind}序号 {number} {detail}", "序号从 1 起连续编排，每个序号只用一次；个数见 campaign.yaml 的 organisation（昆明：下设 9 个分指挥部、8 个督查组）。"),
    "E-ORG-COUNT": Code("error", "创建工作设置为 {count} 个{kind}，现有 {have} 个，缺少序号 {numbers}", "请补上缺少的{kind}记录，或改正 campaign.yaml 的 organisation 中的个数。"),
}

SEVERITY_LABEL = {"error": "错误", "warning": "警告"}


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: Severity
    file: str
    line: int
    column: int
    path: str
    message: str
    hint: str
    loc: Loc = ()

    def located(self, line: int, column: int) -> "Finding":
        return replace(self, line=line, column=column)

    def as_json(self) -> dict:
        end = "" if self.message.endswith(("。", "？", "！")) else "。"
        message = f"{self.message}{end}提示：{self.hint}" if self.hint else self.message
        return {"file": self.file, "line": self.line, "column": self.column,
                "severity": self.severity, "code": self.code, "message": message}

    @property
    def sort_key(self) -> tuple:
        """Findings are reported by file, line, column, then code and path."""
        return packed_sort_key(pack(self))


def format_loc(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_SHOWN = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
MAX_SHOWN = 400       # a value this long is never one of ours; a record's may be megabytes


def visible(text: str) -> str:
    """Text from a record as a message shows it: one line, invisible characters as escapes
    (\\n, \\u2028 …). Messages reach terminals, CI logs and annotations, where a line break
    in a record value could start a line of its own (a GitHub workflow command, say)."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or unicodedata.category(ch) == "Zs"
                   else _SHOWN.get(ch) or (f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
                   for ch in text)


def _shown(value):
    if not isinstance(value, str):
        return value
    value = visible(value)
    return value if len(value) <= MAX_SHOWN else value[:MAX_SHOWN] + "…"


def finding(code: str, file: str, loc: Loc = (), line: int = 0, column: int = 0, **values) -> Finding:
    spec = CODES[code]
    values = {k: _shown(v) for k, v in values.items()}
    return Finding(code=code, severity=spec.severity, file=file, line=line, column=column,
                   path=visible(format_loc(loc)), message=spec.message.format(**values),
                   hint=spec.hint.format(**values), loc=tuple(loc))


def pack(f: Finding) -> tuple:
    """A finding as a plain tuple of its fields in order: tens of thousands of them load from a
    cache several times faster than dataclass instances do."""
    return (f.code, f.severity, f.file, f.line, f.column, f.path, f.message, f.hint, f.loc)


def unpack(values: tuple) -> Finding:
    return Finding(*values)


_FIELDS = tuple(f.name for f in fields(Finding))         # the order pack() keeps

# The report order (`Finding.sort_key`) read straight from a packed finding, so that the
# validator sorts tens of thousands of them without unpacking them.
packed_sort_key = operator.itemgetter(*(_FIELDS.index(name) for name in ("file", "line", "column", "code", "path")))
packed_file = operator.itemgetter(_FIELDS.index("file"))
packed_code = operator.itemgetter(_FIELDS.index("code"))
