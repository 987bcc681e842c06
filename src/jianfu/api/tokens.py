"""Token actions (create, revoke, authenticate): each write in a transaction with an audit row."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jianfu.accounts.models import User
from jianfu.api.models import ApiToken
from jianfu.audit.log import record

TOKEN_PREFIX = "jf_"
PUBLIC_CHARS = 8
# A token's last use is written at most this often: a busy client must not turn every read into a write.
LAST_USED_EVERY = dt.timedelta(minutes=1)


def digest_of(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _unit_path(user: User) -> str:
    return user.unit.path if user.unit_id else ""


def do_create_token(
    user: User, *, acting_user: User | None, label: str = "", days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the token text, which is never stored."""
    days = days or settings.JIANFU_API_TOKEN_DAYS
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            prefix=raw[: len(TOKEN_PREFIX) + PUBLIC_CHARS],
            digest=digest_of(raw),
            label=label[:100],
            expires_at=timezone.now() + dt.timedelta(days=days),
        )
        record(
            actor=acting_user or "cli",
            action="token.create",
            kind="tokens",
            code=token.prefix,
            changes={"token": [None, token.id], "user": [None, user.username], "expires_at": [None, token.expires_at]},
            unit_path=_unit_path(user),
        )
    return token, raw


def do_revoke_token(token: ApiToken, *, acting_user: User | None) -> bool:
    """Revoke one token; False when it was already revoked."""
    with transaction.atomic():
        now = timezone.now()
        if not ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
            return False
        record(
            actor=acting_user or "cli",
            action="token.revoke",
            kind="tokens",
            code=token.prefix,
            changes={"token": [token.id, None], "user": [token.user.username, token.user.username]},
            unit_path=_unit_path(token.user),
        )
    return True


def do_revoke_user_tokens(user: User, *, acting_user: User | None) -> int:
    """Revoke every live token of `user`; returns how many."""
    count = 0
    for token in ApiToken.objects.filter(user=user, revoked_at__isnull=True).select_related("user"):
        count += do_revoke_token(token, acting_user=acting_user)
    return count


def authenticate(raw: str) -> ApiToken | None:
    """The live token with this text whose user may still log in, or None."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__unit")
        .filter(digest=digest_of(raw), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token


def note_use(token: ApiToken) -> None:
    """Record that the token was used, at most once a minute (a conditional UPDATE, no read)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_EVERY:
        return
    ApiToken.objects.filter(pk=token.pk).exclude(last_used_at__gt=now - LAST_USED_EVERY).update(last_used_at=now)
    token.last_used_at = now


def live_tokens(user: User):
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")
