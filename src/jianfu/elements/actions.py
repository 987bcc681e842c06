"""Every write of 一表通 goes through a do_* function here: access check, transaction, audit row.

Who may do what:
* the catalog (edit, merge, approve) is kept by office officers (and admins) for their own region's elements;
  a region's catalog is shared below it, but only its own region changes it;
* a department or office officer may propose a candidate element; nobody approves their own proposal;
* a mapping is confirmed or corrected by an officer who may edit the form; the field's name then becomes a
  synonym of the element, so the next form worded the same maps exactly;
* an office or department officer issues a form it may edit to the respondent units of its region;
* a respondent unit's own users fill and submit its copy, until the deadline.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from jianfu.accounts import scope
from jianfu.accounts.models import Role, User
from jianfu.audit.log import record
from jianfu.elements.mapping import suggest
from jianfu.elements.models import CopyValue, DataElement, FieldMapping, FormIssue, HeldValue, IssueCopy
from jianfu.elements.values import check_value, data_type_of, normalise_period, synonym_key
from jianfu.ingest.errors import Problem
from jianfu.registry.models import Form, FormField, Level, Unit

CATALOG_ROLES = {Role.ADMIN, Role.OFFICE}
PROPOSER_ROLES = {Role.ADMIN, Role.OFFICE, Role.DEPARTMENT}
ISSUER_ROLES = {Role.ADMIN, Role.OFFICE, Role.DEPARTMENT}
EDITABLE = ("name", "synonyms", "definition", "data_type", "unit", "source")
DEFAULT_RESPONDENT_LEVEL = Level.VILLAGE  # as the burden model assumes


class ElementError(Exception):
    """A refused change; `problem` is the Chinese message (a Problem the web translates)."""

    def __init__(self, problem: str | Problem):
        self.problem = problem if isinstance(problem, Problem) else Problem(problem)
        super().__init__(str(self.problem))


def _is_admin(user: User) -> bool:
    return user.is_authenticated and (user.role == Role.ADMIN or user.is_superuser)


def can_manage_catalog(user: User) -> bool:
    return (
        user.is_authenticated
        and (user.role in CATALOG_ROLES or user.is_superuser)
        and (_is_admin(user) or user.unit_id is not None)
    )


def catalog_writable(user: User, element: DataElement) -> bool:
    """Office officers change their own region's elements (and those below); admins every element."""
    if not can_manage_catalog(user):
        return False
    if _is_admin(user):
        return True
    return element.region_id is not None and element.region.path.startswith(user.unit.path)


def _audit(user, action: str, code: str, changes: dict, unit_path: str, kind: str = "elements") -> None:
    record(actor=user, action=action, kind=kind, code=code, changes=changes, unit_path=unit_path)


def _claims(exclude_ids: set[int], region) -> dict[str, str]:
    """synonym key → element code, over the catalog seen from `region` (None: all), except the given elements."""
    claimed = {}
    visible = (
        scope.visible_from_unit(DataElement, region)
        .exclude(status=DataElement.Status.MERGED)
        .exclude(id__in=exclude_ids)
    )
    for code, name, synonyms in visible.values_list("code", "name", "synonyms"):
        for word in [name, *(synonyms or [])]:
            claimed.setdefault(synonym_key(word), code)
    return claimed


def _check_words(element: DataElement, words: list[str]) -> None:
    claimed = _claims({element.id} | ({element.merged_into_id} if element.merged_into_id else set()), element.region)
    for word in words:
        owner = claimed.get(synonym_key(word))
        if owner:
            raise ElementError(
                Problem(
                    "名称或同义词「%(word)s」已属于数据元 %(code)s：一个名称只能属于一个数据元", word=word, code=owner
                )
            )


def _locked(element: DataElement) -> DataElement:
    return DataElement.objects.select_for_update(of=("self",)).select_related("region").get(pk=element.pk)


def do_update_element(element: DataElement, changes: dict, *, acting_user: User) -> dict:
    """Edit an element's name, synonyms, definition, type, unit or source."""
    if not catalog_writable(acting_user, element):
        raise PermissionDenied
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ElementError(Problem("不可修改的字段：%(names)s", names="、".join(sorted(unknown))))
    with transaction.atomic():
        current = _locked(element)
        diff = {name: [getattr(current, name), new] for name, new in changes.items() if getattr(current, name) != new}
        if not diff:
            return {}
        if "name" in diff or "synonyms" in diff:
            _check_words(current, [changes.get("name", current.name), *changes.get("synonyms", current.synonyms)])
        for name, (_old, new) in diff.items():
            setattr(current, name, new)
        current.save(update_fields=[*diff, "updated_at"])
        _audit(acting_user, "update", current.code, diff, current.region_path)
    return diff


def do_propose_element(
    *, code: str, name: str, data_type: str = "", unit: str = "", acting_user: User, field: FormField | None = None
) -> DataElement:
    """A candidate element in the proposer's region (from an unmapped field, or by hand); approved by another."""
    if not (acting_user.is_authenticated and (acting_user.role in PROPOSER_ROLES or acting_user.is_superuser)):
        raise PermissionDenied
    if not acting_user.unit_id and not _is_admin(acting_user):
        raise PermissionDenied
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise ElementError("元素编码和名称都不能为空")
    with transaction.atomic():
        if DataElement.objects.filter(code=code).exists():
            raise ElementError(Problem("元素编码 %(code)s 已被使用", code=code))
        element = DataElement(
            code=code,
            name=name,
            data_type=data_type,
            unit=unit,
            region=acting_user.unit,
            status=DataElement.Status.CANDIDATE,
            definition="",
            source="",
        )
        _check_words(element, [name])
        element.save()
        changes = {"name": [None, name], "status": [None, element.status], "proposed_by": [None, acting_user.username]}
        if field is not None:
            changes["from_field"] = [None, f"{field.form.code}#{field.position}"]
        _audit(acting_user, "propose", code, changes, element.region_path)
    return element


def proposer_of(element: DataElement) -> str | None:
    from jianfu.audit.models import AuditEvent

    return (
        AuditEvent.objects.filter(object_kind="elements", object_code=element.code, action="propose")
        .order_by("id")
        .values_list("actor_name", flat=True)
        .first()
    )


def do_approve_element(element: DataElement, *, acting_user: User) -> DataElement:
    """A candidate joins the catalog; its proposer may not approve it."""
    if not catalog_writable(acting_user, element):
        raise PermissionDenied
    with transaction.atomic():
        current = _locked(element)
        if current.status != DataElement.Status.CANDIDATE:
            raise ElementError("只有候选数据元可以批准")
        if proposer_of(current) == acting_user.username:
            raise ElementError("不能批准自己提出的候选数据元")
        current.status = DataElement.Status.ACTIVE
        current.save(update_fields=["status", "updated_at"])
        _audit(acting_user, "approve", current.code, {"status": ["candidate", "active"]}, current.region_path)
    return current


def do_merge_elements(keep: DataElement, drop: DataElement, *, acting_user: User) -> DataElement:
    """`drop` joins `keep`: its name and synonyms become synonyms of `keep`; mappings and held values follow."""
    if keep.pk == drop.pk:
        raise ElementError("不能把数据元合并到它自己")
    if not (catalog_writable(acting_user, keep) and catalog_writable(acting_user, drop)):
        raise PermissionDenied
    with transaction.atomic():
        keep, drop = _locked(keep), _locked(drop)
        if DataElement.Status.MERGED in (keep.status, drop.status):
            raise ElementError("已合并的数据元不能再合并")
        words = [w for w in [drop.name, *drop.synonyms] if synonym_key(w) != synonym_key(keep.name)]
        old_synonyms = list(keep.synonyms)
        keep.synonyms = old_synonyms + [w for w in words if w not in old_synonyms]
        keep.save(update_fields=["synonyms", "updated_at"])
        FieldMapping.objects.filter(element=drop).update(element=keep)
        CopyValue.objects.filter(element=drop).update(element=keep)
        # A value held under both: the kept element's own value stays.
        taken = set(HeldValue.objects.filter(element=keep).values_list("unit_id", "period"))
        for value_id, unit_id, period in HeldValue.objects.filter(element=drop).values_list("id", "unit_id", "period"):
            if (unit_id, period) in taken:
                HeldValue.objects.filter(id=value_id).delete()
            else:
                HeldValue.objects.filter(id=value_id).update(element=keep)
        drop.status, drop.merged_into = DataElement.Status.MERGED, keep
        drop.save(update_fields=["status", "merged_into", "updated_at"])
        _audit(
            acting_user,
            "merge",
            keep.code,
            {"synonyms": [old_synonyms, keep.synonyms], "merged": [None, drop.code]},
            keep.region_path,
        )
        _audit(
            acting_user,
            "merge",
            drop.code,
            {"status": ["active", "merged"], "merged_into": [None, keep.code]},
            drop.region_path,
        )
    return keep


# --- mappings ---------------------------------------------------------------------------------------------


def can_map(user: User, form: Form) -> bool:
    return scope.can_edit(user, form)


def do_confirm_mapping(field: FormField, element: DataElement | None, *, acting_user: User) -> FieldMapping:
    """Confirm (or correct) the element of a field; None marks it as no element of the catalog.

    The field's name becomes a synonym of the element unless some element already has that name."""
    if not can_map(acting_user, field.form):
        raise PermissionDenied
    if element is not None and not scope.scoped(acting_user, DataElement).filter(pk=element.pk).exists():
        raise ElementError("找不到此数据元")
    if element is not None and element.status != DataElement.Status.ACTIVE:
        raise ElementError("只能映射到已收录的数据元")
    with transaction.atomic():
        mapping, _created = FieldMapping.objects.select_for_update().get_or_create(field=field)
        old = [mapping.element.code if mapping.element_id else None, mapping.confirmed]
        mapping.element, mapping.confidence, mapping.reason = element, 1.0, "confirmed"
        mapping.confirmed, mapping.confirmed_by = True, acting_user
        mapping.save()
        learned = None
        if element is not None:
            current = _locked(element)
            key = synonym_key(field.name)
            claimed = _claims(set(), current.region)
            if key not in claimed:
                current.synonyms = [*current.synonyms, field.name]
                current.save(update_fields=["synonyms", "updated_at"])
                learned = field.name
                _audit(
                    acting_user, "learn_synonym", current.code, {"synonyms": [None, field.name]}, current.region_path
                )
        _audit(
            acting_user,
            "confirm_mapping",
            f"{field.form.code}#{field.position}",
            {
                "element": [old[0], element.code if element else None],
                "confirmed": [old[1], True],
                "learned_synonym": [None, learned],
            },
            scope.unit_path_of(field.form),
            kind="field_mappings",
        )
    return mapping


def store_suggestions(rows: list[dict]) -> int:
    """Keep the matcher's mapping of each field from an analysis run (`field_mappings` of analyze --json);
    confirmed mappings are an officer's word and stay as they are. Run by the system, not a user."""
    fields = {(code, pos): fid for fid, code, pos in FormField.objects.values_list("id", "form__code", "position")}
    elements = dict(DataElement.objects.values_list("code", "id"))
    confirmed = set(FieldMapping.objects.filter(confirmed=True).values_list("field_id", flat=True))
    existing = {m.field_id: m for m in FieldMapping.objects.filter(confirmed=False)}
    create, update = [], []
    for row in rows:
        fid = fields.get((row["form"], row["position"]))
        if fid is None or fid in confirmed:
            continue
        element_id = elements.get(row["element"]) if row.get("element") else None
        confidence = float(row.get("confidence") or 0.0)
        old = existing.get(fid)
        if old is None:
            create.append(
                FieldMapping(
                    field_id=fid,
                    element_id=element_id,
                    confidence=confidence,
                    reason=str(row.get("reason") or "")[:300],
                )
            )
        elif old.element_id != element_id or abs(old.confidence - confidence) > 1e-6:
            old.element_id, old.confidence = element_id, confidence
            old.reason = str(row.get("reason") or "")[:300]
            update.append(old)
    with transaction.atomic():
        FieldMapping.objects.bulk_create(create, batch_size=1000)
        FieldMapping.objects.bulk_update(update, ["element", "confidence", "reason"], batch_size=500)
    return len(create) + len(update)


def ensure_mappings(form: Form) -> None:
    """Suggest mappings for a form's fields that have none yet (a form imported after the last analysis)."""
    fields = list(form.fields.filter(mapping__isnull=True))
    if not fields:
        return
    suggestions = suggest(fields, form.issuer.path)
    elements = dict(
        DataElement.objects.filter(code__in={s[0] for s in suggestions.values() if s[0]}).values_list("code", "id")
    )
    with transaction.atomic():
        FieldMapping.objects.bulk_create(
            [
                FieldMapping(
                    field_id=fid, element_id=elements.get(code) if code else None, confidence=conf, reason=reason[:300]
                )
                for fid, (code, conf, reason) in suggestions.items()
            ],
            ignore_conflicts=True,
        )


# --- issuing a form once ------------------------------------------------------------------------------------


def can_issue(user: User, form: Form) -> bool:
    return user.is_authenticated and (user.role in ISSUER_ROLES or user.is_superuser) and scope.can_edit(user, form)


def region_of(unit: Unit) -> Unit:
    """The nearest region (not a department) at or above a unit."""
    current = unit
    while current is not None and not current.is_region:
        current = current.parent
    return current or unit


def respondents_of(form: Form) -> list[Unit]:
    level = form.respondent_level or DEFAULT_RESPONDENT_LEVEL
    region = region_of(form.issuer)
    return list(Unit.objects.filter(path__startswith=region.path, level=level, is_region=True).order_by("code"))


def held_for(element_ids: set[int], unit_ids: set[int], period: str) -> dict[tuple[int, int], HeldValue]:
    rows = HeldValue.objects.filter(element_id__in=element_ids, unit_id__in=unit_ids, period=period)
    return {(v.element_id, v.unit_id): v for v in rows}


def source_label(held: HeldValue) -> str:
    kind = "填报" if held.origin == HeldValue.Origin.SUBMISSION else "导入"
    return f"{kind}：{held.source}" if held.source else kind


def do_issue_form(form: Form, *, period: str, deadline: dt.date, acting_user: User) -> FormIssue:
    """Issue a form to its respondent units for a period, each copy pre-filled from the values held."""
    if not can_issue(acting_user, form):
        raise PermissionDenied
    try:
        period = normalise_period(period)
    except ValueError as exc:
        raise ElementError(Problem("期间%(why)s", why=str(exc))) from None
    if deadline < timezone.localdate():
        raise ElementError("截止日期不能早于今天")
    respondents = respondents_of(form)
    if not respondents:
        raise ElementError("本区域内没有这个报表的填报单位")
    ensure_mappings(form)
    fields = list(form.fields.select_related("mapping").order_by("position"))
    if not fields:
        raise ElementError("这个报表还没有字段，不能下发")
    element_of = {f.id: getattr(getattr(f, "mapping", None), "element_id", None) for f in fields}
    with transaction.atomic():
        if FormIssue.objects.filter(form=form, period=period).exists():
            raise ElementError(Problem("报表 %(code)s 已就期间 %(period)s 下发过", code=form.code, period=period))
        issue = FormIssue.objects.create(
            form=form, issuer=form.issuer, period=period, deadline=deadline, issued_by=acting_user
        )
        held = held_for({e for e in element_of.values() if e}, {u.id for u in respondents}, period)
        for unit in respondents:
            copy = IssueCopy.objects.create(issue=issue, respondent=unit, fields_total=len(fields))
            values = []
            for f in fields:
                found = held.get((element_of[f.id], unit.id)) if element_of[f.id] else None
                values.append(
                    CopyValue(
                        copy=copy,
                        field=f,
                        element_id=element_of[f.id],
                        prefilled_value=found.value if found else "",
                        prefill_source=source_label(found) if found else "",
                    )
                )
            CopyValue.objects.bulk_create(values)
            copy.prefilled = sum(1 for v in values if v.prefilled_value)
            copy.save(update_fields=["prefilled"])
        _audit(
            acting_user,
            "issue",
            issue.number,
            {
                "form": [None, form.code],
                "period": [None, period],
                "deadline": [None, deadline],
                "respondents": [None, len(respondents)],
            },
            scope.unit_path_of(form),
            kind="form_issues",
        )
    return issue


def can_fill(user: User, copy: IssueCopy) -> bool:
    return user.is_authenticated and user.unit_id == copy.respondent_id


def live_prefill(copy: IssueCopy, values: list[CopyValue]) -> None:
    """Fields with nothing pre-filled at issue time take a value held since (another form's submission)."""
    missing = [v for v in values if v.element_id and not v.prefilled_value]
    if not missing:
        return
    held = held_for({v.element_id for v in missing}, {copy.respondent_id}, copy.issue.period)
    for v in missing:
        found = held.get((v.element_id, copy.respondent_id))
        if found:
            v.prefilled_value, v.prefill_source = found.value, source_label(found)


def do_submit_copy(
    copy: IssueCopy, raw: dict[int, str], *, acting_user: User, today: dt.date | None = None
) -> dict[int, Problem]:
    """Check and store a respondent's values (field id → text); on success they become held values.

    Returns the problems by field id (nothing is stored then)."""
    if not can_fill(acting_user, copy):
        raise PermissionDenied
    today = today or timezone.localdate()
    if today > copy.issue.deadline:
        raise ElementError(Problem("已过截止日期 %(date)s，不能再提交", date=copy.issue.deadline.isoformat()))
    values = list(copy.values.select_related("field", "element"))
    live_prefill(copy, values)
    clean, problems = _checked_values(values, raw)
    if problems:
        return problems
    with transaction.atomic():
        locked = IssueCopy.objects.select_for_update().get(pk=copy.pk)
        for v in values:
            v.value = clean[v.field_id]
        CopyValue.objects.bulk_update(values, ["value", "prefilled_value", "prefill_source"])
        _hold_submitted(copy, values)
        locked.status, locked.submitted_at, locked.submitted_by = (
            IssueCopy.Status.SUBMITTED,
            timezone.now(),
            acting_user,
        )
        locked.prefilled = sum(1 for v in values if v.prefilled_value)
        locked.save(update_fields=["status", "submitted_at", "submitted_by", "prefilled"])
        _audit(
            acting_user,
            "submit",
            copy.number,
            {
                "fields": [None, len(values)],
                "changed_from_prefill": [
                    None,
                    sum(1 for v in values if v.prefilled_value and v.prefilled_value != v.value),
                ],
            },
            copy.respondent.path,
            kind="form_issues",
        )
    return {}


def _checked_values(values: list[CopyValue], raw: dict[int, str]) -> tuple[dict[int, str], dict[int, Problem]]:
    """(field id → the value as stored, field id → its problem), each checked by its element's type and unit."""
    problems: dict[int, Problem] = {}
    clean: dict[int, str] = {}
    for v in values:
        text = raw.get(v.field_id, "")
        data_type = (v.element.data_type if v.element else "") or _field_type(v.field)
        unit = v.field.unit or (v.element.unit if v.element else "")
        try:
            clean[v.field_id] = check_value(text, data_type, unit)
        except Problem as exc:
            problems[v.field_id] = exc
        except ValueError as exc:
            problems[v.field_id] = Problem(str(exc))
    return clean, problems


def _hold_submitted(copy: IssueCopy, values: list[CopyValue]) -> None:
    """Every non-empty value of a data element becomes the respondent's held value for the period: filled once."""
    issue = copy.issue
    source = f"{issue.form.code} {issue.form.title}"
    for v in values:
        if v.element_id and v.value != "":
            HeldValue.objects.update_or_create(
                element_id=v.element_id,
                unit_id=copy.respondent_id,
                period=issue.period,
                defaults={"value": v.value, "source": source[:200], "origin": HeldValue.Origin.SUBMISSION},
            )


def _field_type(field: FormField) -> str:
    try:
        return data_type_of(field.data_type)
    except ValueError:
        return ""


def copies_for(user: User):
    """The copies a user's unit has to fill."""
    if not user.is_authenticated or not user.unit_id:
        return IssueCopy.objects.none()
    return scope.scoped(user, IssueCopy).filter(respondent_id=user.unit_id)
