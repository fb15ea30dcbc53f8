"""Pass 3, the rulebook's record rules (model/rulebook.py) as the validator applies them: the
lifecycle of a problem, dates that may not lie before others, fields required by a record's
kind. site_templates/admin/taizhang-rules.js applies the same declarations in the form; a test
runs every case through both.

A record that failed part of pass 1 arrives with the fields it could not read set to None
(schema.py); a rule that needs such a field is skipped, every other rule still runs.
"""
from __future__ import annotations

import datetime as dt

from ...findings import Finding, finding
from ...model import Record
from ...model.fields import field_label, spec_at
from ...model.lifecycle import EVENT_RULES, START, STATE_LABELS, TRANSITIONS, status
from ...model.rulebook import DATE_RULES, REQUIRED_BY_KIND, allowed_label


def check_dates(file: str, record: Record) -> list[Finding]:
    """DATE_RULES: dates that may not lie before others."""
    out: list[Finding] = []
    model = type(record)
    for rule in DATE_RULES.get(record.type_name, ()):
        other = getattr(record, rule.after) if rule.after else None
        if rule.items is None:
            value = getattr(record, rule.field)
            if value is not None and other is not None and value < other:
                out.append(finding(rule.code, file, (rule.field,), field=field_label(model, (rule.field,)),
                                   value=value, other_field=_title(model, rule.after), other=other,
                                   found=other, previous=other))
            continue
        items = getattr(record, rule.items)
        if items is None or (rule.after and other is None):
            continue
        for i, item in enumerate(items):
            value = getattr(item, rule.field)
            bound = other if rule.after else (getattr(items[i - 1], rule.field) if i else None)
            if bound is not None and value < bound:
                out.append(finding(rule.code, file, (rule.items, i, rule.field), field=f"第 {i + 1} 条{rule.item_label}",
                                   value=value, other_field=_title(model, rule.after) if rule.after else "",
                                   other=bound, found=bound, previous=bound))
    return out


def _title(model, name: str) -> str:
    spec = spec_at(model, (name,))
    return spec.title if spec else name


def check_lifecycle(file: str, problem) -> tuple[list[Finding], tuple[str, dt.date] | None]:
    """The lifecycle findings of a problem (record alone), and the state and deadline in force
    that decide, given an as-of date, whether it is overdue (None if unreadable)."""
    history = problem.history
    if history is None:                       # unreadable: its own finding says why
        return [], None
    if not history:
        return [finding("E-LIFECYCLE-START", file, ("history",), state="（空）")], None
    out: list[Finding] = []
    if history[0].state != START:
        out.append(finding("E-LIFECYCLE-START", file, ("history", 0, "state"), state=STATE_LABELS[history[0].state]))
    deadline = problem.deadline
    evidence = False
    for i, event in enumerate(history):
        where = ("history", i)
        evidence = evidence or bool(event.evidence)
        if i:
            previous = history[i - 1].state
            if event.state not in TRANSITIONS[previous]:
                out.append(finding("E-LIFECYCLE-TRANSITION", file, where + ("state",), from_label=STATE_LABELS[previous],
                                   to_label=STATE_LABELS[event.state], allowed=allowed_label(previous)))
        rule = EVENT_RULES.get(event.state)
        if rule is None:
            continue
        missing = [name for name in rule.requires if getattr(event, name) in (None, "", [])]
        if missing:
            out.append(finding("E-LIFECYCLE-EXTENSION", file, where, missing="、".join(missing)))
        moved = getattr(event, rule.moves_deadline) if rule.moves_deadline else None
        if moved is not None:
            if deadline is not None and moved <= deadline:
                out.append(finding("E-LIFECYCLE-DEADLINE", file, where + (rule.moves_deadline,),
                                   value=moved, previous=deadline))
            deadline = moved
        if rule.needs_evidence and not evidence:
            out.append(finding("E-LIFECYCLE-NO-EVIDENCE", file, where))
    if problem.deadline is None:
        return out, None
    current = status(history, problem.deadline, problem.deadline)   # state and deadline do not depend on the date
    return out, (current.state, current.deadline)


def check_kind(file: str, record: Record) -> list[Finding]:
    """REQUIRED_BY_KIND: fields a record needs because of its kind."""
    return [finding("E-RECORD-FIELD", file, (need.needs,), kind_label=need.label, field=need.needs, hint=need.hint)
            for need in REQUIRED_BY_KIND.get(record.type_name, ())
            if getattr(record, need.field) == need.value and not getattr(record, need.needs)]
