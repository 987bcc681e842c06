"""Decisions on findings: one do_* function, in a transaction, with the acting user and an audit row."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from jianfu.accounts.models import Role, User
from jianfu.audit.log import record
from jianfu.findings.models import Finding

DECIDER_ROLES = {Role.ADMIN, Role.OFFICE, Role.DEPARTMENT}
# Which status a decision may move a finding from: a decision can be revised, a done finding stays done.
_ALLOWED = {
    Finding.Status.ACCEPTED: {Finding.Status.OPEN, Finding.Status.REJECTED},
    Finding.Status.REJECTED: {Finding.Status.OPEN, Finding.Status.ACCEPTED},
    Finding.Status.DONE: {Finding.Status.ACCEPTED},
    Finding.Status.OPEN: {Finding.Status.ACCEPTED, Finding.Status.REJECTED},
}


class DecisionError(Exception):
    pass


def can_decide(user: User) -> bool:
    return user.is_authenticated and (user.role in DECIDER_ROLES or user.is_superuser)


def do_decide_finding(finding: Finding, status: str, reason: str, *, acting_user: User) -> Finding:
    if not can_decide(acting_user):
        raise DecisionError("您没有处理问题的权限")
    if status not in _ALLOWED:
        raise DecisionError("未知的处理结果")
    reason = (reason or "").strip()
    if status == Finding.Status.REJECTED and not reason:
        raise DecisionError("驳回必须填写理由")
    with transaction.atomic():
        # Lock the row: two officers deciding at once must not both apply.
        current = Finding.objects.select_for_update().get(pk=finding.pk)
        if current.status not in _ALLOWED[status]:
            raise DecisionError(f"当前状态为「{current.get_status_display()}」，不能改为「{Finding.Status(status).label}」")
        old = {"status": current.status, "decision_reason": current.decision_reason}
        current.status, current.decision_reason = status, reason
        current.decided_by, current.decided_at = acting_user, timezone.now()
        current.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
        record(actor=acting_user, action=f"finding.{status}", kind="findings", code=current.fid,
               changes={k: [v, getattr(current, k)] for k, v in old.items()}, unit_path=current.owner_path)
    return current
