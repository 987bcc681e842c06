"""The case workflow: opening, responding, verifying (separation of duties), accountability; every step audited
and notified; illegal moves refused."""

import datetime as dt

import pytest
from django.core import mail

from jianfu.audit.models import AuditEvent
from jianfu.cases import actions
from jianfu.cases.models import Accountability, Case, CaseEvent, IllegalTransition
from jianfu.findings.models import Finding
from jianfu.inbox.models import Message
from jianfu.registry.models import Unit
from tests.cases.conftest import in_days
from tests.cast import SIBLING

pytestmark = pytest.mark.django_db


def test_opening_numbers_the_case_and_tells_the_units_department_officers(
    world, open_case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case()
    year = dt.date.today().year
    assert case.number == f"{year}-0001" and case.status == "open" and case.region.code == world.county.unit.code
    assert (
        open_case(finding=Finding.objects.get(type="forced_feature", rule="F3", items=["A1"])).number == f"{year}-0002"
    )
    recipients = set(Message.objects.filter(url=f"/cases/{case.number}/").values_list("recipient__username", flat=True))
    assert recipients == {"bureau", "bureau2"}
    assert sorted(m.to[0] for m in mail.outbox) == ["bureau2@example.gov.cn", "bureau@example.gov.cn"]
    assert "取消打卡签到功能" in mail.outbox[0].body
    event = AuditEvent.objects.get(object_kind="cases", object_code=case.number)
    assert event.action == "case.opened" and event.actor_name == "county"


def test_one_finding_has_at_most_one_open_case(world, open_case):
    case = open_case()
    with pytest.raises(actions.Conflict, match=case.number):
        open_case(by=world.discipline)
    assert Case.objects.count() == 1


def test_the_database_refuses_a_second_open_case_too(world, open_case):
    from django.db import IntegrityError, transaction

    case = open_case()
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(
            number="X-1",
            finding=case.finding,
            unit=case.unit,
            unit_path=case.unit_path,
            demand="x",
            deadline=case.deadline,
            opened_by_name="x",
            region=case.region,
            supervisor=case.region,
        )


@pytest.mark.parametrize("days, message", [(-1, "不能早于今天"), (400, "不能超过一年")])
def test_a_deadline_in_the_past_or_too_far_is_refused(world, open_case, days, message):
    with pytest.raises(actions.CaseError, match=message):
        open_case(days=days)
    assert not Case.objects.exists() and not AuditEvent.objects.filter(object_kind="cases").exists()


def test_the_deadline_may_be_today(world, open_case):
    assert open_case(days=0).status == "open"


def test_who_may_open(world):
    finding, unit = world.finding, world.bureau
    for user in (world.department, world.cadre):
        with pytest.raises(actions.Forbidden):
            actions.do_open_case(finding, unit, "x", in_days(5), acting_user=user)
    with pytest.raises(actions.Forbidden):  # out of region
        actions.do_open_case(finding, unit, "x", in_days(5), acting_user=world.outsider)
    with pytest.raises(actions.CaseError, match="责任单位"):
        actions.do_open_case(finding, Unit.objects.get(code=SIBLING), "x", in_days(5), acting_user=world.county)
    assert (
        actions.do_open_case(finding, unit, "x", in_days(5), acting_user=world.province).region.code == "330000000000"
    )


def test_the_whole_loop_with_separation_of_duties(world, open_case):
    case = open_case()
    with pytest.raises(actions.Forbidden):
        actions.do_respond_case(case, "已整改", acting_user=world.county)  # not the responsible unit
    with pytest.raises(IllegalTransition):
        actions.do_verify_case(case, True, "", acting_user=world.discipline)  # nothing to verify yet
    case = actions.do_respond_case(case, "已关闭打卡功能", acting_user=world.department)
    assert case.status == "responded"
    assert Message.objects.filter(recipient=world.county, url=f"/cases/{case.number}/").exists()
    assert Message.objects.filter(recipient=world.discipline, url=f"/cases/{case.number}/").exists()
    with pytest.raises(actions.Forbidden):
        actions.do_verify_case(case, True, "", acting_user=world.bureau2)  # the responsible unit itself
    with pytest.raises(actions.CaseError, match="核验意见"):
        actions.do_verify_case(case, False, " ", acting_user=world.county)  # a refusal needs its reason
    case = actions.do_verify_case(case, False, "截图显示功能仍在", acting_user=world.county)
    assert case.status == "reopened" and case.reopen_count == 1
    case = actions.do_respond_case(case, "已彻底下线打卡模块", acting_user=world.bureau2)
    case = actions.do_verify_case(case, True, "", acting_user=world.discipline)
    assert case.status == "closed" and case.closed_by == world.discipline
    finding = Finding.objects.get(pk=world.finding.pk)
    assert finding.status == "done" and finding.decided_by == world.discipline
    assert AuditEvent.objects.filter(object_code=finding.fid, action="finding.done").get().changes["case"] == [
        None,
        case.number,
    ]
    with pytest.raises(IllegalTransition):
        actions.do_respond_case(case, "again", acting_user=world.department)
    assert list(case.events.values_list("action", flat=True)) == [
        "opened",
        "responded",
        "refused",
        "responded",
        "accepted",
    ]
    assert list(AuditEvent.objects.filter(object_kind="cases").order_by("id").values_list("action", flat=True)) == [
        "case.opened",
        "case.responded",
        "case.refused",
        "case.responded",
        "case.accepted",
    ]
    # Closed: the finding may have a new case again later.
    assert Case.objects.filter(finding=finding).exclude(status="closed").count() == 0


def test_the_responder_may_not_verify_even_with_another_role(world, open_case):
    case = actions.do_respond_case(open_case(), "done", acting_user=world.department)
    world.department.role = "office"  # promoted the same day: still the person who responded
    world.department.save()
    with pytest.raises(actions.Forbidden):
        actions.do_verify_case(case, True, "", acting_user=world.department)


def test_a_stale_form_is_refused(world, open_case):
    case = open_case()
    version = case.version
    actions.do_respond_case(case, "done", acting_user=world.department)
    with pytest.raises(actions.Conflict):
        actions.do_respond_case(case, "again", acting_user=world.bureau2, version=version)


def test_accountability_outcomes_on_a_closed_case(world, open_case):
    case = open_case()
    with pytest.raises(IllegalTransition):
        actions.do_record_outcome(case, "criticism", "x", acting_user=world.discipline)
    case = actions.do_respond_case(case, "done", acting_user=world.department)
    case = actions.do_verify_case(case, True, "ok", acting_user=world.county)
    for kind in ("rectified", "criticism", "notice", "transfer"):
        actions.do_record_outcome(case, kind, f"理由 {kind}", acting_user=world.discipline)
    with pytest.raises(actions.Conflict):
        actions.do_record_outcome(case, "criticism", "again", acting_user=world.discipline)
    with pytest.raises(actions.Forbidden):
        actions.do_record_outcome(case, "criticism", "x", acting_user=world.department)
    with pytest.raises(actions.CaseError):
        actions.do_record_outcome(case, "criticism", "", acting_user=world.county)
    assert list(Accountability.objects.values_list("kind", "decided_by_name", "reason")) == [
        ("rectified", "jiwei", "理由 rectified"),
        ("criticism", "jiwei", "理由 criticism"),
        ("notice", "jiwei", "理由 notice"),
        ("transfer", "jiwei", "理由 transfer"),
    ]
    assert CaseEvent.objects.filter(case=case, action="accountability").count() == 4


def test_a_cross_unit_finding_is_opened_only_by_an_office_covering_it(world):
    from jianfu.accounts.models import Role
    from tests.cast import TOWNSHIP, make_user

    township = make_user("township-office", TOWNSHIP, Role.OFFICE)
    finding = Finding.objects.get(type="duplicate_groups")
    with pytest.raises(actions.Forbidden, match="以外"):
        actions.do_open_case(finding, Unit.objects.get(code=TOWNSHIP), "x", in_days(3), acting_user=township)


def test_a_finding_under_a_case_outlives_a_reanalysis_that_no_longer_reports_it(world, open_case):
    from jianfu.findings.running import run_and_store
    from jianfu.registry.models import App

    case = open_case()
    other = Finding.objects.get(type="forced_feature", rule="F3", items=["A1"])
    App.objects.filter(code="A1").update(forced_features=[])
    run_and_store(as_of=dt.date(2026, 11, 27), actor="test")
    finding = Finding.objects.get(pk=case.finding_id)
    assert not finding.is_current and finding.status == "open"
    assert not Finding.objects.filter(pk=other.pk).exists()  # no case: it goes, as before
    assert actions.do_respond_case(case, "已取消", acting_user=world.department).status == "responded"
