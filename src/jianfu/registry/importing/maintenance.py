"""Upkeep around imports: undo batches whose process died, recount members, refresh the planner's statistics."""

from __future__ import annotations

import logging

from django.db import connection, transaction
from django.utils import timezone


from jianfu.ingest import CellError
from jianfu.liveness import owner_gone
from jianfu.registry.models import App, Form, FormField, ImportBatch, Membership, Person, PublicAccount, Unit, WorkGroup

log = logging.getLogger("jianfu.import")
# A batch whose importing process died: the message shown in its report (a msgid, translated when shown).
ABANDONED = "导入进程中断，本文件已撤销，未留下任何数据；请重新导入"


def _beat_batch(batch_id: int) -> None:
    ImportBatch.objects.filter(id=batch_id).update(heartbeat=timezone.now())


def abandon_batch(batch_id: int) -> bool:
    """Undo what a batch wrote and mark it failed; False when it had already ended.

    Only members are written in several transactions (tagged with their batch, added never changed), so deleting
    the batch's memberships undoes it; every other kind is written in one transaction that the database undoes.
    """
    try:
        with transaction.atomic():
            file_name = ImportBatch.objects.filter(id=batch_id).values_list("file_name", flat=True).first() or ""
            claimed = ImportBatch.objects.filter(id=batch_id, status=ImportBatch.Status.RUNNING).update(
                status=ImportBatch.Status.FAILED,
                finished_at=timezone.now(),
                error_count=1,
                errors=[CellError(file_name, "", None, "", "", ABANDONED).as_dict()],
            )
            if not claimed:
                return False
            touched = set(Membership.objects.filter(batch_id=batch_id).values_list("group_id", flat=True).distinct())
            if touched:
                Membership.objects.filter(batch_id=batch_id).delete()
                refresh_member_counts(touched)
    except Exception:  # inside a broken transaction (a dry run) the outer rollback undoes it; the reaper retries
        log.exception("could not abandon import batch %s", batch_id)
        return False
    log.warning("import batch %s abandoned and undone", batch_id)
    return True


def abandon_batches_of(host: str, pid: int) -> int:
    """Abandon the running batches of a process known to be dead."""
    running = ImportBatch.objects.filter(status=ImportBatch.Status.RUNNING, host=host, pid=pid)
    return sum(abandon_batch(batch_id) for batch_id in running.values_list("id", flat=True))


def reap_abandoned_batches(stale_after: float) -> int:
    """Abandon running batches whose process is gone from this host or whose heartbeat is older than stale_after."""
    cutoff = timezone.now() - timezone.timedelta(seconds=stale_after)
    reaped = 0
    for batch_id, host, pid, heartbeat, started_at in ImportBatch.objects.filter(
        status=ImportBatch.Status.RUNNING
    ).values_list("id", "host", "pid", "heartbeat", "started_at"):
        if owner_gone(host, pid) or (heartbeat or started_at) < cutoff:
            reaped += abandon_batch(batch_id)
    return reaped


_TABLES_OF_KIND = {
    "units": Unit,
    "people": Person,
    "apps": App,
    "accounts": PublicAccount,
    "groups": WorkGroup,
    "members": Membership,
    "forms": Form,
    "fields": FormField,
}


def refresh_planner_statistics(kinds: set[str]) -> None:
    """After a bulk load the planner's row estimates are stale: on PostgreSQL the group detail page's overlap
    query went from 8 ms to 3 s until the next autovacuum. Refresh them for the tables that grew."""
    tables = [_TABLES_OF_KIND[k]._meta.db_table for k in sorted(kinds) if k in _TABLES_OF_KIND]
    if not tables:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in tables:
                cursor.execute(f"ANALYZE {table}")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=2000")  # sample, so a 30M-row table costs milliseconds
            for table in tables:
                cursor.execute(f"ANALYZE {table}")


def refresh_member_counts(group_ids: set[int] | None = None) -> None:
    """Recount members of the given groups (all groups when None or many) with set-based updates."""
    groups, members = WorkGroup._meta.db_table, Membership._meta.db_table
    with connection.cursor() as cursor:
        if group_ids is None or len(group_ids) > 5000:
            # One aggregation over the membership table beats thousands of correlated counts.
            cursor.execute(
                f"UPDATE {groups} SET member_count = s.n FROM "
                f"(SELECT group_id, COUNT(*) AS n FROM {members} GROUP BY group_id) s "
                f"WHERE {groups}.id = s.group_id AND {groups}.member_count <> s.n"
            )
            return
        ids = sorted(group_ids)
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            cursor.execute(
                f"UPDATE {groups} SET member_count = (SELECT COUNT(*) FROM {members} m WHERE m.group_id = {groups}.id) "
                f"WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
