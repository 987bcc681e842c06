"""Every change to users goes through a do_* function: validated, in a transaction, audited by the caller."""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from jianfu.accounts.models import Role, User
from jianfu.registry.models import Unit


class UserError(Exception):
    pass


@transaction.atomic
def do_create_user(username: str, *, password: str, unit_code: str, role: str, acting_user: User | None) -> User:
    if role not in Role.values:
        raise UserError(f"角色应为 {', '.join(Role.values)} 之一")
    unit = Unit.objects.filter(code=unit_code).first()
    if unit is None:
        raise UserError(f"找不到编码为 {unit_code} 的单位")
    if User.objects.filter(username=username).exists():
        raise UserError(f"用户 {username} 已存在")
    user = User(username=username, unit=unit, role=role, is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise UserError("；".join(exc.messages)) from exc
    user.set_password(password)
    user.save()
    return user


def ensure_demo_user() -> tuple[str, str] | None:
    """A demo office officer at the root region, with a fresh random password printed on the console."""
    root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None:
        return None
    password = secrets.token_urlsafe(9)
    user, _ = User.objects.get_or_create(username="demo", defaults={"unit": root, "role": Role.OFFICE})
    user.unit, user.role = root, Role.OFFICE
    user.set_password(password)
    user.save()
    return user.username, password
