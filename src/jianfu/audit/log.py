"""Write audit rows (the only way they are written) and verify the chain."""

from __future__ import annotations

import datetime as dt
import hmac
import json
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from jianfu.audit.checkpoints import Checkpoint, checkpoint_if_due, read_checkpoints
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
            action=action,
            object_kind=kind,
            object_code=code,
            changes=json.loads(json.dumps({k: _jsonable(v) for k, v in changes.items()}, ensure_ascii=False)),
            unit_path=unit_path or "",
            prev_hash=last or GENESIS,
        )
        event.hash = event.compute_hash()
        event.mac = event.compute_mac()
        event.save()
        # Only committed rows may be checkpointed: a checkpoint naming a rolled-back row would cry wolf.
        transaction.on_commit(checkpoint_if_due, robust=True)  # a full disk must not fail the change itself
    return event


def record_many(entries: list[dict]) -> list[AuditEvent]:
    """Append several events in one insert, chained in their order: a batch job's one row per object.

    Each entry holds record()'s keyword arguments (actor, action, kind, code, changes, unit_path)."""
    if not entries:
        return []
    token = _API_TOKEN.get()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
        previous = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS
        at = timezone.now().replace(microsecond=0)
        events = []
        for entry in entries:
            actor, changes = entry["actor"], entry["changes"]
            if token is not None:
                changes = {**changes, "api_token": [None, token]}
            event = AuditEvent(
                actor=actor if getattr(actor, "pk", None) else None,
                actor_name=getattr(actor, "username", None) or str(actor or "system"),
                at=at,
                action=entry["action"],
                object_kind=entry["kind"],
                object_code=entry["code"],
                changes=json.loads(json.dumps({k: _jsonable(v) for k, v in changes.items()}, ensure_ascii=False)),
                unit_path=entry["unit_path"] or "",
                prev_hash=previous,
            )
            event.hash = event.compute_hash()
            event.mac = event.compute_mac()
            previous = event.hash
            events.append(event)
        AuditEvent.objects.bulk_create(events, batch_size=500)
        transaction.on_commit(checkpoint_if_due, robust=True)
    return events


def verify_chain() -> list[int]:
    """Ids of rows whose hash, link or signature does not match: empty when nobody has tampered with the log."""
    return sorted({problem.event_id for problem in verify_log() if problem.event_id is not None})


@dataclass(frozen=True)
class Problem:
    message: str
    event_id: int | None = None


def verify_log() -> list[Problem]:
    """Everything wrong with the log: rows whose hash, link or HMAC fails, and checkpoints it no longer matches."""
    problems: list[Problem] = []
    checkpoints: list[Checkpoint] = []
    for line, checkpoint in read_checkpoints():
        if checkpoint is None or not checkpoint.genuine:
            problems.append(Problem(f"检查点文件第 {line} 行无法读取或签名不符：检查点被改动过"))
        else:
            checkpoints.append(checkpoint)
    pending = sorted((c for c in checkpoints if c.count), key=lambda c: c.head_id)  # an empty log's says nothing
    previous, position = GENESIS, 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        position += 1
        if event.prev_hash != previous or event.compute_hash() != event.hash:
            problems.append(Problem(f"记录 id {event.id} 的哈希或链接不符：内容被改动，或之前的记录被删改", event.id))
        elif not hmac.compare_digest(event.mac, event.compute_mac()):
            problems.append(
                Problem(f"记录 id {event.id} 的签名（HMAC）不符：该记录被伪造，或其哈希被重新计算过", event.id)
            )
        previous = event.hash
        while pending and pending[0].head_id <= event.id:
            problems.extend(_against_checkpoint(pending.pop(0), event, position))
    for checkpoint in pending:
        problems.append(
            Problem(
                f"检查点（{checkpoint.at}）记录日志有 {checkpoint.count} 条、最后一条为 id {checkpoint.head_id}，"
                f"现在日志只有 {position} 条，最后的记录已被删除"
            )
        )
    return problems


def _against_checkpoint(checkpoint: Checkpoint, event: AuditEvent, position: int) -> list[Problem]:
    """The row a checkpoint named, as found in the log walk (or the first row after where it should be)."""
    if checkpoint.head_id != event.id:
        return [Problem(f"检查点（{checkpoint.at}）所记的最后一条记录 id {checkpoint.head_id} 已被删除")]
    if checkpoint.head_hash != event.hash:
        return [Problem(f"记录 id {event.id} 与检查点（{checkpoint.at}）所记的哈希不符：记录被改动", event.id)]
    if checkpoint.count != position:
        return [
            Problem(
                f"检查点（{checkpoint.at}）记到 id {event.id} 共 {checkpoint.count} 条，"
                f"现在只有 {position} 条：其间的记录被删除"
            )
        ]
    return []


def history(kind: str, code: str, limit: int = 100):
    return AuditEvent.objects.filter(object_kind=kind, object_code=code).select_related(None).order_by("-id")[:limit]
