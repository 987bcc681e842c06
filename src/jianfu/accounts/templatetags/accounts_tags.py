"""Template filters for account permissions, so other apps' pages can offer account links without new views."""

from django import template

from jianfu.accounts import scope

register = template.Library()


@register.filter
def may_set_two_factor_policy(user, unit) -> bool:
    """{% if user|may_set_two_factor_policy:unit %}: the policy link is worth showing."""
    return bool(user.is_authenticated) and scope.can_set_two_factor_policy(user, unit)


@register.filter
def under(path: str, prefixes: str) -> bool:
    """{% if request.path|under:"/units/ /people/" %}: the page lies in one of these sections of the site."""
    return any(path.startswith(prefix) for prefix in prefixes.split())
