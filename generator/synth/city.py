"""A complete, valid, deterministic synthetic city: the Kunming organisation from the article,
and problems, meetings, inspections, assessments, media feedback, patrols, self-inspection
reports, circulars, accountability cases and tasks on the mechanism's cadence.

The period grows with the number of problems (about 25,000 a year, at least two months from
2017-04-01), so proportions stay those of a real year at any size. The same seed gives the
same files byte for byte.
"""
from __future__ import annotations

import datetime as dt
import io
import random
from collections import defaultdict
from pathlib import Path

from ..model import RECORD_TYPES
from ..model.mechanism import on, spans
from ..model.yamltext import dump
from . import org
from .mechanism import Mechanism, EventData
from .problems import Problems

START = dt.date(2017, 4, 1)
PER_YEAR = 25_000
D = dt.timedelta



class City(Problems, Mechanism):
    """Builds every record as plain data, then writes them (the problems: problems.py)."""

    def __init__(self, problems: int, seed: int):
        self.rng = random.Random(seed)
        # draws for what the article's rules added (issue 16), so the draws above stay as they were
        self.more = random.Random(seed * 7919 + 16)
        self.n_problems = problems
        days = max(61, round(problems / PER_YEAR * 365))
        self.start, self.end = START, START + D(days=days - 1)
        self.records: dict[str, list[dict]] = defaultdict(list)
        self.counters: dict[tuple[str, int], int] = defaultdict(int)
        self.photos: list[str] = []

    # ids and small helpers -------------------------------------------------------------
    def new_id(self, type_name: str, date: dt.date) -> str:
        prefix = RECORD_TYPES[type_name].id_prefix
        self.counters[(prefix, date.year)] += 1
        return f"{prefix}-{date.year}-{self.counters[(prefix, date.year)]:04d}"

    def add(self, type_name: str, data: dict) -> dict:
        self.records[type_name].append(data)
        return data

    def day_between(self, first: dt.date, last: dt.date) -> dt.date:
        return first + D(days=self.rng.randint(0, max(0, (last - first).days)))

    def weeks(self):
        monday = self.start + D(days=(7 - self.start.weekday()) % 7)
        while monday <= self.end:
            yield monday
            monday += D(days=7)

    def months(self):
        first = self.start.replace(day=1)
        while first <= self.end:
            yield first
            first = (first + D(days=32)).replace(day=1)

    # organisation ----------------------------------------------------------------------
    def build_org(self) -> None:
        self.add("campaign", {"id": "campaign", "name": "昆明市创建全国文明城市", "city": "昆明市",
                              "start": self.start, "end": self.end, "icp": "滇ICP备00000000号（示例）",
                              "illustrative": True,
                              "thresholds": {"yellow_days": 3, "bottom_n": 3, "red_list": 3, "black_list": 3,
                                             "statement_exposures": 1, "statement_overdue": 1,
                                             "district_report_days": 7, "self_inspection_days": 7,
                                             "major_report_days": 1},
                              "organisation": {"commanders": 2, "sub_hqs": len(org.SUB_HQS), "inspection_groups": 8},
                              "cadence": {"scheduling_days": 14, "sub_hq_weeks": 1, "inspections_min": 1,
                                          "inspections_max": 2, "media_weekday": 5, "district_meeting_days": 31,
                                          "patrol_days": 7, "third_party_months": 1}})
        self.add("hq", {"id": "hq", "name": "昆明市创建全国文明城市工作总指挥部", "kind": "general",
                        "leaders": [{"role": "市委书记", "position": "commander"},
                                    {"role": "市长", "position": "commander"},
                                    {"role": "市委副书记、市文明委主任", "position": "executive_deputy"},
                                    {"role": "市委、市人大常委会、市政府、市政协有关领导", "position": "deputy"}],
                        "duties": ["统筹推进创建工作", "研究贯彻中央文明办、省文明委部署", "讨论研究重大问题，部署重要工作任务"]})
        self.add("hq", {"id": "hq-office", "name": "总指挥部办公室", "kind": "office",
                        "leaders": [{"role": "市文明办主任", "position": "director"}],
                        "duties": ["负责总指挥部日常工作，牵头制定各项工作制度", "全面落实总指挥部议定事项",
                                   "统筹协调各成员单位完成工作任务", "督促各县（市）区和开发（度假）园区开展创建工作"],
                        "reviewers": ["@hq-office-reviewers"]})
        for unit_id, name in org.CITY_UNITS:
            subs = [s[0] for s in org.SUB_HQS if unit_id in s[4]]
            self.add("unit", {"id": unit_id, "name": name, "kind": "city_department", "sub_hqs": subs})
        for number, (sid, name, role, focus, members) in enumerate(org.SUB_HQS, 1):
            self.add("sub_hq", {"id": sid, "name": name, "number": number, "commander_role": role,
                                "focus": focus, "member_units": members, "reviewers": [f"@subhq-{sid}"]})
        for order, (did, name, kind, streets) in enumerate(org.DISTRICTS, 1):
            self.add("district", {
                "id": did, "name": name, "kind": kind, "order": order,
                "streets": [{"id": f"{did}-s{i + 1:02d}", "name": f"{s}街道",
                             "communities": [f"{s}第{c}社区" for c in ("一", "二")]}
                            for i, s in enumerate(streets)],
                "reviewers": [f"@district-{did}"]})
            for suffix, unit_name in org.DISTRICT_UNITS:
                self.add("unit", {"id": f"{did}-{suffix}", "name": f"{name}{unit_name}",
                                  "kind": "district_department", "district": did})
            self.add("person", {"id": f"{did}-head", "role": f"{name}主要负责人", "unit": did,
                                "name": f"（示例）{name}负责人", "phone": f"1380000{order:04d}"})
        districts = [d[0] for d in org.DISTRICTS]
        for g in range(8):
            self.add("inspection_group", {"id": f"group-{g + 1}", "name": f"第{'一二三四五六七八'[g]}督查组",
                                          "number": g + 1, "leader_role": org.INSPECTION_LEADERS[g],
                                          "districts": districts[g::8]})
        for did, name, _kind, _ in org.DISTRICTS[:7]:
            self.add("patrol_group", {"id": f"patrol-{did}", "name": f"市级老领导{name}工作组", "district": did,
                                      "members": ["原市人大常委会副主任", "原市政协副主席", "原市级部门主要负责人"]})
        for mid, name, kind in org.MEDIA:
            self.add("media_outlet", {"id": mid, "name": name, "kind": kind})
        for aid, name in org.ASSESSORS:
            self.add("assessor", {"id": aid, "name": name})
        for order, (iid, name) in enumerate(org.ITEMS, 1):
            self.add("assessment_item", {"id": iid, "name": name, "order": order})
        for sid, name, *_ in org.SITE_TYPES:
            self.add("site_type", {"id": sid, "name": name})
        for iid, name, item, method, sites, standard in org.INDICATORS:
            self.add("indicator", {"id": iid, "name": name, "item": item, "method": method,
                                   "standard": standard, "site_types": sites})

    # events that find problems ---------------------------------------------------------
    def build_sources(self) -> None:
        rng = self.rng
        districts = [d[0] for d in org.DISTRICTS]
        groups = self.records["inspection_group"]
        for first in self.months():
            last = min((first + D(days=32)).replace(day=1) - D(days=1), self.end)
            for group in groups:
                for _ in range(rng.choice((1, 2))):
                    date = self.day_between(max(first, self.start), last)
                    chosen = rng.sample(group["districts"], k=min(len(group["districts"]), rng.choice((1, 2))))
                    more = self.more
                    self.add("inspection", {
                        "id": None, "group": group["id"], "date": date, "districts": chosen,
                        "methods": ["field", "site_visit"] + (["onsite_office"] if more.random() < .4 else [])
                        + ["assignment"] + (["circular"] if rng.random() < .3 else []),
                        "basis": ["national", "city"] + (["minors"] if more.random() < .3 else []),
                        "indicators": sorted(more.sample([i[0] for i in org.INDICATORS], 2)),
                        "sites": [], "findings": [],
                        "summary": f"{group['name']}赴{'、'.join(self.name_of(d) for d in chosen)}开展实地督查，"
                                   "采取实地查看、现场办公等方式，对发现的问题当场交办。"})
                if self.more.random() < .25:         # a work meeting: an inspection, not a field one
                    chosen = group["districts"][:1]
                    self.add("inspection", {
                        "id": None, "group": group["id"],
                        "date": max(first, self.start) + D(days=self.more.randint(0, (last - max(first, self.start)).days)),
                        "districts": chosen, "methods": ["work_meeting", "assignment"], "basis": ["city"],
                        "sites": [], "findings": [], "_field": False,
                        "summary": f"{group['name']}与{self.name_of(chosen[0])}召开督查工作会议，听取整改情况汇报，"
                                   "交办近期督查发现的问题。"})
        for monday in self.weeks():
            friday = monday + D(days=4)
            if friday <= self.end:
                items = [{"outlet": outlet, "title": f"{self.name_of(rng.choice(districts))}{topic}",
                          "kind": "report", "supervise": False}
                         for outlet, topic in zip(rng.sample([m[0] for m in org.MEDIA], 2),
                                                  rng.sample(org.GOOD_NEWS, 2))]
                self.add("media_feedback", {"id": None, "date": friday, "week_of": monday, "items": items,
                                            "summary": "办公室梳理汇总本周新闻报道和暗访追踪情况，对需整改的问题立项督查。"})
            for patrol in self.records["patrol_group"]:
                for offset in (1, 3):
                    date = monday + D(days=offset)
                    if date <= self.end:
                        self.add("patrol_log", {"id": None, "group": patrol["id"], "date": date,
                                                "district": patrol["district"], "places": [], "findings": [],
                                                "advice": "建议街道加强日常巡查，发现问题及时整改。"})
        for first in self.months():
            for kind, day in (("simulated", 15), ("third_party", 25)):
                date = first.replace(day=day)
                if not (self.start <= date <= self.end):
                    continue
                scores = [{"district": d, "score": round(rng.uniform(68, 95), 1),
                           "by_indicator": [{"indicator": i[0], "score": round(rng.uniform(60, 98), 1)}
                                            for i in org.INDICATORS[:5]]} for d in districts]
                label = "模拟测评" if kind == "simulated" else "第三方测评"
                self.add("assessment", {"id": None, "kind": kind, "title": f"{first.year}年{first.month}月{label}",
                                        "period": f"{first.year}-{first.month:02d}", "date": date,
                                        "assessor": org.ASSESSORS[0][0] if kind == "third_party" else None,
                                        "scores": scores,
                                        "analysis": "背街小巷、农贸市场和公益广告失分较多，建议相关区和部门对照指标限期整改。"})

        self.assign_ids(("inspection", "media_feedback", "patrol_log", "assessment"))

    def assign_ids(self, type_names) -> None:
        """Number records of these types in date order."""
        for type_name in type_names:
            items = self.records[type_name]
            items.sort(key=_dated)
            for record in items:
                if record["id"] is None:
                    record["id"] = self.new_id(type_name, _dated(record))

    def name_of(self, district_id: str) -> str:
        return next(d[1] for d in org.DISTRICTS if d[0] == district_id)

    # meetings, reports, circulars, accountability, tasks --------------------------------
    def build_meetings(self) -> None:
        rng = self.rng
        sub_hqs = self.records["sub_hq"]
        self.add("meeting", {"id": None, "kind": "hq", "title": "总指挥部会议（创建工作推进会）",
                             "date": self.start + D(days=4), "chair_role": "市委书记、市长",
                             "attendees": ["总指挥部全体成员", "各分指挥部指挥长", "各县（市）区主要负责人"],
                             "agenda": ["传达中央文明办、省文明委关于文明城市创建的部署", "印发《工作机制》等配套文件",
                                        "部署全年创建任务"],
                             "summary": "会议明确总指挥部、办公室和9个分指挥部职责，部署全年创建工作。"})
        assessments = sorted(self.records["assessment"], key=lambda a: a["date"])
        date = self.start + D(days=6)
        number = 0
        while date <= self.end:
            number += 1
            previous = [a for a in assessments if a["date"] < date and not a.get("_stated")]
            statements = []
            for assessment in previous:
                assessment["_stated"] = True
                ranked = sorted(assessment["scores"], key=lambda s: (-s["score"], s["district"]))
                for row in ranked[-3:]:
                    statements.append({"by": row["district"], "speaker_role": f"{self.name_of(row['district'])}主要负责人",
                                       "reason": "low_rank",
                                       "summary": f"对照{assessment['title']}失分项，立即整改，下月测评争先进位。"})
            meeting = {"id": None, "kind": "scheduling", "title": f"总指挥部第{number}次工作调度会", "date": date,
                       "chair_role": "市长、市委副书记",
                       "attendees": ["各分指挥部指挥长", "各督查组组长", "各县（市）区主要负责人"],
                       "agenda": ["听取各指挥部工作推进汇报", "听取督查和测评情况报告", "播放媒体暗访素材",
                                  "协调解决存在困难"],
                       "reports_heard": [{"by": s["id"], "summary": "汇报本阶段重点任务推进情况"}
                                         for s in rng.sample(sub_hqs, 3)]
                       + [{"by": rng.choice(self.records["inspection_group"])["id"], "summary": "通报近期实地督查情况"}],
                       "footage_played": [f"暗访视频第{number}期"],
                       "decisions": self.decisions(date, 2, ("hq-office",) + tuple(d[0] for d in org.DISTRICTS[:7])),
                       "statements": statements,
                       "summary": "会议听取各指挥部工作汇报，研究解决创建工作中的困难问题。"}
            self.add("meeting", meeting)
            date += D(days=14)
        self.add("meeting", {"id": None, "kind": "scheduling", "status": "planned",
                             "title": f"总指挥部第{number + 1}次工作调度会", "date": date, "chair_role": "市长、市委副书记",
                             "agenda": ["听取各指挥部工作推进汇报", "通报当月测评排名"]})
        for monday in self.weeks():
            for sub in sub_hqs:
                day = monday + D(days=sub["number"] % 5)
                if day > self.end:
                    continue
                self.add("meeting", {
                    "id": None, "kind": "sub_hq", "title": f"{sub['name']}工作会议", "date": day,
                    "chair_role": sub["commander_role"], "sub_hq": sub["id"],
                    "attendees": ["成员单位分管负责人"], "agenda": ["听取责任单位工作推进汇报", "研究安排阶段性任务"],
                    "reports_heard": [{"by": u, "summary": "汇报本周工作推进情况"} for u in sub["member_units"][:2]],
                    "decisions": self.decisions(day, 1, tuple(sub["member_units"]))})
        for first in self.months():
            for did, name, *_ in org.DISTRICTS:
                day = first + D(days=9)
                if self.start <= day <= self.end:
                    reported = day + D(days=self.more.randint(1, 4))
                    self.add("meeting", {"id": None, "kind": "district", "title": f"{name}创建工作会议", "date": day,
                                         "district": did, "chair_role": f"{name}主要负责人",
                                         "agenda": ["研究本区创建工作", "部署整改任务"],
                                         "summary": "会议研究部署本区创建工作，结果已报总指挥部办公室。",
                                         "reported_to_office": reported if reported <= self.end else None})
        self.owe_statements()

    def decisions(self, date: dt.date, count: int, owners: tuple[str, ...]) -> list[dict]:
        out = []
        for _ in range(count):
            deadline = date + D(days=self.rng.choice((7, 14, 30)))
            text = self.rng.choice(["完成背街小巷路灯修复", "开展农贸市场专项整治", "补齐主干道公益广告",
                                    "清理学校周边流动摊贩", "落实公厕保洁责任", "组织志愿者文明交通劝导"])
            done = deadline <= self.end and self.rng.random() < .8
            out.append({"text": text, "owner": self.rng.choice(owners), "deadline": deadline,
                        "state": "done" if done else ("in_progress" if date + D(days=3) <= self.end else "open"),
                        "done_date": min(deadline, self.end) if done else None})
        return out

    def build_reports(self) -> None:
        rng = self.rng
        for inspection in self.records["inspection"]:
            for k, by in enumerate(inspection["districts"]):
                date = inspection["date"] + D(days=5 if k == 0 else self.more.randint(2, 7))
                if date > self.end:
                    continue
                self.add("self_inspection", {
                    "id": None, "by": by, "date": date, "inspection": inspection, "title": f"{self.name_of(by)}自检自查报告",
                    "task_status": "对照测评体系逐项自查，重点任务已分解到街道和部门。",
                    "progress": f"督查交办问题已整改{(rng if k == 0 else self.more).randint(50, 90)}%，其余正在推进。",
                    "measures": "实行挂图作战、销号管理，每周调度。", "improvements": "加强背街小巷和农贸市场常态化管理。",
                    "suggestions": "建议市级部门加强对跨区域问题的统筹协调。"})
        self.build_major_matters()
        circular_day = self.start + D(days=20)
        while circular_day <= self.end:
            overdue = [p for p in self.records["problem"] if p["deadline"] < circular_day
                       and p["history"][-1]["state"] not in ("reported", "verified", "closed")][:5]
            self.add("circular", {"id": None, "title": f"关于创建工作问题整改情况的通报（{circular_day.month}月{circular_day.day}日）",
                                  "date": circular_day, "kind": "criticism" if overdue else "situation",
                                  "issuer": "hq-office",
                                  "body": "近期督查发现部分问题整改不及时，现予通报。\n\n请各责任单位**立即整改**，整改情况报总指挥部办公室。",
                                  "districts": sorted({p["district"] for p in overdue}),
                                  "problems": [p["id"] for p in overdue]})
            circular_day += D(days=14)
        for assessment in sorted(self.records["assessment"], key=lambda a: a["date"]):
            date = assessment["date"] + D(days=2)
            if assessment["kind"] != "third_party" or date > self.end:
                continue
            ranked = sorted(assessment["scores"], key=lambda s: (-s["score"], s["district"]))
            self.add("circular", {
                "id": None, "title": f"关于{assessment['title']}结果的通报", "date": date, "kind": "assessment",
                "issuer": "hq-office", "assessment": assessment,
                "body": f"{assessment['title']}结果已经揭晓。{self.name_of(ranked[0]['district'])}、"
                        f"{self.name_of(ranked[1]['district'])}、{self.name_of(ranked[2]['district'])}位列前三；"
                        "排名后三位的区（县、市）主要负责人须在下一次调度会上作表态发言。\n\n"
                        "请各区对照失分项**限期整改**，整改情况报总指挥部办公室。",
                "districts": [r["district"] for r in ranked[-3:]]})
        spans_of = {p["id"]: spans([EventData(e) for e in p["history"]], p["deadline"]) for p in self.records["problem"]}
        day = self.start + D(days=24)
        named: set[str] = set()
        while day <= self.end:
            late = []
            for p in self.records["problem"]:       # overdue or sent back on the day (责任倒查)
                overdue, returned = spans_of[p["id"]]
                if p["id"] not in named and (overdue or returned) and (on(overdue, day) or on(returned, day)):
                    late.append(p)
                    if len(late) == 3:
                        break
            day += D(days=14)
            if not late:
                continue
            target = late[0]["responsible_unit"]
            case = self.add("accountability", {
                "id": None, "date": day - D(days=14), "target": target, "reason": "slow_progress",
                "measure": "interview", "state": "decided",
                "problems": [p["id"] for p in late[:3] if p["responsible_unit"] == target],
                "summary": "交办问题逾期未整改，进展缓慢。",
                "draft": "拟由总指挥部办公室约谈该单位主要负责人（草稿）。"})
            named.update(case["problems"])
            if len(self.records["accountability"]) == 1:
                case["state"] = "published"
                self.published_case = case
        for sub in self.records["sub_hq"]:
            assigned = self.start + D(days=5)
            deadline = self.end + D(days=60)
            self.add("task", {"id": None, "title": f"{sub['focus'].split('、')[0]}专项行动", "sub_hq": sub["id"],
                              "lead_unit": sub["member_units"][0], "supporting_units": sub["member_units"][1:],
                              "assigned": assigned, "deadline": deadline,
                              "description": f"由{sub['name']}牵头，按序时推进{sub['focus']}。",
                              "milestones": [{"title": "制定工作方案", "due": assigned + D(days=10), "state": "done",
                                              "done_date": assigned + D(days=8)},
                                             self.milestone("集中整治", assigned + D(days=45)),
                                             {"title": "总结验收", "due": deadline, "state": "open"}]})

    # writing ---------------------------------------------------------------------------
    def finish_ids(self) -> None:
        self.assign_ids(("meeting", "self_inspection", "circular", "accountability", "task", "major_matter"))
        case = getattr(self, "published_case", None)
        if case is not None:   # the first case is made public in the first circular after it
            circular = next((c for c in self.records["circular"]
                             if c["date"] >= case["date"] and c["kind"] != "assessment"), None)
            if circular is None:
                case["state"] = "decided"
            else:
                circular["accountability"] = [case["id"]]
                circular["kind"] = "criticism"
        for report in self.records["self_inspection"]:
            report["inspection"] = report["inspection"]["id"]
        for matter in self.records["major_matter"]:
            matter["inspection"] = matter["inspection"]["id"]
        for circular in self.records["circular"]:
            if isinstance(circular.get("assessment"), dict):
                circular["assessment"] = circular["assessment"]["id"]
        for assessment in self.records["assessment"]:
            assessment.pop("_stated", None)
        for inspection in self.records["inspection"]:
            inspection.pop("_field", None)

    def write(self, out: Path) -> int:
        records = out / "records"
        count = 0
        header = "示例数据（虚构，由 python -m generator synth 生成）"
        for type_name, items in self.records.items():
            model = RECORD_TYPES[type_name]
            for data in items:
                folder = records / model.folder / (data["id"].split("-")[1] if model.yearly else "")
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{data['id']}.yaml").write_text(dump(data, f"{model.label} · {header}"),
                                                          encoding="utf-8")
                count += 1
        for index, name in enumerate(self.photos):
            path = records / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(_photo(index))
        return count


def _dated(record: dict) -> dt.date:
    return record.get("date") or record.get("assigned") or record["found"]


def _photo(index: int) -> bytes:
    """A small, plain JPEG standing in for an after-photo."""
    from PIL import Image, ImageDraw
    image = Image.new("RGB", (320, 240), (220 - index % 5 * 20, 230, 210 + index % 3 * 10))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 150, 280, 200), fill=(120, 150, 120))
    draw.text((50, 60), f"AFTER #{index + 1}", fill=(40, 60, 40))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return buffer.getvalue()


def write_city(out: Path, problems: int, seed: int = 1) -> int:
    city = City(problems, seed)
    city.build_org()
    city.build_sources()
    city.build_problems()
    city.build_meetings()
    city.build_reports()
    city.finish_ids()
    return city.write(out)
