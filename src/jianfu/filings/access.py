"""Who may see and act on proposals and filings: region scope, as jianfu.accounts.scope draws it.

* Everyone sees the proposals and filings of their region (owner path under their unit's path); an
  object outside it answers 404. A cadre sees their own unit's only.
* Department and office officers propose for their unit (office officers also for units of their region).
* A level is reviewed by the office of the region it is pinned to: an office-role user whose unit is that
  region (or a department hung directly under it, such as the county's 减负办). Administrators may act on
  any level. Nobody decides on a proposal they created, edited or submitted (any version of it), nobody
  approves two levels of one proposal, and nobody decides on a renewal they requested.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from jianfu.accounts.models import Role, User
from jianfu.accounts.scope import scoped, sees_everything, within_unit
from jianfu.filings.models import Filing, Proposal, ProposalEvent
from jianfu.registry.models import Unit

PROPOSER_ROLES = {Role.ADMIN, Role.OFFICE, Role.DEPARTMENT}


def scoped_proposals(user: User) -> QuerySet:
    """Proposals of the user's region (through the scope door), plus those the user wrote."""
    if not user.is_authenticated:
        return Proposal.objects.none()
    # Whoever wrote a proposal keeps seeing it, even if their unit moved.
    written = Proposal.objects.filter(created_by_id=user.pk)
    return (scoped(user, Proposal) | written).select_related("owner")


def scoped_filings(user: User) -> QuerySet:
    return scoped(user, Filing).select_related("owner", "proposal")


def get_proposal_or_404(user: User, code: str) -> Proposal:
    try:
        return scoped_proposals(user).get(code=code)
    except Proposal.DoesNotExist:
        raise Http404 from None


def get_filing_or_404(user: User, number: str) -> Filing:
    try:
        return scoped_filings(user).get(number=number)
    except Filing.DoesNotExist:
        raise Http404 from None


def can_propose(user: User) -> bool:
    return bool(user.is_authenticated and user.role in PROPOSER_ROLES and (sees_everything(user) or user.unit_id))


def owner_choices(user: User) -> QuerySet:
    """Units this user may propose for."""
    if not can_propose(user):
        return Unit.objects.none()
    if sees_everything(user) or user.role == Role.OFFICE:
        return scoped(user, Unit)
    return Unit.objects.filter(pk=user.unit_id)


def may_propose_for(user: User, unit: Unit) -> bool:
    return owner_choices(user).filter(pk=unit.pk).exists()


def is_proposer_side(user: User, proposal: Proposal) -> bool:
    """The author, or an officer who may propose for the owner unit."""
    if not user.is_authenticated:
        return False
    if proposal.created_by_id == user.pk:
        return True
    return can_propose(user) and may_propose_for(user, proposal.owner)


def pickable_people(user: User) -> QuerySet:
    """People a proposer may pick as group members: those of their home region (a county department's group
    gathers cadres from the whole county), shown by name and unit only. Others: their ordinary scope."""
    from jianfu.filings.policy import home_region
    from jianfu.registry.models import Person

    if can_propose(user) and not sees_everything(user):
        return within_unit(Person, home_region(user.unit))
    return scoped(user, Person)


def reviewer_regions(user: User) -> set[str] | None:
    """Codes of the regions whose levels this user reviews (None: any, for administrators)."""
    if not user.is_authenticated:
        return set()
    if sees_everything(user):
        return None
    if user.role != Role.OFFICE or user.unit_id is None:
        return set()
    unit = user.unit
    regions = {unit.code}
    if not unit.is_region and unit.parent_id:
        regions.add(unit.parent.code)
    return regions


def is_reviewer(user: User) -> bool:
    regions = reviewer_regions(user)
    return regions is None or bool(regions)


#: events that write a version of a proposal: whoever did one of them may not decide on it
AUTHORING_ACTIONS = (
    ProposalEvent.Action.CREATED,
    ProposalEvent.Action.EDITED,
    ProposalEvent.Action.SUBMITTED,
    ProposalEvent.Action.REFUSED,
)


def wrote_a_version(user: User, proposal: Proposal) -> bool:
    """Whether the user created, edited or submitted any version of the proposal (then they may not decide it)."""
    if proposal.created_by_id is not None and proposal.created_by_id == user.pk:
        return True
    return ProposalEvent.objects.filter(proposal=proposal, actor_id=user.pk, action__in=AUTHORING_ACTIONS).exists()


def reviews_level(user: User, proposal: Proposal) -> bool:
    """The office of the region the proposal's current level is pinned to (or an administrator)."""
    step = proposal.step
    if step is None or not user.is_authenticated:
        return False
    regions = reviewer_regions(user)
    return regions is None or step["region"] in regions


def can_review_step(user: User, proposal: Proposal) -> bool:
    """May act on the proposal's current level (comments, returns, approvals, rejections)."""
    return reviews_level(user, proposal) and not wrote_a_version(user, proposal)


def approved_earlier_level(user: User, proposal: Proposal) -> bool:
    return ProposalEvent.objects.filter(
        proposal=proposal,
        actor=user,
        action=ProposalEvent.Action.APPROVED,
        step__lt=proposal.current_step,
        at__gte=proposal.submitted_at,
    ).exists()


def to_review(user: User) -> QuerySet:
    """Proposals waiting for this user's level."""
    regions = reviewer_regions(user)
    qs = scoped_proposals(user).filter(status=Proposal.Status.IN_REVIEW)
    authored = ProposalEvent.objects.filter(proposal=OuterRef("pk"), actor_id=user.pk, action__in=AUTHORING_ACTIONS)
    qs = qs.exclude(created_by_id=user.pk).exclude(Exists(authored))
    return qs if regions is None else qs.filter(current_region__in=regions)


def reviewers_of(region_code: str) -> QuerySet:
    """Office officers who review a level pinned to this region."""
    return User.objects.filter(is_active=True, role=Role.OFFICE).filter(
        Q(unit__code=region_code) | Q(unit__parent__code=region_code, unit__is_region=False)
    )


def can_decide_renewal(user: User, filing: Filing) -> bool:
    """The office of the region that filed it decides a renewal."""
    regions = reviewer_regions(user)
    return regions is None or filing.region_code in regions


def can_request_renewal(user: User, filing: Filing) -> bool:
    if not can_propose(user):
        return False
    if filing.proposal_id and filing.proposal.created_by_id == user.pk:
        return True
    return may_propose_for(user, filing.owner)
