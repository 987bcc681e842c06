"""Matching a person by name + phone confirms a full phone number that the registry only shows masked: with
the masked 3 + 4 digits known, 10,000 candidates are left. Every such lookup is therefore counted per user
per day, refused beyond JIANFU_PHONE_LOOKUPS_PER_DAY, and audited (user, count, file hash — never a phone).
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.utils import timezone

from jianfu.audit.log import record
from jianfu.registry.models import PhoneLookupTally


def daily_limit() -> int:
    return settings.JIANFU_PHONE_LOOKUPS_PER_DAY


def charge(username: str, lookups: int, *, limit: int | None) -> bool:
    """Add `lookups` to the user's tally for today unless that passes `limit` (None: no limit); True if added.

    One conditional upsert (SQLite ≥ 3.35 and PostgreSQL), so two imports at once cannot both slip under the cap.
    """
    if lookups <= 0:
        return True
    if limit is not None and lookups > limit:
        return False
    table = PhoneLookupTally._meta.db_table
    sql = (
        f"INSERT INTO {table} (username, day, lookups) VALUES (%s, %s, %s) "
        f"ON CONFLICT (username, day) DO UPDATE SET lookups = {table}.lookups + excluded.lookups"
    )
    params: list = [username, timezone.localdate(), lookups]
    if limit is not None:
        sql += f" WHERE {table}.lookups + excluded.lookups <= %s"
        params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql + " RETURNING lookups", params)
        return cursor.fetchone() is not None


def used_today(username: str) -> int:
    tally = PhoneLookupTally.objects.filter(username=username, day=timezone.localdate()).first()
    return tally.lookups if tally else 0


def audit(*, actor, file_sha256: str, lookups: int, granted: bool, unit_path: str) -> None:
    """One audit row per file that looked people up by name + phone: who, how many, which file (by hash)."""
    record(
        actor=actor,
        action="phone_lookup" if granted else "phone_lookup_refused",
        kind="import",
        code=file_sha256[:16],
        changes={"lookups": [None, lookups], "file_sha256": [None, file_sha256]},
        unit_path=unit_path,
    )


def spend(user, lookups: int, *, file_sha256: str, unit_path: str) -> bool:
    """Charge and audit a user's name + phone lookups in one go; False (and a refusal audited) over the limit."""
    if lookups <= 0:
        return True
    granted = charge(user.username, lookups, limit=daily_limit())
    audit(actor=user, file_sha256=file_sha256, lookups=lookups, granted=granted, unit_path=unit_path)
    return granted
