"""The approval workflow: transitions refuse illegal moves; levels come from the region's route; approval files
the item into the registry; every step is an event and an audit row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from jianfu.audit.log import verify_chain
from jianfu.audit.models import AuditEvent
from jianfu.filings import actions
from jianfu.filings.models import (
    Filing,
    IllegalTransition,
    Proposal,
    ProposalEvent,
    RegionPolicy,
    StaleDecision,
    TransitionError,
)
from jianfu.inbox.models import Message
from jianfu.registry.models import App, Membership, Unit, WorkGroup
from tests.cast import CITY, COUNTY, PROVINCE
from tests.proposals import make_proposal

pytestmark = pytest.mark.django_db
ALL_YES = {"1": "yes", "4": "yes"}  # the criteria the pre-check leaves open for the distinct app


# --- the transition methods alone ------------------------------------------------------------------------

STEPS = [
    {"level": "county", "region": COUNTY, "region_name": "上城区"},
    {"level": "city", "region": CITY, "region_name": "杭州市"},
]


@pytest.mark.parametrize(
    "status, moves",
    [
        ("draft", {"approve", "reject", "return"}),
        ("returned", {"approve", "reject", "return"}),
        ("approved", {"submit", "approve", "reject", "return", "withdraw", "edit", "comment"}),
        ("rejected", {"submit", "approve", "reject", "return", "withdraw", "edit", "comment"}),
        ("withdrawn", {"submit", "approve", "reject", "return", "withdraw", "edit", "comment"}),
        ("in_review", {"submit", "edit"}),
    ],
)
def test_transitions_refuse_illegal_moves(status, moves):
    calls = {
        "submit": lambda p: p.submit(STEPS),
        "approve": lambda p: p.approve(0),
        "reject": lambda p: p.reject(0, "理由"),
        "return": lambda p: p.return_for_revision(0, "理由"),
        "withdraw": lambda p: p.withdraw(),
        "edit": lambda p: p.check_editable(),
        "comment": lambda p: p.check_comment(),
    }
    for move in moves:
        p = Proposal(status=status, steps=STEPS, current_step=0)
        with pytest.raises(IllegalTransition):
            calls[move](p)
        assert p.status == status


def test_legal_moves_and_their_targets():
    p = Proposal(status="draft")
    p.submit(STEPS)
    assert (p.status, p.current_step, p.current_region) == ("in_review", 0, COUNTY)
    with pytest.raises(StaleDecision):
        p.approve(1)
    assert p.approve(0) is False and (p.current_step, p.current_region) == (1, CITY)
    with pytest.raises(TransitionError):
        p.reject(1, "  ")
    p.return_for_revision(1, "请补充共享数据")
    assert p.status == "returned" and p.current_region == ""
    p.submit(STEPS)
    assert p.current_step == 0  # a resubmitted proposal passes every level again
    p.approve(0)
    assert p.approve(1) is True and p.status == "approved"


# --- through the actions --------------------------------------------------------------------------------


def test_submission_resolves_the_default_route_and_notifies_the_first_level(cast, city):
    proposal = make_proposal(cast.department)
    actions.do_submit_proposal(proposal, acting_user=cast.department)
    assert proposal.status == "in_review"
    assert [s["region"] for s in proposal.steps] == [COUNTY, CITY]
    assert proposal.precheck["similar"] is not None and proposal.precheck_at is not None
    assert Message.objects.filter(recipient=cast.county, topic="filing.review").exists()
    assert not Message.objects.filter(recipient=city).exists()


def test_two_levels_approve_and_the_app_enters_the_registry(cast, city):
    proposal = make_proposal(cast.department)
    actions.do_submit_proposal(proposal, acting_user=cast.department)
    actions.do_approve_proposal(proposal, step=0, criteria=ALL_YES, acting_user=cast.county)
    assert proposal.status == "in_review" and proposal.current_region == CITY
    assert Message.objects.filter(recipient=city, topic="filing.review").exists()
    actions.do_approve_proposal(proposal, step=1, criteria=ALL_YES, acting_user=city)
    assert proposal.status == "approved"
    filing = Filing.objects.get(proposal=proposal)
    year = timezone.localdate().year
    assert filing.number == f"330100-APP-{year}-0001"
    assert filing.expires_on == timezone.localdate() + dt.timedelta(days=365) and filing.basis == "review"
    app = App.objects.get(code=filing.item_code)
    assert app.name == "上城区养老服务补贴申领系统" and app.owner.code == "330102000001"
    assert Message.objects.filter(recipient=cast.department, topic="filing.approved").exists()
    actions_seen = list(proposal.events.values_list("action", flat=True))
    assert actions_seen == ["created", "submitted", "approved", "approved", "filed"]
    audited = set(AuditEvent.objects.filter(object_code=proposal.code).values_list("action", flat=True))
    assert {"filing.created", "filing.submitted", "filing.approved"} <= audited
    assert AuditEvent.objects.filter(object_kind="apps", object_code=app.code, action="create").exists()
    assert verify_chain() == []


def test_a_region_configures_its_levels(cast):
    RegionPolicy.objects.create(
        region=Unit.objects.get(code=PROVINCE), routes={"apps": ["county", "province"]}, valid_days={"apps": 730}
    )
    proposal = make_proposal(cast.department)
    actions.do_submit_proposal(proposal, acting_user=cast.department)
    assert [s["region"] for s in proposal.steps] == [COUNTY, PROVINCE]
    actions.do_approve_proposal(proposal, step=0, criteria=ALL_YES, acting_user=cast.county)
    actions.do_approve_proposal(proposal, step=1, criteria=ALL_YES, acting_user=cast.province)
    filing = Filing.objects.get(proposal=proposal)
    assert filing.number.startswith("330000-APP-") and filing.expires_on == timezone.localdate() + dt.timedelta(730)
    # The county overrides the province for its own region: groups need the county alone by default.
    RegionPolicy.objects.create(region=Unit.objects.get(code=COUNTY), routes={"groups": ["county", "city", "province"]})
    group = make_proposal(cast.department, "groups", details={"members": ["P3"]})
    actions.do_submit_proposal(group, acting_user=cast.department)
    assert [s["level"] for s in group.steps] == ["county", "city", "province"]


def test_who_may_decide(cast, submitted, city):
    for user in (cast.department, cast.discipline, cast.cadre, city):
        with pytest.raises(PermissionDenied):
            actions.do_approve_proposal(submitted, step=0, criteria=ALL_YES, acting_user=user)
    with pytest.raises(StaleDecision):
        actions.do_approve_proposal(submitted, step=1, criteria=ALL_YES, acting_user=city)
    assert Proposal.objects.get(pk=submitted.pk).current_step == 0
    # An administrator may act on any level, but not on two levels of one proposal.
    actions.do_approve_proposal(submitted, step=0, criteria=ALL_YES, acting_user=cast.admin)
    with pytest.raises(TransitionError, match="两个层级"):
        actions.do_approve_proposal(submitted, step=1, criteria=ALL_YES, acting_user=cast.admin)


def test_nobody_reviews_their_own_proposal(cast):
    proposal = make_proposal(cast.county, owner=Unit.objects.get(code="330102000001"))
    actions.do_submit_proposal(proposal, acting_user=cast.county)
    with pytest.raises(TransitionError, match="不能审核它"):
        actions.do_approve_proposal(proposal, step=0, criteria=ALL_YES, acting_user=cast.county)


def test_the_criteria_must_be_met_to_approve(cast, submitted):
    with pytest.raises(TransitionError, match="第 1 项"):
        actions.do_approve_proposal(submitted, step=0, criteria={"4": "yes"}, acting_user=cast.county)
    with pytest.raises(TransitionError, match="不能审核通过"):
        actions.do_approve_proposal(submitted, step=0, criteria={**ALL_YES, "2": "no"}, acting_user=cast.county)
    assert Proposal.objects.get(pk=submitted.pk).current_step == 0


def test_overriding_an_automatic_no_needs_a_comment(cast):
    group = make_proposal(cast.department, "groups")  # duplicates G1: criterion 2 is "no"
    actions.do_submit_proposal(group, acting_user=cast.department)
    with pytest.raises(TransitionError, match="须填写审核意见"):
        actions.do_approve_proposal(group, step=0, criteria={"2": "yes", "3": "yes"}, acting_user=cast.county)
    actions.do_approve_proposal(
        group, step=0, criteria={"2": "yes", "3": "yes"}, text="G1 将于本月解散，由新群替代", acting_user=cast.county
    )
    group.refresh_from_db()
    filing = Filing.objects.get(proposal=group)
    assert filing.basis == "task_end" and filing.expires_on == dt.date(2099, 9, 30)
    created = WorkGroup.objects.get(code=filing.item_code)
    assert created.member_count == 2 and set(
        Membership.objects.filter(group=created).values_list("person__code", flat=True)
    ) == {"P1", "P2"}


def test_return_and_resubmit(cast, submitted):
    with pytest.raises(TransitionError):
        actions.do_return_proposal(submitted, step=0, reason=" ", acting_user=cast.county)
    actions.do_return_proposal(submitted, step=0, reason="请补充规划依据", acting_user=cast.county)
    assert submitted.status == "returned"
    assert Message.objects.filter(recipient=cast.department, topic="filing.returned").exists()
    with pytest.raises(IllegalTransition):
        actions.do_approve_proposal(submitted, step=0, criteria=ALL_YES, acting_user=cast.county)
    actions.do_update_proposal(submitted, {"plan_ref": "养老服务体系建设"}, acting_user=cast.department)
    assert submitted.precheck == {}
    actions.do_submit_proposal(submitted, acting_user=cast.department)
    assert submitted.status == "in_review" and submitted.current_step == 0 and submitted.precheck


def test_reject_needs_a_reason_and_is_final(cast, submitted):
    with pytest.raises(TransitionError, match="理由"):
        actions.do_reject_proposal(submitted, step=0, reason="", acting_user=cast.county)
    actions.do_reject_proposal(submitted, step=0, reason="与现有系统重复", acting_user=cast.county)
    assert submitted.status == "rejected" and submitted.decision_reason == "与现有系统重复"
    for call in (
        lambda: actions.do_submit_proposal(submitted, acting_user=cast.department),
        lambda: actions.do_update_proposal(submitted, {"name": "改名"}, acting_user=cast.department),
        lambda: actions.do_withdraw_proposal(submitted, acting_user=cast.department),
    ):
        with pytest.raises(IllegalTransition):
            call()
    assert not Filing.objects.exists()


def test_forced_features_are_refused_at_submission(cast):
    proposal = make_proposal(cast.department, details={"forced_features": ["积分排名"]})
    with pytest.raises(actions.SubmissionRefused) as refused:
        actions.do_submit_proposal(proposal, acting_user=cast.department)
    assert refused.value.violations[0]["rule"] == "F3"
    proposal.refresh_from_db()
    assert proposal.status == "draft" and proposal.refusals and proposal.steps == []
    assert proposal.events.last().action == ProposalEvent.Action.REFUSED
    assert AuditEvent.objects.filter(object_code=proposal.code, action="filing.refused").exists()
    assert not Message.objects.filter(topic="filing.review").exists()
    # Marked as emergency use with a reason, the same proposal goes to review.
    actions.do_update_proposal(
        proposal, {"emergency": True, "emergency_reason": "防汛抢险期间人员调度"}, acting_user=cast.department
    )
    actions.do_submit_proposal(proposal, acting_user=cast.department)
    assert proposal.status == "in_review"


def test_a_township_may_not_propose_an_app(cast):
    from tests.cast import TOWNSHIP, make_user

    from jianfu.accounts.models import Role

    officer = make_user("town", TOWNSHIP, Role.DEPARTMENT)
    proposal = make_proposal(officer)
    with pytest.raises(actions.SubmissionRefused, match="层级限制"):
        actions.do_submit_proposal(proposal, acting_user=officer)


def test_proposers_and_comments(cast, submitted):
    with pytest.raises(PermissionDenied):
        make_proposal(cast.outsider, owner=Unit.objects.get(code=COUNTY))
    with pytest.raises(PermissionDenied):
        make_proposal(cast.cadre)
    with pytest.raises(PermissionDenied):
        actions.do_submit_proposal(submitted, acting_user=cast.outsider)
    actions.do_comment_proposal(submitted, "请说明与民政统计平台的关系", acting_user=cast.county)
    actions.do_comment_proposal(submitted, "统计平台无申领功能", acting_user=cast.department)
    with pytest.raises(PermissionDenied):
        actions.do_comment_proposal(submitted, "路过", acting_user=cast.outsider)
    assert submitted.events.filter(action="commented").count() == 2


def test_withdraw(cast, submitted):
    actions.do_withdraw_proposal(submitted, acting_user=cast.department, reason="改用现有平台")
    assert submitted.status == "withdrawn" and submitted.current_region == ""
    with pytest.raises(IllegalTransition):
        actions.do_approve_proposal(submitted, step=0, criteria=ALL_YES, acting_user=cast.county)


def test_an_item_code_already_in_the_registry_is_refused(cast, city):
    with pytest.raises(TransitionError, match="已有编号"):
        make_proposal(cast.department, item_code="A1")
    proposal = make_proposal(cast.department, item_code="YL-001")
    actions.do_submit_proposal(proposal, acting_user=cast.department)
    actions.do_approve_proposal(proposal, step=0, criteria=ALL_YES, acting_user=cast.county)
    actions.do_approve_proposal(proposal, step=1, criteria=ALL_YES, acting_user=city)
    assert Filing.objects.get(proposal=proposal).item_code == "YL-001" and App.objects.filter(code="YL-001").exists()
