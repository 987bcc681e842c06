"""Expiry and reminders (the scheduled run), renewal, and items that reach the registry without a filing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jianfu.audit.models import AuditEvent
from jianfu.filings import actions
from jianfu.filings.lifecycle import off_catalog, run_lifecycle
from jianfu.filings.models import Filing, IllegalTransition, RegionPolicy, RenewalRequest, TransitionError
from jianfu.inbox.models import Message
from jianfu.registry.models import App, Unit, WorkGroup
from tests.cast import COUNTY
from tests.proposals import make_proposal

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def filed_group(cast, end: dt.date, members=("P3",), name="汛期值守临时群"):
    # A name of its own: 防汛工作群（新） next to the bureau's 防汛工作群 is a near-identical name for the reviewer.
    group = make_proposal(
        cast.department, "groups", name=name, details={"members": list(members), "task_end_date": end.isoformat()}
    )
    actions.do_submit_proposal(group, acting_user=cast.department)
    actions.do_approve_proposal(group, step=0, criteria={"3": "yes"}, acting_user=cast.county)
    return Filing.objects.get(proposal=group)


def test_a_temporary_group_expires_at_its_task_end(cast):
    filing = filed_group(cast, TODAY + dt.timedelta(days=10))
    assert filing.basis == "task_end" and filing.expires_on == TODAY + dt.timedelta(days=10)
    assert WorkGroup.objects.get(code=filing.item_code).task_end_date == filing.expires_on


def test_reminders_go_by_email_and_inbox_once_per_expiry(cast, mailoutbox, django_capture_on_commit_callbacks):
    cast.department.email = "bureau@example.gov.cn"
    cast.department.save()
    filing = filed_group(cast, TODAY + dt.timedelta(days=10))
    far = filed_group(cast, TODAY + dt.timedelta(days=200), members=("P1",), name="秋冬季森林防火临时群")
    with django_capture_on_commit_callbacks(execute=True):
        report = run_lifecycle(TODAY)
    assert report.reminded == [filing.number] and report.expired == []
    assert [m.to for m in mailoutbox] == [["bureau@example.gov.cn"]]
    assert filing.number in mailoutbox[0].body and "到期" in mailoutbox[0].subject
    inbox = Message.objects.filter(recipient=cast.department, topic="filing.reminder")
    assert inbox.count() == 1 and inbox.get().url == f"/filings/records/{filing.number}/"
    with django_capture_on_commit_callbacks(execute=True):
        again = run_lifecycle(TODAY + dt.timedelta(days=1))
    assert again.reminded == [] and len(mailoutbox) == 1
    assert far.number not in report.reminded


def test_the_reminder_window_is_set_per_region(cast):
    RegionPolicy.objects.create(region=Unit.objects.get(code=COUNTY), remind_days=60)
    filing = filed_group(cast, TODAY + dt.timedelta(days=45))
    assert run_lifecycle(TODAY).reminded == [filing.number]


def test_filings_past_their_date_expire_once(cast):
    filing = filed_group(cast, TODAY + dt.timedelta(days=3))
    report = run_lifecycle(TODAY + dt.timedelta(days=4))
    assert report.expired == [filing.number]
    filing.refresh_from_db()
    assert filing.status == "expired" and filing.expired_at is not None
    with pytest.raises(IllegalTransition):
        filing.expire()
    assert Message.objects.filter(recipient=cast.department, topic="filing.expired").exists()
    assert AuditEvent.objects.filter(object_code=filing.number, action="filing.expired").count() == 1
    assert run_lifecycle(TODAY + dt.timedelta(days=5)).expired == []
    assert run_lifecycle(TODAY + dt.timedelta(days=3)).expired == []  # on its date it is still valid


def test_renewal_request_and_decision(cast):
    filing = filed_group(cast, TODAY + dt.timedelta(days=5))
    with pytest.raises(TransitionError):
        actions.do_request_renewal(filing, until=TODAY, reason="继续", acting_user=cast.department)
    until = TODAY + dt.timedelta(days=90)
    request = actions.do_request_renewal(filing, until=until, reason="汛期延长", acting_user=cast.department)
    assert Message.objects.filter(recipient=cast.county, topic="filing.renewal").exists()
    with pytest.raises(TransitionError, match="待审核"):
        actions.do_request_renewal(filing, until=until, reason="再次", acting_user=cast.department)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.do_decide_renewal(request, approve=True, reason="", acting_user=cast.department)
    actions.do_decide_renewal(request, approve=True, reason="同意", acting_user=cast.county)
    filing.refresh_from_db()
    assert filing.expires_on == until and filing.status == "active" and filing.reminded_for is None
    assert WorkGroup.objects.get(code=filing.item_code).task_end_date == until
    assert RenewalRequest.objects.get(pk=request.pk).status == "approved"
    with pytest.raises(TransitionError):
        actions.do_decide_renewal(request, approve=False, reason="晚了", acting_user=cast.county)


def test_an_expired_filing_can_be_renewed(cast):
    filing = filed_group(cast, TODAY + dt.timedelta(days=1))
    run_lifecycle(TODAY + dt.timedelta(days=2))
    filing.refresh_from_db()
    request = actions.do_request_renewal(
        filing, until=TODAY + dt.timedelta(days=30), reason="任务延期", acting_user=cast.department
    )
    with pytest.raises(TransitionError, match="理由"):
        actions.do_decide_renewal(request, approve=False, reason="", acting_user=cast.county)
    actions.do_decide_renewal(request, approve=True, reason="", acting_user=cast.county)
    filing.refresh_from_db()
    assert filing.status == "active"


def test_items_without_a_filing_are_off_catalog(cast):
    assert set(off_catalog("apps").values_list("code", flat=True)) == {"A1", "A2", "A3"}
    RegionPolicy.objects.create(region=Unit.objects.get(code=COUNTY), filing_since=TODAY + dt.timedelta(days=1))
    # Under the county, only what arrives after its filing date counts; elsewhere every unfiled item does.
    assert set(off_catalog("apps").values_list("code", flat=True)) == {"A3"}
    App.objects.filter(code="A1").update(created_at=timezone.now() + dt.timedelta(days=2))
    assert set(off_catalog("apps").values_list("code", flat=True)) == {"A1", "A3"}
    proposal = make_proposal(cast.department, item_code="YL-9")
    actions.do_submit_proposal(proposal, acting_user=cast.department)
    actions.do_approve_proposal(proposal, step=0, criteria={"1": "yes", "4": "yes"}, acting_user=cast.county)
    actions.do_approve_proposal(proposal, step=1, criteria={"1": "yes", "4": "yes"}, acting_user=cast.admin)
    App.objects.filter(code="YL-9").update(created_at=timezone.now() + dt.timedelta(days=2))
    assert "YL-9" not in set(off_catalog("apps").values_list("code", flat=True))
    assert set(off_catalog("groups").values_list("code", flat=True)) == {"G3"}
