"""Fixed-window rate limits with one atomic counter per window, shared by every process through the database.

Used for login throttling, phone-based lookups and API tokens. A single INSERT … ON CONFLICT … RETURNING
(SQLite ≥ 3.35, PostgreSQL) makes parallel requests see distinct counts, so N parallel attempts cannot all
pass a limit of N-1 the way a read-then-write check lets them.
"""

from __future__ import annotations

import datetime as dt
import time

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from jianfu.accounts.models import RateCounter

_TABLE = RateCounter._meta.db_table


def _window_key(scope: str, subject: str, window_seconds: int, now: float) -> tuple[str, int]:
    window = int(now // window_seconds)
    return f"{scope}:{subject}:{window}"[:200], (window + 1) * window_seconds


def hit(scope: str, subject: str, *, window_seconds: int, cost: int = 1, durable: bool = True) -> int:
    """Add `cost` to the subject's counter for the current window and return the new count.

    `durable=False` (the API's per-request count) lets PostgreSQL commit this one statement without waiting for
    its WAL flush, when it is its own transaction: the count is the same and just as atomic, only a database
    crash in the next fraction of a second could forget it. Every request of a token waited for that flush while
    holding the counter row's lock, so a busy token's requests queued behind each other's disk writes. Login,
    lockout and one-time counters stay durable."""
    now = time.time()
    key, window_end = _window_key(scope, subject, window_seconds, now)
    expires = dt.datetime.fromtimestamp(window_end, tz=dt.timezone.utc)
    table, key_col, count_col = (connection.ops.quote_name(n) for n in (_TABLE, "key", "count"))
    upsert = (
        f"ON CONFLICT ({key_col}) DO UPDATE SET {count_col} = {table}.{count_col} + EXCLUDED.{count_col} "
        f"RETURNING {count_col}"
    )
    if not durable and connection.vendor == "postgresql" and not connection.in_atomic_block:
        # One statement in autocommit (no BEGIN and COMMIT round trips); set_config(…, true) lasts until the end
        # of this statement's own transaction, so nothing else this connection writes is affected.
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({key_col}, {count_col}, expires_at) SELECT %s, %s, %s "
                f"FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit {upsert}",
                [key, cost, expires],
            )
            count = cursor.fetchone()[0]
    else:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({key_col}, {count_col}, expires_at) VALUES (%s, %s, %s) {upsert}",
                [key, cost, expires],
            )
            count = cursor.fetchone()[0]
    if count == cost:
        # First hit of a window: a good moment to drop expired windows, so no scheduled job is needed.
        RateCounter.objects.filter(expires_at__lt=timezone.now()).delete()
    return count


def count(scope: str, subject: str, *, window_seconds: int) -> int:
    """The subject's count in the current window, without adding to it."""
    key, _ = _window_key(scope, subject, window_seconds, time.time())
    return RateCounter.objects.filter(key=key).values_list("count", flat=True).first() or 0


def allow(scope: str, subject: str, *, limit: int, window_seconds: int, cost: int = 1, durable: bool = True) -> bool:
    """Count one attempt and say whether it is still within `limit` for this window."""
    return hit(scope, subject, window_seconds=window_seconds, cost=cost, durable=durable) <= limit


def refund(scope: str, subject: str, *, window_seconds: int, cost: int = 1) -> None:
    """Give back `cost` of the current window's count (e.g. an attempt that succeeded), never below zero."""
    key, _ = _window_key(scope, subject, window_seconds, time.time())
    RateCounter.objects.filter(key=key, count__gte=cost).update(count=F("count") - cost)


def reset(scope: str, subject: str, *, window_seconds: int) -> None:
    """Forget the subject's current window (e.g. after a successful login)."""
    key, _ = _window_key(scope, subject, window_seconds, time.time())
    RateCounter.objects.filter(key=key).delete()
