"""The Spark backend refuses a step it cannot run with DuckDB's meaning, rather than run a different query."""

from __future__ import annotations

import re

import duckdb
import pytest

from jianfu.analysis.backend import DuckDBBackend, SQLStep, UnsupportedStep
from jianfu.analysis.spark import SparkBackend

pytest.importorskip("sqlglot")

# Each is valid DuckDB SQL whose plain sqlglot translation would run on Spark with another meaning, or fail.
REFUSED = {
    "list_intersect": ("SELECT list_intersect(a, b) AS c FROM t", "list_intersect() has no Spark translation"),
    "len": ("SELECT len(a) AS n FROM t", "write array_length(x) for a list"),
    "regex split": ("SELECT string_split(s, '.') AS parts FROM t", "regular expression"),
    "approximate median": ("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) AS m FROM t", "approximately"),
    "median": ("SELECT median(x) AS m FROM t", "approximately or differently"),
    "list with NULLs": ("SELECT g, list(x) AS xs FROM t GROUP BY g", "collect_list drops"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_it_refuses_a_construct_with_another_meaning(case):
    sql, message = REFUSED[case]
    backend = SparkBackend(spark=None)  # translation needs no session
    with pytest.raises(UnsupportedStep, match=re.escape(message)):
        backend.translate(sql)


def test_it_accepts_the_spellings_that_translate_exactly():
    backend = SparkBackend(spark=None)
    spark_sql = backend.translate(
        "SELECT g, list(x) AS xs, quantile_cont(y, 0.9) AS p90 FROM t WHERE x IS NOT NULL GROUP BY g"
    )
    assert "COLLECT_LIST(x)" in spark_sql and "percentile(y, 0.9)" in spark_sql.lower()
    assert "percentile_cont" not in spark_sql.lower()


def test_a_refused_step_names_itself_and_creates_nothing(spark):
    ok = SQLStep("__jf_t_ok", "SELECT 1 AS a, [1, 2] AS xs")
    bad = SQLStep("__jf_t_bad", "SELECT list_intersect(xs, [2]) AS ys FROM __jf_t_ok")
    # DuckDB runs both steps: the step is valid, Spark just cannot run it with the same meaning.
    duck = DuckDBBackend(duckdb.connect())
    duck.run_steps([ok, bad])
    assert duck.query("SELECT * FROM __jf_t_bad") == [{"ys": [2]}]

    backend = SparkBackend(spark)
    with pytest.raises(UnsupportedStep, match=r"step __jf_t_bad: function list_intersect\(\)"):
        backend.run_steps([ok, bad])
    assert backend.columns("__jf_t_ok") == ["a", "xs"]
    assert backend.columns("__jf_t_bad") is None
    backend.drop_steps()
    assert backend.columns("__jf_t_ok") is None


def test_quantiles_are_exact_on_both_engines(spark):
    rows = "SELECT * FROM (VALUES (1.0), (2.0), (4.0), (8.0), (100.0)) v(x)"
    sql = f"SELECT quantile_cont(x, 0.5) AS p50, quantile_cont(x, 0.9) AS p90 FROM ({rows}) t"
    duck = DuckDBBackend(duckdb.connect()).query(sql)[0]
    other = SparkBackend(spark).query(sql)[0]
    assert duck == pytest.approx({"p50": 4.0, "p90": 63.2})
    assert other == pytest.approx(duck, rel=1e-12)


def test_every_step_of_the_analysis_is_accepted():
    """The pipeline itself never trips the refusal: every step has an exact Spark translation."""
    from datetime import date

    from jianfu.analysis import AnalysisConfig, burden
    from jianfu.analysis.detectors import all_detectors
    from jianfu.analysis.snapshot import input_steps

    config = AnalysisConfig(dup_group_partitions=3)
    steps = input_steps(DuckDBBackend(duckdb.connect())) + burden.burden_steps(config, True)
    for detector in all_detectors():
        steps += detector.steps(config, date(2026, 11, 26))
    backend = SparkBackend(spark=None)
    for step in steps:
        assert backend.translate(step.sql), step.name
