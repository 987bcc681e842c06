"""Every change to a clue: do_* functions, each in a transaction with its audit row.

Filing and the reporter's reply are anonymous: their audit rows name "anonymous" and carry no address, no
receipt and no phone. Officer actions check the officer's role and region themselves, so the web pages, the
API and the cases app share one checked path.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jianfu.accounts import scope
from jianfu.accounts.models import Role, User
from jianfu.audit.log import record
from jianfu import evidence
from jianfu.clues import storage
from jianfu.clues.models import Category, Clue, Evidence, Message
from jianfu.clues.privacy import new_receipt, normal_phone, receipt_hash, seal_phone
from jianfu.registry.models import Unit

ANONYMOUS = "anonymous"
HANDLING_ROLES = {Role.ADMIN, Role.OFFICE, Role.DISCIPLINE}
MAX_DESCRIPTION = 5000
MAX_MESSAGE = 2000
MAX_CARRIER = 200
REGION_LEVELS = ("province", "city", "county", "township", "village")


class ClueError(ValueError):
    """Refused input or move; `field` names the form field, the message is for the person who sent it."""

    def __init__(self, message: str, field: str = "", *, too_large: bool = False, conflict: bool = False):
        super().__init__(message)
        self.field = field
        self.too_large = too_large
        self.conflict = conflict


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def file_too_large_message(name: str) -> str:
    return evidence.too_large_message(name)


def may_handle(user: User) -> bool:
    """Office and discipline officers (and administrators) triage clues."""
    return bool(user.is_authenticated and (user.role in HANDLING_ROLES or user.is_superuser))


def _check_handler(user: User, clue: Clue) -> None:
    if not may_handle(user) or not scope.in_scope(user, clue):
        raise ClueError(_("您没有处理此线索的权限"))


def find_region(code: str) -> Unit | None:
    """The region a clue happens in, by a unit code: the unit itself when it is a region, else (a department, as
    a cadre's own page may pass) the nearest region above it."""
    unit = Unit.objects.filter(code=(code or "").strip()).select_related("parent").first() if code else None
    while unit is not None and not unit.is_region:
        unit = unit.parent
    return unit


def _audit(actor, clue: Clue, action: str, changes: dict) -> None:
    record(
        actor=actor,
        action=f"clue.{action}",
        kind="clues",
        code=str(clue.pk),
        changes=changes,
        unit_path=clue.region_path,
    )


def check_submission(
    *,
    category: str,
    region_code: str,
    description: str,
    carrier: str = "",
    contact: str = "",
    uploads: list[Upload] = (),
) -> tuple[dict, list[evidence.CleanFile]]:
    """Every field checked (all problems at once, by field) and the files cleaned; nothing is written."""
    problems: dict[str, str] = {}
    if category not in Category.values:
        problems["category"] = _("请选择问题类别（F1–F5 或其他）")
    region = find_region(region_code)
    if region is None:
        problems["region"] = _("找不到该地区，请从列表中选择乡镇（街道）或县区")
    description = (description or "").strip()
    if not description:
        problems["description"] = _("请写下发生了什么：哪个群、哪个应用或哪张表，要求了什么")
    elif len(description) > MAX_DESCRIPTION:
        problems["description"] = _("问题描述不超过 %(n)s 字") % {"n": MAX_DESCRIPTION}
    carrier = (carrier or "").strip()
    if len(carrier) > MAX_CARRIER:
        problems["carrier"] = _("涉及对象不超过 %(n)s 字") % {"n": MAX_CARRIER}
    phone = None
    if (contact or "").strip():
        phone = normal_phone(contact)
        if phone is None:
            problems["contact"] = _("联系电话应为 11 位手机号，也可以不填")
    cleaned: list[evidence.CleanFile] = []
    too_large = False
    try:
        cleaned = evidence.clean_files([(upload.name, upload.data) for upload in uploads])
    except evidence.EvidenceError as exc:
        problems["evidence"] = str(exc)
        too_large = exc.too_large
    if problems:
        field = next(iter(problems))
        error = ClueError(problems[field], field, too_large=too_large)
        error.problems = problems
        raise error
    carrier_code, carrier_text = resolve_carrier(region, carrier)
    return {
        "category": category,
        "region": region,
        "description": description,
        "phone": phone,
        "carrier_code": carrier_code,
        "carrier_text": carrier_text,
    }, cleaned


def carrier_kinds() -> tuple:
    """(model, owner field, name field, label) of each kind of carrier a clue may name."""
    from jianfu.registry.models import App, Form, PublicAccount, WorkGroup

    return (
        (WorkGroup, "owner", "name", _("工作群")),
        (App, "owner", "name", _("应用")),
        (PublicAccount, "owner", "name", _("公众号")),
        (Form, "issuer", "title", _("报表")),
    )


def region_carriers(region: Unit, **lookup):
    """(kind label, queryset of (code, name)) per kind, for the carriers owned inside the region."""
    for model, owner, name, label in carrier_kinds():
        filters = {f"{owner}__path__startswith": region.path}
        filters.update(
            {key.replace("name", name, 1) if key.startswith("name") else key: value for key, value in lookup.items()}
        )
        yield label, model.objects.filter(**filters).order_by(name).values_list("code", name)


def resolve_carrier(region: Unit, text: str) -> tuple[str, str]:
    """A registry code inside the region is kept as a code (with its name); anything else as free text."""
    if not text:
        return "", ""
    for _label, rows in region_carriers(region, code=text):
        for row in rows[:1]:
            return row
    # A name picked from the suggestions: its code when exactly one carrier of the region has that name.
    named = [row for _label, rows in region_carriers(region, name=text) for row in rows[:2]]
    return named[0] if len(named) == 1 else ("", text)


def do_file_clue(
    *,
    category: str,
    region_code: str,
    description: str,
    carrier: str = "",
    contact: str = "",
    uploads: list[Upload] = (),
) -> tuple[Clue, str]:
    """File an anonymous clue; returns it and its receipt (shown once, kept only as a hash)."""
    fields, cleaned = check_submission(
        category=category,
        region_code=region_code,
        description=description,
        carrier=carrier,
        contact=contact,
        uploads=list(uploads),
    )
    receipt = new_receipt()
    stored: list[str] = []
    try:
        with transaction.atomic():
            now = timezone.now()
            region = fields["region"]
            clue = Clue(
                category=category,
                region=region,
                region_path=region.path,
                carrier_code=fields["carrier_code"],
                carrier_text=fields["carrier_text"],
                description=fields["description"],
                received_at=now,
                due_on=Clue.due_for(category, now),
                receipt_hash=receipt_hash(receipt),
            )
            if fields["phone"]:
                clue.contact_hash, clue.contact_masked, clue.contact_sealed = seal_phone(fields["phone"])
            clue.save()
            for item in cleaned:
                name = storage.store(item)
                stored.append(name)
                Evidence.objects.create(
                    clue=clue, stored_name=name, kind=item.kind, size=len(item.data), sha256=item.sha256
                )
            _audit(
                ANONYMOUS,
                clue,
                "filed",
                {"category": [None, category], "region": [None, region.code], "evidence": [None, len(cleaned)]},
            )
    except BaseException:
        storage.discard(stored)  # nothing half-written: no file outlives a rolled-back clue
        raise
    return clue, receipt


def clue_by_receipt(receipt: str) -> Clue | None:
    if not receipt or len(receipt) > 100:
        return None
    return Clue.objects.filter(receipt_hash=receipt_hash(receipt)).first()


def do_reporter_reply(receipt: str, text: str) -> Message:
    """The reporter answers the handler (only while the clue is open)."""
    text = (text or "").strip()
    if not text:
        raise ClueError(_("回复内容不能为空"), "text")
    if len(text) > MAX_MESSAGE:
        raise ClueError(_("回复不超过 %(n)s 字") % {"n": MAX_MESSAGE}, "text")
    with transaction.atomic():
        clue = clue_by_receipt(receipt)
        if clue is None:
            raise ClueError(_("回执码不正确"), "receipt")
        clue = Clue.objects.select_for_update().get(pk=clue.pk)
        if not clue.is_open:
            raise ClueError(_("此线索已办结，不能再回复"), conflict=True)
        message = Message.objects.create(clue=clue, sender=Message.Sender.REPORTER, text=text)
        _audit(ANONYMOUS, clue, "reporter_replied", {"message": [None, message.pk]})
    return message


def _locked(clue: Clue) -> Clue:
    return Clue.objects.select_for_update().get(pk=clue.pk)


def _save_audited(current: Clue, old: dict, action: str, acting_user: User) -> None:
    """Save the fields ``old`` names (field → value before the change) and audit each as [before, after]."""
    current.save(update_fields=list(old))
    _audit(acting_user, current, action, {field: [value, getattr(current, field)] for field, value in old.items()})


def _open_or_refuse(clue: Clue) -> None:
    if not clue.is_open:
        raise ClueError(
            _("线索当前状态为「%(status)s」，不能再办理") % {"status": clue.get_status_display()}, conflict=True
        )


def handler_choices(clue: Clue):
    """Officers who may handle this clue: office and discipline officers of its region or above."""
    paths = scope.ancestor_paths(clue.region_path)
    return User.objects.filter(is_active=True, role__in=[Role.OFFICE, Role.DISCIPLINE], unit__path__in=paths).order_by(
        "username"
    )


def do_assign(clue: Clue, handler: User, *, acting_user: User) -> Clue:
    _check_handler(acting_user, clue)
    if handler is None or not handler_choices(clue).filter(pk=handler.pk).exists():
        raise ClueError(_("承办人须为该地区或上级的减负办、纪检监察人员"), "handler")
    with transaction.atomic():
        current = _locked(clue)
        _open_or_refuse(current)
        old = {"handler": current.handler.username if current.handler else None, "status": current.status}
        current.handler, current.status = handler, Clue.Status.HANDLING
        current.save(update_fields=["handler", "status"])
        _audit(
            acting_user,
            current,
            "assigned",
            {"handler": [old["handler"], handler.username], "status": [old["status"], current.status]},
        )
    return current


def do_link(clue: Clue, codes: list[str], finding_ids: list[str], *, acting_user: User) -> Clue:
    """Link registry objects (by code) and findings (by id) the officer can see; unknown ones are refused."""
    from jianfu.findings.models import Finding
    from jianfu.registry.models import App, Form, Person, PublicAccount, WorkGroup

    _check_handler(acting_user, clue)
    codes = sorted({c.strip() for c in codes if c.strip()})
    finding_ids = sorted({f.strip() for f in finding_ids if f.strip()})
    known: set[str] = set()
    for model in (WorkGroup, App, PublicAccount, Form, Person, Unit):
        known |= set(scope.scoped(acting_user, model).filter(code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ClueError(_("找不到台账对象：%(codes)s") % {"codes": "、".join(unknown)}, "codes")
    found = set(scope.scoped(acting_user, Finding).filter(fid__in=finding_ids).values_list("fid", flat=True))
    missing = [f for f in finding_ids if f not in found]
    if missing:
        raise ClueError(_("找不到问题：%(ids)s") % {"ids": "、".join(missing)}, "findings")
    with transaction.atomic():
        current = _locked(clue)
        old = {"linked_codes": list(current.linked_codes), "linked_findings": list(current.linked_findings)}
        current.linked_codes = sorted(set(old["linked_codes"]) | set(codes))
        current.linked_findings = sorted(set(old["linked_findings"]) | set(finding_ids))
        _save_audited(current, old, "linked", acting_user)
    return current


def do_link_case(clue: Clue, case_number: str, *, acting_user: User) -> Clue:
    """Record a supervision case opened from this clue (for the cases app): a new clue is then being handled."""
    _check_handler(acting_user, clue)
    case_number = (case_number or "").strip()
    if not case_number:
        raise ClueError(_("案件编号不能为空"), "case")
    with transaction.atomic():
        current = _locked(clue)
        old = {"linked_cases": list(current.linked_cases), "status": current.status}
        if case_number not in current.linked_cases:
            current.linked_cases = [*current.linked_cases, case_number]
        if current.status == Clue.Status.NEW:
            current.status = Clue.Status.HANDLING
        _save_audited(current, old, "case_linked", acting_user)
    return current


def do_merge(clue: Clue, into: Clue, *, acting_user: User) -> Clue:
    """A duplicate joins another clue: it closes as merged, and its reporter is told where it went."""
    _check_handler(acting_user, clue)
    _check_handler(acting_user, into)
    if into.pk == clue.pk:
        raise ClueError(_("不能合并到自己"), "into")
    with transaction.atomic():
        current, target = _locked(clue), _locked(into)
        _open_or_refuse(current)
        if target.status == Clue.Status.MERGED:
            raise ClueError(_("目标线索本身已被合并，请合并到它所并入的线索"), "into", conflict=True)
        old = current.status
        current.status, current.merged_into, current.closed_at = Clue.Status.MERGED, target, timezone.now()
        current.outcome = _("与其他群众反映的同一问题合并办理")
        current.save(update_fields=["status", "merged_into", "closed_at", "outcome"])
        Message.objects.create(
            clue=current,
            sender=Message.Sender.HANDLER,
            author=acting_user,
            text=_("您反映的问题与其他线索为同一问题，已合并办理；办理结果将在此告知。"),
        )
        _audit(acting_user, current, "merged", {"status": [old, current.status], "merged_into": [None, target.pk]})
    return current


def do_reply(clue: Clue, text: str, *, acting_user: User) -> Message:
    """A message to the reporter, shown on the tracking page without the officer's name."""
    _check_handler(acting_user, clue)
    text = (text or "").strip()
    if not text:
        raise ClueError(_("回复内容不能为空"), "text")
    if len(text) > MAX_MESSAGE:
        raise ClueError(_("回复不超过 %(n)s 字") % {"n": MAX_MESSAGE}, "text")
    with transaction.atomic():
        current = _locked(clue)
        message = Message.objects.create(clue=current, sender=Message.Sender.HANDLER, text=text, author=acting_user)
        changes = {"message": [None, message.pk]}
        if current.status == Clue.Status.NEW:  # an answer means the clue has been taken up
            current.status = Clue.Status.HANDLING
            current.save(update_fields=["status"])
            changes["status"] = [Clue.Status.NEW, current.status]
        _audit(acting_user, current, "replied", changes)
    return message


def do_close(clue: Clue, outcome: str, *, acting_user: User) -> Clue:
    """Close with an outcome the reporter reads on the tracking page."""
    _check_handler(acting_user, clue)
    outcome = (outcome or "").strip()
    if not outcome:
        raise ClueError(_("办结须写明办理结果"), "outcome")
    if len(outcome) > MAX_MESSAGE:
        raise ClueError(_("办理结果不超过 %(n)s 字") % {"n": MAX_MESSAGE}, "outcome")
    with transaction.atomic():
        current = _locked(clue)
        _open_or_refuse(current)
        old = current.status
        current.status, current.outcome, current.closed_at = Clue.Status.CLOSED, outcome, timezone.now()
        current.save(update_fields=["status", "outcome", "closed_at"])
        Message.objects.create(
            clue=current,
            sender=Message.Sender.HANDLER,
            author=acting_user,
            text=_("已办结：%(outcome)s") % {"outcome": outcome},
        )
        _audit(acting_user, current, "closed", {"status": [old, current.status], "outcome": [None, outcome]})
    return current


def can_see_contact(user: User, clue: Clue) -> bool:
    """Only the clue's assigned handler ever sees the phone (masked, or revealed on request)."""
    return bool(user.is_authenticated and clue.handler_id == user.pk and clue.contact_sealed)


def do_reveal_contact(clue: Clue, *, acting_user: User) -> str:
    """The full phone for the handler to call back; every reveal is an audit row."""
    from jianfu.clues.privacy import unseal_phone

    _check_handler(acting_user, clue)
    if not can_see_contact(acting_user, clue):
        raise ClueError(_("只有该线索的承办人可以查看联系电话"))
    with transaction.atomic():
        _audit(acting_user, clue, "contact_revealed", {"contact": [None, clue.contact_masked]})
    return unseal_phone(clue.contact_sealed)
