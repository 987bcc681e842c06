"""Carrier status with dates: a finding marked done cancels or merges exactly its carriers, on that day."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from jianfu.audit.models import AuditEvent
from jianfu.findings.actions import DecisionError, default_keeper
from jianfu.findings.models import Finding
from jianfu.registry.importing import import_paths
from jianfu.registry.lifecycle import active_q
from jianfu.registry.models import App, WorkGroup
from tests import builders
from tests.reports.conftest import accept_and_finish

pytestmark = pytest.mark.django_db


def active_groups(day) -> set[str]:
    return set(WorkGroup.objects.filter(active_q(WorkGroup, day)).values_list("code", flat=True))


def test_a_merge_marked_done_keeps_the_chosen_group_and_merges_the_other_on_that_day(first_run):
    today = timezone.localdate()
    merge = Finding.objects.get(type="duplicate_groups")
    done = accept_and_finish(merge, first_run.county, keep="G4")
    assert done.carried_out == {"kept": "G4", "merged": ["G1"]}
    g1, g4 = WorkGroup.objects.get(code="G1"), WorkGroup.objects.get(code="G4")
    assert (g1.status, g1.status_date, g1.merged_into, g1.status_finding) == ("merged", today, "G4", merge.fid)
    assert g4.status == "active" and g4.status_date is None
    # Exactly G1 leaves, from that day on; the day before it was still active.
    assert active_groups(today - dt.timedelta(days=1)) == {"G1", "G2", "G3", "G4"}
    assert active_groups(today) == {"G2", "G3", "G4"}
    event = AuditEvent.objects.get(action="carrier.merged", object_code="G1")
    assert event.changes["merged_into"] == ["", "G4"] and event.actor_name == "county"


def test_the_default_keeper_is_the_largest(first_run):
    merge = Finding.objects.get(type="duplicate_groups")
    WorkGroup.objects.filter(code="G1").update(member_count=9)
    assert default_keeper(merge) == "G1"
    accept_and_finish(merge, first_run.county)
    assert WorkGroup.objects.get(code="G4").merged_into == "G1"
    assert WorkGroup.objects.get(code="G1").status == "active"


def test_a_keeper_the_finding_does_not_name_is_refused_and_nothing_changes(first_run):
    from jianfu.findings.actions import do_decide_finding

    merge = Finding.objects.get(type="duplicate_groups")
    do_decide_finding(merge, "accepted", "", acting_user=first_run.county)
    with pytest.raises(DecisionError):
        do_decide_finding(Finding.objects.get(pk=merge.pk), "done", "", acting_user=first_run.county, keep="G2")
    assert Finding.objects.get(pk=merge.pk).status == "accepted"
    assert active_groups(timezone.localdate()) == {"G1", "G2", "G3", "G4"}


def test_a_cancel_marked_done_cancels_only_its_carrier(first_run):
    expired = Finding.objects.get(type="expired_group", items=["G1"])
    accept_and_finish(expired, first_run.county)
    assert WorkGroup.objects.get(code="G1").status == "cancelled"
    assert active_groups(timezone.localdate()) == {"G2", "G3", "G4"}
    # A finding about an app that only asks for rectification changes no status.
    forced = Finding.objects.filter(type="forced_feature", items=["A1"]).first()
    accept_and_finish(forced, first_run.county)
    assert App.objects.get(code="A1").status == "active"


def test_a_temporary_group_past_its_task_end_stays_active_until_cancelled(first_run):
    g3 = WorkGroup.objects.get(code="G3")
    assert g3.nature == "temporary" and g3.task_end_date < timezone.localdate() and g3.status == "active"
    assert Finding.objects.filter(type="expired_group", items=["G3"]).exists()
    assert "G3" in active_groups(timezone.localdate())


def test_detection_counts_only_carriers_active_on_the_analysis_date(first_run):
    from jianfu.findings.running import run_and_store

    accept_and_finish(Finding.objects.get(type="duplicate_groups"), first_run.county, keep="G4")
    today = timezone.localdate()
    # Analysed as of yesterday, G1 was still there: the duplicate is reported again (same id, still done).
    before = run_and_store(as_of=today - dt.timedelta(days=1), actor="test")
    assert any(f["type"] == "duplicate_groups" for f in before["findings"])
    after = run_and_store(as_of=today, actor="test")
    assert not any("G1" in f["items"] for f in after["findings"])
    assert Finding.objects.get(type="duplicate_groups").status == "done"
    assert after["burden"]["total_hours_per_month"]["groups"] < before["burden"]["total_hours_per_month"]["groups"]


def test_the_web_form_offers_the_keeper_and_applies_the_choice(first_run, as_user):
    merge = Finding.objects.get(type="duplicate_groups")
    client = as_user(first_run.county)
    client.post(f"/findings/{merge.fid}/decide/", {"status": "accepted"})
    page = client.get(f"/findings/{merge.fid}/")
    # Both hold two members: equal sizes keep the finding's order (its main item first).
    assert [code for code, _name, _size in page.context["keepers"]] == merge.items
    assert 'name="keep"' in page.content.decode()
    response = client.post(f"/findings/{merge.fid}/decide/", {"status": "done", "keep": "G4"})
    assert response.status_code == 302
    assert WorkGroup.objects.get(code="G1").merged_into == "G4"
    assert "G4" in client.get(f"/findings/{merge.fid}/").content.decode()


def test_the_api_decision_takes_the_keeper(first_run, client, token_for):
    merge = Finding.objects.get(type="duplicate_groups")
    headers = token_for(first_run.county)
    url = f"/api/v1/findings/{merge.fid}/decision/"
    post = lambda body: client.post(url, json.dumps(body), content_type="application/json", **headers)  # noqa: E731
    assert post({"decision": "accept"}).status_code == 200
    bad = post({"decision": "done", "keep": "G2"})
    assert bad.status_code == 400 and "keep" in bad.json()["error"]["fields"]
    assert post({"decision": "done", "keep": "G4"}).status_code == 200
    assert WorkGroup.objects.get(code="G1").status == "merged"


def test_imports_read_the_status_and_cancellation_date_columns(cast, tmp_path):
    rows = [
        ["编号", "名称", "类别", "主管单位", "状态", "注销日期"],
        ["A1", "清波通", "APP", "330102000001", "已注销", "2026-06-30"],
        ["A2", "民政统计平台", "平台", "330102001000", "在用", ""],
        ["A9", "新应用", "APP", "330102000001", "", "2026/7/1"],
    ]
    report = import_paths([builders.write_xlsx(tmp_path / "apps.xlsx", rows)], actor="test")
    assert report.ok, [e.message() for f in report.files for e in f.errors]
    a1, a9 = App.objects.get(code="A1"), App.objects.get(code="A9")
    assert (a1.status, a1.status_date) == ("cancelled", dt.date(2026, 6, 30))
    assert (a9.status, a9.status_date) == ("cancelled", dt.date(2026, 7, 1))
    assert App.objects.get(code="A2").status == "active"
    assert set(App.objects.filter(active_q(App, dt.date(2026, 6, 29))).values_list("code", flat=True)) >= {"A1"}
    assert "A1" not in set(App.objects.filter(active_q(App, dt.date(2026, 6, 30))).values_list("code", flat=True))
    # A file without the columns leaves the status alone.
    plain = [["编号", "名称", "类别", "主管单位"], ["A1", "清波通", "APP", "330102000001"]]
    assert import_paths([builders.write_xlsx(tmp_path / "apps2.xlsx", plain)], actor="test").ok
    assert App.objects.get(code="A1").status == "cancelled"


def test_an_active_status_with_a_cancellation_date_is_refused_whole(cast, tmp_path):
    rows = [
        ["编号", "名称", "类别", "主管单位", "状态", "注销日期"],
        ["A1", "清波通", "APP", "330102000001", "注销", "2026-06-30"],
        ["A2", "民政统计平台", "平台", "330102001000", "在用", "2026-06-30"],
        ["A3", "拱墅通", "APP", "330105000000", "作废了", ""],
    ]
    report = import_paths([builders.write_xlsx(tmp_path / "apps.xlsx", rows)], actor="test")
    assert not report.ok
    messages = " ".join(e.message() for f in report.files for e in f.errors)
    assert "状态为在用时不应填写注销日期" in messages and "应为状态" in messages
    assert App.objects.get(code="A1").status == "active"  # nothing written from the rejected file


def test_an_exported_list_carries_the_status_and_imports_back_unchanged(first_run, tmp_path):
    from jianfu.registry.export import write_xlsx

    accept_and_finish(Finding.objects.get(type="duplicate_groups"), first_run.county, keep="G4")
    exported, _rows = write_xlsx("groups", WorkGroup.objects.select_related("owner", "owner_person").order_by("code"))
    path = tmp_path / "groups.xlsx"
    path.write_bytes(exported.read())
    report = import_paths([path], actor="test")
    assert report.ok and report.files[0].updated == 0
    g1 = WorkGroup.objects.get(code="G1")
    assert (g1.status, g1.status_date, g1.merged_into) == ("merged", timezone.localdate(), "G4")


def test_the_detail_page_shows_the_status_date_keeper_and_finding(first_run, as_user):
    merge = Finding.objects.get(type="duplicate_groups")
    accept_and_finish(merge, first_run.county, keep="G4")
    body = as_user(first_run.county).get("/groups/G1/").content.decode()
    assert 'id="carrier-status"' in body and "/groups/G4/" in body and f"/findings/{merge.fid}/" in body
    assert 'id="carrier-status"' not in as_user(first_run.county).get("/groups/G4/").content.decode()


def test_a_merge_brings_the_merged_groups_members_into_the_kept_group(first_run):
    from jianfu.registry.models import Membership, Person

    Membership.objects.create(group=WorkGroup.objects.get(code="G1"), person=Person.objects.get(code="P3"))
    merge = Finding.objects.get(type="duplicate_groups")
    accept_and_finish(merge, first_run.county, keep="G4")
    g4 = WorkGroup.objects.get(code="G4")
    members = set(Membership.objects.filter(group=g4).values_list("person__code", flat=True))
    assert members == {"P1", "P2", "P3"} and g4.member_count == 3
    # The merged group keeps its own list (history); the kept group's change is audited with the finding.
    assert set(Membership.objects.filter(group__code="G1").values_list("person__code", flat=True)) == {"P1", "P2", "P3"}
    event = AuditEvent.objects.get(action="update", object_kind="groups", object_code="G4")
    assert event.changes["members_added"] == [None, ["P3"]] and event.changes["member_count"] == [2, 3]
    assert event.changes["merged_from"] == [None, ["G1"]] and event.changes["finding"] == [None, merge.fid]


def test_a_merge_of_groups_with_the_same_members_adds_nobody(first_run):
    accept_and_finish(Finding.objects.get(type="duplicate_groups"), first_run.county, keep="G4")
    assert WorkGroup.objects.get(code="G4").member_count == 2
    assert not AuditEvent.objects.filter(action="update", object_kind="groups", object_code="G4").exists()
