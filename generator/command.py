"""What the commands share: the usage error (exit code 2), dates as arguments, today in
Shanghai, the records folder, and validating the records before a command that reads them.

cli.py registers the record and site commands, papers_cli.py the meeting papers'; both import
these from here (cli.py is at the module size limit, and papers_cli.py cannot import cli.py,
which imports it).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from .formats import print_text

SHANGHAI = dt.timezone(dt.timedelta(hours=8))   # China keeps no daylight saving time


class UsageError(Exception):
    """Bad arguments: exit code 2."""


def today_in_shanghai() -> dt.date:
    return dt.datetime.now(SHANGHAI).date()


def date_argument(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应写成 YYYY-MM-DD：{text}") from None


def records_dir(path: str) -> Path:
    records = Path(path)
    if not records.is_dir():
        raise UsageError(f"找不到记录文件夹：{records}")
    return records


def checked_or_refuse(args, refusal: str):
    """Validate the records (keeping them); on errors print them and `refusal`, and return None."""
    from .validate import validate
    checked = validate(records_dir(args.records), args.as_of or today_in_shanghai(), keep_records=True)
    if not checked.ok:
        print_text(list(checked.findings), out=sys.stderr)
        print(refusal, file=sys.stderr)
        return None
    return checked
