"""Matching a person by name + phone confirms a full phone number that the registry only shows masked: with
the masked 3 + 4 digits known, 10,000 candidates are left. Every such lookup is therefore counted per user
over the last 24 hours (the sliding windows of `accounts.throttle`, the same counter as the login limits),
refused beyond JIANFU_PHONE_LOOKUPS_PER_DAY, and audited (user, count, file hash — never a phone).
"""

from __future__ import annotations

from django.conf import settings

from jianfu.accounts import throttle
from jianfu.audit.log import record

SCOPE = "phone-lookup"
WINDOW_SECONDS = 24 * 3600


def daily_limit() -> int:
    return settings.JIANFU_PHONE_LOOKUPS_PER_DAY


def charge(username: str, lookups: int, *, limit: int | None) -> bool:
    """Add `lookups` to the user's count of the last 24 hours unless that passes `limit` (None: no limit, still
    counted); True if added. Parallel imports are serialised per user, so two cannot both slip under the cap."""
    if lookups <= 0:
        return True
    if limit is None:
        throttle.hit(SCOPE, username, window_seconds=WINDOW_SECONDS, cost=lookups)
        return True
    return throttle.allow(SCOPE, username, limit=limit, window_seconds=WINDOW_SECONDS, cost=lookups)


def used_today(username: str) -> int:
    """Lookups the user made in the last 24 hours."""
    return throttle.count(SCOPE, username, window_seconds=WINDOW_SECONDS)


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
