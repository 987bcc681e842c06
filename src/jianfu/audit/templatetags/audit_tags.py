from django import template

from jianfu.audit.readable import readable

register = template.Library()


@register.filter(name="readable")
def readable_filter(events) -> list[dict]:
    """Audit rows with labels a person reads (jianfu.audit.readable)."""
    return readable(events)
