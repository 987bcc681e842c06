"""Import inventories into the registry: all-or-nothing per file, idempotent by code.

``session`` reads, checks and writes files in dependency order, one batch each; ``writers`` holds one writer per
kind; ``maintenance`` undoes batches of dead processes and keeps counts and planner statistics current.
"""

from jianfu.registry.importing.maintenance import (
    ABANDONED,
    abandon_batch,
    abandon_batches_of,
    reap_abandoned_batches,
    refresh_member_counts,
    refresh_planner_statistics,
)
from jianfu.registry.importing.session import FileResult, ImportReport, Progress, expand_paths, import_paths
from jianfu.registry.importing.writers import (
    CHUNK,
    MEMBER_CHUNK,
    _CodedWriter,
    _MemberWriter,
    _Writer,
    is_region,
    status_values,
    writer_for,
)

__all__ = [
    "ABANDONED",
    "CHUNK",
    "MEMBER_CHUNK",
    "FileResult",
    "ImportReport",
    "Progress",
    "_CodedWriter",
    "_MemberWriter",
    "_Writer",
    "abandon_batch",
    "abandon_batches_of",
    "expand_paths",
    "import_paths",
    "is_region",
    "reap_abandoned_batches",
    "refresh_member_counts",
    "refresh_planner_statistics",
    "status_values",
    "writer_for",
]
