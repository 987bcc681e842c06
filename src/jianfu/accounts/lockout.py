"""Lock a username at one address after repeated failed logins: 5 failures in 15 minutes."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from jianfu.accounts.models import LoginFailure

MAX_FAILURES = getattr(settings, "JIANFU_LOGIN_MAX_FAILURES", 5)
WINDOW = dt.timedelta(minutes=getattr(settings, "JIANFU_LOGIN_WINDOW_MINUTES", 15))


def client_ip(request) -> str | None:
    # Only trust a proxy header when told to: otherwise anyone could rotate it to dodge the lockout.
    if getattr(settings, "JIANFU_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def _key(username: str) -> str:
    return (username or "").strip().lower()[:150]


def is_locked(username: str, ip: str | None) -> bool:
    since = timezone.now() - WINDOW
    return LoginFailure.objects.filter(username=_key(username), ip=ip, at__gte=since).count() >= MAX_FAILURES


def record_failure(username: str, ip: str | None) -> None:
    LoginFailure.objects.create(username=_key(username), ip=ip)
    # Old rows say nothing any more; pruning here keeps the table small without a scheduled job.
    LoginFailure.objects.filter(at__lt=timezone.now() - WINDOW * 8).delete()


def clear_failures(username: str, ip: str | None) -> None:
    LoginFailure.objects.filter(username=_key(username), ip=ip).delete()
