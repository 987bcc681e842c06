"""The ``analyse`` fixture: write hand-built tables as a Parquet snapshot in tmp_path and run the analysis."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from jianfu.analysis import AnalysisConfig, run, write_snapshot
from tests.analysis.helpers import AS_OF, UNITS


@pytest.fixture
def analyse(tmp_path: Path):
    """analyse(groups=[...], members=[...], ...) → AnalysisResult on a Parquet snapshot with the unit tree."""
    counter = iter(range(10_000))

    def _run(config: AnalysisConfig | None = None, as_of: date = AS_OF, detectors=None, **tables: Any):
        tables.setdefault("units", UNITS)
        directory = tmp_path / f"snap{next(counter)}"
        write_snapshot(tables, directory)
        return run(directory, as_of, config, detectors=detectors)

    return _run
