"""The analysis package stands alone: no Django, documented parameters, SQL steps that chain."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from jianfu.analysis import AnalysisConfig, BurdenParams
from jianfu.analysis.backend import as_with_query
from jianfu.analysis.detectors import duplicate_groups

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_imports_without_django():
    code = (
        "import sys, jianfu.analysis, jianfu.analysis.api, jianfu.analysis.detectors;"
        "from jianfu.analysis.detectors import all_detectors; all_detectors();"
        "bad = [m for m in sys.modules if m == 'django' or m.startswith('django.')];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_parameter_is_documented():
    text = (DOCS / "burden-model.md").read_text(encoding="utf-8")
    for f in dataclasses.fields(BurdenParams):
        assert f"`{f.name}`" in text, f.name
        assert f.metadata.get("note"), f.name
    for f in dataclasses.fields(AnalysisConfig):
        if f.name not in ("burden", "region_overrides"):
            assert f.metadata.get("note"), f.name


def test_steps_chain_into_one_with_query():
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE m AS SELECT * FROM (VALUES ('A','p1'),('A','p2'),('A','p3'),('A','p4'),"
        "('B','p1'),('B','p2'),('B','p3'),('B','p4'),('B','p5'),('C','p9')) t(group_code, person_code)"
    )
    sql = as_with_query(duplicate_groups.pair_steps(AnalysisConfig(), members="m"))
    assert con.execute(sql).fetchall() == [("A", "B", 4, 5, 4)]


def test_every_step_translates_to_spark():
    sqlglot = pytest.importorskip("sqlglot")  # not a dependency: only an engine other than DuckDB needs it
    from datetime import date

    from jianfu.analysis import burden
    from jianfu.analysis.backend import DuckDBBackend
    from jianfu.analysis.detectors import all_detectors
    from jianfu.analysis.snapshot import input_steps

    config = AnalysisConfig(dup_group_partitions=2)
    steps = input_steps(DuckDBBackend(duckdb.connect())) + burden.burden_steps(config, True)
    for detector in all_detectors():
        steps += detector.steps(config, date(2026, 11, 26))
    for step in steps:
        spark = sqlglot.transpile(step.sql, read="duckdb", write="spark")[0]
        for duckdb_only in ("LIST_INTERSECT", "LIST_SLICE", "LIST_HAS_ANY", " && ", "LENGTH(", "STRING_SPLIT"):
            assert duckdb_only not in spark.upper(), (step.name, duckdb_only)
