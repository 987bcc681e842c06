"""Every change to a case or a notice: do_* functions, each in a transaction under a row lock, with the acting
user, an event row, an audit row and the notices (inbox and email).

Who does what (issue 13):

* an office or discipline officer (or an admin) opens a case on a finding their region wholly covers, naming a
  responsible unit inside their region, a demand and a deadline that is not past;
* department officers of the responsible unit respond, with evidence;
* an office or discipline officer at or above the case's region verifies — never an officer of the responsible
  unit, never the person who responded: accepted closes the case and carries the finding's action out, refused
  reopens it with a reason;
* the daily job (``jianfu cases escalate``) flags unanswered cases past their deadline and escalates them;
* on a closed case, office and discipline officers record accountability outcomes, and draft and publish notices.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jianfu.accounts import scope
from jianfu.accounts.models import Role, User
from jianfu.audit.log import record, record_many
from jianfu.cases.models import (
    Accountability,
    Case,
    CaseCounter,
    CaseEvent,
    EvidenceFile,
    IllegalTransition,
    Notice,
    NoticeTemplate,
    TransitionError,
)
from jianfu.evidence import CleanFile
from jianfu.clues import actions as clue_actions
from jianfu.clues.models import Clue
from jianfu.findings import actions as finding_actions
from jianfu.findings.models import Finding
from jianfu.inbox.api import notify, notify_many
from jianfu.registry.models import Unit

SUPERVISOR_ROLES = {Role.OFFICE, Role.DISCIPLINE, Role.ADMIN}
MAX_TEXT = 5000
MAX_DEADLINE_DAYS = 366


class CaseError(TransitionError):
    """Bad input or a refused step (400 over HTTP); the message is for the user."""


class Forbidden(CaseError):
    """The acting user's role or unit may not take this step (403 over HTTP)."""


class Conflict(CaseError):
    """The state does not allow it: another open case, a stale form (409 over HTTP)."""


# --- who may ----------------------------------------------------------------------------------------------


def is_supervisor(user: User) -> bool:
    """Office, discipline and admin: the roles that open, verify and publish."""
    return bool(user.is_authenticated and (user.role in SUPERVISOR_ROLES or user.is_superuser))


def sees_cases(user: User) -> bool:
    return bool(user.is_authenticated and (is_supervisor(user) or user.role == Role.DEPARTMENT))


def scoped_cases(user: User):
    """The cases a user may see: office and discipline their region's, a department its own unit's."""
    if not sees_cases(user):
        return Case.objects.none()
    return scope.scoped(user, Case).select_related("unit", "finding", "clue", "supervisor", "region")


def is_responder(user: User, case: Case) -> bool:
    return bool(user.is_authenticated and user.role == Role.DEPARTMENT and user.unit_id == case.unit_id)


def may_verify(user: User, case: Case) -> bool:
    """An office or discipline officer at or above the case's region, not of the responsible unit, and not the
    person who responded (separation of duties)."""
    if not is_supervisor(user) or not scope.in_scope(user, case):
        return False
    if user.unit_id and user.unit_id == case.unit_id:
        return False
    if case.responded_by_id and case.responded_by_id == user.pk:
        return False
    return scope.sees_everything(user) or case.region.path.startswith(user.unit.path)


def may_supervise(user: User, case: Case) -> bool:
    """Accountability outcomes and notices: the same officers as verification."""
    return may_verify(user, case)


def _officers(roles: Iterable[str], units: Iterable[Unit]):
    return User.objects.filter(role__in=list(roles), is_active=True, unit__in=[u for u in units if u])


def responders(case: Case):
    return User.objects.filter(role=Role.DEPARTMENT, is_active=True, unit_id=case.unit_id)


def _audit(user, case: Case, action: str, changes: dict) -> None:
    record(
        actor=user, action=f"case.{action}", kind="cases", code=case.number, changes=changes, unit_path=case.unit_path
    )


def _event(case: Case, action: str, user, text: str = "") -> CaseEvent:
    name = getattr(user, "username", None) or "system"
    return CaseEvent.objects.create(
        case=case, action=action, actor=user if getattr(user, "pk", None) else None, actor_name=name, text=text
    )


def _url(case: Case) -> str:
    return f"/cases/{case.number}/"


def _lock(case: Case) -> Case:
    # of=self: the finding is a nullable (outer) join, which PostgreSQL cannot lock; the case row is what counts.
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("unit", "region", "supervisor", "finding", "clue")
        .get(pk=case.pk)
    )


def _clean_text(text: str, field: str, *, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise CaseError(_("请填写%(field)s") % {"field": field})
    if len(text) > MAX_TEXT:
        raise CaseError(_("%(field)s不能超过 %(n)s 个字") % {"field": field, "n": MAX_TEXT})
    return text


def _next_number(year: int) -> str:
    # The counter row exists before it is locked (two first cases of a year must not both insert it).
    CaseCounter.objects.bulk_create([CaseCounter(year=year)], ignore_conflicts=True)
    counter = CaseCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{year}-{counter.last:04d}"


def region_of(unit: Unit) -> Unit:
    """The unit itself when it is a region, else the nearest region above it (a department's county)."""
    current = unit
    while current is not None and not current.is_region and current.parent_id:
        current = current.parent
    return current or unit


def region_above(unit: Unit) -> Unit | None:
    """The nearest region strictly above a unit: where an escalated case goes."""
    current = unit.parent
    while current is not None and not current.is_region:
        current = current.parent
    return current


# --- opening ----------------------------------------------------------------------------------------------


def do_open_case(
    source: Finding | Clue,
    unit: Unit,
    demand: str,
    deadline: dt.date,
    *,
    acting_user: User,
    today: dt.date | None = None,
) -> Case:
    """Open a case on a finding or a clue: the responsible unit's department officers are told by inbox and email."""
    is_clue = isinstance(source, Clue)
    _check_may_open(source, unit, acting_user)
    demand = _clean_text(demand, _("整改要求"))
    today = today or timezone.localdate()
    _check_deadline(deadline, today)
    region = region_of(acting_user.unit) if acting_user.unit_id else region_of(unit)
    try:
        with transaction.atomic():
            locked = _lock_openable_source(source)
            case = Case.objects.create(
                number=_next_number(today.year),
                finding=None if is_clue else locked,
                clue=locked if is_clue else None,
                unit=unit,
                unit_path=unit.path,
                demand=demand,
                deadline=deadline,
                opened_by=acting_user,
                opened_by_name=acting_user.username,
                region=region,
                supervisor=region,
            )
            _record_opening(case, locked, acting_user)
            if is_clue:
                clue_actions.do_link_case(locked, case.number, acting_user=acting_user)
            _notify_opened(case)
    except IntegrityError:
        raise Conflict(_("该问题已有未办结的案件")) from None
    except clue_actions.ClueError as exc:
        raise Forbidden(str(exc)) from None
    return case


def _check_may_open(source: Finding | Clue, unit: Unit, acting_user: User) -> None:
    """Only a supervisor opens a case, on a source and for a unit inside their region."""
    if not is_supervisor(acting_user):
        raise Forbidden(_("只有减负办或纪检监察人员可以立案交办"))
    is_clue = isinstance(source, Clue)
    if not scope.scoped(acting_user, type(source)).filter(pk=source.pk).exists():
        raise Forbidden(_("该线索不在您的管辖区域内") if is_clue else _("该问题不在您的管辖区域内"))
    if not is_clue and not finding_actions.covers_all(acting_user, source):
        raise Forbidden(_("该问题涉及您管辖区域以外的单位，请由上级立案"))
    if not scope.in_scope(acting_user, unit):
        raise CaseError(_("责任单位不在您的管辖区域内"))


def _check_deadline(deadline: dt.date, today: dt.date) -> None:
    if not isinstance(deadline, dt.date):
        raise CaseError(_("整改期限应为日期"))
    if deadline < today:
        raise CaseError(_("整改期限不能早于今天（%(today)s）") % {"today": today.isoformat()})
    if deadline > today + dt.timedelta(days=MAX_DEADLINE_DAYS):
        raise CaseError(_("整改期限不能超过一年"))


def _lock_openable_source(source: Finding | Clue) -> Finding | Clue:
    """The source locked, if a case may still be opened on it: open, and without a case in progress."""
    # The source's row lock serialises two officers opening a case on it at once; the partial unique
    # indexes are the last word if anything slips past.
    is_clue = isinstance(source, Clue)
    locked = type(source).objects.select_for_update().get(pk=source.pk)
    if is_clue and not locked.is_open:
        raise Conflict(_("线索当前状态为「%(status)s」，不能立案") % {"status": locked.get_status_display()})
    if not is_clue and locked.status in (Finding.Status.REJECTED, Finding.Status.DONE):
        raise Conflict(_("问题当前状态为「%(status)s」，不能立案") % {"status": locked.get_status_display()})
    existing = (
        Case.objects.filter(**{"clue" if is_clue else "finding": locked}).exclude(status=Case.Status.CLOSED).first()
    )
    if existing:
        raise Conflict(_("该问题已有未办结的案件 %(number)s") % {"number": existing.number})
    return locked


def _record_opening(case: Case, source: Finding | Clue, acting_user: User) -> None:
    """The case's first event and its audit row, naming the source."""
    _event(case, CaseEvent.Action.OPENED, acting_user, case.demand)
    source_ref = ["clue", source.pk] if isinstance(source, Clue) else ["finding", source.fid]
    _audit(
        acting_user,
        case,
        "opened",
        {
            source_ref[0]: [None, source_ref[1]],
            "unit": [None, case.unit.code],
            "demand": [None, case.demand],
            "deadline": [None, case.deadline],
            "status": [None, case.status],
        },
    )


def _notify_opened(case: Case) -> None:
    """Tells the responsible unit's department officers what to put right and by when."""
    subject = _("整改交办：%(number)s，限 %(deadline)s 前反馈") % {
        "number": case.number,
        "deadline": case.deadline.isoformat(),
    }
    body = _("问题：%(reason)s\n整改要求：%(demand)s\n整改期限：%(deadline)s") % {
        "reason": source_summary(case),
        "demand": case.demand,
        "deadline": case.deadline.isoformat(),
    }
    notify(responders(case), subject, body, url=_url(case), topic="case")


def source_summary(case: Case) -> str:
    """What the case is about, in one line a responsible unit may read: the finding's reason, or for a clue its
    category and carrier — never the reporter's own words, which could identify them."""
    if case.finding_id:
        return case.finding.reason
    if case.clue_id:
        clue = case.clue
        carrier = clue.carrier_text or clue.carrier_code
        return _("群众反映的线索：%(category)s%(carrier)s") % {
            "category": clue.get_category_display(),
            "carrier": f"（{carrier}）" if carrier else "",
        }
    return ""


# --- responding -------------------------------------------------------------------------------------------


def do_respond_case(
    case: Case, text: str, files: list[CleanFile] = (), *, acting_user: User, version: int | None = None
) -> Case:
    """The responsible unit says what it did, with evidence (already checked by jianfu.evidence)."""
    if not is_responder(acting_user, case):
        raise Forbidden(_("只有责任单位的部门人员可以反馈整改情况"))
    text = _clean_text(text, _("整改情况"))
    stored: list[str] = []
    try:
        with transaction.atomic():
            current = _lock(case)
            if version is not None and version != current.version:
                raise Conflict(_("案件已被他人处理，请刷新后重试"))
            current.respond(text, acting_user)
            current.save()
            event = _event(current, CaseEvent.Action.RESPONDED, acting_user, text)
            for item in files:
                path = default_storage.save(
                    f"cases/{current.number}/{event.pk}-{item.sha256[:16]}{item.name[item.name.rfind('.') :]}",
                    ContentFile(item.data),
                )
                stored.append(path)
                EvidenceFile.objects.create(
                    case=current,
                    event=event,
                    name=item.name,
                    content_type=item.content_type,
                    size=item.size,
                    sha256=item.sha256,
                    stored=path,
                )
            _audit(
                acting_user,
                current,
                "responded",
                {
                    "status": [case.status, current.status],
                    "response_text": [None, text],
                    "evidence": [None, [f.sha256 for f in files]],
                },
            )
            subject = _("整改反馈待核验：%(number)s") % {"number": current.number}
            notify(
                _officers((Role.OFFICE, Role.DISCIPLINE), {current.region, current.supervisor}),
                subject,
                text,
                url=_url(current),
                topic="case",
            )
    except Exception:
        for path in stored:  # nothing half-written: files of a rolled-back response go too
            default_storage.delete(path)
        raise
    return current


# --- verifying --------------------------------------------------------------------------------------------


def do_verify_case(
    case: Case,
    accepted: bool,
    text: str,
    *,
    acting_user: User,
    new_deadline: dt.date | None = None,
    version: int | None = None,
) -> Case:
    """Accept (closes the case, and the finding is done) or refuse with a reason (reopens it)."""
    if not is_supervisor(acting_user):
        raise Forbidden(_("只有减负办或纪检监察人员可以核验"))
    if acting_user.unit_id and acting_user.unit_id == case.unit_id:
        raise Forbidden(_("责任单位不能核验自己的整改"))
    text = _clean_text(text, _("核验意见"), required=not accepted)
    if new_deadline and new_deadline < timezone.localdate():
        raise CaseError(_("新的整改期限不能早于今天"))
    with transaction.atomic():
        current = _lock(case)
        if version is not None and version != current.version:
            raise Conflict(_("案件已被他人处理，请刷新后重试"))
        if current.responded_by_id == acting_user.pk:
            raise Forbidden(_("不能核验自己反馈的整改"))
        if not may_verify(acting_user, current):
            raise Forbidden(_("您不能核验此案件"))
        old_status = current.status
        current.verify(accepted, text, acting_user, new_deadline)
        current.save()
        _event(current, CaseEvent.Action.ACCEPTED if accepted else CaseEvent.Action.REFUSED, acting_user, text)
        changes = {"status": [old_status, current.status], "verification_text": [None, text]}
        if new_deadline and not accepted:
            changes["deadline"] = [None, new_deadline]
        if accepted and current.finding_id:
            finding = current.finding
            if finding.status not in (Finding.Status.DONE, Finding.Status.REJECTED):
                finding_actions.do_decide_finding(
                    finding,
                    Finding.Status.DONE,
                    _("案件 %(number)s 核验通过") % {"number": current.number},
                    acting_user=acting_user,
                    case=current.number,
                )
                changes["finding"] = [finding.status, Finding.Status.DONE]
        _audit(acting_user, current, "accepted" if accepted else "refused", changes)
        if accepted:
            subject = _("整改已核验通过，案件办结：%(number)s") % {"number": current.number}
        else:
            subject = _("整改未通过核验，请重新整改：%(number)s") % {"number": current.number}
        notify(list(responders(current)) + [current.responded_by], subject, text, url=_url(current), topic="case")
    return current


# --- deadlines --------------------------------------------------------------------------------------------


ESCALATION_BATCH = 500  # cases locked, updated and audited together


def do_escalate_overdue(as_of: dt.date, *, acting_user: User | None = None) -> list[str]:
    """The daily job: unanswered cases past their deadline are flagged overdue and escalated one level up (and
    again every JIANFU_CASE_REESCALATE_DAYS while still unanswered). Running it twice on a day changes nothing.

    Cases go in batches: each batch is locked, changed, given its case events, one audit row per case and its
    notices in a few set-wide statements (not a dozen queries per case)."""
    every = getattr(settings, "JIANFU_CASE_REESCALATE_DAYS", 14)
    due = (
        Case.objects.filter(status__in=Case.AWAITING_RESPONSE, deadline__lt=as_of)
        # Only cases with something left to do: not yet overdue, or due for (another) escalation.
        .filter(Q(overdue=False) | Q(escalated_on__isnull=True) | Q(escalated_on__lte=as_of - dt.timedelta(days=every)))
        .order_by("id")
    )
    ids = list(due.values_list("pk", flat=True))
    changed: list[str] = []
    for start in range(0, len(ids), ESCALATION_BATCH):
        changed += _escalate_batch(ids[start : start + ESCALATION_BATCH], as_of, every, acting_user)
    return changed


def _regions_above(units: Iterable[Unit]) -> dict[int, Unit | None]:
    """unit id → region_above(unit), for many units in one query (a unit's path lists its ancestors)."""
    chains = {u.id: [c for c in u.path.strip("/").split("/") if c][:-1] for u in units}
    codes = {c for chain in chains.values() for c in chain}
    regions = {u.code: u for u in Unit.objects.filter(code__in=codes, is_region=True)}
    return {uid: next((regions[c] for c in reversed(chain) if c in regions), None) for uid, chain in chains.items()}


# (case, its supervisor before this run, subject, body)
_OverdueNotice = tuple[Case, Unit, str, str]


def _escalate_batch(ids: list[int], as_of: dt.date, every: int, acting_user: User | None) -> list[str]:
    with transaction.atomic():
        cases = list(
            Case.objects.select_for_update(of=("self",))
            .select_related("unit", "region", "supervisor")
            .filter(pk__in=ids)
            .order_by("id")
        )
        above = _regions_above({case.supervisor for case in cases})
        done: list[Case] = []
        events: list[CaseEvent] = []
        audits: list[dict] = []
        notices: list[_OverdueNotice] = []
        for case in cases:
            step = _escalate_one(case, above[case.supervisor.id], as_of, every, acting_user)
            if step is None:
                continue
            case_events, audit, notice = step
            done.append(case)
            events += case_events
            audits.append(audit)
            notices.append(notice)
        if not done:
            return []
        Case.objects.bulk_update(
            done,
            ["overdue", "overdue_since", "supervisor", "escalation_level", "escalated_on", "version"],
            batch_size=500,
        )
        CaseEvent.objects.bulk_create(events, batch_size=500)
        record_many(audits)
        _notify_overdue(notices)
    return [case.number for case in done]


def _escalate_one(
    case: Case, upper: Unit | None, as_of: dt.date, every: int, acting_user: User | None
) -> tuple[list[CaseEvent], dict, _OverdueNotice] | None:
    """Marks one locked case overdue and hands it up to ``upper`` when due; None when nothing changes."""
    if not case.awaiting_response or case.deadline >= as_of:
        return None  # answered meanwhile
    old = {"overdue": case.overdue, "supervisor": case.supervisor.code, "level": case.escalation_level}
    became_overdue = case.mark_overdue(as_of)
    again = case.escalated_on is None or (as_of - case.escalated_on).days >= every
    escalated = bool(upper and again and case.escalated_on != as_of)
    if not (became_overdue or escalated):
        return None
    previous = case.supervisor
    if escalated:
        case.escalate_to(upper, as_of)
    actor = acting_user if getattr(acting_user, "pk", None) else None
    actor_name = getattr(acting_user, "username", None) or "system"
    events: list[CaseEvent] = []
    if became_overdue:
        text = _("已超过整改期限 %(days)s 天未反馈") % {"days": (as_of - case.deadline).days}
        events.append(
            CaseEvent(case=case, action=CaseEvent.Action.OVERDUE, actor=actor, actor_name=actor_name, text=text)
        )
    if escalated:
        text = _("由%(old)s升级至%(new)s督办") % {"old": previous.name, "new": upper.name}
        events.append(
            CaseEvent(case=case, action=CaseEvent.Action.ESCALATED, actor=actor, actor_name=actor_name, text=text)
        )
    audit = {
        "actor": acting_user,
        "action": f"case.{'escalated' if escalated else 'overdue'}",
        "kind": "cases",
        "code": case.number,
        "changes": {
            "overdue": [old["overdue"], case.overdue],
            "supervisor": [old["supervisor"], case.supervisor.code],
            "escalation_level": [old["level"], case.escalation_level],
            "as_of": [None, as_of],
        },
        "unit_path": case.unit_path,
    }
    subject = _("案件逾期未反馈：%(number)s（期限 %(deadline)s）") % {
        "number": case.number,
        "deadline": case.deadline.isoformat(),
    }
    body = _("责任单位：%(unit)s\n整改要求：%(demand)s") % {"unit": case.unit.name, "demand": case.demand}
    if escalated:
        body += "\n" + _("已升级至%(new)s督办") % {"new": upper.name}
    return events, audit, (case, previous, subject, body)


def _notify_overdue(notices: list[_OverdueNotice]) -> None:
    """Tells the offices that supervised and now supervise each case, and the responsible department."""
    offices: dict[int, list[User]] = defaultdict(list)
    units = {u.id for case, previous, *_rest in notices for u in (previous, case.supervisor)}
    for user in _officers((Role.OFFICE, Role.DISCIPLINE), Unit.objects.filter(id__in=units)).order_by("id"):
        offices[user.unit_id].append(user)
    departments: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(
        role=Role.DEPARTMENT, is_active=True, unit_id__in={case.unit_id for case, *_rest in notices}
    ).order_by("id"):
        departments[user.unit_id].append(user)
    notify_many(
        (
            [*offices[previous.id], *offices[case.supervisor.id], *departments[case.unit_id]],
            subject,
            body,
            _url(case),
            "case",
        )
        for case, previous, subject, body in notices
    )


# --- accountability ---------------------------------------------------------------------------------------


def do_record_outcome(case: Case, kind: str, reason: str, *, acting_user: User) -> Accountability:
    """An accountability outcome on a closed case, with who decided it and why (one of each kind)."""
    if kind not in Accountability.Kind.values:
        raise CaseError(_("未知的问责结果"))
    if not is_supervisor(acting_user):
        raise Forbidden(_("只有减负办或纪检监察人员可以认定问责结果"))
    reason = _clean_text(reason, _("理由"))
    with transaction.atomic():
        current = _lock(case)
        if not may_supervise(acting_user, current):
            raise Forbidden(_("您不能认定此案件的问责结果"))
        current.check_accountable()
        if current.outcomes.filter(kind=kind).exists():
            raise Conflict(_("此案件已认定过「%(kind)s」") % {"kind": Accountability.Kind(kind).label})
        outcome = Accountability.objects.create(
            case=current, kind=kind, reason=reason, decided_by=acting_user, decided_by_name=acting_user.username
        )
        label = str(Accountability.Kind(kind).label)
        _event(current, CaseEvent.Action.ACCOUNTABILITY, acting_user, f"{label}：{reason}")
        _audit(acting_user, current, "accountability", {"kind": [None, kind], "reason": [None, reason]})
        notify(
            responders(current),
            _("问责结果：%(number)s %(kind)s") % {"number": current.number, "kind": label},
            reason,
            url=_url(current),
            topic="case",
        )
    return outcome


# --- notices ----------------------------------------------------------------------------------------------


def template_for(unit: Unit) -> NoticeTemplate:
    """The notice template of the unit's region or the nearest ancestor's; a sensible default otherwise."""
    from jianfu.cases.notices import default_template

    paths = scope.ancestor_paths(unit.path)
    found = NoticeTemplate.objects.filter(unit__path__in=paths).select_related("unit").order_by("-unit__path")
    return found.first() or default_template(unit)


def do_save_notice_template(
    unit: Unit, *, issuer: str, number_prefix: str, intro: str, closing: str, red_header: bool, acting_user: User
) -> NoticeTemplate:
    if not is_supervisor(acting_user) or not scope.in_scope(acting_user, unit):
        raise Forbidden(_("只有本区域的减负办或纪检监察人员可以修改通报模板"))
    values = {
        "issuer": _clean_text(issuer, _("发文机关"))[:200],
        "number_prefix": _clean_text(number_prefix, _("发文字号前缀"))[:40],
        "intro": _clean_text(intro, _("开头")),
        "closing": _clean_text(closing, _("结尾")),
        "red_header": bool(red_header),
    }
    with transaction.atomic():
        template, created = NoticeTemplate.objects.select_for_update().get_or_create(unit=unit, defaults=values)
        old = {} if created else {k: getattr(template, k) for k in values}
        for key, value in values.items():
            setattr(template, key, value)
        template.save()
        record(
            actor=acting_user,
            action="notice_template.saved",
            kind="notice_templates",
            code=unit.code,
            changes={k: [old.get(k), v] for k, v in values.items()},
            unit_path=unit.path,
        )
    return template


def do_draft_notice(cases: list[Case], title: str, *, acting_user: User) -> Notice:
    """A notice of the chosen cases (open or closed), with the region's template; published separately."""
    from jianfu.cases.notices import case_paragraph

    if not is_supervisor(acting_user):
        raise Forbidden(_("只有减负办或纪检监察人员可以起草通报"))
    title = _clean_text(title, _("标题"))[:200]
    if not cases:
        raise CaseError(_("请至少选择一个案件"))
    for case in cases:
        if not may_supervise(acting_user, case):
            raise Forbidden(_("案件 %(number)s 不能由您通报") % {"number": case.number})
    unit = region_of(acting_user.unit) if acting_user.unit_id else region_of(cases[0].region)
    template = template_for(unit)
    with transaction.atomic():
        year = timezone.localdate().year
        # The region's notices of the year, counted under the region's row lock: numbers never repeat.
        Unit.objects.select_for_update().get(pk=unit.pk)
        serial = Notice.objects.filter(unit=unit, created_at__year=year).count() + 1
        ordered = sorted(cases, key=lambda c: c.number)
        notice = Notice.objects.create(
            title=title,
            unit=unit,
            unit_path=unit.path,
            issuer=template.issuer,
            red_header=template.red_header,
            doc_number=f"{template.number_prefix}〔{year}〕{serial}号",
            intro=template.intro,
            closing=template.closing,
            paragraphs=[case_paragraph(c, i) for i, c in enumerate(ordered, start=1)],
            created_by=acting_user,
            created_by_name=acting_user.username,
        )
        notice.cases.set(ordered)
        record(
            actor=acting_user,
            action="notice.drafted",
            kind="notices",
            code=notice.code,
            changes={"title": [None, title], "cases": [None, [c.number for c in ordered]]},
            unit_path=unit.path,
        )
    return notice


def do_publish_notice(notice: Notice, *, acting_user: User) -> Notice:
    """Publish a draft to the public page /notices/ (once; a published notice is not changed)."""
    if not is_supervisor(acting_user) or not scope.in_scope(acting_user, notice):
        raise Forbidden(_("只有本区域的减负办或纪检监察人员可以发布通报"))
    with transaction.atomic():
        current = Notice.objects.select_for_update().get(pk=notice.pk)
        if current.status != Notice.Status.DRAFT:
            raise IllegalTransition(_("通报已发布"))
        current.status, current.published_at = Notice.Status.PUBLISHED, timezone.now()
        current.save(update_fields=["status", "published_at"])
        record(
            actor=acting_user,
            action="notice.published",
            kind="notices",
            code=current.code,
            changes={"status": [Notice.Status.DRAFT, current.status]},
            unit_path=current.unit_path,
        )
    return current
