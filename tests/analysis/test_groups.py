"""expired_group, idle_group and group_demand, with their day boundaries."""

from __future__ import annotations

from tests.analysis.helpers import AS_OF, days_ago, group, members_of, of_type


def test_expired_only_after_the_task_end_date(analyse):
    result = analyse(
        groups=[
            group("T0", nature="temporary", task_end_date=AS_OF),  # ends today: not expired
            group("T1", nature="temporary", task_end_date=days_ago(1)),  # ended yesterday
            group("T2", nature="temporary", task_end_date=None),  # no end date: not judged
            group("S1", nature="standing", task_end_date=days_ago(30)),  # standing groups never expire
        ],
        members=members_of({"T1": ["P1", "P2", "P3"]}),
    )
    found = of_type(result, "expired_group")
    assert [f["items"] for f in found] == [["T1"]]
    f = found[0]
    assert (f["rule"], f["action"]) == ("F5", "cancel")
    assert f["evidence"] == {"days_past_end": 1, "members": 3, "messages_30d": 10}
    assert f["hours_saved_per_month"] > 0 and "2026-11-25" in f["reason"]


def test_idle_from_sixty_days(analyse):
    result = analyse(
        groups=[
            group("I59", last_active=days_ago(59)),
            group("I60", last_active=days_ago(60)),
            group("NEVER", last_active=None, messages_30d=0, created_date=days_ago(90)),
            group("NEW", last_active=None, messages_30d=0, created_date=days_ago(10)),
            group("UNKNOWN", last_active=None, messages_30d=None, created_date=None),
            group("BUSY", last_active=None, messages_30d=40, created_date=days_ago(90)),  # messages but no date
        ]
    )
    found = {f["items"][0]: f for f in of_type(result, "idle_group")}
    assert sorted(found) == ["I60", "NEVER"]
    assert found["I60"]["evidence"]["idle_days"] == 60
    assert "从未活跃" in found["NEVER"]["reason"]


def test_idle_days_configurable(analyse):
    from jianfu.analysis import AnalysisConfig

    result = analyse(groups=[group("I59", last_active=days_ago(59))], config=AnalysisConfig(idle_group_days=30))
    assert [f["items"] for f in of_type(result, "idle_group")] == [["I59"]]


def test_demands_one_finding_per_rule(analyse):
    result = analyse(
        groups=[
            group("D1", demands=["打卡接龙", "收到请回复", "截图留痕"]),
            group("D2", demands=["定位打卡"]),
            group("D3", demands=["其他要求"]),
        ],
        members=members_of({"D1": ["P1", "P2"], "D2": ["P1"]}),
    )
    found = sorted((f["items"][0], f["rule"]) for f in of_type(result, "group_demand"))
    assert found == [("D1", "F1"), ("D1", "F2"), ("D2", "F2")]
    d1f1 = next(f for f in of_type(result, "group_demand") if f["items"] == ["D1"] and f["rule"] == "F1")
    assert d1f1["action"] == "rectify" and d1f1["evidence"]["demands"] == 2
    assert "打卡接龙、收到请回复" in d1f1["reason"] and "强制使用" in d1f1["reason"]
    assert d1f1["hours_saved_per_month"] > 0
