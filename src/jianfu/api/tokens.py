"""Token actions (create, revoke, authenticate): each write in a transaction with an audit row."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from jianfu.accounts.models import User
from jianfu.api.models import ApiToken
from jianfu.audit.log import record
from jianfu.registry.models import Unit

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
    """The live token with this text whose user may still log in, or None; its user and unit come with it."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = find_live_token(digest_of(raw), timezone.now())
    if token is None or not token.user.is_active:
        return None
    return token


# The look-up every API request makes, written once as SQL from the three models' fields: the ORM spent ~1 ms of
# CPU compiling this one unchanging three-table query on every request (more than the rest of the check).
_JOINED = ((ApiToken, "t"), (User, "u"), (Unit, "n"))


@functools.cache
def _live_token_sql(vendor: str) -> tuple[str, list[tuple[list[str], list[tuple], int]]]:
    """(SQL taking the digest and now; per model: field attnames, (converters, column) per field, index of the pk)."""
    q = connection.ops.quote_name
    select, models = [], []
    for model, alias in _JOINED:
        names, converting = [], []
        for field in model._meta.concrete_fields:
            select.append(f"{alias}.{q(field.column)}")
            column = field.get_col(alias)
            names.append(field.attname)
            converting.append((connection.ops.get_db_converters(column) + column.get_db_converters(connection), column))
        models.append((names, converting, names.index(model._meta.pk.attname)))
    user_id, unit_id = ApiToken._meta.get_field("user").column, User._meta.get_field("unit").column
    sql = (
        f"SELECT {', '.join(select)} FROM {q(ApiToken._meta.db_table)} t"
        f" INNER JOIN {q(User._meta.db_table)} u ON t.{q(user_id)} = u.{q(User._meta.pk.column)}"
        f" LEFT OUTER JOIN {q(Unit._meta.db_table)} n ON u.{q(unit_id)} = n.{q(Unit._meta.pk.column)}"
        f" WHERE t.{q('digest')} = %s AND t.{q('revoked_at')} IS NULL AND t.{q('expires_at')} > %s"
    )
    return sql, models


def find_live_token(digest: str, now: dt.datetime) -> ApiToken | None:
    """The unrevoked, unexpired token with this digest (unique), with its user and the user's unit attached, as
    ApiToken.objects.select_related("user", "user__unit") gives them: whole rows, nothing deferred."""
    sql, models = _live_token_sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [digest, connection.ops.adapt_datetimefield_value(now)])
        row = cursor.fetchone()
    if row is None:
        return None
    objects, start = [], 0
    for (model, _alias), (names, converting, pk_index) in zip(_JOINED, models):
        values = list(row[start : start + len(names)])
        start += len(names)
        for i, (converters, column) in enumerate(converting):
            for converter in converters:
                values[i] = converter(values[i], column, connection)
        objects.append(model.from_db(connection.alias, names, values) if values[pk_index] is not None else None)
    token, user, unit = objects
    ApiToken._meta.get_field("user").set_cached_value(token, user)
    User._meta.get_field("unit").set_cached_value(user, unit)
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
