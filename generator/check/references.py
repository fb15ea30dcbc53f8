"""Pass 2: every reference resolves to a record of a type it may name."""
from __future__ import annotations

import difflib

from ..findings import Finding, finding
from ..model import RECORD_TYPES
from ..model.fields import field_label, iter_refs
from ..model.problem import SOURCE_REF_TYPES
from .schema import Valid


def _labels(types) -> str:
    return "或".join(RECORD_TYPES[t].label for t in types)


def check_references(valid: list[Valid], all_ids: set[str]) -> list[Finding]:
    by_id = {v.record.id: v.record for v in valid}
    ids_by_type: dict[str, list[str]] = {}
    for v in valid:
        ids_by_type.setdefault(v.record.type_name, []).append(v.record.id)
    findings: list[Finding] = []

    def resolve(item: Valid, loc, value: str, types: tuple[str, ...]) -> None:
        target = by_id.get(value)
        if target is None:
            if value in all_ids:
                return  # the target has errors of its own, reported in its file
            candidates = [i for t in types for i in ids_by_type.get(t, ())]
            close = difflib.get_close_matches(value, candidates, n=1, cutoff=0.6)
            findings.append(finding("E-REF-MISSING", item.file, loc, field=field_label(type(item.record), loc),
                                    value=value, targets=_labels(types),
                                    suggestion=f"，是不是 {close[0]}？" if close else ""))
        elif target.type_name not in types:
            findings.append(finding("E-REF-TYPE", item.file, loc, field=field_label(type(item.record), loc),
                                    value=value, actual=target.label, targets=_labels(types)))

    for item in valid:
        record = item.record
        for loc, value, types in iter_refs(record):
            resolve(item, loc, value, types)
        if record.type_name == "problem" and record.source_ref:
            types = SOURCE_REF_TYPES[record.source] or ("inspection", "media_feedback", "patrol_log")
            resolve(item, ("source_ref",), record.source_ref, types)
        street = getattr(record, "street", None)
        district = by_id.get(getattr(record, "district", None) or "")
        if street and district is not None and district.type_name == "district":
            if street not in {s.id for s in district.streets}:
                findings.append(finding("E-REF-STREET", item.file, ("street",), value=street,
                                        district=district.name))
    return findings
