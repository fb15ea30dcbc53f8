"""The rulebook: the rules a single record must keep, declared once as data.

The validator (validate/check/lifecycle.py, rules.py) and the form at /admin/ (site/cms.py
writes `table()` into its config.json; site_templates/admin/taizhang-rules.js reads it) both
interpret these declarations; neither keeps a copy of its own. What else the record model
declares on its fields (types, choices, references, required) is the other half of the
rulebook: pydantic checks it, the JSON Schemas and the form's widgets are made from it.

- the lifecycle of a problem: the first state, the allowed transitions, what an event entering
  a state requires (`model/lifecycle.py`);
- dates that may not lie before others (`DATE_RULES`);
- fields a record needs because of its kind (`REQUIRED_BY_KIND`);
- characters no text may hold (`CONTROL`).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from ..findings import CODES
from .lifecycle import EVENT_RULES, START, STATE_LABELS, TRANSITIONS


@dataclass(frozen=True, slots=True)
class DateRule:
    """A date that may not lie before another. Without `items`: top-level `field` ≥ top-level
    `after`. With `items`: each item's `field` in list `items` ≥ top-level `after`, or, with
    `after` None, ≥ the previous item's."""
    code: str
    field: str
    after: str | None
    items: str | None = None
    item_label: str = ""              # how messages name an item: 第 3 条事件


DATE_RULES: dict[str, tuple[DateRule, ...]] = {
    "problem": (
        DateRule("E-DATE-RANGE", "deadline", "found"),
        DateRule("E-DATE-BEFORE-FOUND", "date", "found", items="history", item_label="事件"),
        DateRule("E-DATE-ORDER", "date", None, items="history", item_label="事件"),
    ),
}


@dataclass(frozen=True, slots=True)
class KindNeeds:
    """A record whose `field` is `value` must fill in `needs`."""
    field: str
    value: str
    needs: str
    label: str                        # the kind, as messages name it
    hint: str


REQUIRED_BY_KIND: dict[str, tuple[KindNeeds, ...]] = {
    "meeting": (
        KindNeeds("kind", "sub_hq", "sub_hq", "分指挥部工作会议", "写明是哪个分指挥部：sub_hq: 分指挥部编号。"),
        KindNeeds("kind", "district", "district", "区级工作会议", "写明是哪个区：district: 区编号。"),
    ),
    "assessment": (
        KindNeeds("kind", "third_party", "assessor", "第三方测评", "写明测评机构：assessor: 机构编号。"),
    ),
}

# C0 and C1 controls (but tab, line feed, carriage return) and the bidirectional overrides and
# isolates: invisible, and able to make text read otherwise than it is stored. Written so that
# Python's re and JavaScript's RegExp read it alike.
CONTROL = "[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069]"

# The codes the form's check can report, with the validator's own templates.
FORM_CODES = ("E-SCHEMA-REQUIRED", "E-DATE-RANGE", "E-DATE-BEFORE-FOUND", "E-DATE-ORDER", "E-LIFECYCLE-START",
              "E-LIFECYCLE-TRANSITION", "E-LIFECYCLE-EXTENSION", "E-LIFECYCLE-DEADLINE",
              "E-LIFECYCLE-NO-EVIDENCE", "E-RECORD-FIELD", "E-TEXT-CONTROL")


def allowed_label(state: str) -> str:
    """The states that may follow `state`, as messages list them."""
    return "、".join(STATE_LABELS[s] for s in TRANSITIONS[state]) or "（无，已销号）"


def table() -> dict:
    """The rulebook as plain data, for the form (site/cms.py writes it into admin/config.json)."""
    return {
        "lifecycle": {
            "type": "problem", "list": "history", "state": "state", "date": "date", "evidence": "evidence",
            "deadline": "deadline", "start": START, "labels": dict(STATE_LABELS),
            "transitions": {state: list(nxt) for state, nxt in TRANSITIONS.items()},
            "allowed_labels": {state: allowed_label(state) for state in TRANSITIONS},
            "events": {state: {"requires": list(rule.requires), "moves_deadline": rule.moves_deadline,
                               "needs_evidence": rule.needs_evidence} for state, rule in EVENT_RULES.items()},
        },
        "dates": {type_name: [asdict(rule) for rule in rules] for type_name, rules in DATE_RULES.items()},
        "by_kind": {type_name: [asdict(need) for need in needs] for type_name, needs in REQUIRED_BY_KIND.items()},
        "control": CONTROL,
        "codes": {code: {"severity": CODES[code].severity, "message": CODES[code].message, "hint": CODES[code].hint}
                  for code in FORM_CODES},
    }
