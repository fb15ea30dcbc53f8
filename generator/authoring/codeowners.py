"""Review routing: CODEOWNERS for GitHub and GitLab, generated from the organisation records.

Everything under records/ goes to the HQ office's reviewers by default; organisation and
accountability records stay with them, and so does the privacy manifest (schemas/privacy.yaml:
which fields and record types the public never sees; the tests hold the model to it). A district's records (its problems, meetings,
self-inspection reports, patrol logs) also go to the district's reviewers, and a sub-HQ's
(the problems it leads, its meetings and tasks) to the sub-HQ's. In both syntaxes the last
matching line wins, so the specific lines come after the defaults.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from pathlib import Path
from typing import Callable

from .. import atomic
from ..validate.check import Checked

# who may see what: a change to it is the HQ office's to approve (tests/test_privacy.py)
PRIVACY_MANIFEST = "/schemas/privacy.yaml"

HEADER = ("# 由 make codeowners（.venv/bin/taizhang codeowners）从 records/org 生成，请勿手改；改审核人请改组织记录的 reviewers。\n"
          "# Generated from records/org by `make codeowners`; edit the records' reviewers instead.\n")


def _related(r, reviewers: Callable[[str | None], list[str]]) -> list[str]:
    """Who reviews record `r` besides the HQ office; `reviewers(id)`: an org record's reviewers."""
    related: list[str] = []
    if r.type_name in ("problem", "meeting", "patrol_log"):
        related += reviewers(getattr(r, "district", None))
    if r.type_name in ("problem", "meeting", "task"):
        related += reviewers(getattr(r, "sub_hq", None))
    if r.type_name == "self_inspection":
        related += reviewers(r.by)
    if r.type_name in ("district", "sub_hq"):
        related += list(r.reviewers)
    return related


def owners_by_file(checked: Checked) -> tuple[list[str], dict[str, list[str]]]:
    """(default owners, file → owners) for the records in a checked tree."""
    records = {v.record.id: v.record for v in checked.valid}
    office = [r for r in records.values() if r.type_name == "hq" and r.kind == "office"]
    default = sorted({h for r in office for h in r.reviewers})

    def reviewers(record_id):
        record = records.get(record_id) if record_id else None
        return list(getattr(record, "reviewers", None) or [])

    owners: dict[str, list[str]] = defaultdict(list)
    for v in checked.valid:
        related = _related(v.record, reviewers)
        if related:
            owners[v.file] = sorted(set(default) | set(related))
    return default, dict(owners)


def _path(file: str) -> str:
    return "/" + file.replace(" ", "\\ ")


def github(checked: Checked) -> str:
    default, owners = owners_by_file(checked)
    lines = [HEADER, f"/records/ {' '.join(default)}".rstrip(), "/records/org/ " + " ".join(default),
             "/records/accountability/ " + " ".join(default), f"{PRIVACY_MANIFEST} " + " ".join(default)]
    lines += [f"{_path(f)} {' '.join(o)}" for f, o in sorted(owners.items())]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def gitlab(checked: Checked) -> str:
    default, owners = owners_by_file(checked)
    lines = [HEADER, f"[总指挥部办公室] {' '.join(default)}".rstrip(), "/records/", "/records/org/", "/records/accountability/",
             PRIVACY_MANIFEST, "", "[区和分指挥部]"]
    lines += [f"{_path(f)} {' '.join(o)}" for f, o in sorted(owners.items())]
    return "\n".join(lines) + "\n"


TARGETS = {".github/CODEOWNERS": github, ".gitlab/CODEOWNERS": gitlab}


def write(checked: Checked, root: Path, check_only: bool = False) -> list[str]:
    """Write (or, with check_only, compare) both files; return the ones that were stale."""
    stale = []
    for rel, make in TARGETS.items():
        path = root / rel
        text = make(checked)
        if not path.exists() or path.read_text("utf-8") != text:
            stale.append(rel)
            if not check_only:
                path.parent.mkdir(parents=True, exist_ok=True)
                atomic.write_text(path, text)
    return stale


def _load(records: Path, path: Path):
    """One record file under `records` as its model, or None (not there, or not valid)."""
    from ..validate.load import _classify, parse_text
    if not path.is_file():
        return None
    model, _year = _classify(path.relative_to(records))
    data, _problem = parse_text(path.name, path.read_text("utf-8"))
    try:
        return model.model_validate(data) if model is not None and data is not None else None
    except Exception:
        return None


def refresh(records: Path, new_file: Path, as_of: dt.date) -> list[str]:
    """After `new` wrote `new_file`: keep the repository's CODEOWNERS files (those that exist
    beside records/) in step. A new record adds at most its own line, put in its place; a new
    HQ office changes the default reviewers, and both files are then made anew from the whole
    tree. Returns the files changed."""
    from ..model import RECORD_TYPES
    records = records.resolve()
    root = records.parent
    present = [rel for rel in TARGETS if (root / rel).is_file()]
    record = _load(records, new_file.resolve()) if present else None
    if record is None:
        return []
    if record.type_name == "hq":
        from ..validate import validate
        checked = validate(records, as_of, keep_records=True)
        return write(checked, root) if checked.ok else []

    def reviewers(record_id):
        for type_name in ("district", "sub_hq"):
            other = _load(records, records / RECORD_TYPES[type_name].folder / f"{record_id}.yaml") if record_id else None
            if other is not None:
                return list(other.reviewers)
        return []
    related = _related(record, reviewers)
    if not related:
        return []
    file = f"{records.name}/{new_file.resolve().relative_to(records).as_posix()}"
    changed = []
    for rel in present:
        path = root / rel
        text = path.read_text("utf-8")
        lines = text.split("\n")
        default = _defaults(rel, lines)
        updated = _insert(lines, f"{_path(file)} {' '.join(sorted(set(default) | set(related)))}", rel)
        if updated != text:
            atomic.write_text(path, updated)
            changed.append(rel)
    return changed


def _defaults(rel: str, lines: list[str]) -> list[str]:
    """The HQ office's reviewers, as the file lists them."""
    lead = "[总指挥部办公室]" if rel.startswith(".gitlab") else "/records/"
    return next((line.split()[1:] for line in lines if line.split()[:1] == [lead]), [])


_PATH = re.compile(r"(?:\\ |\S)+")


def _insert(lines: list[str], line: str, rel: str) -> str:
    """`line` among the per-file lines (sorted by path, after the fixed ones), once."""
    def key(text: str) -> str:
        return _PATH.match(text).group().replace("\\ ", " ") if text else ""
    last_fixed = "[区和分指挥部]" if rel.startswith(".gitlab") else PRIVACY_MANIFEST
    start = next((i + 1 for i, l in enumerate(lines) if l.split()[:1] == [last_fixed]), None)
    if start is None:
        return "\n".join(lines)
    end = len(lines) - 1 if lines and lines[-1] == "" else len(lines)
    body = sorted([l for l in lines[start:end] if key(l) != key(line)] + [line], key=key)
    return "\n".join(lines[:start] + body + lines[end:])
