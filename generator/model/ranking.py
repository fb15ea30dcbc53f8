"""An assessment's ranking of the districts: what the cadence check (statements owed by the
last ranked) and the pages and dashboards (ranks, charts) both read."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RankRow:
    rank: int            # competition ranking: equal scores share a rank
    district: str
    score: float
    bottom: bool         # among the last `bottom_n`, who must make a statement


def ranking(assessment, bottom_n: int = 3) -> tuple[RankRow, ...]:
    """`assessment`: anything with `scores` of (district, score), best first."""
    ordered = sorted(assessment.scores, key=lambda s: (-s.score, s.district))
    rows, rank = [], 0
    for i, row in enumerate(ordered):
        if i == 0 or row.score != ordered[i - 1].score:
            rank = i + 1
        rows.append(RankRow(rank, row.district, row.score,
                            len(ordered) > bottom_n and i >= len(ordered) - bottom_n))
    return tuple(rows)
