"""What the commands share: the usage error (exit code 2) and argparse's complaints in Chinese,
argument types (dates, counts), bytes a GBK terminal sends, what a failed read or write means in
words, today in Shanghai, the records folder, and validating the records before a command that
reads them.

cli.py registers the record and site commands, papers_cli.py the meeting papers'; both import
these from here (papers_cli.py cannot import cli.py, which imports it).
"""
from __future__ import annotations

import argparse
import datetime as dt
import errno
import re
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


# argparse's own messages (English) → what a staff member reads; the last pattern passes on the
# messages of our own argument types, which are Chinese already
ARGPARSE_MESSAGES = [
    (r"argument COMMAND: invalid choice: '?(?P<value>.*?)'? \(choose from (?P<choices>.*)\)", "没有命令 {value}；可用的命令：{choices}"),
    (r"argument (?P<arg>\S+): invalid choice: '?(?P<value>.*?)'? \(choose from (?P<choices>.*)\)", "{arg} 不能是 {value}；可选：{choices}"),
    (r"the following arguments are required: (?P<args>.*)", "缺少参数：{args}"),
    (r"unrecognized arguments: (?P<args>.*)", "不认识的参数：{args}"),
    (r"argument (?P<arg>\S+): expected one argument", "{arg} 后面要写一个值"),
    (r"argument (?P<arg>\S+): expected at least one argument", "{arg} 后面至少要写一个值"),
    (r"argument (?P<arg>\S+): invalid int value: '(?P<value>.*)'", "{arg} 应是整数：{value}"),
    (r"argument (?P<arg>\S+): (?P<message>.*)", "{arg}：{message}"),
]


def _chinese(message: str) -> str:
    for pattern, text in ARGPARSE_MESSAGES:
        found = re.fullmatch(pattern, message)
        if found:
            parts = {k: v.replace("'", "").replace(", ", "、").replace("COMMAND", "命令")
                     for k, v in found.groupdict().items()}
            return text.format(**parts)
    return message


class Parser(argparse.ArgumentParser):
    """argparse with its complaints in Chinese, raised as a usage error (exit code 2)."""

    def error(self, message: str):
        usage = self.format_usage().strip().removeprefix("usage: ")
        raise UsageError(f"{_chinese(message)}\n用法：{usage}\n（{self.prog} --help 查看说明）")


def count(text: str) -> int:
    """A number of things: a whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"应是 0 或更大的整数：{text}")
    return value


# what a failed read or write tells the user, by errno (Python's strerror is English)
OS_ERRORS = {
    errno.ENOENT: "不存在", errno.EEXIST: "已经存在（这里要的是文件夹）", errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EISDIR: "是文件夹，不是文件", errno.EACCES: "没有权限", errno.EPERM: "不允许这样操作",
    errno.ENOSPC: "磁盘空间已满", errno.EDQUOT: "超出了磁盘配额", errno.EFBIG: "超过了允许的文件大小",
    errno.EROFS: "在只读的文件系统上", errno.ENAMETOOLONG: "路径太长", errno.EMFILE: "打开的文件太多",
}


def check_text(argv: list[str]) -> None:
    """Arguments arrive as the terminal's bytes; Python keeps bytes that are not UTF-8 as lone
    surrogates, which cannot be written. Refuse them before anything is touched."""
    for i, token in enumerate(argv):
        try:
            token.encode("utf-8")
        except UnicodeEncodeError:
            option = next((a for a in reversed(argv[:i + 1]) if a.startswith("--")), f"第 {i + 1} 个参数")
            raise UsageError(f"{option} 的值含有不是 UTF-8 的字节（终端可能是 GBK 编码）。请把终端设为 UTF-8"
                             "（例如 export LANG=zh_CN.UTF-8，Windows 上 chcp 65001）后重试；没有修改任何文件。") from None


def prog() -> str:
    """How the user started us: the `taizhang` command `make setup` installs, or `python -m generator`."""
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    return "python -m generator" if name in ("__main__.py", "-m", "-c", "") else name
