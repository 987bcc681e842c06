"""Write audit rows (the only way they are written) and verify the chain."""

from __future__ import annotations

import datetime as dt
import json
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, transaction
from django.utils import timezone

from jianfu.audit.models import GENESIS, AuditEvent

# Any fixed 64-bit number: the PostgreSQL advisory lock that serialises appends to the chain.
_CHAIN_LOCK = 0x6A69616E6675
# Set while an API request runs: every row written meanwhile names the token that made the write.
_API_TOKEN: ContextVar[int | None] = ContextVar("jianfu_audit_api_token", default=None)


@contextmanager
def via_api_token(token_id: int):
    """Mark every audit row written inside the block as made with this API token."""
    reset = _API_TOKEN.set(token_id)
    try:
        yield
    finally:
        _API_TOKEN.reset(reset)


def _jsonable(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def record(*, actor, action: str, kind: str, code: str, changes: dict, unit_path: str) -> AuditEvent:
    """Append one event, chained to the previous one by its sha256."""
    if _API_TOKEN.get() is not None:
        changes = {**changes, "api_token": [None, _API_TOKEN.get()]}
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Two writers reading the same "last row" would fork the chain; SQLite already serialises writers.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event = AuditEvent(
            actor=actor if getattr(actor, "pk", None) else None,
            actor_name=getattr(actor, "username", None) or str(actor or "system"),
            at=timezone.now().replace(microsecond=0),
            action=action, object_kind=kind, object_code=code,
            changes=json.loads(json.dumps({k: _jsonable(v) for k, v in changes.items()}, ensure_ascii=False)),
            unit_path=unit_path or "", prev_hash=last or GENESIS,
        )
        event.hash = event.compute_hash()
        event.save()
    return event


def verify_chain() -> list[int]:
    """Ids of rows whose hash or link does not match: empty when nobody has tampered with the log."""
    bad: list[int] = []
    previous = GENESIS
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != previous or event.compute_hash() != event.hash:
            bad.append(event.id)
        previous = event.hash
    return bad


def history(kind: str, code: str, limit: int = 100):
    return AuditEvent.objects.filter(object_kind=kind, object_code=code).select_related(None).order_by("-id")[:limit]
