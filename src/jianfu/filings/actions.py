"""Every change to a proposal, filing or region policy: one do_* function each (zulip style) — an access
check, a transaction holding the row lock, the workflow transition, an event row, an audit row, notices.

Two reviewers acting at once cannot both apply a decision: the proposal row is locked (select_for_update;
SQLite serialises writers itself), the decision names the level it was made on (a stale one is refused),
and the row is saved with a conditional UPDATE on its version, which fails if anybody moved it meanwhile.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from jianfu.accounts.models import Role, User
from jianfu.audit.log import record
from jianfu.filings import access
from jianfu.filings import policy as policies
from jianfu.filings.models import (
    Filing,
    FilingSequence,
    IllegalTransition,
    Kind,
    Proposal,
    ProposalEvent,
    RegionPolicy,
    RenewalRequest,
    StaleDecision,
    TransitionError,
)
from jianfu.filings.precheck import KIND_LABELS, RULE_LABELS, Prechecker
from jianfu.inbox.api import notify
from jianfu.registry.actions import CARRIERS, do_create_carrier, do_update_group
from jianfu.registry.models import Unit, WorkGroup

ANSWERS = ("yes", "no", "na")
#: the columns a transition may change, saved together under the version check
_WORKFLOW_FIELDS = (
    "status",
    "steps",
    "current_step",
    "current_region",
    "submitted_at",
    "decided_at",
    "decision_reason",
    "precheck",
    "precheck_at",
)
#: what a proposer may edit while the proposal is a draft or returned
EDITABLE = (
    "name",
    "item_code",
    "details",
    "justification",
    "expected_users",
    "why_not_existing",
    "shared_data",
    "plan_ref",
    "related_systems",
    "emergency",
    "emergency_reason",
)
_NUMBER_KIND = {"apps": "APP", "platforms": "PLT", "accounts": "ACC", "groups": "GRP", "forms": "FRM"}


class SubmissionRefused(TransitionError):
    """The pre-check found a rule that refuses the proposal outright; it stays editable."""

    def __init__(self, violations: list[dict]):
        self.violations = violations
        super().__init__(violations)

    def __str__(self) -> str:
        """The refusing rules in the reader's language; the pre-check results on the page give the reasons."""
        rules = dict.fromkeys(str(RULE_LABELS.get(v["rule"], v["rule"])) for v in self.violations)
        return gettext("提交被拒绝：%(rules)s。原因见预审结果") % {"rules": "、".join(rules)}


def proposal_item(p: Proposal) -> dict[str, Any]:
    """The proposal as the plain dict the pre-check reads (the shape files are read into)."""
    return {
        **p.details,
        "kind": p.kind,
        "code": p.item_code or p.code,
        "name": p.name,
        "owner_code": p.owner.code,
        "justification": p.justification,
        "expected_users": p.expected_users,
        "why_not_existing": p.why_not_existing,
        "shared_data": p.shared_data,
        "plan_ref": p.plan_ref,
        "related_systems": p.related_systems,
        "emergency": p.emergency,
        "emergency_reason": p.emergency_reason,
    }


def _url(p: Proposal) -> str:
    return reverse("filings:proposal", args=[p.code])


def _label(p: Proposal) -> str:
    return f"{KIND_LABELS[p.kind]}「{p.name}」"


def _proposer_side(p: Proposal) -> list[User]:
    users = list(User.objects.filter(is_active=True, unit_id=p.owner_id, role__in=[Role.DEPARTMENT, Role.OFFICE]))
    if p.created_by_id:
        users.insert(0, p.created_by)
    return users


def _save(p: Proposal, extra: tuple[str, ...] = ()) -> None:
    """Save the workflow columns only if nobody changed the row since it was read (optimistic check)."""
    values = {f: getattr(p, f) for f in (*_WORKFLOW_FIELDS, *extra)}
    now = timezone.now()
    if (
        Proposal.objects.filter(pk=p.pk, version=p.version).update(**values, version=F("version") + 1, updated_at=now)
        != 1
    ):
        raise StaleDecision("该申报已由其他人处理，请刷新页面后查看最新状态")
    p.version += 1
    p.updated_at = now


def _event(
    p: Proposal, actor: User, action: str, *, text: str = "", step: int | None = None, criteria: dict | None = None
) -> ProposalEvent:
    level = p.steps[step]["level"] if step is not None and step < len(p.steps) else ""
    return ProposalEvent.objects.create(
        proposal=p,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", None) or str(actor or "system"),
        action=action,
        step=step,
        level=level,
        text=text,
        criteria=criteria or {},
    )


def _audit(p: Proposal, actor, action: str, changes: dict) -> None:
    record(
        actor=actor, action=f"filing.{action}", kind="proposals", code=p.code, changes=changes, unit_path=p.owner_path
    )


def _level(p: Proposal, step: int) -> str:
    return p.steps[step]["region_name"] if step < len(p.steps) else ""


def _answers_text(answers: dict[str, str]) -> str:
    labels = {"yes": "符合", "no": "不符合", "na": "不适用"}
    return "；".join(f"{k}.{labels.get(v, v)}" for k, v in sorted(answers.items()))


def _locked(p: Proposal) -> Proposal:
    # Lock the proposal row only (not its owner unit, which other proposals share).
    return Proposal.objects.select_for_update(of=("self",)).select_related("owner").get(pk=p.pk)


def _refresh(target: Proposal, source: Proposal) -> Proposal:
    for f in source._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    return target


# --- drafting -------------------------------------------------------------------------------------------------


def _check_item_code(kind: str, code: str, exclude_pk: int | None = None) -> None:
    if not code:
        return
    model = CARRIERS[Proposal(kind=kind).registry_kind]
    if model.objects.filter(code=code).exists():
        raise TransitionError(
            gettext("台账中已有编号为「%(code)s」的对象，请换一个编号或留空由系统生成") % {"code": code}
        )
    clash = Proposal.objects.filter(item_code=code, status__in=Proposal.OPEN).exclude(pk=exclude_pk)
    if clash.exists():
        raise TransitionError(gettext("编号「%(code)s」已被另一份在办申报使用") % {"code": code})


def do_create_proposal(*, kind: str, owner: Unit, values: dict[str, Any], acting_user: User) -> Proposal:
    if kind not in Kind.values:
        raise TransitionError(gettext("未知的申报类型"))
    if not access.can_propose(acting_user) or not access.may_propose_for(acting_user, owner):
        raise PermissionDenied
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise TransitionError(gettext("不可填写的字段：%(fields)s") % {"fields": ", ".join(sorted(unknown))})
    _check_item_code(kind, values.get("item_code", ""))
    with transaction.atomic():
        p = Proposal(
            kind=kind,
            owner=owner,
            owner_path=owner.path,
            created_by=acting_user,
            created_by_name=acting_user.username,
            **values,
        )
        p.save()
        _event(p, acting_user, ProposalEvent.Action.CREATED)
        _audit(p, acting_user, "created", {"kind": [None, kind], "name": [None, p.name], "owner": [None, owner.code]})
    return p


def do_update_proposal(proposal: Proposal, values: dict[str, Any], *, acting_user: User) -> dict[str, list]:
    if not access.is_proposer_side(acting_user, proposal):
        raise PermissionDenied
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise TransitionError(gettext("不可修改的字段：%(fields)s") % {"fields": ", ".join(sorted(unknown))})
    with transaction.atomic():
        current = _locked(proposal)
        current.check_editable()
        if values.get("item_code") and values["item_code"] != current.item_code:
            _check_item_code(current.kind, values["item_code"], exclude_pk=current.pk)
        diff = {k: [getattr(current, k), v] for k, v in values.items() if getattr(current, k) != v}
        if not diff:
            return {}
        for k, (_old, new) in diff.items():
            setattr(current, k, new)
        # A change makes the stored pre-check stale: it is run again on submission.
        current.precheck, current.precheck_at = {}, None
        _save(current, tuple(diff))
        _event(current, acting_user, ProposalEvent.Action.EDITED, text="、".join(diff))
        _audit(current, acting_user, "edited", diff)
    _refresh(proposal, current)
    return diff


# --- submission ---------------------------------------------------------------------------------------------


def run_precheck(proposal: Proposal, *, as_of: dt.date | None = None) -> dict:
    return Prechecker(as_of=as_of).check(proposal_item(proposal))


def do_submit_proposal(proposal: Proposal, *, acting_user: User, as_of: dt.date | None = None) -> Proposal:
    """Run the pre-check and send the proposal to its first level — or refuse it, and keep it editable."""
    if not access.is_proposer_side(acting_user, proposal):
        raise PermissionDenied
    refused: list[dict] = []
    with transaction.atomic():
        current = _locked(proposal)
        current._require("submit")
        result = run_precheck(current, as_of=as_of)
        current.precheck, current.precheck_at = result, timezone.now()
        refused = [v for v in result["violations"] if v["severity"] == "refuse"]
        # Audit changes are {field: [old, new]}: the pre-check's findings are new values.
        summary = {
            "similar": [None, "、".join(s["code"] for s in result["similar"][:3])],
            "violations": [None, "、".join(f"{v['rule']}:{v['severity']}" for v in result["violations"])],
        }
        if refused:
            _save(current)
            _event(current, acting_user, ProposalEvent.Action.REFUSED, text="；".join(v["reason"] for v in refused))
            _audit(current, acting_user, "refused", {"status": [current.status, current.status], **summary})
        else:
            old = current.status
            current.submit(policies.resolve_steps(current.owner, current.kind))
            _save(current)
            _event(current, acting_user, ProposalEvent.Action.SUBMITTED, step=0)
            _audit(
                current,
                acting_user,
                "submitted",
                {"status": [old, current.status], "steps": [None, [s["region"] for s in current.steps]], **summary},
            )
            notify(
                access.reviewers_of(current.current_region),
                f"待审核：{_label(current)}",
                f"{current.owner.name}提交的{_label(current)}等待您审核（{current.steps[0]['region_name']}）。",
                url=_url(current),
                topic="filing.review",
            )
    _refresh(proposal, current)
    if refused:
        raise SubmissionRefused(refused)
    return proposal


def do_withdraw_proposal(proposal: Proposal, *, acting_user: User, reason: str = "") -> Proposal:
    if not access.is_proposer_side(acting_user, proposal):
        raise PermissionDenied
    with transaction.atomic():
        current = _locked(proposal)
        old = current.status
        current.withdraw()
        _save(current)
        _event(current, acting_user, ProposalEvent.Action.WITHDRAWN, text=reason.strip())
        _audit(current, acting_user, "withdrawn", {"status": [old, current.status], "reason": [None, reason.strip()]})
    return _refresh(proposal, current)


def do_comment_proposal(proposal: Proposal, text: str, *, acting_user: User) -> ProposalEvent:
    text = (text or "").strip()
    if not text:
        raise TransitionError(gettext("意见不能为空"))
    with transaction.atomic():
        current = _locked(proposal)
        current.check_comment()
        if not (access.is_proposer_side(acting_user, current) or access.can_review_step(acting_user, current)):
            raise PermissionDenied
        event = _event(
            current,
            acting_user,
            ProposalEvent.Action.COMMENTED,
            text=text,
            step=current.current_step if current.status == Proposal.Status.IN_REVIEW else None,
        )
        _audit(current, acting_user, "commented", {"comment": [None, text]})
    return event


# --- review -----------------------------------------------------------------------------------------------


def _reviewing(current: Proposal, acting_user: User, transition: str, step: int) -> None:
    """The checks before any decision, in the order that gives the most useful message."""
    current._require(transition)
    current._check_step(step)
    if not access.reviews_level(acting_user, current):
        raise PermissionDenied
    if access.wrote_a_version(acting_user, current):
        raise TransitionError(gettext("您起草、修改或提交过这份申报，不能审核它：须由其他审核人决定"))


def _decide_against(
    proposal: Proposal,
    *,
    step: int,
    reason: str,
    acting_user: User,
    transition: str,
    apply,
    action: str,
    audit_name: str,
    subject: str,
    body: str,
) -> Proposal:
    """Return or reject: the same locked, checked, audited and notified decision, different outcome."""
    with transaction.atomic():
        current = _locked(proposal)
        _reviewing(current, acting_user, transition, step)
        old = current.status
        apply(current, step, reason)
        _save(current)
        _event(current, acting_user, action, text=current.decision_reason, step=step)
        _audit(
            current,
            acting_user,
            audit_name,
            {
                "status": [old, current.status],
                "level": [None, _level(current, step)],
                "decision_reason": [None, current.decision_reason],
            },
        )
        region = current.steps[step]["region_name"]
        notify(
            _proposer_side(current),
            f"{subject}：{_label(current)}",
            body.format(region=region, reason=current.decision_reason),
            url=_url(current),
            topic=f"filing.{audit_name}",
        )
    return _refresh(proposal, current)


def do_return_proposal(proposal: Proposal, *, step: int, reason: str, acting_user: User) -> Proposal:
    return _decide_against(
        proposal,
        step=step,
        reason=reason,
        acting_user=acting_user,
        transition="return",
        apply=Proposal.return_for_revision,
        action=ProposalEvent.Action.RETURNED,
        audit_name="returned",
        subject="退回修改",
        body="{region}审核意见：{reason}",
    )


def do_reject_proposal(proposal: Proposal, *, step: int, reason: str, acting_user: User) -> Proposal:
    return _decide_against(
        proposal,
        step=step,
        reason=reason,
        acting_user=acting_user,
        transition="reject",
        apply=Proposal.reject,
        action=ProposalEvent.Action.REJECTED,
        audit_name="rejected",
        subject="不予通过",
        body="{region}决定不予通过，理由：{reason}",
    )


def previous_answers(p: Proposal) -> dict[str, str]:
    """The criteria answers given at the last approved level since the latest submission, if any."""
    event = (
        (
            ProposalEvent.objects.filter(proposal=p, action=ProposalEvent.Action.APPROVED, at__gte=p.submitted_at)
            .order_by("-id")
            .first()
        )
        if p.submitted_at
        else None
    )
    return dict(event.criteria) if event else {}


def resolve_answers(p: Proposal, given: dict[str, str], text: str) -> dict[str, str]:
    """The reviewer's answers to the five criteria, checked: each must be met for an approval."""
    answers: dict[str, str] = {}
    for c in p.precheck.get("criteria", []):
        key = str(c["id"])
        auto = c["answer"]
        answer = (given.get(key) or "").strip()
        if not answer:
            if auto == "open":
                raise TransitionError(
                    gettext("请对第 %(number)s 项审核标准「%(title)s」作出判断")
                    % {"number": key, "title": gettext(c["title"])}
                )
            answer = auto
        if answer not in ANSWERS:
            raise TransitionError(gettext("第 %(number)s 项审核标准的判断无效") % {"number": key})
        if answer == "no":
            raise TransitionError(
                gettext("第 %(number)s 项审核标准「%(title)s」不符合，不能审核通过：请退回修改或作出不予通过决定")
                % {"number": key, "title": gettext(c["title"])}
            )
        if auto == "no" and answer != "no" and not text.strip():
            raise TransitionError(
                gettext("第 %(number)s 项审核标准经自动核查为不符合，改判为符合须填写审核意见") % {"number": key}
            )
        answers[key] = answer
    return answers


def do_approve_proposal(
    proposal: Proposal, *, step: int, criteria: dict[str, str] | None = None, text: str = "", acting_user: User
) -> Proposal:
    """Approve the current level; at the last level the item enters the registry with its filing."""
    filing = None
    with transaction.atomic():
        current = _locked(proposal)
        _reviewing(current, acting_user, "approve", step)
        if access.approved_earlier_level(acting_user, current):
            raise TransitionError(gettext("同一审核人不能审批同一申报的两个层级"))
        answers = resolve_answers(current, criteria or {}, text)
        old = current.status
        final = current.approve(step)
        _save(current)
        _event(current, acting_user, ProposalEvent.Action.APPROVED, text=text.strip(), step=step, criteria=answers)
        _audit(
            current,
            acting_user,
            "approved",
            {
                "status": [old, current.status],
                "level": [None, _level(current, step)],
                "criteria": [None, _answers_text(answers)],
                "opinion": [None, text.strip()],
            },
        )
        if final:
            filing = _enter_registry(current, acting_user)
            notify(
                _proposer_side(current),
                f"已备案：{_label(current)}",
                f"{_label(current)}已通过审批，备案号 {filing.number}，"
                f"{filing.get_basis_display()} {filing.expires_on:%Y-%m-%d}。",
                url=_url(current),
                topic="filing.approved",
            )
        else:
            nxt = current.steps[current.current_step]
            notify(
                access.reviewers_of(current.current_region),
                f"待审核：{_label(current)}",
                f"{current.owner.name}提交的{_label(current)}已通过{current.steps[step]['region_name']}审核，"
                f"等待您审核（{nxt['region_name']}）。",
                url=_url(current),
                topic="filing.review",
            )
    return _refresh(proposal, current)


# --- into the registry ------------------------------------------------------------------------------------


def _next_number(region_code: str, kind: str, year: int) -> str:
    """备案号: <region's 6-digit code>-<KIND>-<year>-<sequence>, sequential per region, kind and year."""
    key = f"{region_code[:6]}-{_NUMBER_KIND[kind]}-{year}"
    try:
        with transaction.atomic():
            FilingSequence.objects.get_or_create(key=key)
    except IntegrityError:
        pass  # created by a concurrent approval a moment ago
    seq = FilingSequence.objects.select_for_update().get(key=key)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"{key}-{seq.last:04d}"


def _expiry(p: Proposal, approved_on: dt.date) -> tuple[dt.date, str]:
    d = p.details
    if p.kind == "groups" and d.get("nature") == "temporary" and d.get("task_end_date"):
        return dt.date.fromisoformat(d["task_end_date"]), Filing.Basis.TASK_END
    days = policies.policy_for(p.owner).valid_days.get(p.kind, policies.DEFAULT_VALID_DAYS[p.kind])
    return approved_on + dt.timedelta(days=days), Filing.Basis.REVIEW


def _carrier_values(p: Proposal, code: str, today: dt.date) -> dict:
    """The registry row an approved proposal becomes, from the details its kind asks for."""
    d = p.details
    rk = p.registry_kind
    common = {"code": code, "name": p.name, "owner": p.owner}
    if rk == "apps":
        return {
            **common,
            "category": "platform" if p.kind == "platforms" else (d.get("category") or "app"),
            "launch_date": None,
            "functions": d.get("functions") or [],
            "forced_features": d.get("forced_features") or [],
            "description": d.get("description") or "",
        }
    if rk == "accounts":
        return {**common, "platform": d.get("platform") or "", "assessments": d.get("assessments") or []}
    if rk == "groups":
        end = d.get("task_end_date")
        return {
            **common,
            "platform": d.get("platform") or "",
            "created_date": today,
            "nature": d.get("nature") or "standing",
            "task_end_date": dt.date.fromisoformat(end) if end else None,
            "purpose": d.get("purpose") or "",
            "demands": d.get("demands") or [],
        }
    return {
        "code": code,
        "title": p.name,
        "issuer": p.owner,
        "frequency": d.get("frequency") or "adhoc",
        "respondent_level": d.get("respondent_level") or "",
        "channel": d.get("channel") or "",
        "minutes_per_filing": d.get("minutes_per_filing"),
    }


def _enter_registry(p: Proposal, actor: User) -> Filing:
    today = timezone.localdate()
    region_code = p.steps[-1]["region"]
    number = _next_number(region_code, p.kind, today.year)
    code = p.item_code or number
    rk = p.registry_kind
    model = CARRIERS[rk]
    if model.objects.filter(code=code).exists():
        raise TransitionError(gettext("台账中已有编号为「%(code)s」的对象，无法备案：请退回修改编号") % {"code": code})
    d = p.details
    values = _carrier_values(p, code, today)
    obj = do_create_carrier(
        rk,
        values,
        acting_user=actor,
        members=d.get("members") or [],
        fields=d.get("fields") or [],
        provenance={"filing": [None, number], "proposal": [None, p.code]},
    )
    expires_on, basis = _expiry(p, today)
    filing = Filing.objects.create(
        number=number,
        proposal=p,
        kind=p.kind,
        registry_kind=rk,
        item_code=obj.code,
        name=p.name,
        owner=p.owner,
        owner_path=p.owner_path,
        region_code=region_code,
        approved_at=timezone.now(),
        expires_on=expires_on,
        basis=basis,
    )
    record(
        actor=actor,
        action="filing.filed",
        kind="filings",
        code=number,
        changes={"item": [None, f"{rk}/{obj.code}"], "expires_on": [None, expires_on], "basis": [None, basis]},
        unit_path=p.owner_path,
    )
    _event(p, actor, ProposalEvent.Action.FILED, text=f"备案号 {number}，{filing.get_basis_display()} {expires_on}")
    return filing


# --- renewal ---------------------------------------------------------------------------------------------


def do_request_renewal(filing: Filing, *, until: dt.date, reason: str, acting_user: User) -> RenewalRequest:
    if not access.can_request_renewal(acting_user, filing):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise TransitionError(gettext("请说明续期理由"))
    if until <= max(timezone.localdate(), filing.expires_on if filing.status == Filing.Status.ACTIVE else dt.date.min):
        raise TransitionError(gettext("续期后的日期应晚于今天和原到期日期"))
    try:
        with transaction.atomic():
            request = RenewalRequest.objects.create(
                filing=filing,
                requested_by=acting_user,
                requested_by_name=acting_user.username,
                until=until,
                reason=reason,
            )
            record(
                actor=acting_user,
                action="filing.renewal_requested",
                kind="filings",
                code=filing.number,
                changes={"until": [filing.expires_on, until], "reason": [None, reason]},
                unit_path=filing.owner_path,
            )
            notify(
                access.reviewers_of(filing.region_code),
                f"续期申请：{filing.name}",
                f"{filing.owner.name}申请将备案 {filing.number} 续期至 {until:%Y-%m-%d}，理由：{reason}",
                url=reverse("filings:filing", args=[filing.number]),
                topic="filing.renewal",
            )
    except IntegrityError:
        raise TransitionError(gettext("该备案已有待审核的续期申请")) from None
    return request


def do_decide_renewal(request: RenewalRequest, *, approve: bool, reason: str, acting_user: User) -> RenewalRequest:
    with transaction.atomic():
        current = RenewalRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
        filing = Filing.objects.select_for_update().get(pk=current.filing_id)
        if not access.can_decide_renewal(acting_user, filing):
            raise PermissionDenied
        if current.requested_by_id == acting_user.pk:
            raise TransitionError(gettext("续期申请须由申请人以外的审核人决定"))
        current.decide(approve, reason)
        current.decided_by, current.decided_by_name = acting_user, acting_user.username
        current.save(update_fields=["status", "decision_reason", "decided_at", "decided_by", "decided_by_name"])
        changes: dict[str, Any] = {"renewal": [RenewalRequest.Status.PENDING, current.status]}
        if approve:
            old = (filing.status, filing.expires_on)
            filing.renew(current.until)
            filing.save(update_fields=["status", "expires_on", "expired_at", "reminded_for", "updated_at"])
            changes.update(status=[old[0], filing.status], expires_on=[old[1], filing.expires_on])
            if filing.registry_kind == "groups" and filing.basis == Filing.Basis.TASK_END:
                group = WorkGroup.objects.filter(code=filing.item_code).first()
                if group is not None and group.task_end_date != current.until:
                    try:
                        do_update_group(group, {"task_end_date": current.until}, acting_user=acting_user)
                    except PermissionDenied:
                        pass  # the filing is renewed; the registry row is the owner's to correct
        record(
            actor=acting_user,
            action=f"filing.renewal_{current.status}",
            kind="filings",
            code=filing.number,
            changes={**changes, "decision_reason": [None, current.decision_reason]},
            unit_path=filing.owner_path,
        )
        recipients = [current.requested_by] if current.requested_by_id else []
        verdict = "同意" if approve else "不同意"
        notify(
            recipients,
            f"续期申请{verdict}：{filing.name}",
            f"备案 {filing.number} 的续期申请审核结果：{verdict}。{current.decision_reason}",
            url=reverse("filings:filing", args=[filing.number]),
            topic="filing.renewal",
        )
    return current


# --- region policy -------------------------------------------------------------------------------------------


def can_set_policy(user: User, region: Unit) -> bool:
    """Administrators, and the office of a region above this one: a region never sets its own review route."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.role == Role.ADMIN:
        return True
    if user.role != Role.OFFICE or user.unit_id is None:
        return False
    own = policies.region_of(user.unit)
    return region.path.startswith(own.path) and region.pk != own.pk


def _check_policy_values(values: dict[str, Any]) -> None:
    """The national rules a region's policy may tighten but never loosen; translated errors."""
    for kind, levels in (values.get("routes") or {}).items():
        if kind not in policies.KINDS or not levels or any(lv not in policies.LEVEL_ORDER for lv in levels):
            raise TransitionError(gettext("审批层级配置无效"))
        if not policies.meets_floor(kind, levels):
            raise TransitionError(
                gettext("%(kind)s须经县级及以上审批，审批层级不能只设在县级以下") % {"kind": KIND_LABELS[kind]}
            )
    for kind, days in (values.get("valid_days") or {}).items():
        if (
            kind not in policies.KINDS
            or not isinstance(days, int)
            or not (policies.MIN_VALID_DAYS <= days <= policies.MAX_VALID_DAYS)
        ):
            raise TransitionError(
                gettext("备案有效期应在 %(low)d 至 %(high)d 天之间")
                % {"low": policies.MIN_VALID_DAYS, "high": policies.MAX_VALID_DAYS}
            )
    remind = values.get("remind_days")
    if remind is not None and not (0 <= remind <= policies.MAX_REMIND_DAYS):
        raise TransitionError(gettext("到期提醒天数应在 0 至 %(high)d 天之间") % {"high": policies.MAX_REMIND_DAYS})


def do_set_region_policy(region: Unit, values: dict[str, Any], *, acting_user: User) -> dict[str, list]:
    if not region.is_region:
        raise TransitionError(gettext("审批流程只能按地区配置"))
    if not can_set_policy(acting_user, region):
        raise PermissionDenied
    allowed = {"routes", "valid_days", "remind_days", "filing_since", "plan_items"}
    if set(values) - allowed:
        raise TransitionError(gettext("未知的配置项"))
    _check_policy_values(values)
    with transaction.atomic():
        current, _ = RegionPolicy.objects.select_for_update().get_or_create(region=region)
        diff = {k: [getattr(current, k), v] for k, v in values.items() if getattr(current, k) != v}
        if not diff:
            return {}
        for k, (_old, new) in diff.items():
            setattr(current, k, new)
        current.updated_by = acting_user
        current.save()
        record(
            actor=acting_user,
            action="filing.policy",
            kind="units",
            code=region.code,
            changes=diff,
            unit_path=region.path,
        )
    return diff


__all__ = [
    "IllegalTransition",
    "StaleDecision",
    "SubmissionRefused",
    "TransitionError",
    "do_approve_proposal",
    "do_comment_proposal",
    "do_create_proposal",
    "do_decide_renewal",
    "do_reject_proposal",
    "do_request_renewal",
    "do_return_proposal",
    "do_set_region_policy",
    "do_submit_proposal",
    "do_update_proposal",
    "do_withdraw_proposal",
    "proposal_item",
]
