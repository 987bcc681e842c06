"""Both engines give the same findings (same ids, scores to 1e-9) and the same burden roll-up.

A hand-written county and two generated counties (imported through the real importer, exported as the real
snapshot); one of them through ``run_and_store(engine="spark")``, the path ``jianfu analyze --engine spark``
takes."""

from __future__ import annotations

import datetime as dt

import pytest

from jianfu.analysis import AnalysisConfig, run, write_snapshot
from jianfu.analysis.spark import SparkBackend
from tests.analysis.helpers import (
    AS_OF,
    BEISHAN,
    BEISHAN_VILLAGE,
    CITY,
    SHANGCHENG,
    UNITS,
    XIHU,
    XIHU_CIVIL,
    account,
    app,
    days_ago,
    group,
    members_of,
)
from tests.spark.parity import assert_close, assert_same_findings, assert_same_tables

TABLE_KEYS = {
    "per_person": "person_code",
    "per_unit": "unit_code",
    "per_region": "region_code",
    "per_owner": "owner_code",
    "apps": "code",
    "groups": "code",
    "accounts": "code",
    "forms": "code",
}

PEOPLE = [
    {"code": f"P{i:02d}", "name": f"干部{i}", "unit_code": unit, "post": None}
    for i, unit in enumerate([BEISHAN_VILLAGE] * 12 + [BEISHAN] * 6 + [XIHU_CIVIL] * 4 + [SHANGCHENG] * 3)
]
CODES = [p["code"] for p in PEOPLE]


def hand_written_county() -> dict:
    """Every finding type at least once, with ties, NULLs, nested and equal-sized groups and two regions."""
    return dict(
        units=UNITS,
        people=PEOPLE,
        groups=[
            group("G1", messages_30d=120, demands=["打卡接龙", "截图留痕"]),
            group("G2", messages_30d=40),  # 12 ⊂ 15: Jaccard exactly 0.8
            group("G3", nature="temporary", task_end_date=days_ago(3)),
            group("G4", last_active=days_ago(61), messages_30d=0),
            group("G5", owner_code=SHANGCHENG, demands=["收到请回复", "定位打卡"], messages_30d=None),
            group("G6", owner_code=SHANGCHENG, last_active=None, created_date=None),
            group("G7", owner_code=BEISHAN),
            group("G8", owner_code=BEISHAN),  # identical pair
            group("G9", purpose="防汛值班"),  # alone, no members
        ],
        members=members_of(
            {
                "G1": CODES[:15],
                "G2": CODES[:12],
                "G3": CODES[3:9],
                "G4": CODES[10:20],
                "G5": CODES[20:25],
                "G6": CODES[18:25],
                "G7": CODES[5:11],
                "G8": CODES[5:11] + [CODES[5]],
            }
        ),
        apps=[
            app(
                "A1",
                name="西湖区网格巡查",
                description="网格员巡查上报事件",
                functions=["事件上报", "巡查打卡"],
                forced_features=["打卡签到", "积分排名"],
                monthly_active_users=300,
            ),
            app(
                "A2",
                name="西湖网格巡查通",
                description="网格巡查事件上报",
                functions=["事件上报"],
                monthly_active_users=20,
                registered_users=1000,
            ),
            app(
                "A3",
                owner_code=SHANGCHENG,
                last_update=days_ago(400),
                launch_date=days_ago(900),
                forced_features=["截图留痕"],
                monthly_active_users=None,
            ),
            app("A4", owner_code=CITY, category="platform", registered_users=0, monthly_active_users=0),
        ],
        accounts=[
            account("C1", last_post=days_ago(90), assessments=["点赞转发考核"]),
            account("C2", platform="微信公众号"),
            account("C3", owner_code=CITY, posts_30d=None, last_post=None),
            account("C4", owner_code=SHANGCHENG, assessments=["关注考核", "阅读量考核"]),
        ],
        forms=[
            {
                "code": "F1",
                "title": "月报",
                "issuer_code": XIHU,
                "respondent_level": "村（社区）",
                "frequency": "month",
                "channel": "系统",
                "minutes_per_filing": 30.0,
            },
            {
                "code": "F2",
                "title": "周报",
                "issuer_code": CITY,
                "respondent_level": "township",
                "frequency": "week",
                "channel": "纸质",
                "minutes_per_filing": None,
            },
        ],
        fields=[
            {"form_code": "F2", "position": i, "name": f"指标{i}", "note": None, "data_type": None, "unit": None}
            for i in range(1, 8)
        ],
    )


def compare(duck, spark_result) -> None:
    assert duck.findings, "a parity test on no findings proves nothing"
    assert_same_findings(duck.findings, spark_result.findings)
    assert_close(duck.burden, spark_result.burden, "burden")
    assert_close(duck.hours_saved_per_month, spark_result.hours_saved_per_month, "hours_saved_per_month")
    assert_same_tables(duck.tables, spark_result.tables, TABLE_KEYS)


def test_hand_written_county(spark, tmp_path):
    folder = write_snapshot(hand_written_county(), tmp_path / "snap")
    # Two candidate-join partitions and per-region parameters: the multi-step paths run on both engines too.
    config = AnalysisConfig(dup_group_partitions=2, region_overrides={SHANGCHENG: {"group_attention_minutes": 20}})
    duck = run(folder, AS_OF, config)
    other = run(SparkBackend(spark, folder), AS_OF, config)
    compare(duck, other)
    types = {f["type"] for f in duck.findings}
    assert {
        "duplicate_groups",
        "expired_group",
        "idle_group",
        "group_demand",
        "zombie_app",
        "forced_feature",
        "stale_account",
        "account_assessment",
        "duplicate_accounts",
    } <= types, types


GEN_AS_OF = dt.date(2026, 11, 26)


@pytest.fixture
def generated_snapshot(tmp_path, db):
    from jianfu.findings.snapshot import export_snapshot
    from jianfu.generate import generate
    from jianfu.registry.importing import import_paths

    def make(seed: int):
        source = tmp_path / f"county{seed}"
        generate("county", seed, source, as_of=GEN_AS_OF)
        assert import_paths([source]).ok
        folder = tmp_path / f"snap{seed}"
        export_snapshot(folder)
        return folder

    return make


def test_generated_county_seed_3(spark, generated_snapshot):
    folder = generated_snapshot(3)
    duck = run(folder, GEN_AS_OF)
    other = run(SparkBackend(spark, folder), GEN_AS_OF)
    compare(duck, other)
    assert len({f["type"] for f in duck.findings}) >= 8


@pytest.mark.django_db
def test_generated_county_seed_4_through_analyze(spark, tmp_path):
    """The stored findings of ``--engine spark`` are those of DuckDB (the command the user runs)."""
    from jianfu.cli import main
    from jianfu.findings.models import Finding
    from jianfu.generate import generate
    from jianfu.registry.importing import import_paths

    source = tmp_path / "county4"
    generate("county", 4, source, as_of=GEN_AS_OF)
    assert import_paths([source]).ok
    documents = {}
    for engine in ("duckdb", "spark"):
        out = tmp_path / f"{engine}.json"
        assert (
            main(
                [
                    "analyze",
                    "--as-of",
                    GEN_AS_OF.isoformat(),
                    "--engine",
                    engine,
                    "--spark-master",
                    "local[2]",
                    "--json",
                    str(out),
                    "--quiet",
                ]
            )
            == 0
        )
        import json

        documents[engine] = json.loads(out.read_text(encoding="utf-8"))
        stored = {f.fid for f in Finding.objects.filter(is_current=True)}
        assert stored == {f["id"] for f in documents[engine]["findings"]}
    duck, other = documents["duckdb"], documents["spark"]
    assert duck["findings"]
    assert_same_findings(duck["findings"], other["findings"])
    assert_close(duck["burden"], other["burden"], "burden")
    assert_close(duck["summary"], other["summary"], "summary")
