"""The stages run in order; each takes the previous stage's output."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from .check import Checked, check
from .load import load
from .locate import locate


def validate(records: Path, as_of: dt.date) -> Checked:
    """load → check; findings located and sorted, ready to print."""
    checked = check(load(records), records, as_of)
    located = locate(list(checked.findings), records)
    return Checked(checked.valid, tuple(sorted(located, key=lambda f: f.sort_key)), as_of)
