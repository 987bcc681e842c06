"""Every change to a registry object goes through a do_* function: access check, transaction, audit row.

Imports write in bulk through jianfu.registry.importing (one audit row per batch); everything else comes here.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model

from jianfu.accounts import scope
from jianfu.audit.log import record
from jianfu.registry import search
from jianfu.registry.models import App, Form, FormField, Membership, Person, PublicAccount, Unit, WorkGroup

CARRIERS: dict[str, type[Model]] = {"apps": App, "accounts": PublicAccount, "groups": WorkGroup, "forms": Form}

# What an officer may change by hand. Codes, owners and phones are not here: codes are the identity other
# systems link to, owners decide who may see an object, and phones are only ever held as hashes.
EDITABLE_FIELDS: dict[str, tuple[str, ...]] = {
    "units": ("name", "unit_type"),
    "people": ("name", "post"),
    "apps": (
        "name",
        "category",
        "launch_date",
        "last_update",
        "registered_users",
        "monthly_active_users",
        "functions",
        "forced_features",
        "description",
    ),
    "accounts": ("name", "platform", "opened_date", "last_post", "followers", "posts_30d", "assessments"),
    "groups": ("name", "platform", "nature", "task_end_date", "last_active", "messages_30d", "purpose", "demands"),
    "forms": ("title", "respondent_level", "frequency", "channel", "minutes_per_filing"),
}


def _do_update(kind: str, obj: Model, changes: dict, *, acting_user) -> dict:
    allowed = EDITABLE_FIELDS[kind]
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValidationError(f"不可修改的字段：{', '.join(sorted(unknown))}")
    if not scope.can_edit(acting_user, obj):
        raise PermissionDenied
    with transaction.atomic():
        # Re-read under a row lock so the "old" values in the audit row are the ones really replaced.
        current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        diff: dict[str, list] = {}
        for name, new in changes.items():
            old = getattr(current, name)
            if old != new:
                diff[name] = [old, new]
                setattr(current, name, new)
        if not diff:
            return {}
        current.full_clean(exclude=[f.name for f in current._meta.fields if f.name not in diff])
        current.save(update_fields=[*diff, "updated_at"])
        if {"name", "title", "code"} & set(diff):
            search.reindex(type(current), [current.pk])
        record(
            actor=acting_user,
            action="update",
            kind=kind,
            code=current.code,
            changes=diff,
            unit_path=scope.unit_path_of(current),
        )
    for name in diff:
        setattr(obj, name, getattr(current, name))
    return diff


def do_create_carrier(
    kind: str,
    values: dict,
    *,
    acting_user,
    members: list[str] | tuple = (),
    fields: list[dict] | tuple = (),
    provenance: dict | None = None,
) -> Model:
    """Enter a new carrier (with a group's members or a form's fields) and its audit row.

    Only an approved filing enters carriers: who may do so was settled by its review, whose final office may sit
    beside the owner rather than above it, so no edit right over the owner is asked for here.
    """
    model = CARRIERS[kind]
    with transaction.atomic():
        if kind == "groups":
            people = list(Person.objects.filter(code__in=members).values_list("id", flat=True))
            values = {**values, "member_count": len(people)}
        carrier = model.objects.create(**values)
        if kind == "groups":
            Membership.objects.bulk_create([Membership(group=carrier, person_id=person) for person in people])
        if kind == "forms":
            FormField.objects.bulk_create(
                [
                    FormField(
                        form=carrier,
                        position=position,
                        name=field["name"],
                        unit=field.get("unit") or "",
                        data_type=field.get("data_type") or "",
                    )
                    for position, field in enumerate(fields, start=1)
                ]
            )
        search.reindex(model, [carrier.pk])
        name = values.get("name", values.get("title"))
        record(
            actor=acting_user,
            action="create",
            kind=kind,
            code=carrier.code,
            changes={"name": [None, name], **(provenance or {})},
            unit_path=scope.unit_path_of(carrier),
        )
    return carrier


def do_update_unit(unit: Unit, changes: dict, *, acting_user) -> dict:
    return _do_update("units", unit, changes, acting_user=acting_user)


def do_update_person(person: Person, changes: dict, *, acting_user) -> dict:
    return _do_update("people", person, changes, acting_user=acting_user)


def do_update_app(app: App, changes: dict, *, acting_user) -> dict:
    return _do_update("apps", app, changes, acting_user=acting_user)


def do_update_account(account: PublicAccount, changes: dict, *, acting_user) -> dict:
    return _do_update("accounts", account, changes, acting_user=acting_user)


def do_update_group(group: WorkGroup, changes: dict, *, acting_user) -> dict:
    return _do_update("groups", group, changes, acting_user=acting_user)


def do_update_form(form: Form, changes: dict, *, acting_user) -> dict:
    return _do_update("forms", form, changes, acting_user=acting_user)


UPDATERS = {
    "units": do_update_unit,
    "people": do_update_person,
    "apps": do_update_app,
    "accounts": do_update_account,
    "groups": do_update_group,
    "forms": do_update_form,
}


_PLURAL = {"group": "groups", "app": "apps", "account": "accounts", "form": "forms"}


def do_end_carriers(
    item_kind: str,
    codes: list[str],
    status: str,
    day,
    *,
    acting_user,
    merged_into: str = "",
    finding: str = "",
    case: str = "",
) -> list[str]:
    """Cancel carriers, or merge them into ``merged_into``, effective ``day``; returns the codes changed.

    Called inside the decision's transaction (a finding marked done, later a case closed): the caller has
    checked the right to decide; carriers already cancelled or merged keep their earlier date.
    """
    from jianfu.registry.lifecycle import ITEM_MODELS
    from jianfu.registry.models import CarrierStatus

    if status not in (CarrierStatus.CANCELLED, CarrierStatus.MERGED):
        raise ValidationError(f"unknown carrier status {status!r}")
    model = ITEM_MODELS[item_kind]
    changed = []
    with transaction.atomic():
        rows = model._default_manager.select_for_update(of=("self",)).filter(
            code__in=codes, status=CarrierStatus.ACTIVE
        )
        for carrier in rows.select_related(*_owner_relation(model)):
            diff = {"status": [carrier.status, status], "status_date": [carrier.status_date, day]}
            carrier.status, carrier.status_date = status, day
            carrier.merged_into = merged_into if status == CarrierStatus.MERGED else ""
            carrier.status_finding, carrier.status_case = finding, case
            if merged_into:
                diff["merged_into"] = ["", merged_into]
            if finding:
                diff["finding"] = [None, finding]
            if case:
                diff["case"] = [None, case]
            carrier.save(
                update_fields=["status", "status_date", "merged_into", "status_finding", "status_case", "updated_at"]
            )
            record(
                actor=acting_user,
                action=f"carrier.{status}",
                kind=_PLURAL[item_kind],
                code=carrier.code,
                changes=diff,
                unit_path=scope.unit_path_of(carrier),
            )
            changed.append(carrier.code)
        if item_kind == "group" and status == CarrierStatus.MERGED and changed and merged_into:
            _merge_members(changed, merged_into, acting_user=acting_user, finding=finding, case=case)
    return sorted(changed)


def _merge_members(codes: list[str], kept_code: str, *, acting_user, finding: str, case: str) -> None:
    """Merging groups means their people now meet in the kept group: add the merged groups' members it lacks,
    recount it and audit the change, so the kept group and the burden the model counts stay truthful. The merged
    groups keep their own member lists (they are history, no longer active)."""
    kept = WorkGroup.objects.select_for_update().select_related("owner").filter(code=kept_code).first()
    if kept is None:
        return
    present = set(Membership.objects.filter(group=kept).values_list("person_id", flat=True))
    incoming = (
        Membership.objects.filter(group__code__in=codes)
        .exclude(person_id__in=present)
        .order_by("person__code")
        .values_list("person_id", "person__code")
        .distinct()
    )
    added = list(dict(incoming).items())
    if not added:
        return
    Membership.objects.bulk_create(
        [Membership(group=kept, person_id=pid) for pid, _code in added], ignore_conflicts=True
    )
    before = kept.member_count
    kept.member_count = Membership.objects.filter(group=kept).count()
    kept.save(update_fields=["member_count", "updated_at"])
    changes = {
        "member_count": [before, kept.member_count],
        "members_added": [None, [code for _pid, code in added]],
        "merged_from": [None, sorted(codes)],
    }
    if finding:
        changes["finding"] = [None, finding]
    if case:
        changes["case"] = [None, case]
    record(
        actor=acting_user,
        action="update",
        kind="groups",
        code=kept.code,
        changes=changes,
        unit_path=scope.unit_path_of(kept),
    )


def _owner_relation(model) -> tuple[str, ...]:
    return ("issuer",) if model is Form else ("owner",)
