"""Stage 2, check: loaded documents → valid records and findings, in passes.

schema (each record alone) → references (across records) → rules (dates, lifecycle, privacy,
cadence). A pass sees only the records that passed the ones before, so one mistake is
reported once, where it is.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..findings import Finding
from ..load import Loaded
from ..model.org import Thresholds
from .cadence import check_cadence
from .references import check_references
from .rules import check_record_rules
from .schema import Valid, check_schema, id_key


@dataclass(frozen=True)
class Checked:
    """The records that passed every pass, and all findings."""
    valid: tuple[Valid, ...]
    findings: tuple[Finding, ...]
    as_of: dt.date

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)


def check(loaded: Loaded, records: Path, as_of: dt.date) -> Checked:
    findings: list[Finding] = list(loaded.findings)
    valid, schema_findings, all_ids = check_schema(loaded.documents)
    # a file that could not be read still names its record: no "missing" reports for it
    all_ids |= {Path(f.file).stem for f in loaded.findings}
    findings += schema_findings
    reference_findings = check_references(valid, all_ids)
    findings += reference_findings
    broken = {f.file for f in reference_findings}
    valid = [v for v in valid if v.file not in broken]
    campaign = next((v for v in valid if v.record.type_name == "campaign"), None)
    yellow_days = (campaign.record.thresholds if campaign else Thresholds()).yellow_days
    findings += check_record_rules(valid, records, as_of, yellow_days)
    findings += check_cadence(valid, campaign, as_of)
    return Checked(tuple(valid), tuple(findings), as_of)


__all__ = ["Checked", "Valid", "check", "id_key"]
