"""stale_account, account_assessment and duplicate_accounts."""

from __future__ import annotations

from tests.analysis.helpers import SHANGCHENG, account, days_ago, of_type


def test_stale_from_sixty_days(analyse):
    result = analyse(
        accounts=[
            account("S59", last_post=days_ago(59)),
            account("S60", last_post=days_ago(60), platform="抖音"),
            account("NEVER", last_post=None, posts_30d=0, opened_date=days_ago(61), platform="微博"),
        ]
    )
    found = {f["items"][0]: f for f in of_type(result, "stale_account")}
    assert sorted(found) == ["NEVER", "S60"]
    assert found["S60"]["evidence"]["days_since_post"] == 60 and found["S60"]["action"] == "cancel"
    # A silent account costs its owner no upkeep: closing it saves only the assessments it imposes (none here).
    assert found["S60"]["hours_saved_per_month"] == 0.0


def test_assessment(analyse):
    result = analyse(accounts=[account("A", assessments=["关注考核", "阅读量考核"]), account("B", platform="微博")])
    found = of_type(result, "account_assessment")
    assert [(f["items"], f["rule"], f["action"]) for f in found] == [(["A"], "F3", "rectify")]
    assert "关注考核、阅读量考核" in found[0]["reason"]


def test_one_account_per_owner_and_platform(analyse):
    result = analyse(
        accounts=[
            account("W1", followers=10),
            account("W2", followers=500),
            account("W3", followers=None),
            account("D1", platform="抖音"),  # another platform
            account("O1", owner_code=SHANGCHENG),  # another owner
        ]
    )
    found = of_type(result, "duplicate_accounts")
    assert [f["items"] for f in found] == [["W2", "W1", "W3"]]  # most followers first: the one kept
    f = found[0]
    assert (f["rule"], f["action"]) == ("F5", "merge") and f["evidence"]["accounts"] == 3
    assert f["hours_saved_per_month"] == 8.0  # two accounts' upkeep (4 h each)
