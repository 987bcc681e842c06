"""GET /api/v1/findings/ (filters), GET /api/v1/findings/<id>/, POST /api/v1/findings/<id>/decision/."""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from jianfu.accounts import scope
from jianfu.api import pages
from jianfu.api.errors import ApiError
from jianfu.api.schemas import ERRORS, DecisionIn, FindingOut, page_of
from jianfu.audit.log import via_api_token
from jianfu.findings import actions
from jianfu.findings.models import Finding
from jianfu.registry.kinds import Sort

router = Router(tags=["findings"])
FindingPage = page_of(FindingOut, "FindingPage")
# By finding id: it never changes (a re-analysis rewrites the hours, which would make a walk by saving skip
# or repeat rows), and its unique index serves each page without sorting the region's findings (~1 ms, not
# ~170 ms for a city's 60,000 findings ordered by saving).
BY_ID = Sort("id", "fid")
DECISION_STATUS = {"accept": Finding.Status.ACCEPTED, "reject": Finding.Status.REJECTED, "done": Finding.Status.DONE}


class FindingParams(Schema):
    type: str = Field("", max_length=40, description="a finding type, e.g. duplicate_groups")
    rule: str = Field("", max_length=10, description="F1 … F5")
    status: Literal["", "open", "accepted", "rejected", "done", "contested"] = ""
    limit: int = Field(pages.DEFAULT_LIMIT, ge=1, le=pages.MAX_LIMIT)
    cursor: str | None = Field(None, max_length=pages.MAX_CURSOR_CHARS)


def as_json(finding: Finding) -> dict:
    """A finding as `analyze --json` writes it, plus its status and decision."""
    return {
        "id": finding.fid,
        "type": finding.type,
        "rule": finding.rule,
        "action": finding.action,
        "items": finding.items,
        "score": finding.score,
        "evidence": finding.evidence,
        "hours_saved_per_month": finding.hours_saved_per_month,
        "reason": finding.reason,
        "owner_code": finding.owner.code if finding.owner else None,
        "status": finding.status,
        "decision_reason": finding.decision_reason,
        "decided_at": finding.decided_at,
    }


# What a list page reads (answer field → column or lookup): as_json's values without model instances, and without
# the columns the answer does not carry (reason parameters, arithmetic, paths: JSON decoded for nothing).
LIST_COLUMNS = {
    "id": "fid",
    "type": "type",
    "rule": "rule",
    "action": "action",
    "items": "items",
    "score": "score",
    "evidence": "evidence",
    "hours_saved_per_month": "hours_saved_per_month",
    "reason": "reason",
    "owner_code": "owner__code",
    "status": "status",
    "decision_reason": "decision_reason",
    "decided_at": "decided_at",
}


def _state_refuses(seen: str, current: str, target: str) -> bool:
    """Whether a refused decision is a state conflict (409) rather than a role that may not (403)."""
    Status = Finding.Status
    return (
        current != seen
        or current == target
        or current in (Status.DONE, Status.CONTESTED)
        or (target == Status.DONE and current != Status.ACCEPTED)
    )


def _scoped(user):
    return scope.scoped(user, Finding).filter(is_current=True).select_related("owner")


def _finding_or_404(user, fid: str) -> Finding:
    try:
        return _scoped(user).get(fid=fid)
    except Finding.DoesNotExist:
        raise Http404 from None


@router.get("/findings/", response={200: FindingPage, **ERRORS}, operation_id="list_findings")
def finding_list(request, params: Query[FindingParams]):
    """The current findings in the token's region, by id; filter by type, rule and status."""
    qs = scope.scoped(request.user, Finding).filter(is_current=True)
    for name in ("type", "rule", "status"):
        if getattr(params, name):
            qs = qs.filter(**{name: getattr(params, name)})
    qs = qs.values("id", *LIST_COLUMNS.values())
    rows, next_url = pages.page(request, qs, BY_ID, namespace="findings", cursor=params.cursor, limit=params.limit)
    return {"results": [{name: row[column] for name, column in LIST_COLUMNS.items()} for row in rows], "next": next_url}


@router.get("/findings/{fid}/", response={200: FindingOut, **ERRORS}, operation_id="get_finding")
def finding_detail(request, fid: str):
    """One finding by its id (as in `analyze --json`)."""
    return as_json(_finding_or_404(request.user, fid))


@router.post("/findings/{fid}/decision/", response={200: FindingOut, **ERRORS}, operation_id="decide_finding")
def finding_decision(request, fid: str, payload: DecisionIn):
    """Accept, reject (a reason is required) or mark done; 409 when the finding's state no longer allows it."""
    finding = _finding_or_404(request.user, fid)
    if not actions.can_decide(request.user, finding):
        raise ApiError("forbidden")
    target = DECISION_STATUS[payload.decision]
    if target == Finding.Status.REJECTED and not payload.reason.strip():
        raise ApiError("invalid", fields={"reason": [_("驳回必须填写理由")]})
    if (
        payload.keep
        and target == Finding.Status.DONE
        and payload.keep not in [code for code, _n, _s in actions.merge_candidates(finding)]
    ):
        raise ApiError("invalid", fields={"keep": [_("保留的对象必须是该问题所列、仍在用的对象之一")]})
    try:
        with via_api_token(request.auth.id):
            decided = actions.do_decide_finding(
                finding, target, payload.reason, acting_user=request.user, keep=payload.keep
            )
    except PermissionDenied:
        raise ApiError("forbidden") from None
    except actions.DecisionError:
        current = Finding.objects.filter(pk=finding.pk).values_list("status", flat=True).first()
        if not _state_refuses(finding.status, current, target):
            raise ApiError("forbidden") from None  # the state allows it, this officer may not (not their carriers)
        raise ApiError(
            "conflict",
            _("当前状态为「%(current)s」，不能改为「%(target)s」")
            % {"current": Finding.Status(current).label, "target": Finding.Status(target).label},
        ) from None
    decided.owner = finding.owner
    return as_json(decided)
