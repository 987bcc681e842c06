"""The burden model on a case small enough to cost by hand (docs/burden-model.md)."""

from __future__ import annotations

import pytest

from tests.analysis.helpers import BEISHAN, BEISHAN_VILLAGE, CITY, XIHU, XIHU_CIVIL, account, app, group, members_of
from jianfu.analysis import AnalysisConfig, Cadence

WORKDAYS = 20.83
PEOPLE = [
    {"code": "P1", "name": "甲", "unit_code": BEISHAN_VILLAGE, "post": None},
    {"code": "P2", "name": "乙", "unit_code": BEISHAN_VILLAGE, "post": None},
    {"code": "P3", "name": "丙", "unit_code": XIHU_CIVIL, "post": None},
]
TABLES = dict(
    people=PEOPLE,
    groups=[group("G", messages_30d=60, demands=["打卡接龙"])],
    members=members_of({"G": ["P1", "P2"]}),
    apps=[app("A", owner_code=XIHU, monthly_active_users=3, forced_features=["打卡签到"])],
    accounts=[account("C", owner_code=CITY, posts_30d=10, assessments=["阅读量考核"])],
    forms=[
        {
            "code": "F",
            "title": "月报",
            "issuer_code": XIHU,
            "respondent_level": "village",
            "frequency": "month",
            "channel": "系统",
            "minutes_per_filing": 30.0,
        }
    ],
)
GROUP_MIN = 10 + 60 * (5 / 60 + 0.05 * 1) + WORKDAYS * 2  # attention, reading + replies, check-in chain
APP_MIN = 1.0 * 10 * 3 + WORKDAYS * 1  # all 3 in scope active; daily check-in
ACCOUNT_MIN = 10 * 0.5  # reads assessed on 10 posts
FORM_H_EACH = 30 / 60 / 2  # one monthly filing shared by the village's two


def test_hours_per_person_and_distribution(analyse):
    result = analyse(**TABLES)
    people = {r["person_code"]: r for r in result.tables["per_person"].to_pylist()}
    p1 = (GROUP_MIN + APP_MIN + ACCOUNT_MIN) / 60 + FORM_H_EACH
    p3 = (APP_MIN + ACCOUNT_MIN) / 60
    assert people["P1"]["total_h"] == pytest.approx(p1)
    assert people["P1"]["groups_h"] == pytest.approx(GROUP_MIN / 60)
    assert people["P1"]["forms_h"] == pytest.approx(FORM_H_EACH)
    assert people["P3"]["total_h"] == pytest.approx(p3)
    dist = result.burden["per_person_hours_per_month"]
    assert dist["p50"] == round(p1, 2) and dist["max"] == round(p1, 2) and dist["people"] == 3

    items = {r["code"]: r for r in result.tables["groups"].to_pylist()}
    assert items["G"]["total_h"] == pytest.approx(2 * GROUP_MIN / 60)
    assert items["G"]["f1_h"] == pytest.approx(2 * WORKDAYS * 2 / 60)
    forms = {r["code"]: r for r in result.tables["forms"].to_pylist()}
    assert forms["F"]["respondents"] == 1 and forms["F"]["total_h"] == pytest.approx(0.5)

    units = {r["unit_code"]: r for r in result.burden["per_unit"]}
    assert units[BEISHAN_VILLAGE]["people"] == 2
    assert units[BEISHAN_VILLAGE]["hours_per_person"] == round(p1, 2)
    owners = {r["owner_code"]: r for r in result.burden["per_owner"]}
    assert owners[XIHU]["apps"] == 1 and owners[XIHU]["groups"] == 1 and owners[XIHU]["forms"] == 1
    assert owners[CITY]["accounts"] == 1
    assert owners[CITY]["accounts_h"] == round(3 * ACCOUNT_MIN / 60 + 4.0, 2)  # assessments + upkeep


def test_finding_hours_come_from_the_model(analyse):
    result = analyse(**TABLES)
    demand = next(f for f in result.findings if f["type"] == "group_demand")
    assert demand["hours_saved_per_month"] == round(2 * WORKDAYS * 2 / 60, 2)
    forced = next(f for f in result.findings if f["type"] == "forced_feature")
    assert forced["hours_saved_per_month"] == round(3 * WORKDAYS / 60, 2)


def test_region_overrides_most_specific_wins(analyse):
    config = AnalysisConfig(
        region_overrides={
            XIHU: {"group_attention_minutes": 15, "group_read_seconds_per_message": 10},
            BEISHAN: {"group_attention_minutes": 20, "group_demands": {"打卡接龙": {"minutes": 3}}},
        }
    )
    result = analyse(config=config, **TABLES)
    people = {r["person_code"]: r for r in result.tables["per_person"].to_pylist()}
    # P1 is in 北山社区 under 北山街道 under 西湖区: attention and the check-in chain from 北山街道,
    # reading time from 西湖区.
    expected = 20 + 60 * (10 / 60 + 0.05) + WORKDAYS * 3
    assert people["P1"]["groups_h"] == pytest.approx(expected / 60)


def test_params_resolution_and_validation():
    config = AnalysisConfig(
        region_overrides={
            "330000000000": {"workdays_per_month": 22},
            XIHU: {"app_features": {"打卡签到": Cadence(2, "workday", 1)}},
        }
    )
    params = config.params_for_path(f"/330000000000/{CITY}/{XIHU}/")
    assert params.workdays_per_month == 22 and params.app_features["打卡签到"] == Cadence(2, "workday", 1)
    assert params.per_month(params.app_features["打卡签到"]) == 44
    assert config.params_for_path(f"/330000000000/{CITY}/").app_features["打卡签到"] == Cadence(1, "workday", 1.0)
    with pytest.raises(ValueError):
        AnalysisConfig(region_overrides={XIHU: {"no_such_parameter": 1}})
