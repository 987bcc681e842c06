"""Checkpoints of the audit log's head (row count, head id and hash, HMAC) appended to a file outside the database.

The hash chain alone cannot show rows cut from its end, a log emptied whole, or a row edited with every later
hash recomputed. Row HMACs catch the last; checkpoints the first two: a row a checkpoint named must still be
there with the same hash, and as many rows as it counted up to it. The file is only ever opened for appending
(O_APPEND, mode 0600); in production make it append-only for the app's user too (`chattr +a`) or copy it off
the machine, so that whoever can rewrite the database cannot rewrite the checkpoints.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from jianfu.audit.models import GENESIS, AuditEvent, sign

_TAIL_BYTES = 4096


@dataclass(frozen=True)
class Checkpoint:
    line: int
    at: str
    count: int
    head_id: int
    head_hash: str
    mac: str

    @staticmethod
    def signed_text(at: str, count: int, head_id: int, head_hash: str) -> str:
        return f"{at}|{count}|{head_id}|{head_hash}"

    @property
    def genuine(self) -> bool:
        return sign(self.signed_text(self.at, self.count, self.head_id, self.head_hash)) == self.mac


def checkpoint_path() -> Path:
    return Path(settings.JIANFU_AUDIT_CHECKPOINTS)


def take_checkpoint() -> Checkpoint:
    """Append the current head of the log (committed rows only) to the checkpoint file."""
    count = AuditEvent.objects.count()
    head = AuditEvent.objects.order_by("-id").values_list("id", "hash").first() or (0, GENESIS)
    at = timezone.now().isoformat()
    mac = sign(Checkpoint.signed_text(at, count, head[0], head[1]))
    line = json.dumps({"at": at, "count": count, "head_id": head[0], "head_hash": head[1], "mac": mac})
    path = checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(handle, (line + "\n").encode())  # one write of one short line: appends do not interleave
    finally:
        os.close(handle)
    return Checkpoint(0, at, count, head[0], head[1], mac)


def _parse(number: int, text: str) -> Checkpoint | None:
    try:
        data = json.loads(text)
        return Checkpoint(
            number, str(data["at"]), int(data["count"]), int(data["head_id"]), str(data["head_hash"]), str(data["mac"])
        )
    except (ValueError, KeyError, TypeError):
        return None


def read_checkpoints() -> list[tuple[int, Checkpoint | None]]:
    """Every line of the checkpoint file as (line number, checkpoint or None when unreadable)."""
    path = checkpoint_path()
    if not path.exists():
        return []
    with path.open(encoding="utf-8", errors="replace") as handle:
        return [(number, _parse(number, text)) for number, text in enumerate(handle, start=1) if text.strip()]


def last_head_id() -> int | None:
    """The head id of the newest checkpoint, read from the file's tail (None: no checkpoint yet)."""
    path = checkpoint_path()
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - _TAIL_BYTES))
            lines = handle.read().decode("utf-8", errors="replace").strip().splitlines()
    except FileNotFoundError:
        return None
    last = _parse(0, lines[-1]) if lines else None
    return last.head_id if last else None


def checkpoint_if_due() -> None:
    """After a commit: a new checkpoint once JIANFU_AUDIT_CHECKPOINT_EVERY rows were added since the last one."""
    head = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    if head is None:
        return
    last = last_head_id()
    if last is None or head - last >= settings.JIANFU_AUDIT_CHECKPOINT_EVERY:
        take_checkpoint()
