"""The words of the lifecycle explained to citizens: what each state of a problem means, what may
happen next (from the lifecycle's transitions, model/lifecycle.py) and what the lights mean.
The glossary page (problems/states/) and every problem page's 接下来 read them from here.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..model.lifecycle import LIGHT_LABELS, STATE_LABELS, TRANSITIONS

# What a problem in this state is going through, in plain words.
MEANING = {
    "registered": "问题经核实后登记在台账上，有了编号、责任单位和整改时限。",
    "assigned": "总指挥部办公室（或分指挥部）把问题交给责任单位，要求在整改时限内整改到位。",
    "acknowledged": "责任单位确认收到问题，负责整改。",
    "rectifying": "责任单位正在整改。",
    "extended": "因客观原因不能按期整改完成，经总指挥部或分指挥部批准，整改时限推迟。",
    "reported": "责任单位报告已经整改，附上整改后的照片或材料，等待复核。",
    "returned": "复核发现没有整改到位，退回责任单位重新整改。",
    "verified": "督查部门现场复核，确认已经整改到位。",
    "closed": "问题整改完成，从台账上销号。",
}

# What moving into this state means, as the next step of a problem.
STEP = {
    "assigned": "总指挥部办公室（或分指挥部）把问题交给责任单位整改",
    "acknowledged": "责任单位签收，确认负责整改",
    "rectifying": "责任单位开始整改",
    "extended": "不能按期完成的，经批准延期（推迟整改时限）",
    "reported": "责任单位整改后反馈结果，附整改后的照片或材料",
    "returned": "复核未到位的，退回重新整改",
    "verified": "督查部门复核，确认整改到位",
    "closed": "复核通过后销号",
}

LIGHT_MEANING = {
    "red": "已过整改时限仍未整改完成（逾期）。",
    "yellow": "离整改时限不超过 {yellow_days} 天，还没有整改完成。",
    "green": "还在整改时限内。",
    "done": "责任单位已经反馈整改结果（等待复核、已复核或已销号），不再按时限计算。",
}

# The states in the order a problem usually passes them (the glossary lists them so).
ORDER = ("registered", "assigned", "acknowledged", "rectifying", "extended", "reported", "returned", "verified",
         "closed")


@dataclass(frozen=True)
class Step:
    state: str
    label: str                      # the state's Chinese name
    text: str                       # what happens, in plain words


def next_steps(problem_or_state) -> tuple[Step, ...]:
    """What may happen next to a problem (or after a state), as the lifecycle allows."""
    state = problem_or_state if isinstance(problem_or_state, str) else (
        problem_or_state.history[-1].state if problem_or_state.history else "registered")
    return tuple(Step(s, STATE_LABELS[s], STEP[s]) for s in TRANSITIONS[state])


@dataclass(frozen=True)
class Term:
    key: str
    label: str
    text: str
    next: tuple[str, ...] = ()      # the labels of the states that may follow


def states() -> tuple[Term, ...]:
    return tuple(Term(s, STATE_LABELS[s], MEANING[s], tuple(STATE_LABELS[n] for n in TRANSITIONS[s])) for s in ORDER)


def lights(yellow_days: int) -> tuple[Term, ...]:
    return tuple(Term(k, LIGHT_LABELS[k], LIGHT_MEANING[k].format(yellow_days=yellow_days))
                 for k in ("red", "yellow", "green", "done"))
