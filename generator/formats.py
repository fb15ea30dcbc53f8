"""Findings written out by the command line: text for people, JSON, GitHub workflow commands
(annotations on the changed lines) and GitLab Code Quality entries. Only the command line (cli.py,
command.py, papers_cli.py) calls these: stages return findings, the command line prints them.
"""
from __future__ import annotations

import json
import sys
from collections import defaultdict

from .findings import SEVERITY_LABEL, Finding, visible


def print_text(findings: list[Finding], out=None, summary: bool = True) -> None:
    out = out or sys.stdout
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_file[f.file].append(f)
    lines = []                  # written at once: tens of thousands of print calls are slow
    for file, items in by_file.items():
        lines.append(visible(file))
        for f in items:
            where = f"{visible(f.file)}:{f.line}:{f.column}"
            path = f" [{f.path}]" if f.path else ""
            lines.append(f"  {where}: {SEVERITY_LABEL[f.severity]} {f.code}{path} {f.message}")
            if f.hint:
                lines.append(f"      提示：{f.hint}")
    if lines:
        out.write("\n".join(lines) + "\n")
    if not summary:
        return
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    if errors:
        print(f"共 {errors} 个错误、{warnings} 个警告，涉及 {len(by_file)} 个文件。请改正错误后再提交。", file=out)
    elif warnings:
        print(f"全部记录有效（{warnings} 个警告，不影响生成网站）。", file=out)
    else:
        print("全部记录有效。", file=out)


def print_refusal(checked, out) -> None:
    """Why a writer wrote nothing: validate's findings for the errors the write would add."""
    new = checked.new_errors()
    print_text(new, out=out, summary=False)
    where = "、".join(sorted({f.file for f in new}))
    print(f"未写入：这次修改会带来 {len(new)} 个错误（见上，行号按写入后的 {where} 计算）；records/ 没有任何改动。",
          file=out)
    print_old_errors(checked, out)


def print_old_errors(checked, out) -> None:
    """Errors the tree had before a write: they do not block it, but are mentioned."""
    old = checked.old_errors()
    if old:
        print(f"另：记录中原有 {len(old)} 个错误（{len({f.file for f in old})} 个文件），与这次修改无关，不影响写入；"
              "运行 python -m generator validate 查看。", file=out)


def _github_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub's toolkit does (escapeData)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    """A workflow command's property value (escapeProperty)."""
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


def print_github(findings: list[Finding], out=None) -> None:
    """GitHub Actions workflow commands: each finding becomes an annotation on its line.
    Messages carry record text already made one-line (`findings.visible`), and the escaping
    keeps it inside its own command: no record can start a line of the log with `::`."""
    out = out or sys.stdout
    for f in findings:
        level = "error" if f.severity == "error" else "warning"
        message = f"{f.message}。提示：{f.hint}" if f.hint else f.message
        print(f"::{level} file={_github_property(f.file)},line={f.line},col={f.column},"
              f"title={_github_property(f.code)}::{_github_data(message)}", file=out)
    print_text(findings, out=out)


def gitlab_issue(f: Finding) -> dict:
    """One GitLab Code Quality report entry (shown in the merge request)."""
    import hashlib
    fingerprint = hashlib.sha1(f"{f.file}:{f.line}:{f.column}:{f.code}:{f.path}".encode()).hexdigest()
    return {"description": f"{f.code} {f.message}。提示：{f.hint}", "check_name": f.code,
            "fingerprint": fingerprint, "severity": "major" if f.severity == "error" else "minor",
            "location": {"path": f.file, "lines": {"begin": f.line}}}


def json_list(items: list[dict]) -> str:
    """`json.dumps(items, ensure_ascii=False, indent=1)` for a list of flat dicts of text and
    integers, the same bytes ~10× faster (json's C encoder does not indent)."""
    if not items:
        return "[]"
    text = json.encoder.encode_basestring
    return "[\n" + ",\n".join(
        " {\n" + ",\n".join(f"  {text(k)}: {text(v) if isinstance(v, str) else int.__repr__(v)}"
                             for k, v in item.items()) + "\n }"
        for item in items) + "\n]"
