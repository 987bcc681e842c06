"""Sliding-window rate limits shared by every process through the database.

A limit of N per W seconds admits at most N (in cost) in *any* interval of W seconds, wherever it starts: every
admitted hit is kept with its time (`RateHit`), and a new one is admitted only when the hits of the last W
seconds plus its own cost stay within N. (Fixed windows let about 2N through across a window's edge: N just
before it and N just after.) A refused hit is not kept, so a refusal lasts until the oldest admitted hit of the
last W seconds is W old, never longer, however often the refused party retries.

Used for login throttling, one-time codes, the public clue form, API tokens and name + phone lookups. Hits of one
subject are serialised by an upsert of its `RateCounter` row, which holds that row's lock until the transaction
ends (PostgreSQL; SQLite serialises writers anyway), so N parallel attempts cannot all pass a limit of N-1.
Keys are `scope:subject`; callers pass a hash as the subject wherever it would name a person or an address.

A subject with a high limit (an API token) would keep thousands of hits a window, summed on every request: such
callers pass `bucket_seconds`, and hits of the same bucket share one row (its `at` is the bucket's start). A bucket
counts as long as any of it lies in the window, so the sum can only overcount: at most N in any interval of W
seconds still holds, a refusal may last up to one bucket longer, and a subject keeps at most W / bucket + 2 rows.
"""

from __future__ import annotations

import datetime as dt
import math
import time

from django.db import connection, transaction
from django.db.models import Sum

from jianfu.accounts.models import RateCounter, RateHit

_TABLE = RateCounter._meta.db_table
_HITS = RateHit._meta.db_table


def _key(scope: str, subject: str) -> str:
    return f"{scope}:{subject}"[:200]


def _moment(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc)


def _lock(key: str, expires: dt.datetime) -> bool:
    """Upsert the subject's row, which locks it until the transaction ends; True when the row is new."""
    table, key_col, count_col = (connection.ops.quote_name(n) for n in (_TABLE, "key", "count"))
    with connection.cursor() as cursor:
        cursor.execute(
            # count is 0 as inserted and 1 once the row is hit again: RETURNING tells a new subject apart.
            f"INSERT INTO {table} ({key_col}, {count_col}, expires_at) VALUES (%s, 0, %s) "
            f"ON CONFLICT ({key_col}) DO UPDATE SET {count_col} = 1, "
            f"expires_at = EXCLUDED.expires_at RETURNING {count_col}",
            [key, expires],
        )
        return cursor.fetchone()[0] == 0


def _used(key: str, *, window_seconds: int, now: float, bucket_seconds: int = 0) -> int:
    hits = RateHit.objects.filter(key=key, at__gt=now - window_seconds - bucket_seconds)
    return hits.aggregate(total=Sum("cost"))["total"] or 0


def _count_hit(
    key: str, *, now: float, window_seconds: int, cost: int, limit: int | None, bucket_seconds: int = 0
) -> int:
    """Inside hit()'s transaction, with the subject's row locked: drop its hits older than the window, sum the
    rest with `cost`, keep the new hit when the sum stays within `limit` (in its bucket's row, with buckets).
    Written as SQL once: every API request runs these statements, and the ORM spent more CPU compiling them
    than the database spent running them."""
    table, key_col, at_col, cost_col = (connection.ops.quote_name(n) for n in (_HITS, "key", "at", "cost"))
    horizon = now - window_seconds - bucket_seconds
    at = math.floor(now / bucket_seconds) * bucket_seconds if bucket_seconds else now
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(SUM({cost_col}), 0) FROM {table} WHERE {key_col} = %s AND {at_col} > %s", [key, horizon]
        )
        total = int(cursor.fetchone()[0]) + cost
        if limit is not None and total > limit:
            return total
        if bucket_seconds:
            # The subject's lock serialises this update-else-insert: one row per bucket, no unique index needed.
            cursor.execute(
                f"UPDATE {table} SET {cost_col} = {cost_col} + %s WHERE {key_col} = %s AND {at_col} = %s",
                [cost, key, at],
            )
            if cursor.rowcount:
                return total
        # Hits older than the window no longer count (the sum above skips them); they go when a row is added, so
        # a bucketed count (the API's) spends this statement once a bucket rather than on every request.
        cursor.execute(f"DELETE FROM {table} WHERE {key_col} = %s AND {at_col} <= %s", [key, horizon])
        cursor.execute(f"INSERT INTO {table} ({key_col}, {at_col}, {cost_col}) VALUES (%s, %s, %s)", [key, at, cost])
    return total


def hit(
    scope: str,
    subject: str,
    *,
    window_seconds: int,
    cost: int = 1,
    limit: int | None = None,
    durable: bool = True,
    bucket_seconds: int = 0,
) -> int:
    """Count `cost` for the subject and return the total of the last `window_seconds` with it.

    With a `limit`, a hit that would pass it is not kept (the total returned is then above the limit).

    `durable=False` (the API's per-request count) lets PostgreSQL commit the hit without waiting for its WAL
    flush when the hit is its own transaction: the same count, just as serialised, only a database crash in the
    next fraction of a second could forget it. Every request of a token waited for that flush while holding the
    subject's row lock, so a busy token's requests queued behind each other's disk writes. Login, lockout and
    one-time counters stay durable."""
    relaxed = not durable and connection.vendor == "postgresql" and not connection.in_atomic_block
    now = time.time()
    key = _key(scope, subject)
    if connection.vendor == "postgresql":
        total, fresh = _hit_in_postgresql(key, now, window_seconds, bucket_seconds, cost, limit, relaxed)
    else:
        total, fresh = _hit(key, now, window_seconds, bucket_seconds, cost, limit)
    if fresh:
        # A new subject: a good moment to drop the ones whose last hit is a window old, so no job is needed.
        expired = RateCounter.objects.filter(expires_at__lt=_moment(now))
        RateHit.objects.filter(key__in=expired.values("key")).delete()
        expired.delete()
    return total


def _hit_in_postgresql(key, now, window_seconds, bucket_seconds, cost, limit, relaxed) -> tuple[int, bool]:
    """The same statements as _hit, run by the function migration 0006 created: one round trip instead of six
    (about 1.1 ms of CPU a hit between Django and PostgreSQL before)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT total, fresh FROM jianfu_rate_hit(%s::varchar, %s::float8, %s::float8, %s::float8, %s::bigint, "
            f"%s::bigint, p_relaxed => {'true' if relaxed else 'false'}, p_expires => %s::timestamptz)",
            [key, now, window_seconds, bucket_seconds, cost, limit, _moment(now + window_seconds)],
        )
        total, fresh = cursor.fetchone()
    return int(total), bool(fresh)


def _hit(key, now, window_seconds, bucket_seconds, cost, limit) -> tuple[int, bool]:
    """One hit as statements in a transaction (SQLite; it commits without a flush of its own to relax)."""
    with transaction.atomic():
        fresh = _lock(key, _moment(now + window_seconds))
        total = _count_hit(
            key, now=now, window_seconds=window_seconds, cost=cost, limit=limit, bucket_seconds=bucket_seconds
        )
    return total, fresh


def allow(
    scope: str,
    subject: str,
    *,
    limit: int,
    window_seconds: int,
    cost: int = 1,
    durable: bool = True,
    bucket_seconds: int = 0,
) -> bool:
    """Count one attempt if it stays within `limit` in the last `window_seconds`; whether it did."""
    total = hit(
        scope,
        subject,
        window_seconds=window_seconds,
        cost=cost,
        limit=limit,
        durable=durable,
        bucket_seconds=bucket_seconds,
    )
    return total <= limit


def count(scope: str, subject: str, *, window_seconds: int, bucket_seconds: int = 0) -> int:
    """The subject's total in the last `window_seconds`, without adding to it."""
    return _used(_key(scope, subject), window_seconds=window_seconds, now=time.time(), bucket_seconds=bucket_seconds)


def retry_after(
    scope: str, subject: str, *, limit: int, window_seconds: int, cost: int = 1, bucket_seconds: int = 0
) -> int:
    """Seconds until a hit of `cost` would be admitted again (0: now)."""
    now = time.time()
    horizon = now - window_seconds - bucket_seconds
    hits = RateHit.objects.filter(key=_key(scope, subject), at__gt=horizon).order_by("at")
    rows = list(hits.values_list("at", "cost"))
    total = sum(c for _at, c in rows) + cost
    if total <= limit:
        return 0
    for at, c in rows:
        total -= c
        if total <= limit:
            # A hit (a bucket) stops counting once all of it is a window old.
            return max(1, math.ceil(at + bucket_seconds + window_seconds - now))
    return window_seconds  # the cost alone is over the limit


def refund(scope: str, subject: str, *, window_seconds: int, cost: int = 1) -> None:
    """Give back `cost` of the subject's latest hits (e.g. an attempt that succeeded), if it has that much."""
    now = time.time()
    key = _key(scope, subject)
    with transaction.atomic():
        _lock(key, _moment(now + window_seconds))
        if _used(key, window_seconds=window_seconds, now=now) < cost:
            return
        for row in RateHit.objects.filter(key=key, at__gt=now - window_seconds).order_by("-at", "-id"):
            if cost <= 0:
                break
            taken = min(cost, row.cost)
            cost -= taken
            if taken == row.cost:
                row.delete()
            else:
                RateHit.objects.filter(pk=row.pk).update(cost=row.cost - taken)


def reset(scope: str, subject: str, *, window_seconds: int) -> None:
    """Forget the subject's hits (e.g. after a successful login)."""
    RateHit.objects.filter(key=_key(scope, subject)).delete()
