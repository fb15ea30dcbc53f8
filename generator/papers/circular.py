"""A draft circular (通报) of a month's assessment ranking, in the layout of GB/T 9704-2012.

The month's assessment is its third-party assessment (第三方测评), else its simulated one
(模拟测评), published on or before the data date. Scores and ranks are the catalog's
(`assessment_rankings`, which the assessments dashboard shows); the movement compares with the
previous assessment of the same kind. The issuer is the HQ office; the 发文字号 is left as
××〔year〕××号, since the document office assigns it when the circular is issued; the draft is
marked 征求意见稿 and dated the data date.
"""
from __future__ import annotations

import re
import statistics

from ..catalog.catalog import Catalog, assessment_rankings
from ..model.fields import choice_label
from .briefing import day, movement, name
from .document import Attachment, Column, OfficialDocument, Paragraph, Table
from .occasion import next_occasion

MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


class NoAssessment(ValueError):
    """The month has no assessment (a usage error: the message lists the months that have one)."""


def parse_month(text: str) -> str:
    """YYYY-MM, or ValueError with a Chinese message."""
    if not MONTH.fullmatch(text or ""):
        raise ValueError(f"月份应写成 YYYY-MM（例如 2017-05）：{text}")
    return text


def month_assessment(catalog: Catalog, month: str):
    """The assessment of `month`, published by the data date: third-party before simulated."""
    found = [a for a in catalog.of_type("assessment") if a.period == month and a.date <= catalog.as_of]
    if not found:
        months = sorted({a.period for a in catalog.of_type("assessment") if a.date <= catalog.as_of})
        raise NoAssessment(f"{month} 没有已发布的测评记录（截至 {catalog.as_of.isoformat()}）。"
                           f"提示：有测评的月份是 {'、'.join(months) or '（无）'}。")
    return sorted(found, key=lambda a: (a.kind != "third_party", -a.date.toordinal(), a.id))[0]


def _issuer(catalog: Catalog) -> tuple[str, str]:
    """(the issuer's full name, the office's short name): 昆明市…工作总指挥部办公室, 总指挥部办公室."""
    hq = next((h for h in catalog.of_type("hq") if h.kind == "general"), None)
    office = next((h.name for h in catalog.of_type("hq") if h.kind == "office"), "总指挥部办公室")
    return (f"{hq.name}办公室" if hq is not None else office), office


def _listed(catalog: Catalog, rows) -> str:
    return "、".join(f"{name(catalog, r.district)}（{r.score}%）" for r in rows)


def ranking_circular(catalog: Catalog, month: str) -> OfficialDocument:
    """The draft 通报 of `month`'s assessment ranking."""
    assessment = month_assessment(catalog, month)
    issuer, office = _issuer(catalog)
    ranked = assessment_rankings(catalog)
    rows = next(r for a, r in ranked if a.id == assessment.id)
    earlier = [(a, r) for a, r in ranked if a.kind == assessment.kind and (a.date, a.id) < (assessment.date, assessment.id)]
    before = {row.district: row.rank for row in earlier[-1][1]} if earlier else {}
    kind = choice_label(assessment, "kind")
    by = name(catalog, assessment.assessor) if assessment.assessor else "总指挥部办公室"
    zones = any(d.kind == "zone" for d in catalog.of_type("district"))
    scope = "县（市）区和开发（度假）园区" if zones else "县（市）区"
    bottom = [r for r in rows if r.bottom]
    body = [Paragraph(f"{by}对全市 {len(rows)} 个{scope}开展了{year_month(month)}{kind}，测评结果已于{day(assessment.date)}发布。"
                      "现将测评结果通报如下。"),
            Paragraph("一、测评总体情况", 1)]
    if rows:
        scores = [r.score for r in rows]
        body.append(Paragraph(f"全市平均得分率 {statistics.fmean(scores):.1f}%。得分率排名前三位的是：{_listed(catalog, rows[:3])}；"
                              + (f"排名后 {len(bottom)} 位的是：{_listed(catalog, bottom)}。" if bottom else "没有排名靠后的单位。")
                              + "各单位得分率和名次见附件。"))
    if earlier and rows:
        moved = [(before[r.district] - r.rank, r) for r in rows if r.district in before]
        up = [f"{name(catalog, r.district)}（{movement(m)}）" for m, r in sorted(moved, key=lambda x: -x[0]) if m > 0][:3]
        down = [f"{name(catalog, r.district)}（{movement(m)}）" for m, r in sorted(moved, key=lambda x: x[0]) if m < 0][:3]
        body.append(Paragraph(f"与{earlier[-1][0].title}相比，名次上升较多的是：{'、'.join(up) or '无'}；"
                              f"名次下降较多的是：{'、'.join(down) or '无'}。"))
    weak = _weak_indicators(catalog, assessment)
    if weak:
        body += [Paragraph("二、存在的主要问题", 1),
                 Paragraph(f"从分项指标看，{'、'.join(f'{n}（平均 {s:.1f}%）' for n, s in weak)}得分较低，"
                           "是下一步整改的重点。")]
    meeting = next_occasion(catalog)
    body += [Paragraph(f"{'三' if weak else '二'}、工作要求", 1),
             Paragraph("（一）对照失分项逐项整改", 2),
             Paragraph(f"各{scope}要对照本次测评的失分项建立问题台账，明确责任单位和整改时限，逐项整改销号。"),
             Paragraph("（二）排名靠后的单位作表态发言", 2),
             Paragraph((f"排名后 {len(bottom)} 位的{'、'.join(name(catalog, r.district) for r in bottom)}主要负责人"
                        if bottom else "排名靠后的单位主要负责人")
                       + f"须在{meeting.title}（{'预计' if not meeting.recorded else ''}{day(meeting.date)}）上作表态发言，"
                       f"并将整改情况书面报{office}。")]
    table = Table(f"{assessment.title}各{scope}得分率与名次",
                  (Column("名次", 1, "center"), Column(scope, 3.2), Column("得分率（%）", 1.6, "right"),
                   Column("名次变化", 1.4, "center")),
                  [(str(r.rank), name(catalog, r.district), str(r.score),
                    movement(before[r.district] - r.rank if r.district in before else None)) for r in rows],
                  emphasis={i for i, r in enumerate(rows) if r.bottom})
    groups = catalog.of_type("inspection_group")
    return OfficialDocument(
        f"{issuer}文件", f"××〔{catalog.as_of.year}〕××号", f"关于{assessment.title}结果的通报",
        f"总指挥部各分指挥部，各{scope}，市级各部门", tuple(body), issuer, catalog.as_of,
        attachments=(Attachment(f"{assessment.title}各{scope}得分率与名次", (table,)),),
        cc="总指挥部各督查组" if groups else None, printer=issuer, printed=catalog.as_of, marking="征求意见稿",
        author=office)


def year_month(month: str) -> str:
    year, m = month.split("-")
    return f"{int(year)}年{int(m)}月"


def _weak_indicators(catalog: Catalog, assessment, count: int = 3) -> list[tuple[str, float]]:
    """The indicators with the lowest average score over the districts, lowest first."""
    scores: dict[str, list[float]] = {}
    for district in assessment.scores:
        for s in district.by_indicator:
            scores.setdefault(s.indicator, []).append(s.score)
    averages = sorted((statistics.fmean(v), k) for k, v in scores.items())
    return [(name(catalog, k), avg) for avg, k in averages[:count]]
