"""The synthetic city's problems: each found by an inspection, a media report, a patrol, an
assessment or another source, in a district's street, with a history along the lifecycle that
runs as far as the period allows (some stop early, a few are extended or sent back), an
after-photo as evidence and an urging when overdue.
"""
from __future__ import annotations

import datetime as dt
import functools

from . import org

D = dt.timedelta

SOURCE_WEIGHTS = {"inspection": 24, "media": 14, "complaint": 15, "patrol": 12, "simulated_assessment": 8,
                  "third_party_assessment": 8, "self_inspection": 7, "leadership_instruction": 6,
                  "superior_inspection": 6}


class Problems:
    """The part of `city.City` that makes problems; it uses the city's random generator,
    period, records and id counters."""

    def build_problems(self) -> None:
        rng = self.rng
        sources = list(SOURCE_WEIGHTS)
        weights = list(SOURCE_WEIGHTS.values())
        streets = {d["id"]: d["streets"] for d in self.records["district"]}
        pools = {"inspection": [i for i in self.records["inspection"] if i.get("_field", True)],
                 "media": self.records["media_feedback"],
                 "patrol": self.records["patrol_log"],
                 "simulated_assessment": [a for a in self.records["assessment"] if a["kind"] == "simulated"],
                 "third_party_assessment": [a for a in self.records["assessment"] if a["kind"] == "third_party"]}
        plan = []
        for index in range(self.n_problems):
            source = sources[index % len(sources)] if index < len(sources) else rng.choices(sources, weights)[0]
            origin = rng.choice(pools[source]) if pools.get(source) else None
            if origin is not None:
                # a media problem is registered when the office compiles the Friday feedback (立项督查),
                # never before it; it is numbered where the report came out, up to four days earlier
                # (so the examples keep their ids, and P-2017-0002 is still the one DESIGN.md shows)
                found = origin["date"]
                numbered = found - (D(days=rng.randint(0, 4)) if source == "media" else D())
                district = origin.get("district") or rng.choice(origin.get("districts") or [d[0] for d in org.DISTRICTS])
            else:
                found = numbered = self.day_between(self.start, self.end)
                district = rng.choice([d[0] for d in org.DISTRICTS])
            plan.append((max(numbered, self.start), min(max(found, self.start), self.end), source, origin, district))
        plan.sort(key=lambda p: p[0])
        showcase = True     # the first media problem is the one DESIGN.md shows, in 盘龙区
        for numbered, found, source, origin, district in plan:
            site = rng.choice(org.SITE_TYPES)
            road, road2 = rng.sample(org.ROADS, 2)
            if showcase and source == "media":
                showcase, district, site, road, road2 = False, "panlong", org.SITE_TYPES[0], "北京路", "环城南路"
            site_id, site_name, kinds, unit_suffix, sub_hq, indicator = site
            street = rng.choice(streets[district]) if streets[district] else None
            place = org.PLACES[site_id].format(road=road, road2=road2,
                                               street=street["name"].removesuffix("街道") if street else road)
            kind = "流动摊贩占道经营" if (district, road) == ("panlong", "北京路") else rng.choice(kinds)
            pid = self.new_id("problem", found)
            deadline = numbered + D(days=rng.choice((7, 15, 15, 30)))
            problem = {
                "id": pid, "title": f"{place}{kind}", "description": f"{self.name_of(district)}{place}存在{kind}问题。",
                "district": district, "street": street["id"] if street else None,
                "location": f"{self.name_of(district)}{place}", "source": source,
                "source_ref": None, "found": numbered, "site_type": site_id, "indicator": indicator,
                "sub_hq": sub_hq, "responsible_unit": self.responsible(source, district, unit_suffix, sub_hq),
                "supporting_units": [f"{district}-traffic-police"] if site_id == "main-road" else [],
                "responsible_person": f"{district}-head", "deadline": deadline,
                "measures": f"责任单位落实专人，对{kind}问题限期整改并建立长效管理机制。",
            }
            if source == "complaint":
                problem["reporter"] = {"name": "（示例）市民", "phone": f"13900{rng.randint(0, 999999):06d}"}
            if source == "leadership_instruction":
                problem["instruction"] = {"by_role": "市委主要领导", "text": "请责任单位立即整改，举一反三。"}
            if source == "media" and rng.random() < .5:
                problem["undercover_footage"] = [f"暗访视频第{rng.randint(1, 40)}期"]
            if origin is not None:
                self.link_origin(source, origin, problem, place, kind)
            problem["history"] = self.history(problem)
            if found != numbered:
                self.shift(problem, found - numbered)
            if source in ("leadership_instruction", "superior_inspection") and self.more.random() < .35 \
                    and problem["history"][-1]["state"] == "closed":
                problem["history"] = self.stalled(problem["history"])     # a city department falls behind
            self.overdue_urging(problem)
            self.add("problem", problem)

    def responsible(self, source: str, district: str, unit_suffix: str, sub_hq: str) -> str:
        """The district's department, except for what a leader or a superior inspection raised:
        that goes to the city department leading the matter in its sub-HQ."""
        if source in ("leadership_instruction", "superior_inspection"):
            return next(s[4][0] for s in org.SUB_HQS if s[0] == sub_hq)
        return f"{district}-{unit_suffix}"

    def link_origin(self, source: str, origin: dict, problem: dict, place: str, kind: str) -> None:
        problem["source_ref"] = origin["id"]
        if source in ("inspection", "patrol"):
            origin["findings"].append({"text": f"{place}{kind}", "district": problem["district"],
                                       "problem": problem["id"]})
            if place not in origin["places" if source == "patrol" else "sites"]:
                origin["places" if source == "patrol" else "sites"].append(place)
        elif source == "media":
            outlet = self.rng.choice(org.MEDIA)[0]
            origin["items"].append({"outlet": outlet, "title": f"记者暗访：{place}{kind}",
                                    "kind": "undercover" if problem.get("undercover_footage") else "report",
                                    "district": problem["district"], "indicator": problem["indicator"],
                                    "supervise": True, "problem": problem["id"]})

    def history(self, problem: dict) -> list[dict]:
        rng = self.rng
        date = problem["found"]
        events = []
        deadline = problem["deadline"]

        def step(state: str, gap: tuple[int, int], **extra) -> bool:
            nonlocal date
            candidate = date + D(days=rng.randint(*gap))
            if candidate > self.end:
                return False
            date = candidate
            events.append({"date": date, "state": state, **extra})
            return True

        by_office = {"by": "hq-office"}
        unit = {"by": problem["responsible_unit"]} if problem["responsible_unit"] in self.unit_ids else {}
        # Most problems run the whole chain as far as the period allows; some stop early.
        stop_at = rng.choices((None, "registered", "assigned", "acknowledged", "rectifying", "returned"),
                              (78, 3, 3, 6, 7, 3))[0]
        step("registered", (0, 0), **by_office, note="立项督查")
        if stop_at == "registered" or not step("assigned", (0, 2), **by_office) or stop_at == "assigned":
            return events
        if not step("acknowledged", (0, 2), **unit) or stop_at == "acknowledged":
            return events
        if not step("rectifying", (0, 1), **unit):
            return events
        if rng.random() < .1:
            new_deadline = deadline + D(days=rng.choice((10, 15, 20)))
            if not step("extended", (2, 6), reason="涉及多个部门协调，需延长整改时间", new_deadline=new_deadline,
                        approved_by="hq-office"):
                return events
            deadline = new_deadline
        if stop_at == "rectifying":
            return events
        rounds = 2 if stop_at == "returned" or rng.random() < .06 else 1
        for round_ in range(rounds):
            photo = self.photo_for(problem["id"], round_)
            if not step("reported", (3, max(4, (deadline - date).days)), **unit, evidence=[photo],
                        note="已按要求完成整改"):
                return events
            if round_ + 1 < rounds:
                if not step("returned", (1, 3), by="hq-office", note="复查未达标，退回重办") or \
                        stop_at == "returned" or not step("rectifying", (0, 1), **unit):
                    return events
        if step("verified", (1, 4), by="hq-office", note="复查达标"):
            step("closed", (0, 3), by="hq-office")
        return events

    def shift(self, problem: dict, by: dt.timedelta) -> None:
        """Move a problem found `by` later, its dates with it (none past the period's end). Its
        history is drawn from its first date before the move, so that it takes as many draws as
        it always did and the problems after it stay as they were."""
        problem["found"] += by
        problem["deadline"] += by
        problem["history"] = [{**event, "date": min(event["date"] + by, self.end),
                               **({"new_deadline": event["new_deadline"] + by} if event.get("new_deadline") else {})}
                              for event in problem["history"]]

    @staticmethod
    def stalled(history: list[dict]) -> list[dict]:
        """The history up to the start of rectification: the unit has not reported since."""
        for i, event in enumerate(history):
            if event["state"] == "rectifying":
                return history[:i + 1]
        return history

    def overdue_urging(self, problem: dict) -> None:
        last = problem["history"][-1]
        if last["state"] in ("reported", "verified", "closed"):
            return
        deadline = max([e.get("new_deadline") or problem["deadline"] for e in problem["history"]])
        urge = deadline + D(days=3)
        if urge <= self.end:
            problem["urgings"] = [{"date": urge, "by": "hq-office", "note": "逾期未整改，发出催办通知"}]

    def photo_for(self, problem_id: str, round_: int) -> str:
        if self.n_problems <= 500:
            name = f"attachments/{problem_id[2:6]}/{problem_id}-after{'' if not round_ else '-2'}.jpg"
        else:
            name = f"attachments/synth/after-{len(self.photos) % 8 + 1}.jpg"
        if name not in self.photos:
            self.photos.append(name)
        return name

    @functools.cached_property
    def unit_ids(self) -> set[str]:
        return {u["id"] for u in self.records["unit"]}
