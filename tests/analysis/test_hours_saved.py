"""Hours saved count only what the action removes, reasons name what triggered the finding, and the
arithmetic shown to the officer adds up to the hours saved (docs/burden-model.md, issue 9 §1)."""

from __future__ import annotations

import pytest

from tests.analysis.helpers import account, app, days_ago, group, members_of, of_type

PEOPLE = [{"code": f"P{i}", "name": f"人{i}", "unit_code": "330106001001", "post": None} for i in range(30)]


def test_a_well_used_stale_app_is_to_be_kept_up_not_closed_and_claims_no_hours(analyse):
    result = analyse(
        apps=[
            app("USED", registered_users=1000, monthly_active_users=659, last_update=days_ago(561)),
            app(
                "FORCED",
                registered_users=1000,
                monthly_active_users=659,
                last_update=days_ago(561),
                forced_features=["打卡签到"],
            ),
            app("UNKNOWN", registered_users=None, monthly_active_users=None, last_update=days_ago(561)),
        ],
        people=PEOPLE,
    )
    found = {f["items"][0]: f for f in of_type(result, "zombie_app")}
    for code in ("USED", "FORCED"):
        used = found[code]
        # Two in three registered users use it every month: closing it would be wrong, keeping it up is the fix.
        assert used["action"] == "rectify"
        assert "561天未更新" in used["reason"] and "65.9%" in used["reason"] and "而非关停" in used["reason"]
        assert "使用率低" not in used["reason"]
        assert used["hours_saved_per_month"] == 0.0 and used["_arithmetic"] == []
    # Its forced check-in is a finding of its own, with its own hours.
    assert of_type(result, "forced_feature")[0]["items"] == ["FORCED"]
    # With no usage figures at all, an app nobody updates is the zombie it seems.
    unknown = found["UNKNOWN"]
    assert unknown["action"] == "cancel" and "疑似无人维护" in unknown["reason"]


def test_a_low_use_app_says_so_with_the_number(analyse):
    result = analyse(apps=[app("LOW", registered_users=1000, monthly_active_users=10)])
    reason = of_type(result, "zombie_app")[0]["reason"]
    assert "1%" in reason and "使用率低" in reason and "未更新" not in reason


def test_a_finished_group_saves_membership_and_demands_not_its_messages(analyse):
    result = analyse(
        groups=[group("T", nature="temporary", task_end_date=days_ago(10), messages_30d=500, demands=["打卡接龙"])],
        members=members_of({"T": ["P1", "P2", "P3"]}),
        people=PEOPLE,
    )
    finding = of_type(result, "expired_group")[0]
    expected = 3 * (10 + 20.83 * 2) / 60  # attention 10 min a month + 打卡接龙 2 min a workday, three members
    assert finding["hours_saved_per_month"] == pytest.approx(expected, abs=0.01)
    assert sum(t["hours"] for t in finding["_arithmetic"]) == pytest.approx(expected, abs=0.02)


def test_merging_duplicate_groups_saves_only_for_the_shared_members(analyse):
    kept = [f"P{i}" for i in range(20)]
    dropped = [f"P{i}" for i in range(10)] + ["X1"]  # ten of its eleven members are in the kept group
    result = analyse(
        groups=[group("BIG", messages_30d=100), group("SMALL", messages_30d=100)],
        members=members_of({"BIG": kept, "SMALL": dropped}),
        people=PEOPLE,
    )
    finding = of_type(result, "duplicate_groups")[0]
    per_member = 10 + 100 * 0.5 * (5 / 60 + 0.05 * 1)  # attention + duplicated half of the messages
    assert finding["hours_saved_per_month"] == pytest.approx(10 * per_member / 60, abs=0.01)
    assert sum(t["hours"] for t in finding["_arithmetic"]) == pytest.approx(finding["hours_saved_per_month"], abs=0.02)


def test_every_finding_explains_its_hours(analyse):
    result = analyse(
        apps=[app("A", forced_features=["打卡签到", "积分排名"], last_update=days_ago(300))],
        accounts=[account("C", assessments=["点赞转发考核"]), account("D", assessments=["点赞转发考核"])],
        groups=[group("G", demands=["截图留痕", "收到请回复"], last_active=days_ago(90))],
        members=members_of({"G": ["P1", "P2"]}),
        people=PEOPLE,
    )
    assert result.findings
    for finding in result.findings:
        shown = sum(t["hours"] for t in finding["_arithmetic"])
        assert shown == pytest.approx(finding["hours_saved_per_month"], abs=0.05), finding["type"]
        template, params = finding["_reason_template"], finding["_reason_params"]
        assert template.format(**params) == finding["reason"]
