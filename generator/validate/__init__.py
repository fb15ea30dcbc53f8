"""Stage 1, validate: records/ → findings and the valid records.

load.py (files → plain data) → check/ (schema → references → rules, cadence) → locate.py (line
and column); engine/ runs them over a tree, fast: `validate()` is the one entry.
"""
from .check import Checked, Source, Valid
from .engine.cache import Cache
from .engine.run import ChangedDuringBuild, read_records, validate

__all__ = ["Cache", "ChangedDuringBuild", "Checked", "Source", "Valid", "read_records", "validate"]
