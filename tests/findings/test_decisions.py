"""Decisions that cannot go wrong (issue 9 §2, issue 8 item 5): who sees a finding, who decides it, the
department's reject as a request the office settles, notices, audit, and a form that keeps what was chosen."""

import datetime as dt
import io

import openpyxl
import pytest

from jianfu.accounts.models import Role
from jianfu.audit.models import AuditEvent
from jianfu.findings.hours import saved_hours
from jianfu.findings.models import Finding
from jianfu.findings.running import run_and_store
from jianfu.inbox.models import Message
from tests.cast import TOWNSHIP, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def analysed(cast):
    document = run_and_store(as_of=dt.date(2026, 11, 26), actor="test")
    cast.document = document
    cast.township_office = make_user("township-office", TOWNSHIP, Role.OFFICE)
    return cast


def cross_scope() -> Finding:
    """The duplicate groups G4 (a community's) and G1 (the civil affairs bureau's)."""
    return Finding.objects.get(type="duplicate_groups")


def own_finding() -> Finding:
    """A finding about the bureau's own app only."""
    return Finding.objects.get(type="forced_feature", rule="F1", items=["A1"])


def ids(client, url="/findings/") -> set[str]:
    return {f.fid for f in client.get(url).context["page"]}


def test_a_finding_naming_two_units_carriers_is_seen_by_both(analysed, as_user):
    finding = cross_scope()
    assert "/330102000001/" not in finding.owner_path  # owned by the community, names the bureau's group too
    assert finding.fid in ids(as_user(analysed.department))
    assert as_user(analysed.department).get(f"/findings/{finding.fid}/").status_code == 200
    assert finding.fid in ids(as_user(analysed.township_office))
    assert finding.fid not in ids(as_user(analysed.outsider))
    assert as_user(analysed.outsider).get(f"/findings/{finding.fid}/").status_code == 404
    assert as_user(None).get(f"/findings/{finding.fid}/").status_code == 302


def test_only_the_office_covering_every_carrier_decides(analysed, as_user):
    finding = cross_scope()
    # The township office sees it (the community is under it) but not the bureau's group: it may not decide.
    response = as_user(analysed.township_office).post(
        f"/findings/{finding.fid}/decide/", {"status": "rejected", "reason": "不重复"}
    )
    assert response.status_code == 400 and Finding.objects.get(pk=finding.pk).status == "open"
    as_user(analysed.county).post(f"/findings/{finding.fid}/decide/", {"status": "accepted"})
    assert Finding.objects.get(pk=finding.pk).status == "accepted"


def test_a_department_cannot_accept_what_is_not_all_its_own(analysed, as_user):
    page = as_user(analysed.department).get(f"/findings/{cross_scope().fid}/")
    assert [value for value, _ in page.context["choices"]] == ["rejected"]
    assert [
        value for value, _ in as_user(analysed.department).get(f"/findings/{own_finding().fid}/").context["choices"]
    ] == ["accepted", "rejected"]


def test_a_departments_reject_is_a_request_the_office_confirms(analysed, as_user):
    finding = own_finding()
    client = as_user(analysed.department)
    client.post(f"/findings/{finding.fid}/decide/", {"status": "rejected", "reason": "群仍在使用"})
    finding.refresh_from_db()
    assert finding.status == "contested" and finding.request_reason == "群仍在使用"
    assert finding.requested_by == analysed.department and finding.decided_by is None
    # The office and the discipline officer are told; the requester may not settle it.
    assert Message.objects.filter(recipient=analysed.county, url=f"/findings/{finding.fid}/").exists()
    assert Message.objects.filter(recipient=analysed.discipline, url=f"/findings/{finding.fid}/").exists()
    assert not Message.objects.filter(recipient=analysed.outsider).exists()
    assert client.post(f"/findings/{finding.fid}/decide/", {"settle": "confirm"}).status_code == 400
    assert (
        as_user(analysed.discipline).post(f"/findings/{finding.fid}/decide/", {"settle": "confirm"}).status_code == 400
    )
    assert as_user(analysed.outsider).post(f"/findings/{finding.fid}/decide/", {"settle": "confirm"}).status_code == 404
    as_user(analysed.county).post(f"/findings/{finding.fid}/decide/", {"settle": "confirm", "reason": ""})
    finding.refresh_from_db()
    assert finding.status == "rejected" and finding.decided_by == analysed.county
    assert finding.decision_reason == "群仍在使用"
    assert Message.objects.filter(recipient=analysed.department, subject__startswith="已确认驳回").exists()
    assert Message.objects.filter(recipient=analysed.discipline).count() == 2
    actions = list(AuditEvent.objects.filter(object_code=finding.fid).order_by("id").values_list("action", flat=True))
    assert actions == ["finding.reject_requested", "finding.reject_confirmed"]


def test_the_office_overrules_with_a_reason(analysed, as_user):
    finding = own_finding()
    as_user(analysed.department).post(f"/findings/{finding.fid}/decide/", {"status": "rejected", "reason": "仍在用"})
    client = as_user(analysed.county)
    assert client.post(f"/findings/{finding.fid}/decide/", {"settle": "overrule", "reason": ""}).status_code == 400
    client.post(f"/findings/{finding.fid}/decide/", {"settle": "overrule", "reason": "打卡要求必须取消"})
    finding.refresh_from_db()
    assert finding.status == "accepted" and finding.decision_reason == "打卡要求必须取消"


def test_a_failed_reject_keeps_the_reject_chosen_and_shows_the_error_once(analysed, as_user):
    finding = own_finding()
    response = as_user(analysed.county).post(f"/findings/{finding.fid}/decide/", {"status": "rejected", "reason": " "})
    assert response.status_code == 400
    html = response.content.decode()
    assert '<option value="rejected" selected>' in html
    assert html.count("驳回必须填写理由") == 1
    assert Finding.objects.get(pk=finding.pk).status == "open"


@pytest.mark.parametrize("who", ["discipline", "cadre"])
def test_roles_that_may_not_decide_cannot(analysed, as_user, who):
    finding = own_finding()
    client = as_user(getattr(analysed, who))
    client.post(f"/findings/{finding.fid}/decide/", {"status": "accepted"})
    assert Finding.objects.get(pk=finding.pk).status == "open"


def test_cards_cli_and_export_give_one_number(analysed, as_user):
    client = as_user(analysed.province)
    context = client.get("/findings/").context
    figure = saved_hours(Finding.objects.filter(is_current=True))
    assert context["total"]["hours"] == figure == analysed.document["summary"]["hours_saved_per_month"]
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/findings/export.xlsx").content)).active
    assert list(sheet.iter_rows(min_row=sheet.max_row, values_only=True))[0][6] == figure
    # Filtered: the cards follow the filter and so does the export's total.
    filtered = client.get("/findings/?action=cancel", HTTP_HX_REQUEST="true")
    expected = saved_hours(Finding.objects.filter(is_current=True, action="cancel"))
    assert filtered.context["total"]["hours"] == expected
    assert "finding-cards" in filtered.content.decode()
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/findings/export.xlsx?action=cancel").content)).active
    assert list(sheet.iter_rows(min_row=sheet.max_row, values_only=True))[0][6] == expected


def test_the_export_is_a_ledger(analysed, as_user):
    finding = own_finding()
    as_user(analysed.county).post(f"/findings/{finding.fid}/decide/", {"status": "accepted", "reason": "限期整改"})
    sheet = openpyxl.load_workbook(io.BytesIO(as_user(analysed.county).get("/findings/export.xlsx").content)).active
    headers = [c.value for c in sheet[1]]
    assert {"处理意见", "处理人", "处理时间", "证据"} <= set(headers)
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == finding.fid)
    record = dict(zip(headers, row))
    assert record["处理意见"] == "限期整改" and record["处理人"] == "county" and record["处理时间"]
    assert "强制功能数：1" in record["证据"] and "=" not in record["证据"]
    assert sheet.column_dimensions["H"].width > 40  # the reason column is wide and wraps


def test_search_in_traditional_by_code_and_unit_name(analysed, as_user):
    client = as_user(analysed.province)
    demand = Finding.objects.get(type="group_demand", rule="F2")
    assert demand.fid in ids(client, "/findings/?q=過度留痕")
    assert ids(client, "/findings/?q=G2") == set(
        Finding.objects.filter(items__icontains="G2").values_list("fid", flat=True)
    )
    by_name = ids(client, "/findings/?unit=民政局")
    assert own_finding().fid in by_name and cross_scope().fid in by_name
    assert ids(client, "/findings/?unit=330102000001") == by_name


def test_the_page_shows_the_arithmetic_and_the_reason_in_the_viewers_language(analysed, as_user):
    finding = Finding.objects.get(type="zombie_app", items=["A1"])
    client = as_user(analysed.county)
    html = client.get(f"/findings/{finding.fid}/").content.decode()
    assert "app_features[打卡签到]" in html and "app_features[积分排名]" in html
    assert "939天未更新" in html
    client.cookies["django_language"] = "en"
    english = client.get(f"/findings/{finding.fid}/").content.decode()
    assert "has not been updated for 939 days" in english and "App “清波通”" in english
    assert "Forced feature “打卡签到”" in english and "Everyone in the owner&#x27;s region" in english


def test_history_shows_labels_a_person_reads(analysed, as_user):
    finding = own_finding()
    client = as_user(analysed.county)
    client.post(f"/findings/{finding.fid}/decide/", {"status": "rejected", "reason": "已整改"})
    html = client.get(f"/findings/{finding.fid}/").content.decode()
    history = html[html.index('id="history"') :]
    assert "<td>状态</td><td>待处理</td><td>已驳回</td>" in history and "<td>处理意见</td>" in history
    assert ">open<" not in history and "decision_reason" not in history


def test_history_names_units_and_joins_lists(analysed):
    from jianfu.audit.log import record
    from jianfu.audit.readable import readable

    event = record(
        actor=analysed.county,
        action="filing.submitted",
        kind="proposals",
        code="P-1",
        changes={"steps": [None, ["330102000000", "330100000000"]], "status": ["draft", "in_review"]},
        unit_path="/330000000000/",
    )
    row = readable([event])[0]
    assert row["action"] == "提交审核"
    labels = {label: (old, new) for label, old, new in row["changes"]}
    assert labels["审批层级"] == ("—", "上城区（330102000000） → 杭州市（330100000000）")
    assert "['" not in str(labels) and "in_review" not in str(labels)


def test_the_dashboard_says_what_to_do_first_with_the_same_number(analysed, as_user):
    finding = own_finding()
    as_user(analysed.county).post(f"/findings/{finding.fid}/decide/", {"status": "accepted"})
    for who in ("province", "county", "outsider", "department"):
        user = getattr(analysed, who)
        todo = as_user(user).get("/").context["todo"]
        from jianfu.accounts import scope

        open_findings = scope.scoped(user, Finding).filter(is_current=True, status="open")
        assert todo["hours"] == saved_hours(open_findings), who
        cards = as_user(user).get("/findings/?status=open").context["total"]["hours"]
        assert todo["hours"] == cards, who
        assert {f.fid for f in todo["top"]} <= set(open_findings.values_list("fid", flat=True))
        assert sum(n for _rule, _label, n, _hours in todo["by_rule"]) == open_findings.count()
    top = as_user(analysed.county).get("/").context["todo"]["top"]
    assert finding.fid not in {f.fid for f in top}  # decided: no longer to do
    html = as_user(analysed.county).get("/").content.decode()
    assert f'href="/findings/{top[0].fid}/"' in html
    assert (
        as_user(analysed.outsider).get("/").context["todo"]["count"]
        < as_user(analysed.province).get("/").context["todo"]["count"]
    )


def test_a_decision_shows_on_the_cached_dashboard_at_once(analysed, as_user):
    """The dashboard caches its sums over the open findings; a decision makes a new data version."""
    from jianfu.accounts import scope

    client = as_user(analysed.county)
    before = client.get("/").context["todo"]
    finding = own_finding()
    assert finding.hours_saved_per_month > 0
    client.post(f"/findings/{finding.fid}/decide/", {"status": "accepted"})
    after = client.get("/").context["todo"]
    open_findings = scope.scoped(analysed.county, Finding).filter(is_current=True, status="open")
    assert after["count"] == before["count"] - 1 == open_findings.count()
    # A1 stays named by its zombie finding, whose saving is larger: the hours hold, each item counted once.
    assert after["hours"] == saved_hours(open_findings) <= before["hours"]
