"""Hours an officer can believe (docs/burden-model.md, "What is removable, counted once"): a carrier's removable
hours never exceed what it costs, a carrier named by several findings counts once, the removable total stays
below the burden, a silent group demands nothing, and a forced feature is borne by those who open the app."""

from __future__ import annotations

import pytest

from jianfu.analysis import personal
from jianfu.analysis.config import BurdenParams
from jianfu.analysis.findings import ITEM_KIND
from tests.analysis.helpers import AS_OF, account, app, days_ago, group, members_of, of_type

PEOPLE = [{"code": f"P{i}", "name": f"人{i}", "unit_code": "330106001001", "post": None} for i in range(30)]
CHECK_IN = 20.83 * 2  # 打卡接龙: 2 minutes a workday
SCREENSHOT = 2 * 4.348 * 5  # 截图留痕: twice a week, 5 minutes


def _removable_by_carrier(result) -> dict[str, float]:
    best: dict[str, float] = {}
    for finding in result.findings:
        for item, hours in finding["_saved_by_item"].items():
            key = f"{ITEM_KIND[finding['type']]}:{item}"
            best[key] = max(best.get(key, 0.0), hours)
    return best


def _cost_by_carrier(result) -> dict[str, float]:
    kinds = {"apps": "app", "groups": "group", "accounts": "account", "forms": "form"}
    return {
        f"{kind}:{row['code']}": row["total_h"]
        for table, kind in kinds.items()
        for row in result.tables[table].to_pylist()
    }


def test_a_group_silent_for_30_days_demands_nothing_of_its_members(analyse):
    # Idle for 90 days, no message in the last 30, yet its rules still say 打卡接龙 and 截图留痕: nobody checks in
    # or posts a screenshot in a group where nothing is posted. Dissolving it saves the membership, no more.
    result = analyse(
        groups=[
            group("SILENT", last_active=days_ago(90), messages_30d=0, demands=["打卡接龙", "截图留痕"]),
            group("UNKNOWN", last_active=None, created_date=days_ago(90), messages_30d=None, demands=["打卡接龙"]),
        ],
        members=members_of({"SILENT": ["P1", "P2", "P3"], "UNKNOWN": ["P4", "P5"]}),
        people=PEOPLE,
    )
    groups = {row["code"]: row for row in result.tables["groups"].to_pylist()}
    assert groups["SILENT"]["f1_h"] == 0 and groups["SILENT"]["f2_h"] == 0
    assert groups["SILENT"]["total_h"] == pytest.approx(3 * 10 / 60)  # attention only
    # A group whose message count is unknown keeps its demands: nothing says it is silent.
    assert groups["UNKNOWN"]["f1_h"] == pytest.approx(2 * CHECK_IN / 60, abs=0.01)

    idle = {f["items"][0]: f for f in of_type(result, "idle_group")}
    assert idle["SILENT"]["hours_saved_per_month"] == pytest.approx(3 * 10 / 60, abs=0.01)
    assert sum(t["hours"] for t in idle["SILENT"]["_arithmetic"]) == pytest.approx(0.5, abs=0.02)
    demand = [f for f in of_type(result, "group_demand") if f["items"] == ["SILENT"]]
    assert {f["rule"] for f in demand} == {"F1", "F2"}  # the rules are still wrong and listed, but save no hours
    assert all(f["hours_saved_per_month"] == 0 and f["_arithmetic"] == [] for f in demand)
    person = {row["person_code"]: row for row in result.tables["per_person"].to_pylist()}
    assert person["P1"]["groups_h"] == pytest.approx(10 / 60)
    # The one-person formulas (a cadre's own page, surveys) say the same.
    assert personal.group_minutes(BurdenParams(), 0, ["打卡接龙", "截图留痕"]) == pytest.approx(10)
    assert personal.group_minutes(BurdenParams(), None, ["打卡接龙"]) == pytest.approx(10 + CHECK_IN, abs=0.01)


def test_a_forced_feature_is_borne_by_the_apps_active_users_when_known(analyse):
    # 30 people in the region; the app says 3 of them open it a month: its daily check-in cannot cost all 30.
    result = analyse(
        apps=[
            app("FEW", registered_users=1000, monthly_active_users=3, forced_features=["打卡签到"]),
            app("UNKNOWN", registered_users=None, monthly_active_users=None, forced_features=["打卡签到"]),
        ],
        people=PEOPLE,
    )
    apps = {row["code"]: row for row in result.tables["apps"].to_pylist()}
    assert apps["FEW"]["f1_h"] == pytest.approx(3 * 20.83 / 60, abs=0.01)
    assert apps["UNKNOWN"]["f1_h"] == pytest.approx(30 * 20.83 / 60, abs=0.01)  # forced: everyone, unless told
    zombie = {f["items"][0]: f for f in of_type(result, "zombie_app")}["FEW"]
    assert zombie["hours_saved_per_month"] == pytest.approx(3 * 20.83 / 60, abs=0.01)
    (line,) = zombie["_arithmetic"]
    assert line["people"] == 3 and line["who"] == "活跃用户"
    forced = {f["items"][0]: f for f in of_type(result, "forced_feature")}
    assert forced["FEW"]["hours_saved_per_month"] == pytest.approx(3 * 20.83 / 60, abs=0.01)
    assert forced["UNKNOWN"]["_arithmetic"][0]["people"] == 30
    # One person's share: 3 in 30 bear the check-in, so each of the 30 bears a tenth of it on average.
    minutes = personal.app_minutes(BurdenParams(), 3, 30, ["打卡签到"])
    assert minutes == pytest.approx(0.1 * 10 * 3 + 0.1 * 20.83, abs=0.01)


def test_a_carrier_named_by_several_findings_counts_once(analyse):
    # Expired, and with an F1 and an F2 demand: three findings about one group.
    result = analyse(
        groups=[
            group(
                "G",
                nature="temporary",
                task_end_date=days_ago(100),
                last_active=days_ago(5),
                messages_30d=4,
                demands=["打卡接龙", "截图留痕"],
            )
        ],
        members=members_of({"G": ["P1", "P2", "P3", "P4"]}),
        people=PEOPLE,
    )
    about_g = [f for f in result.findings if f["items"] == ["G"]]
    assert sorted((f["type"], f["rule"]) for f in about_g) == [
        ("expired_group", "F5"),
        ("group_demand", "F1"),
        ("group_demand", "F2"),
    ]
    cost = _cost_by_carrier(result)["group:G"]
    assert sum(f["hours_saved_per_month"] for f in about_g) > cost  # on their own the findings overlap
    assert result.hours_saved_per_month == pytest.approx(max(f["hours_saved_per_month"] for f in about_g), abs=0.01)
    assert result.hours_saved_per_month <= cost + 0.01


def test_removable_hours_never_exceed_what_carriers_cost_nor_the_burden(analyse):
    kept = [f"P{i}" for i in range(12)]
    result = analyse(
        apps=[
            app("A1", forced_features=["打卡签到", "积分排名"], monthly_active_users=20, last_update=days_ago(300)),
            app("A2", forced_features=["截图留痕"], registered_users=1000, monthly_active_users=2),
        ],
        accounts=[account("C1", assessments=["点赞转发考核"]), account("C2", assessments=["阅读量考核"])],
        groups=[
            group("BIG", messages_30d=40, demands=["打卡接龙"]),
            group("COPY", messages_30d=0, last_active=days_ago(80), demands=["截图留痕"]),
            group("OLD", nature="temporary", task_end_date=days_ago(30), messages_30d=3, demands=["定位打卡"]),
        ],
        members=members_of({"BIG": kept, "COPY": kept[:10] + ["P20"], "OLD": ["P1", "P2", "P25"]}),
        people=PEOPLE,
    )
    assert {f["type"] for f in result.findings} >= {
        "duplicate_groups",
        "idle_group",
        "expired_group",
        "zombie_app",
        "forced_feature",
        "account_assessment",
    }
    removable, cost = _removable_by_carrier(result), _cost_by_carrier(result)
    for key, hours in removable.items():
        assert hours <= cost[key] + 1e-6, key
    for finding in result.findings:
        for item, hours in finding["_saved_by_item"].items():
            assert hours <= cost[f"{ITEM_KIND[finding['type']]}:{item}"] + 1e-6, (finding["type"], item)
    assert result.hours_saved_per_month == pytest.approx(sum(removable.values()), abs=0.01)
    assert result.hours_saved_per_month <= result.burden["total_hours_per_month"]["total"]
    assert result.as_of == AS_OF
