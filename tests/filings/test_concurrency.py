"""Two reviewers acting at once cannot both apply a decision: real concurrent transactions on PostgreSQL
(two threads, two connections); the optimistic version check on any database."""

from __future__ import annotations


import pytest

from jianfu.accounts.models import Role
from jianfu.filings import actions
from jianfu.filings.models import Filing, Proposal, ProposalEvent, StaleDecision, TransitionError
from tests.cast import CITY, COUNTY, build_cast, make_user
from tests.concurrency import at_once, hold_the_first_lock, require_postgresql
from tests.proposals import make_proposal

ALL_YES = {"1": "yes", "4": "yes"}


@pytest.fixture
def committed(transactional_db, county_folder):
    require_postgresql()
    cast = build_cast(county_folder)
    cast.county2 = make_user("county2", COUNTY, Role.OFFICE)
    cast.city = make_user("city", CITY, Role.OFFICE)
    cast.city2 = make_user("city2", CITY, Role.OFFICE)
    proposal = make_proposal(cast.department)
    actions.do_submit_proposal(proposal, acting_user=cast.department)
    cast.proposal = proposal
    return cast


@pytest.fixture
def slow_lock(monkeypatch):
    """The first decision to lock the proposal holds the lock until the other decision is queued behind it."""
    hold_the_first_lock(monkeypatch, actions, "_locked")


def approve(user, step):
    return lambda: actions.do_approve_proposal(
        Proposal.objects.get(code=code_of[0]), step=step, criteria=ALL_YES, acting_user=user
    )


code_of: list[str] = [""]


def test_two_reviewers_approving_one_level_at_once_apply_it_once(committed, slow_lock):
    code_of[0] = committed.proposal.code
    results = at_once(approve(committed.county, 0), approve(committed.county2, 0))
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], StaleDecision), results
    proposal = Proposal.objects.get(pk=committed.proposal.pk)
    assert proposal.current_step == 1 and proposal.version == committed.proposal.version + 1
    assert ProposalEvent.objects.filter(proposal=proposal, action="approved", step=0).count() == 1


def test_two_final_approvals_at_once_file_one_item(committed, slow_lock):
    code_of[0] = committed.proposal.code
    actions.do_approve_proposal(committed.proposal, step=0, criteria=ALL_YES, acting_user=committed.county)
    results = at_once(approve(committed.city, 1), approve(committed.city2, 1))
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], TransitionError), results
    assert Filing.objects.filter(proposal=committed.proposal).count() == 1
    assert ProposalEvent.objects.filter(proposal=committed.proposal, action="approved", step=1).count() == 1


def test_an_approval_and_a_rejection_at_once(committed, slow_lock):
    code_of[0] = committed.proposal.code

    def reject():
        return actions.do_reject_proposal(
            Proposal.objects.get(code=code_of[0]), step=0, reason="重复", acting_user=committed.county2
        )

    results = at_once(approve(committed.county, 0), reject)
    assert sum(isinstance(r, Exception) for r in results) == 1, results
    proposal = Proposal.objects.get(pk=committed.proposal.pk)
    decided = ProposalEvent.objects.filter(proposal=proposal, action__in=["approved", "rejected"])
    assert decided.count() == 1
    assert proposal.status == ("rejected" if decided.get().action == "rejected" else "in_review")


@pytest.mark.django_db
def test_a_decision_on_a_row_changed_meanwhile_is_refused(cast):
    """The conditional UPDATE alone (no lock): a stale copy of the proposal cannot be saved."""
    proposal = make_proposal(cast.department)
    actions.do_submit_proposal(proposal, acting_user=cast.department)
    stale = Proposal.objects.get(pk=proposal.pk)
    Proposal.objects.filter(pk=proposal.pk).update(version=stale.version + 1)
    stale.approve(0)
    with pytest.raises(StaleDecision):
        actions._save(stale)
    assert Proposal.objects.get(pk=proposal.pk).current_step == 0
