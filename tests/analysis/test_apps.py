"""zombie_app and forced_feature, with their boundaries."""

from __future__ import annotations

from tests.analysis.helpers import app, days_ago, of_type


def test_zombie_under_five_percent_active(analyse):
    result = analyse(
        apps=[
            app("M499", registered_users=10000, monthly_active_users=499),  # 4.99 %
            app("M500", registered_users=10000, monthly_active_users=500),  # 5 %: not a zombie
            app("M0", registered_users=0, monthly_active_users=0),  # no registered users: not judged
            app("MNULL", registered_users=1000, monthly_active_users=None),
        ]
    )
    found = of_type(result, "zombie_app")
    assert [f["items"] for f in found] == [["M499"]]
    assert found[0]["evidence"]["mau_percent"] == 4.99 and "4.99%" in found[0]["reason"]
    assert (found[0]["rule"], found[0]["action"]) == ("F5", "cancel")


def test_zombie_from_180_days_without_update(analyse):
    result = analyse(
        apps=[
            app("U179", last_update=days_ago(179)),
            app("U180", last_update=days_ago(180)),
            app("NEVER", last_update=None, launch_date=days_ago(200)),  # never updated since launch
            app("NODATE", last_update=None, launch_date=None),
        ]
    )
    found = {f["items"][0]: f for f in of_type(result, "zombie_app")}
    assert sorted(found) == ["NEVER", "U180"]
    assert found["U180"]["evidence"]["days_since_update"] == 180 and "180天未更新" in found["U180"]["reason"]


def test_forced_features_one_finding_per_rule(analyse):
    result = analyse(
        apps=[
            app("F", forced_features=["打卡签到", "定期登录", "截图留痕", "积分排名", "学习时长考核"]),
            app("G", forced_features=["轨迹上传"]),
            app("H", forced_features=[]),
        ],
        people=[{"code": "P1", "name": "甲", "unit_code": "330106001001", "post": None}],
    )
    found = {(f["items"][0], f["rule"]): f for f in of_type(result, "forced_feature")}
    assert sorted(found) == [("F", "F1"), ("F", "F2"), ("F", "F3"), ("G", "F2")]
    assert found[("F", "F1")]["evidence"] == {"features": 2, "people_in_scope": 1}
    assert "打卡签到、定期登录" in found[("F", "F1")]["reason"]
    assert "滥用排名" in found[("F", "F3")]["reason"]
    assert all(f["action"] == "rectify" and f["hours_saved_per_month"] > 0 for f in found.values())
