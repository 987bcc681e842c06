"""Detection and the burden model over a snapshot of the registry — plain tables, no Django.

    from jianfu.analysis import run, load_snapshot, AnalysisConfig
    result = run("/path/to/snapshot", as_of=date.today())
    result.to_json_dict()          # the shape of `jianfu analyze --json` (spec/formats.md)

The input contract (tables and columns) is :mod:`jianfu.analysis.schema`.
"""

from jianfu.analysis.api import AnalysisResult, run
from jianfu.analysis.config import AnalysisConfig, BurdenParams, Cadence
from jianfu.analysis.findings import FINDING_TYPES, finding_id
from jianfu.analysis.schema import SCHEMAS, TABLES
from jianfu.analysis.snapshot import load_snapshot, write_snapshot

__all__ = [
    "AnalysisConfig",
    "AnalysisResult",
    "BurdenParams",
    "Cadence",
    "FINDING_TYPES",
    "SCHEMAS",
    "TABLES",
    "finding_id",
    "load_snapshot",
    "run",
    "write_snapshot",
]
