"""The synthetic city's part that follows the article's rules added in issue 16: statements owed
at scheduling meetings, task milestones, important matters reported to the HQ."""
from __future__ import annotations

import datetime as dt

from ..model.mechanism import owed_statements, spans
from . import org

D = dt.timedelta


class Mechanism:
    """The part of `city.City` for those rules; it uses the city's second random generator
    (`more`), period and records."""

    def owe_statements(self) -> None:
        """Add the statements the article asks for at each held scheduling meeting besides the
        low-ranked districts': districts exposed by the media since the previous meeting, city
        departments with overdue problems on the day (the rule the validator applies)."""
        held = sorted((m for m in self.records["meeting"] if m["kind"] == "scheduling" and m.get("status") != "planned"),
                      key=lambda m: m["date"])
        departments = {u[0]: u[1] for u in org.CITY_UNITS}
        exposures = [(f["date"], item["district"]) for f in self.records["media_feedback"]
                     for item in f["items"] if item.get("supervise") and item.get("district")]
        overdue = [(p["responsible_unit"], spans([EventData(e) for e in p["history"]], p["deadline"])[0])
                   for p in self.records["problem"] if p["responsible_unit"] in departments]
        owed = owed_statements([(m["date"], frozenset(s["by"] for s in m["statements"])) for m in held],
                               (), exposures, overdue, set(departments), 1, 1)
        for o in owed:
            if o.made:
                continue
            meeting = held[o.meeting]
            if o.reason == "media_exposure":
                meeting["statements"].append({
                    "by": o.by, "speaker_role": f"{self.name_of(o.by)}主要负责人", "reason": "media_exposure",
                    "summary": "对媒体曝光的问题立行立改，举一反三开展排查。"})
            else:
                meeting["statements"].append({
                    "by": o.by, "speaker_role": f"{departments[o.by]}主要负责人", "reason": "problem_department",
                    "summary": f"对 {o.count} 个逾期问题逐一明确责任人和整改时限，限期销号。"})

    def milestone(self, title: str, due: dt.date) -> dict:
        """A milestone that is done in time more often than not; the others run on, some late."""
        done = due - D(days=self.more.randint(-3, 6))
        if done <= self.end and self.more.random() < .6:
            return {"title": title, "due": due, "state": "done", "done_date": done}
        return {"title": title, "due": due, "state": "in_progress"}

    def build_major_matters(self) -> None:
        """Important matters and major problems an inspection group found and reported to the HQ."""
        field = [i for i in self.records["inspection"] if i.get("_field", True)]
        chosen = [i for i in field if self.more.random() < .08] or field[:1]
        for inspection in chosen:
            district = inspection["districts"][0]
            found = inspection["date"]
            reported = found + D(days=self.more.choice((0, 0, 1)))
            kind = self.more.choice(("problem", "matter"))
            matter = {"id": None, "title": f"{self.name_of(district)}"
                      + ("农贸市场周边占道经营反复回潮" if kind == "problem" else "背街小巷改造涉及多部门职责交叉"),
                      "kind": kind, "by": inspection["group"], "found": found,
                      "reported": reported if reported <= self.end else None, "to": "hq", "inspection": inspection,
                      "district": district,
                      "summary": "督查中发现问题涉及面广、反复出现，区级层面难以独立解决，需总指挥部协调。"}
            if matter["reported"] and reported + D(days=3) <= self.end:
                matter["response"] = "请相关分指挥部牵头，会同责任区和市级部门一周内拿出整改方案。"
                matter["responded"] = reported + D(days=3)
            self.add("major_matter", matter)


class EventData:
    """A history event given as plain data, as model.mechanism.spans reads events."""
    __slots__ = ("date", "state", "new_deadline")

    def __init__(self, data: dict):
        self.date, self.state, self.new_deadline = data["date"], data["state"], data.get("new_deadline")
