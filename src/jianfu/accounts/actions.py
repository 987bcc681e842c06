"""Every change to users goes through a do_* function: validated, in a transaction, with its audit row."""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from jianfu.accounts import scope
from jianfu.accounts.models import Role, TwoFactorPolicy, User
from jianfu.accounts.two_factor import BACKUP_CODE_COUNT, POLICY_ROLES
from jianfu.audit.log import record
from jianfu.registry.models import Unit


class UserError(Exception):
    """A change refused for a reason the user can fix; `messages` are translated and shown as they are."""

    def __init__(self, *messages: str):
        super().__init__(*messages)
        self.messages = list(messages)

    def __str__(self) -> str:
        return "；".join(self.messages)


def _audit_path(user: User) -> str:
    return user.unit.path if user.unit_id else ""


def username_problems(username: str) -> list[str]:
    """Every rule the (NFKC-normalised) username breaks: blank, too long, characters, already taken."""
    if not username.strip():
        return [_("用户名不能为空")]
    try:
        User._meta.get_field("username").run_validators(username)
    except ValidationError as exc:
        return list(exc.messages)
    if User.objects.filter(username__iexact=username).exists():
        return [_("用户 %(name)s 已存在") % {"name": username}]
    return []


def password_problems(password: str, user: User) -> list[str]:
    """Django's AUTH_PASSWORD_VALIDATORS, plus: a password of only spaces is no password."""
    problems = [] if password.strip() else [_("密码不能只由空白字符组成")]
    try:
        validate_password(password, user)
    except ValidationError as exc:
        problems.extend(exc.messages)
    return problems


@transaction.atomic
def do_create_user(
    username: str, *, password: str, unit_code: str, role: str, acting_user: User | None, person_code: str | None = None
) -> User:
    """Create an officer; UserError lists every problem at once (username, password, unit, role). With
    ``person_code`` the login is linked to that registry person (their own page /me/; same region only)."""
    username = User.normalize_username(username or "")
    problems = username_problems(username)
    if role not in Role.values:
        problems.append(_("角色应为 %(roles)s 之一") % {"roles": ", ".join(Role.values)})
    unit = Unit.objects.filter(code=unit_code).first()
    if unit is None:
        problems.append(_("找不到编码为 %(code)s 的单位") % {"code": unit_code})
    user = User(username=username, unit=unit, role=role, is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN)
    problems += password_problems(password or "", user)
    if problems:
        raise UserError(*problems)
    user.set_password(password)
    user.save()
    record(
        actor=acting_user or "cli",
        action="create",
        kind="user",
        code=user.username,
        changes={"role": [None, user.role], "unit": [None, unit.code]},
        unit_path=unit.path,
    )
    if person_code:
        from jianfu.surveys.actions import SurveyError, do_link_person

        try:
            do_link_person(user, person_code, acting_user=acting_user)
        except SurveyError as exc:
            raise UserError(*exc.messages) from None
    return user


@transaction.atomic
def do_set_two_factor_policy(unit: Unit, roles: list[str], *, acting_user: User) -> TwoFactorPolicy | None:
    """Require a one-time code of `roles` in `unit`'s region (an empty list lifts the requirement)."""
    if not scope.can_set_two_factor_policy(acting_user, unit):
        raise UserError(_("您无权设置该单位的两步验证要求"))
    unknown = sorted(set(roles) - set(POLICY_ROLES))
    if unknown:
        raise UserError(_("角色应为 %(roles)s 之一") % {"roles": ", ".join(POLICY_ROLES)})
    roles = sorted(set(roles))
    policy = TwoFactorPolicy.objects.select_for_update().filter(unit=unit).first()
    old = policy.roles if policy else []
    if old == roles:
        return policy
    if roles:
        policy = policy or TwoFactorPolicy(unit=unit)
        policy.roles, policy.updated_by = roles, acting_user
        policy.save()
    elif policy:
        policy.delete()
        policy = None
    record(
        actor=acting_user,
        action="update",
        kind="two_factor_policy",
        code=unit.code,
        changes={"roles": [old, roles]},
        unit_path=unit.path,
    )
    return policy


@transaction.atomic
def do_start_totp_enrolment(user: User) -> TOTPDevice:
    """A fresh, unconfirmed authenticator for the user (an earlier unfinished one is discarded)."""
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise UserError(_("已启用两步验证"))
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=_("身份验证器"), confirmed=False)


@transaction.atomic
def do_confirm_totp(device: TOTPDevice, token: str) -> list[str]:
    """Confirm the authenticator with a code it shows; returns the new backup codes (shown once)."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, confirmed=False)
    if not device.verify_token((token or "").strip()):
        raise UserError(_("验证码不正确，请核对手机上显示的 6 位数字"))
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=device.user).delete()
    static = StaticDevice.objects.create(user=device.user, name=_("备用码"), confirmed=True)
    codes = [StaticToken.random_token() for _index in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    record(
        actor=device.user,
        action="update",
        kind="user",
        code=device.user.username,
        changes={"two_factor": [False, True]},
        unit_path=_audit_path(device.user),
    )
    return codes


@transaction.atomic
def do_remove_two_factor(user: User, *, password: str) -> None:
    """Remove the user's authenticator and backup codes after they confirm their password."""
    if not user.check_password(password or ""):
        raise UserError(_("密码不正确"))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record(
        actor=user,
        action="update",
        kind="user",
        code=user.username,
        changes={"two_factor": [True, False]},
        unit_path=_audit_path(user),
    )


def ensure_demo_user() -> tuple[str, str] | None:
    """A demo office officer at the root region, with a fresh random password printed on the console."""
    root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None:
        return None
    password = secrets.token_urlsafe(9)
    user, _created = User.objects.get_or_create(username="demo", defaults={"unit": root, "role": Role.OFFICE})
    user.unit, user.role = root, Role.OFFICE
    user.set_password(password)
    user.save()
    return user.username, password
