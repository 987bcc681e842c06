from django import template

register = template.Library()


@register.filter
def days_left(filing, today) -> int:
    return filing.days_left(today)


@register.filter
def pct(value) -> str:
    try:
        return f"{float(value):.0%}"
    except (TypeError, ValueError):
        return "—"


@register.filter
def num(value) -> str:
    try:
        return f"{float(value):.2f}"
    except (TypeError, ValueError):
        return "—"


@register.filter
def get(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None
