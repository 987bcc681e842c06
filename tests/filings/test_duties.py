"""Separation of duties in the filing gate: whoever writes a version does not decide it, a renewal is decided by
someone other than its requester, and a region's rules are set from above, never below the national floor."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from jianfu.accounts.models import Role, User
from jianfu.filings import access, actions
from jianfu.filings import policy as policies
from jianfu.filings.models import Filing, Proposal, RegionPolicy, TransitionError
from jianfu.registry.models import Unit
from tests.cast import COUNTY, PASSWORD, TOWNSHIP
from tests.proposals import make_proposal

pytestmark = pytest.mark.django_db

ALL_YES = {"1": "yes", "4": "yes"}  # the criteria the pre-check leaves open for the distinct app


def officer(username: str, unit_code: str, role: str = Role.OFFICE) -> User:
    user = User(username=username, role=role, unit=Unit.objects.get(code=unit_code))
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def colleague(cast) -> User:
    """A second officer of the county office: the someone else a decision needs."""
    return officer("county2", COUNTY)


def test_a_reviewer_who_returned_rewrote_and_resubmitted_may_not_approve(cast, colleague):
    proposal = make_proposal(cast.department)
    actions.do_submit_proposal(proposal, acting_user=cast.department)
    actions.do_return_proposal(proposal, step=0, reason="补充理由", acting_user=cast.county)
    # The county office may propose for the bureau, so it can rewrite and resubmit what it returned ...
    actions.do_update_proposal(proposal, {"justification": "县里改写的理由"}, acting_user=cast.county)
    actions.do_submit_proposal(proposal, acting_user=cast.county)
    # ... but not decide on it: not approve, not return, not reject.
    with pytest.raises(TransitionError, match="不能审核它"):
        actions.do_approve_proposal(proposal, step=0, criteria=ALL_YES, acting_user=cast.county)
    with pytest.raises(TransitionError, match="不能审核它"):
        actions.do_reject_proposal(proposal, step=0, reason="x", acting_user=cast.county)
    assert proposal not in access.to_review(cast.county)
    assert not access.can_review_step(cast.county, proposal)
    assert proposal in access.to_review(colleague)
    actions.do_approve_proposal(proposal, step=0, criteria=ALL_YES, acting_user=colleague)
    assert Proposal.objects.get(pk=proposal.pk).current_step == 1


def test_an_edit_alone_bars_the_editor_even_when_the_author_resubmits(cast, colleague):
    proposal = make_proposal(cast.department)
    actions.do_submit_proposal(proposal, acting_user=cast.department)
    actions.do_return_proposal(proposal, step=0, reason="改名", acting_user=colleague)
    actions.do_update_proposal(proposal, {"name": "上城区养老服务新平台"}, acting_user=cast.county)
    actions.do_submit_proposal(proposal, acting_user=cast.department)
    with pytest.raises(TransitionError, match="不能审核它"):
        actions.do_approve_proposal(proposal, step=0, criteria=ALL_YES, acting_user=cast.county)
    actions.do_approve_proposal(proposal, step=0, criteria=ALL_YES, acting_user=colleague)


def test_the_refusal_is_translated(cast):
    proposal = make_proposal(cast.county, owner=Unit.objects.get(code="330102000001"))
    actions.do_submit_proposal(proposal, acting_user=cast.county)
    with translation.override("en"), pytest.raises(TransitionError) as refused:
        actions.do_approve_proposal(proposal, step=0, criteria=ALL_YES, acting_user=cast.county)
    assert "another reviewer" in str(refused.value)


def filed_group(cast, approver: User) -> Filing:
    end = timezone.localdate() + dt.timedelta(days=5)
    group = make_proposal(cast.department, "groups", details={"members": ["P3"], "task_end_date": end.isoformat()})
    actions.do_submit_proposal(group, acting_user=cast.department)
    actions.do_approve_proposal(group, step=0, criteria={"2": "yes", "3": "yes"}, acting_user=approver)
    return Filing.objects.get(proposal=group)


def test_a_renewal_needs_someone_other_than_its_requester(cast, colleague):
    filing = filed_group(cast, colleague)
    until = timezone.localdate() + dt.timedelta(days=60)
    # The county office may request a renewal for the bureau's filing, and it reviews the county's renewals.
    request = actions.do_request_renewal(filing, until=until, reason="汛期延长", acting_user=cast.county)
    with pytest.raises(TransitionError, match="申请人以外"):
        actions.do_decide_renewal(request, approve=True, reason="同意", acting_user=cast.county)
    filing.refresh_from_db()
    assert filing.expires_on != until
    actions.do_decide_renewal(request, approve=True, reason="同意", acting_user=colleague)
    filing.refresh_from_db()
    assert filing.expires_on == until


@pytest.fixture
def township(cast) -> User:
    return officer("qingbo", TOWNSHIP)


def test_a_township_may_not_set_its_own_route(cast, township):
    region = Unit.objects.get(code=TOWNSHIP)
    assert not actions.can_set_policy(township, region)
    with pytest.raises(PermissionDenied):
        actions.do_set_region_policy(
            region, {"routes": {"apps": ["township"]}, "valid_days": {"apps": 3650}}, acting_user=township
        )
    assert not RegionPolicy.objects.exists()


def test_the_county_office_sets_the_townships_rules_but_not_its_own(cast):
    assert actions.can_set_policy(cast.county, Unit.objects.get(code=TOWNSHIP))
    assert not actions.can_set_policy(cast.county, Unit.objects.get(code=COUNTY))
    actions.do_set_region_policy(
        Unit.objects.get(code=TOWNSHIP), {"routes": {"groups": ["township"]}}, acting_user=cast.county
    )  # groups may stay in the township if the county says so


@pytest.mark.parametrize(
    "values,message",
    [
        ({"routes": {"apps": ["township"]}}, "县级及以上"),
        ({"routes": {"platforms": ["village", "township"]}}, "县级及以上"),
        ({"routes": {"groups": []}}, "审批层级配置无效"),
        ({"valid_days": {"apps": 3650}}, "有效期"),
        ({"valid_days": {"forms": 1}}, "有效期"),
        ({"remind_days": 400}, "提醒"),
    ],
)
def test_rules_below_the_national_floor_are_refused(cast, values, message):
    with pytest.raises(TransitionError, match=message):
        actions.do_set_region_policy(Unit.objects.get(code=TOWNSHIP), values, acting_user=cast.county)
    assert not RegionPolicy.objects.exists()


def test_a_stored_rule_below_the_floor_is_not_obeyed(cast):
    # A policy written before the floor existed: the county still sees the township's apps; ten years become three.
    township_region = Unit.objects.get(code=TOWNSHIP)
    RegionPolicy.objects.create(region=township_region, routes={"apps": ["township"]}, valid_days={"apps": 3650})
    effective = policies.policy_for(township_region)
    assert effective.routes["apps"] == policies.DEFAULT_ROUTES["apps"]
    assert effective.valid_days["apps"] == policies.MAX_VALID_DAYS
    steps = policies.resolve_steps(township_region, "apps", effective)
    assert COUNTY in [step["region"] for step in steps]


def test_the_policy_page_shows_the_floor_error(cast, as_user):
    client = as_user(cast.county)
    response = client.post(f"/filings/policy/?region={TOWNSHIP}", {"route_apps": ["township"]})
    assert response.status_code == 200 and "县级及以上" in response.content.decode()
    assert not RegionPolicy.objects.exists()
