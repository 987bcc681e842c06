"""Send a notice to users: a row in each one's inbox, and an email through Django's mail settings."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from jianfu.inbox.models import Message

log = logging.getLogger("jianfu.inbox")


def absolute(url: str) -> str:
    """A link usable from an email: JIANFU_BASE_URL (e.g. https://jianfu.example.gov.cn) + the path."""
    base = getattr(settings, "JIANFU_BASE_URL", "") or ""
    return base.rstrip("/") + url if url.startswith("/") and base else url


def notify(
    users: Iterable, subject: str, body: str = "", *, url: str = "", topic: str = "", email: bool = True
) -> list[Message]:
    """One inbox message per distinct active user; emails go out once the surrounding transaction commits."""
    return notify_many([(users, subject, body, url, topic)], email=email)


def notify_many(notices: Iterable[tuple[Iterable, str, str, str, str]], *, email: bool = True) -> list[Message]:
    """Several notices at once, each (users, subject, body, url, topic) as notify() takes them: the messages in one
    insert, the emails after the commit (a daily job telling the offices of a thousand cases)."""
    messages: list[Message] = []
    for users, subject, body, url, topic in notices:
        seen: set[int] = set()
        for user in users:
            if user is None or not getattr(user, "pk", None) or user.pk in seen or not user.is_active:
                continue
            seen.add(user.pk)
            messages.append(
                Message(
                    recipient=user,
                    topic=topic,
                    subject=subject[:300],
                    body=body,
                    url=url,
                    emailed=bool(email and user.email),
                )
            )
    Message.objects.bulk_create(messages, batch_size=500)
    if email:
        outgoing = [(m.recipient.email, m.subject, m.body, m.url) for m in messages if m.emailed]
        if outgoing:
            transaction.on_commit(lambda: _send(outgoing))
    return messages


def _send(outgoing: list[tuple[str, str, str, str]]) -> None:
    sender = getattr(settings, "DEFAULT_FROM_EMAIL", None)
    for address, subject, body, url in outgoing:
        text = body + (f"\n\n{absolute(url)}" if url else "")
        try:
            # One message per recipient: officers of different units must not see each other's addresses.
            EmailMessage(f"【基层减负】{subject}", text, sender, [address]).send()
        except Exception:  # a mail server outage must not undo the decision that triggered the notice
            log.exception("could not email %s", address)


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Message.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user, uid=None) -> int:
    qs = Message.objects.filter(recipient=user, read_at__isnull=True)
    if uid is not None:
        qs = qs.filter(uid=uid)
    return qs.update(read_at=timezone.now())
