"""Review routing: CODEOWNERS for GitHub and GitLab, generated from the organisation records.

Everything under records/ goes to the HQ office's reviewers by default; organisation and
accountability records stay with them, and so does the privacy manifest (schemas/privacy.yaml:
which fields and record types the public never sees; the tests hold the model to it). A district's records (its problems, meetings,
self-inspection reports, patrol logs) also go to the district's reviewers, and a sub-HQ's
(the problems it leads, its meetings and tasks) to the sub-HQ's. In both syntaxes the last
matching line wins, so the specific lines come after the defaults.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from .. import atomic
from ..validate.check import Checked

# who may see what: a change to it is the HQ office's to approve (tests/test_privacy.py)
PRIVACY_MANIFEST = "/schemas/privacy.yaml"

HEADER = ("# 由 python -m generator codeowners 从 records/org 生成，请勿手改；改审核人请改组织记录的 reviewers。\n"
          "# Generated from records/org by `python -m generator codeowners`; edit the records' reviewers instead.\n")


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
        r = v.record
        related: list[str] = []
        if r.type_name in ("problem", "meeting", "patrol_log"):
            related += reviewers(getattr(r, "district", None))
        if r.type_name in ("problem", "meeting", "task"):
            related += reviewers(getattr(r, "sub_hq", None))
        if r.type_name == "self_inspection":
            related += reviewers(r.by)
        if r.type_name in ("district", "sub_hq"):
            related += list(r.reviewers)
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
