"""Decisions on findings: do_* functions, each in a transaction, with the acting user, an audit row and notices.

Who decides what (issue 9 §2, issue 8 item 5):

* an office officer (or an admin) whose region covers every carrier a finding names decides it;
* a department officer may accept a finding, or mark it done, when every carrier it names is its own; it may
  not clear one: its reject becomes a request (``contested``) with its reason, which such an office confirms
  or overrules;
* discipline officers covering the finding are told of every request and of its outcome;
* nobody settles a request they made.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jianfu.accounts.models import Role, User
from jianfu.audit.log import record
from jianfu.findings.models import Finding
from jianfu.inbox.api import notify

Status = Finding.Status
DECIDER_ROLES = {Role.ADMIN, Role.OFFICE, Role.DEPARTMENT}
# Which status a decision may move a finding from: a decision can be revised, a done finding stays done.
_ALLOWED = {
    Status.ACCEPTED: {Status.OPEN, Status.REJECTED},
    Status.REJECTED: {Status.OPEN, Status.ACCEPTED},
    Status.DONE: {Status.ACCEPTED},
    Status.OPEN: {Status.ACCEPTED, Status.REJECTED},
}


class DecisionError(Exception):
    pass


def _paths(finding: Finding) -> list[str]:
    return [p for p in finding.scope_paths.split("|") if p]


def covers_all(user: User, finding: Finding) -> bool:
    """Whether the user's region holds every carrier the finding names."""
    if user.role == Role.ADMIN or user.is_superuser:
        return True
    if not user.unit_id:
        return False
    return finding.decider_path.startswith(user.unit.path)


def can_decide(user: User, finding: Finding | None = None) -> bool:
    """Whether the user may take some decision on this finding (or, without one, on findings at all)."""
    if not user.is_authenticated or not (user.role in DECIDER_ROLES or user.is_superuser):
        return False
    return finding is None or user.role == Role.DEPARTMENT or covers_all(user, finding)


def is_final_decider(user: User, finding: Finding) -> bool:
    """An office officer or admin whose region covers the whole finding."""
    return (
        user.is_authenticated
        and (user.role in (Role.ADMIN, Role.OFFICE) or user.is_superuser)
        and covers_all(user, finding)
    )


def choices_for(user: User, finding: Finding) -> list[str]:
    """The statuses this user may pick on this finding, in the order the form lists them."""
    if is_final_decider(user, finding):
        if finding.status == Status.CONTESTED:
            return []  # settled with do_settle_request
        return [
            s for s in (Status.ACCEPTED, Status.REJECTED, Status.DONE, Status.OPEN) if finding.status in _ALLOWED[s]
        ]
    if user.is_authenticated and user.role == Role.DEPARTMENT and finding.status != Status.CONTESTED:
        # A department may accept work on its own carriers, and ask for a reject of any it can see.
        own = covers_all(user, finding)
        return [s for s in (Status.ACCEPTED, Status.DONE) if own and finding.status in _ALLOWED[s]] + (
            [Status.REJECTED] if finding.status in (Status.OPEN, Status.ACCEPTED) else []
        )
    return []


def _lock(finding: Finding) -> Finding:
    return Finding.objects.select_for_update().get(pk=finding.pk)


def _audit(user: User, finding: Finding, action: str, old: dict, extra: dict | None = None) -> None:
    record(
        actor=user,
        action=action,
        kind="findings",
        code=finding.fid,
        changes={**{k: [v, getattr(finding, k)] for k, v in old.items()}, **(extra or {})},
        unit_path=finding.owner_path,
    )


def _prefixes(paths: list[str]) -> set[str]:
    out = set()
    for path in paths:
        parts = [c for c in path.strip("/").split("/") if c]
        out |= {"/" + "".join(f"{c}/" for c in parts[:i]) for i in range(1, len(parts) + 1)}
    return out


def _officers(role: str, paths: list[str]):
    return User.objects.filter(role=role, is_active=True, unit__path__in=_prefixes(paths))


def merge_candidates(finding: Finding) -> list[tuple[str, str, int]]:
    """(code, name, size) of the carriers a merge finding names that are still active, largest first."""
    from jianfu.registry.lifecycle import ITEM_MODELS, item_kind_of_type, size_of

    kind = item_kind_of_type(finding.type)
    if kind is None:
        return []
    model = ITEM_MODELS[kind]
    carriers = {c.code: c for c in model.objects.filter(code__in=finding.items, status="active")}
    rows = [(code, str(carriers[code]), size_of(carriers[code])) for code in finding.items if code in carriers]
    # Largest first; equal sizes keep the finding's order (its main item first).
    return sorted(rows, key=lambda row: -row[2])


def default_keeper(finding: Finding) -> str | None:
    """The carrier a merge keeps unless the officer picks another: the largest."""
    candidates = merge_candidates(finding)
    return candidates[0][0] if candidates else None


def _carry_out(finding: Finding, keep: str | None, *, acting_user: User, case: str = "") -> dict:
    """Apply a done finding to the registry today: a merge keeps one carrier and merges the rest into it,
    a cancel cancels its main carrier; optimise and rectify change no status."""
    from jianfu.registry.actions import do_end_carriers
    from jianfu.registry.lifecycle import item_kind_of_type

    kind = item_kind_of_type(finding.type)
    today = timezone.localdate()
    if kind is None or finding.action not in (Finding.Action.MERGE, Finding.Action.CANCEL):
        return {}
    if finding.action == Finding.Action.CANCEL:
        ended = do_end_carriers(
            kind, finding.items[:1], "cancelled", today, acting_user=acting_user, finding=finding.fid, case=case
        )
        return {"cancelled": ended}
    candidates = [code for code, _name, _size in merge_candidates(finding)]
    keep = keep or (candidates[0] if candidates else None)
    if keep not in candidates:
        raise DecisionError(_("保留的对象必须是该问题所列、仍在用的对象之一"))
    others = [code for code in candidates if code != keep]
    ended = do_end_carriers(
        kind, others, "merged", today, acting_user=acting_user, merged_into=keep, finding=finding.fid, case=case
    )
    return {"kept": keep, "merged": ended}


def do_decide_finding(
    finding: Finding, status: str, reason: str, *, acting_user: User, keep: str | None = None, case: str = ""
) -> Finding:
    """Accept, reject, mark done or reopen; a department's reject becomes a request (do_request_rejection).

    Marking done carries the finding out on that day (``_carry_out``); ``keep`` names the carrier a merge keeps.
    ``case``: the number of a case whose verification closed it (jianfu.cases.actions.do_verify_case, which has
    checked the verifier — an office or discipline officer over the case): it marks the finding done, from open,
    accepted or contested, whatever the verifier's role, and the carriers it ends name the case.
    """
    if status not in _ALLOWED:
        raise DecisionError(_("未知的处理结果"))
    reason = (reason or "").strip()
    if status == Status.REJECTED and not reason:
        raise DecisionError(_("驳回必须填写理由"))
    if case and status != Status.DONE:
        raise DecisionError(_("未知的处理结果"))
    if not case and not can_decide(acting_user, finding):
        raise DecisionError(_("您没有处理问题的权限"))
    if not case and acting_user.role == Role.DEPARTMENT and status == Status.REJECTED:
        return do_request_rejection(finding, reason, acting_user=acting_user)
    with transaction.atomic():
        # Lock the row: two officers deciding at once must not both apply.
        current = _lock(finding)
        allowed = _CLOSED_BY_CASE.get(current.status, []) if case else choices_for(acting_user, current)
        if status not in allowed:
            raise DecisionError(
                _("当前状态为「%(old)s」，您不能改为「%(new)s」")
                % {"old": current.get_status_display(), "new": Status(status).label}
            )
        old = {"status": current.status, "decision_reason": current.decision_reason}
        current.status, current.decision_reason = status, reason
        current.decided_by, current.decided_at = acting_user, timezone.now()
        current.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
        _audit(acting_user, current, f"finding.{status}", old, extra={"case": [None, case]} if case else None)
        if status == Status.DONE:
            current.carried_out = _carry_out(current, keep, acting_user=acting_user, case=case)
    return current


# What a verified case may do to its finding: carry it out unless it was cleared or already done.
_CLOSED_BY_CASE = {Status.OPEN: [Status.DONE], Status.ACCEPTED: [Status.DONE], Status.CONTESTED: [Status.DONE]}


def do_request_rejection(finding: Finding, reason: str, *, acting_user: User) -> Finding:
    """A department asks to reject a finding: it waits for the office, and the discipline officers are told."""
    reason = (reason or "").strip()
    if not reason:
        raise DecisionError(_("驳回必须填写理由"))
    if not acting_user.is_authenticated or acting_user.role != Role.DEPARTMENT:
        raise DecisionError(_("您没有处理问题的权限"))
    with transaction.atomic():
        current = _lock(finding)
        if current.status not in (Status.OPEN, Status.ACCEPTED):
            raise DecisionError(_("当前状态为「%(old)s」，不能申请驳回") % {"old": current.get_status_display()})
        old = {"status": current.status, "request_reason": current.request_reason}
        current.status, current.request_reason = Status.CONTESTED, reason
        current.requested_by, current.requested_at = acting_user, timezone.now()
        current.save(update_fields=["status", "request_reason", "requested_by", "requested_at"])
        _audit(acting_user, current, "finding.reject_requested", old)
        url = f"/findings/{current.fid}/"
        subject = f"驳回申请待确认：{current.reason[:60]}"
        body = f"{acting_user.username}（{acting_user.unit.name if acting_user.unit_id else ''}）申请驳回此问题，理由：{reason}"
        deciders = [u for u in _officers(Role.OFFICE, [current.decider_path]) if u.pk != acting_user.pk]
        notify(deciders, subject, body, url=url, topic="finding")
        notify(_officers(Role.DISCIPLINE, _paths(current)), subject, body, url=url, topic="finding")
    return current


def do_settle_request(finding: Finding, confirm: bool, note: str, *, acting_user: User) -> Finding:
    """The office confirms a department's reject request (the finding is rejected) or overrules it (accepted)."""
    note = (note or "").strip()
    if not is_final_decider(acting_user, finding):
        raise DecisionError(_("只有覆盖该问题全部对象的减负办可以确认或否决驳回申请"))
    if not confirm and not note:
        raise DecisionError(_("否决驳回申请必须填写理由"))
    with transaction.atomic():
        current = _lock(finding)
        if current.status != Status.CONTESTED:
            raise DecisionError(_("此问题没有待确认的驳回申请"))
        if current.requested_by_id == acting_user.pk:
            raise DecisionError(_("不能确认或否决自己提出的申请"))
        old = {"status": current.status, "decision_reason": current.decision_reason}
        current.status = Status.REJECTED if confirm else Status.ACCEPTED
        current.decision_reason = note or current.request_reason
        current.decided_by, current.decided_at = acting_user, timezone.now()
        current.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
        _audit(acting_user, current, "finding.reject_confirmed" if confirm else "finding.reject_overruled", old)
        outcome = "已确认驳回" if confirm else "驳回申请被否决，问题须整改"
        subject = f"{outcome}：{current.reason[:60]}"
        body = f"{acting_user.username}：{current.decision_reason}"
        url = f"/findings/{current.fid}/"
        notify([current.requested_by], subject, body, url=url, topic="finding")
        notify(_officers(Role.DISCIPLINE, _paths(current)), subject, body, url=url, topic="finding")
    return current
