from django import template
from django.utils.translation import gettext_lazy as _

from jianfu.registry.import_messages import expected_text as _expected_text
from jianfu.registry.vocabulary import value_label as _value_label

register = template.Library()

_KIND_LABELS = {
    "units": _("单位"),
    "people": _("人员"),
    "apps": _("应用"),
    "platforms": _("平台"),
    "accounts": _("公众号"),
    "groups": _("工作群"),
    "members": _("群成员"),
    "forms": _("报表"),
    "fields": _("报表字段"),
}


@register.filter
def kind_label(kind: str) -> str:
    """The Chinese (or translated) name of an import kind such as 'apps'."""
    return _KIND_LABELS.get(kind or "", kind or "—")


@register.filter
def value_label(value):
    """A platform, feature, demand or channel word in the UI language; data shows as written."""
    return _value_label(value)


@register.filter
def value_labels(values):
    """value_label over a list, for |join."""
    return [_value_label(value) for value in values or ()]


@register.filter
def expected_text(error: dict) -> str:
    """An import refusal's "what was expected" in the UI language."""
    return _expected_text(error)
