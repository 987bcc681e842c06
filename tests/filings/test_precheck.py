"""The pre-check against the cast's registry: similar items ranked, rules, the five criteria; it writes nothing."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import DatabaseError, connection

from jianfu.filings.actions import proposal_item
from jianfu.filings.models import RegionPolicy
from jianfu.filings.precheck import Prechecker, read_only
from jianfu.registry.models import App, Unit
from tests.cast import BUREAU, COUNTY, TOWNSHIP
from tests.proposals import ACCOUNT, DISTINCT_APP, DUPLICATE_GROUP, FORM

pytestmark = pytest.mark.django_db


def item(kind: str, base: dict, owner: str = BUREAU, **details) -> dict:
    return {
        **{k: v for k, v in base.items() if k not in ("details", "name")},
        **base["details"],
        **details,
        "kind": kind,
        "code": "NEW1",
        "name": base["name"],
        "owner_code": owner,
    }


def criterion(result: dict, n: int) -> dict:
    return next(c for c in result["criteria"] if c["id"] == n)


def test_a_group_duplicating_members_ranks_that_group_first(cast):
    result = Prechecker().check(item("groups", DUPLICATE_GROUP))
    first = result["similar"][0]
    assert first["code"] == "G1" and first["duplicate"]
    assert first["evidence"]["jaccard"] == 1.0 and first["evidence"]["shared_members"] == 2
    # G4 has the same two members; the name and purpose decide the tie. G3 belongs to another county.
    assert [s["code"] for s in result["similar"]][:2] == ["G1", "G4"]
    assert "G3" not in {s["code"] for s in result["similar"]}
    assert {"rule": "F4", "severity": "flag"}.items() <= result["violations"][0].items()
    assert criterion(result, 2)["answer"] == "no" and criterion(result, 2)["evidence"]["code"] == "G1"
    assert criterion(result, 1)["answer"] == "na"


def test_a_distinct_app_has_no_duplicate_and_answers_the_criteria(cast):
    result = Prechecker().check(item("apps", DISTINCT_APP))
    assert not any(s["duplicate"] for s in result["similar"])
    assert result["violations"] == []
    answers = {c["id"]: c["answer"] for c in result["criteria"]}
    assert answers == {1: "open", 2: "yes", 3: "yes", 4: "open", 5: "yes"}


def test_forced_features_are_refused_unless_for_emergency_use(cast):
    result = Prechecker().check(
        item("apps", DISTINCT_APP, forced_features=["积分排名"], functions=["补贴申领", "打卡签到"])
    )
    refused = {v["rule"]: v for v in result["violations"] if v["severity"] == "refuse"}
    assert set(refused) == {"F1", "F3"} and "积分排名" in refused["F3"]["reason"]
    exempt = item("apps", DISTINCT_APP, forced_features=["轨迹上传"])
    exempt.update(emergency=True, emergency_reason="森林火灾扑救时定位扑火队员")
    result = Prechecker().check(exempt)
    assert [(v["rule"], v["severity"]) for v in result["violations"]] == [("F2", "exempted")]


def test_units_below_county_level_may_not_propose_apps(cast):
    result = Prechecker().check(item("apps", DISTINCT_APP, owner=TOWNSHIP))
    assert ("LEVEL", "refuse") in {(v["rule"], v["severity"]) for v in result["violations"]}
    group = Prechecker().check(item("groups", DUPLICATE_GROUP, owner=TOWNSHIP))
    assert "LEVEL" not in {v["rule"] for v in group["violations"]}


def test_a_standing_group_for_a_task_that_ends_is_flagged(cast):
    result = Prechecker().check(
        item("groups", DUPLICATE_GROUP, nature="standing", task_end_date="2099-01-01", members=["P3"])
    )
    assert ("STANDING", "flag") in {(v["rule"], v["severity"]) for v in result["violations"]}
    hinted = Prechecker().check(
        {
            **item("groups", DUPLICATE_GROUP, nature="standing", task_end_date=None, members=["P3"]),
            "name": "2026年防汛专项行动群",
        }
    )
    assert "STANDING" in {v["rule"] for v in hinted["violations"]}
    no_end = Prechecker().check(item("groups", DUPLICATE_GROUP, task_end_date=None, members=["P3"]))
    assert "TASK_END" in {v["rule"] for v in no_end["violations"]}


def test_accounts_one_per_unit_per_platform(cast):
    result = Prechecker().check(item("accounts", ACCOUNT, owner=COUNTY, platform="微信公众号") | {"name": "上城发布2"})
    first = result["similar"][0]
    assert first["code"] == "AC1" and first["duplicate"] and first["evidence"]["same_owner"]
    assert "F5" in {v["rule"] for v in result["violations"]}


def test_forms_by_field_overlap(cast):
    result = Prechecker().check(item("forms", FORM))
    first = result["similar"][0]
    assert first["code"] == "F1" and first["evidence"]["shared_fields"] == 2 and first["duplicate"]
    assert criterion(result, 3)["answer"] == "open"  # every field is already collected


def test_the_plan_criterion_uses_the_region_plan(cast):
    RegionPolicy.objects.create(region=Unit.objects.get(code=COUNTY), plan_items=["智慧养老服务体系建设"])
    yes = Prechecker().check(item("apps", DISTINCT_APP, plan_ref="上城区智慧养老服务体系建设项目"))
    no = Prechecker().check(item("apps", DISTINCT_APP, plan_ref="数字乡村示范"))
    assert criterion(yes, 1)["answer"] == "yes" and criterion(no, 1)["answer"] == "no"


def test_related_systems_are_looked_up(cast):
    result = Prechecker().check(item("apps", DISTINCT_APP, related_systems=["A2", "不存在的系统"]))
    c = criterion(result, 4)
    assert c["answer"] == "open" and c["evidence"]["missing"] == ["不存在的系统"]
    assert (
        Prechecker().check(item("apps", DISTINCT_APP, related_systems=["民政统计平台"]))["criteria"][3]["answer"]
        == "yes"
    )


def _counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def test_the_precheck_writes_nothing(cast):
    before = _counts()
    with read_only():
        for kind, base in (("apps", DISTINCT_APP), ("groups", DUPLICATE_GROUP), ("accounts", ACCOUNT), ("forms", FORM)):
            Prechecker().check(item(kind, base))
    assert _counts() == before


def test_the_read_only_guard_refuses_writes(cast):
    with pytest.raises(DatabaseError):
        with read_only():
            App.objects.filter(code="A1").update(name="改名")
    assert App.objects.get(code="A1").name == "清波通"
    assert connection.vendor != "sqlite" or connection.cursor().execute("PRAGMA query_only").fetchone()[0] == 0


def test_a_saved_proposal_is_checked_like_a_file_item(cast):
    from tests.proposals import make_proposal

    proposal = make_proposal(cast.department, "groups")
    assert Prechecker().check(proposal_item(proposal))["similar"][0]["code"] == "G1"


def end(kind: str, codes: list[str], status: str, day, cast, merged_into: str = "") -> None:
    from jianfu.registry.actions import do_end_carriers

    do_end_carriers(kind, codes, status, day, acting_user=cast.admin, merged_into=merged_into)


def test_carriers_cancelled_or_merged_are_no_duplicates(cast):
    import datetime as dt

    yesterday = dt.date.today() - dt.timedelta(days=1)
    end("group", ["G1"], "cancelled", yesterday, cast)
    end("group", ["G4"], "merged", yesterday, cast, merged_into="G2")
    groups = Prechecker().check(item("groups", DUPLICATE_GROUP))
    assert {"G1", "G4"}.isdisjoint(s["code"] for s in groups["similar"])
    assert "F4" not in {v["rule"] for v in groups["violations"]}
    end("account", ["AC1"], "cancelled", yesterday, cast)
    account = Prechecker().check(item("accounts", ACCOUNT, owner=COUNTY, platform="微信公众号") | {"name": "上城发布"})
    assert "AC1" not in {s["code"] for s in account["similar"]} and "F5" not in {
        v["rule"] for v in account["violations"]
    }
    end("form", ["F1"], "merged", yesterday, cast, merged_into="F2")
    form = Prechecker().check(item("forms", FORM))
    assert "F1" not in {s["code"] for s in form["similar"]}


def test_a_carrier_ending_later_is_still_compared(cast):
    import datetime as dt

    end("group", ["G1"], "cancelled", dt.date.today() + dt.timedelta(days=30), cast)
    first = Prechecker().check(item("groups", DUPLICATE_GROUP))["similar"][0]
    assert first["code"] == "G1" and first["duplicate"]


def test_a_cancelled_app_is_no_duplicate_nor_a_related_system(cast):
    import datetime as dt

    before = Prechecker().check(item("apps", DISTINCT_APP, related_systems=["A2"]) | {"name": "清波通"})
    assert "A1" in {s["code"] for s in before["similar"] if s["duplicate"]}
    end("app", ["A1", "A2"], "cancelled", dt.date.today() - dt.timedelta(days=1), cast)
    after = Prechecker().check(item("apps", DISTINCT_APP, related_systems=["A2"]) | {"name": "清波通"})
    assert "A1" not in {s["code"] for s in after["similar"]}
    assert "F5" not in {v["rule"] for v in after["violations"]}
