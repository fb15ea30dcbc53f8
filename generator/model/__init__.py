"""The record model: one pydantic model per record type, and the registry that maps folders
under records/ to types."""
from __future__ import annotations

from .base import Record, display_name
from .org import (AssessmentItem, Assessor, Campaign, District, Hq, Indicator, InspectionGroup,
                  MediaOutlet, PatrolGroup, Person, SiteType, SubHq, Unit)
from .problem import Problem
from .work import (Accountability, Assessment, Circular, Inspection, MajorMatter, Meeting,
                   MediaFeedback, PatrolLog, SelfInspection, Task)

RECORD_TYPES: dict[str, type[Record]] = {cls.type_name: cls for cls in (
    Campaign, Hq, SubHq, InspectionGroup, District, Unit, Person, PatrolGroup, MediaOutlet,
    Assessor, AssessmentItem, Indicator, SiteType,
    Problem, Meeting, Inspection, SelfInspection, Assessment, MediaFeedback, PatrolLog,
    Circular, Accountability, Task, MajorMatter,
)}

FOLDER_TYPES: dict[str, type[Record]] = {cls.folder: cls for cls in RECORD_TYPES.values()}


def type_for_folder(folder: str) -> type[Record] | None:
    """The record type kept in `folder` (relative to records/, without a year folder)."""
    return FOLDER_TYPES.get(folder)


__all__ = ["RECORD_TYPES", "FOLDER_TYPES", "Record", "display_name", "type_for_folder"] + [
    cls.__name__ for cls in RECORD_TYPES.values()]
