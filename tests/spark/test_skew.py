"""The duplicate-group join splits skewed prefix buckets into salts, on Spark and DuckDB, with the same pairs."""

from __future__ import annotations

import random

import pytest

from jianfu.analysis import AnalysisConfig, write_snapshot
from jianfu.analysis.backend import DuckDBBackend
from jianfu.analysis.detectors.duplicate_groups import PAIRS, pair_steps
from jianfu.analysis.snapshot import input_steps, load_snapshot
from jianfu.analysis.spark import SparkBackend

BUCKET = 40


def skewed_members() -> list[dict]:
    """One standing group of 1,500 cadres (all county staff); 600 small groups that each hold the same six
    leaders and two other cadres, so the leaders sit in the prefixes of hundreds of groups; planted copies."""
    rng = random.Random(16)
    staff = [f"P{i:04d}" for i in range(1500)]
    leaders = staff[:6]
    groups = {"BIG": staff}
    for g in range(600):
        groups[f"S{g:03d}"] = leaders + rng.sample(staff[6:], 2)
    for g in range(0, 600, 25):  # a near-copy of every 25th small group: 8 of 9 shared, Jaccard 8/9
        groups[f"C{g:03d}"] = groups[f"S{g:03d}"] + [rng.choice(staff[6:])]
    groups["BIG2"] = staff[:1400]  # 1,400 ⊂ 1,500: Jaccard 0.93
    return [{"group_code": g, "person_code": p} for g, people in groups.items() for p in people]


def pairs_and_buckets(backend, config) -> tuple[set, int, int]:
    backend.run_steps(input_steps(backend) + pair_steps(config))
    pairs = {(r["group_a"], r["group_b"], r["shared"]) for r in backend.query(f"SELECT * FROM {PAIRS}")}
    biggest = backend.scalar("SELECT max(c) FROM (SELECT count(*) AS c FROM __jf_dg_index_salted GROUP BY tok, salt) b")
    unsalted = backend.scalar("SELECT max(c) FROM (SELECT count(*) AS c FROM __jf_dg_index GROUP BY tok) b")
    backend.drop_steps()
    return pairs, biggest, unsalted


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    return write_snapshot({"members": skewed_members()}, tmp_path_factory.mktemp("skew"))


def test_duckdb_salting_keeps_every_pair(snapshot):
    plain, _, unsalted = pairs_and_buckets(DuckDBBackend(load_snapshot(snapshot)), AnalysisConfig())
    salted, biggest, _ = pairs_and_buckets(
        DuckDBBackend(load_snapshot(snapshot)), AnalysisConfig(dup_group_bucket_rows=BUCKET)
    )
    assert unsalted > 10 * BUCKET, "the fixture is not skewed"
    assert biggest <= BUCKET
    assert salted == plain
    assert ("BIG2", "BIG", 1400) in plain and sum(1 for p in plain if p[0].startswith("S")) >= 24


def test_spark_buckets_stay_small_and_pairs_match(spark, snapshot):
    duck, _, _ = pairs_and_buckets(DuckDBBackend(load_snapshot(snapshot)), AnalysisConfig())
    pairs, biggest, unsalted = pairs_and_buckets(
        SparkBackend(spark, snapshot), AnalysisConfig(dup_group_bucket_rows=BUCKET, dup_group_partitions=2)
    )
    assert unsalted > 10 * BUCKET
    assert biggest <= BUCKET
    assert pairs == duck
