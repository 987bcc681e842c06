"""Audit rows as a person reads them: field labels instead of field names, choice labels instead of codes,
unit names instead of 12-digit codes, lists joined (history pages of the registry, filings and findings)."""

from __future__ import annotations

import re

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

# object_kind of an audit row → the model whose fields it names
KIND_MODELS = {
    "units": "registry.Unit",
    "people": "registry.Person",
    "apps": "registry.App",
    "accounts": "registry.PublicAccount",
    "groups": "registry.WorkGroup",
    "forms": "registry.Form",
    "findings": "findings.Finding",
    "proposals": "filings.Proposal",
    "filings": "filings.Filing",
    "user": "accounts.User",
}
# Names written in audit rows that are not model fields.
EXTRA_LABELS = {
    "similar": _("相似对象"),
    "violations": _("违规情形"),
    "filing": _("备案号"),
    "proposal": _("申报编号"),
    "steps": _("审批层级"),
    "name": _("名称"),
}
ACTION_LABELS = {
    "create": _("新建"),
    "update": _("修改"),
    "import": _("导入"),
    "finding.accepted": _("采纳"),
    "finding.rejected": _("驳回"),
    "finding.done": _("已完成整改"),
    "finding.open": _("重新打开"),
    "finding.reject_requested": _("申请驳回"),
    "finding.reject_confirmed": _("确认驳回"),
    "finding.reject_overruled": _("否决驳回申请"),
    "filing.created": _("新建"),
    "filing.edited": _("修改"),
    "filing.submitted": _("提交审核"),
    "filing.refused": _("预审未通过"),
    "filing.withdrawn": _("撤回"),
    "filing.commented": _("审核意见"),
    "filing.approved": _("通过"),
    "filing.returned": _("退回修改"),
    "filing.rejected": _("不予备案"),
    "filing.filed": _("备案"),
    "filing.expired": _("备案到期"),
    "filing.reminded": _("到期提醒"),
    "filing.renewal_requested": _("申请续期"),
    "filing.policy": _("审核层级设置"),
}
_UNIT_CODE = re.compile(r"^\d{12}$")


def _model(kind: str):
    label = KIND_MODELS.get(kind)
    try:
        return apps.get_model(label) if label else None
    except LookupError:
        return None


def _field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def field_label(kind: str, name: str) -> str:
    field = _field(_model(kind), name)
    if name in EXTRA_LABELS and (field is None or not getattr(field, "verbose_name", None)):
        return str(EXTRA_LABELS[name])
    label = getattr(field, "verbose_name", None) if field is not None else None
    return str(label) if label and str(label) != name.replace("_", " ") else str(EXTRA_LABELS.get(name, name))


def value_text(kind: str, name: str, value, unit_names: dict[str, str]) -> str:
    """One old or new value as text: choices by label, unit codes by name, lists joined, nothing as —."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, (list, tuple)):
        joiner = " → " if name == "steps" else "、"
        return joiner.join(value_text(kind, name, v, unit_names) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{value_text(kind, k, v, unit_names)}" for k, v in value.items())
    field = _field(_model(kind), name)
    choices = dict(field.flatchoices) if field is not None and getattr(field, "choices", None) else {}
    if value in choices:
        return str(choices[value])
    text = str(value)
    if _UNIT_CODE.match(text) and text in unit_names:
        return f"{unit_names[text]}（{text}）"
    return text


def _unit_codes(value) -> set[str]:
    if isinstance(value, (list, tuple)):
        return set().union(*(_unit_codes(v) for v in value)) if value else set()
    return {value} if isinstance(value, str) and _UNIT_CODE.match(value) else set()


def readable(events) -> list[dict]:
    """History rows: {at, actor, action, changes: [(label, old, new)]}."""
    from jianfu.registry.models import Unit

    events = list(events)
    codes = set()
    for event in events:
        for pair in (event.changes or {}).values():
            if isinstance(pair, (list, tuple)) and len(pair) == 2:
                codes |= _unit_codes(pair[0]) | _unit_codes(pair[1])
    names = dict(Unit.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    rows = []
    for event in events:
        kind, changes = event.object_kind, []
        for name, pair in (event.changes or {}).items():
            old, new = pair if isinstance(pair, (list, tuple)) and len(pair) == 2 else (None, pair)
            changes.append(
                (field_label(kind, name), value_text(kind, name, old, names), value_text(kind, name, new, names))
            )
        rows.append(
            {
                "at": event.at,
                "actor": event.actor_name,
                "action": str(ACTION_LABELS.get(event.action, event.action)),
                "changes": changes or [("—", "—", "—")],
            }
        )
    return rows
